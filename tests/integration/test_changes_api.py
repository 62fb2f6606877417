"""The change feed over HTTP (contract section 11), on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.change_reader import purge_tombstones
from budget.adapters.changes import CHANGES as CHANGES_TABLE
from budget.domain.model.changes import FeedToken, encode_token
from budget.domain.model.ids import UserId
from tests.integration.conftest import SECRET, SignedIn

CHANGES = "/api/v1/changes"
ACCOUNTS = "/api/v1/accounts"
CATEGORIES = "/api/v1/categories"
TRANSACTIONS = "/api/v1/transactions"
BUDGETS = "/api/v1/budgets"
HOUSEHOLDS = "/api/v1/households"
FEED_KEY = hashlib.sha256(b"budget-changes:" + SECRET.encode()).digest()

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
Json = dict[str, Any]


async def _page(
    client: Client, user: SignedIn, since: str | None = None, limit: int = 1000
) -> Json:
    query = f"?limit={limit}" + (f"&since={since}" if since else "")
    response = await client.get(CHANGES + query, headers=user.headers)
    assert response.status_code == 200, response.text
    page: Json = response.json()
    return page


async def _walk(
    client: Client, user: SignedIn, since: str | None = None, limit: int = 1000
) -> tuple[list[Json], str]:
    """Every item up to the end of the feed, and the token to go on from."""
    items: list[Json] = []
    while True:
        page = await _page(client, user, since, limit)
        items += page["items"]
        since = page["next_since"]
        if not page["has_more"]:
            return items, since


async def _post(client: Client, user: SignedIn, url: str, body: Json) -> Json:
    response = await client.post(url, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def _account(client: Client, user: SignedIn, **fields: Any) -> Json:
    body = {"name": f"A {uuid.uuid4().hex[:8]}", "type": "cash", "currency": "EUR", **fields}
    return await _post(client, user, ACCOUNTS, body)


async def _expense(client: Client, user: SignedIn, account: Json, **fields: Any) -> Json:
    body = {
        "type": "expense",
        "amount": "9.99",
        "date": "2026-11-01",
        "account_id": account["id"],
        **fields,
    }
    return await _post(client, user, TRANSACTIONS, body)


async def _get(client: Client, user: SignedIn, url: str) -> Json:
    response = await client.get(url, headers=user.headers)
    assert response.status_code == 200, response.text
    found: Json = response.json()
    return found


def _by_id(items: list[Json]) -> dict[str, Json]:
    return {item["id"]: item for item in items}


async def test_a_first_walk_brings_every_live_entity_once_as_it_reads(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)

    items, _ = await _walk(client, user)

    found = _by_id(items)
    assert len(found) == len(items)
    assert {item["op"] for item in items} == {"upsert"}
    assert found[account["id"]]["entity"] == "account"
    assert found[account["id"]]["data"] == await _get(client, user, f"{ACCOUNTS}/{account['id']}")
    households = [item for item in items if item["entity"] == "household"]
    assert len(households) == 1
    assert households[0]["data"]["role"] == "owner"
    assert sum(item["entity"] == "category" for item in items) == 10


async def test_a_walk_from_a_token_brings_what_changed_since_with_the_moved_balance(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)
    _, since = await _walk(client, user)

    txn = await _expense(client, user, account)
    items, _ = await _walk(client, user, since)

    found = _by_id(items)
    assert set(found) == {txn["id"], account["id"]}
    assert found[txn["id"]]["data"] == await _get(client, user, f"{TRANSACTIONS}/{txn['id']}")
    assert found[account["id"]]["data"]["balance"] == "-9.99"


async def test_a_walk_that_is_up_to_date_is_empty(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    _, since = await _walk(client, user)

    page = await _page(client, user, since)

    assert page["items"] == []
    assert page["has_more"] is False


async def test_a_delete_is_a_tombstone_that_a_first_walk_leaves_out(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)
    _, since = await _walk(client, user)

    deleted = await client.delete(f"{ACCOUNTS}/{account['id']}", headers=user.headers)
    items, _ = await _walk(client, user, since)
    fresh, _ = await _walk(client, user)

    assert deleted.status_code == 204
    assert items == [
        {
            "entity": "account",
            "id": account["id"],
            "household_id": account["household_id"],
            "op": "delete",
            "data": None,
        }
    ]
    assert account["id"] not in _by_id(fresh)


async def test_small_pages_bring_every_entity_exactly_once(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    for _ in range(3):
        await _account(client, user)

    whole, _ = await _walk(client, user)
    paged, _ = await _walk(client, user, limit=2)

    assert sorted(item["id"] for item in paged) == sorted(item["id"] for item in whole)


async def test_a_category_delete_shows_its_transactions_uncategorised_and_its_budgets_gone(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)
    category = await _post(client, user, CATEGORIES, {"name": "Doomed", "kind": "expense"})
    txn = await _expense(client, user, account, category_id=category["id"])
    budget = await _post(
        client,
        user,
        BUDGETS,
        {"name": "B", "amount": "10.00", "currency": "EUR", "category_id": category["id"]},
    )
    _, since = await _walk(client, user)

    gone = await client.delete(f"{CATEGORIES}/{category['id']}", headers=user.headers)
    items, _ = await _walk(client, user, since)

    assert gone.status_code == 204
    found = _by_id(items)
    assert found[category["id"]]["op"] == "delete"
    assert found[budget["id"]]["op"] == "delete"
    assert found[txn["id"]]["op"] == "upsert"
    assert found[txn["id"]]["data"]["category_id"] is None


async def test_a_forged_token_is_a_422_on_since(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    page = await _page(client, user)
    body, signature = page["next_since"].split(".")

    response = await client.get(f"{CHANGES}?since={body}.{signature[::-1]}", headers=user.headers)

    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["since"]


async def test_another_users_token_is_a_422(client: Client, new_user: NewUser) -> None:
    alice, bob = await new_user(), await new_user()
    page = await _page(client, alice)

    response = await client.get(f"{CHANGES}?since={page['next_since']}", headers=bob.headers)

    assert response.status_code == 422


async def test_a_token_older_than_the_retention_is_a_410(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    old = FeedToken(UserId(uuid.UUID(user.id)), datetime.now(UTC) - timedelta(days=31), {})

    response = await client.get(
        f"{CHANGES}?since={encode_token(old, FEED_KEY)}", headers=user.headers
    )

    assert response.status_code == 410


async def test_a_limit_out_of_range_is_a_422(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.get(f"{CHANGES}?limit=1001", headers=user.headers)

    assert response.status_code == 422


async def test_joining_a_household_brings_it_and_its_entities_and_leaving_deletes_it(
    client: Client, new_user: NewUser
) -> None:
    owner, member = await new_user(), await new_user()
    shared = await _post(client, owner, HOUSEHOLDS, {"name": "Shared"})
    account = await _account(client, owner, household_id=shared["id"])
    _, since = await _walk(client, member)
    invitation = await _post(
        client,
        owner,
        f"{HOUSEHOLDS}/{shared['id']}/invitations",
        {"email": member.email, "role": "editor"},
    )
    accepted = await client.post(
        f"/api/v1/invitations/{invitation['id']}/accept", headers=member.headers
    )

    joined, since = await _walk(client, member, since)
    left = await client.delete(
        f"{HOUSEHOLDS}/{shared['id']}/members/{member.id}", headers=member.headers
    )
    after, _ = await _walk(client, member, since)

    assert accepted.status_code == 200
    found = _by_id(joined)
    assert found[shared["id"]]["data"]["role"] == "editor"
    assert found[account["id"]]["op"] == "upsert"
    assert left.status_code == 204
    assert after == [
        {
            "entity": "household",
            "id": shared["id"],
            "household_id": shared["id"],
            "op": "delete",
            "data": None,
        }
    ]


async def test_a_renamed_household_comes_again(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    shared = await _post(client, user, HOUSEHOLDS, {"name": "Old"})
    _, since = await _walk(client, user)

    renamed = await client.patch(
        f"{HOUSEHOLDS}/{shared['id']}", json={"name": "New"}, headers=user.headers
    )
    items, _ = await _walk(client, user, since)

    assert renamed.status_code == 200
    assert [(item["id"], item["data"]["name"]) for item in items] == [(shared["id"], "New")]


async def test_the_feed_needs_a_token(client: Client) -> None:
    response = await client.get(CHANGES)

    assert response.status_code == 401


async def test_tombstones_past_the_retention_are_purged_and_recent_ones_kept(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    account = await _account(client, user)
    await client.delete(f"{ACCOUNTS}/{account['id']}", headers=user.headers)

    await purge_tombstones(engine, datetime.now(UTC), timedelta(days=30))
    kept = await _tombstones_of(engine, account["id"])
    await purge_tombstones(engine, datetime.now(UTC) + timedelta(days=31), timedelta(days=30))
    purged = await _tombstones_of(engine, account["id"])

    assert (kept, purged) == (1, 0)


async def _tombstones_of(engine: AsyncEngine, entity_id: str) -> int:
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SELECT set_config('budget.households', '*', true)"))
        found = await connection.execute(
            select(func.count())
            .select_from(CHANGES_TABLE)
            .where(
                CHANGES_TABLE.c.entity_id == uuid.UUID(entity_id), CHANGES_TABLE.c.op == "delete"
            )
        )
        return int(found.scalar_one())


async def test_a_role_change_brings_the_household_again_with_the_new_role(
    client: Client, new_user: NewUser
) -> None:
    owner, member = await new_user(), await new_user()
    shared = await _post(client, owner, HOUSEHOLDS, {"name": "Shared"})
    invitation = await _post(
        client,
        owner,
        f"{HOUSEHOLDS}/{shared['id']}/invitations",
        {"email": member.email, "role": "editor"},
    )
    await client.post(f"/api/v1/invitations/{invitation['id']}/accept", headers=member.headers)
    _, since = await _walk(client, member)

    changed = await client.patch(
        f"{HOUSEHOLDS}/{shared['id']}/members/{member.id}",
        json={"role": "viewer"},
        headers=owner.headers,
    )
    items, _ = await _walk(client, member, since)

    assert changed.status_code == 200
    assert [(item["id"], item["data"]["role"]) for item in items] == [(shared["id"], "viewer")]
