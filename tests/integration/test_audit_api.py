"""Audit trails over HTTP (contract section 11), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

ACCOUNTS = "/api/v1/accounts"
CATEGORIES = "/api/v1/categories"
TRANSACTIONS = "/api/v1/transactions"
BUDGETS = "/api/v1/budgets"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
Json = dict[str, Any]


async def _post(client: Client, user: SignedIn, url: str, body: Json) -> Json:
    response = await client.post(url, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


async def _patch(client: Client, user: SignedIn, url: str, body: Json) -> None:
    response = await client.patch(url, json=body, headers=user.headers)
    assert response.status_code == 200, response.text


async def _trail(client: Client, user: SignedIn, url: str) -> list[Json]:
    response = await client.get(f"{url}/audit", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["items"]
    return items


async def _account(client: Client, user: SignedIn) -> Json:
    body = {"name": "Wallet", "type": "cash", "currency": "EUR", "opening_balance": "5.00"}
    return await _post(client, user, ACCOUNTS, body)


async def test_an_account_create_records_every_writable_field_from_null(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)

    [entry] = await _trail(client, user, f"{ACCOUNTS}/{account['id']}")

    assert entry["action"] == "create"
    assert entry["actor_id"] == user.id
    assert entry["at"].endswith("Z")
    assert entry["changes"] == {
        "household_id": {"from": None, "to": account["household_id"]},
        "name": {"from": None, "to": "Wallet"},
        "type": {"from": None, "to": "cash"},
        "currency": {"from": None, "to": "EUR"},
        "opening_balance": {"from": None, "to": "5.00"},
        "archived": {"from": None, "to": False},
    }


async def test_an_update_records_only_the_fields_it_changed(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)
    url = f"{ACCOUNTS}/{account['id']}"

    await _patch(client, user, url, {"name": "Purse", "archived": False})

    trail = await _trail(client, user, url)
    assert [entry["action"] for entry in trail] == ["create", "update"]
    assert trail[1]["changes"] == {"name": {"from": "Wallet", "to": "Purse"}}


async def test_a_write_that_changes_nothing_records_nothing(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)
    url = f"{ACCOUNTS}/{account['id']}"

    await _patch(client, user, url, {"name": "Wallet"})

    assert len(await _trail(client, user, url)) == 1


async def test_a_balance_moved_by_a_transaction_is_not_recorded_on_the_account(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)
    body = {"type": "expense", "amount": "1.00", "date": "2026-11-01", "account_id": account["id"]}

    await _post(client, user, TRANSACTIONS, body)

    assert len(await _trail(client, user, f"{ACCOUNTS}/{account['id']}")) == 1


async def test_a_transaction_uncategorised_by_a_category_delete_records_the_deleters_update(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)
    category = await _post(client, user, CATEGORIES, {"name": "Gone", "kind": "expense"})
    body = {
        "type": "expense",
        "amount": "1.00",
        "date": "2026-11-01",
        "account_id": account["id"],
        "category_id": category["id"],
    }
    txn = await _post(client, user, TRANSACTIONS, body)

    deleted = await client.delete(f"{CATEGORIES}/{category['id']}", headers=user.headers)

    assert deleted.status_code == 204
    trail = await _trail(client, user, f"{TRANSACTIONS}/{txn['id']}")
    assert trail[0]["changes"]["amount"] == {"from": None, "to": "1.00"}
    assert trail[1]["action"] == "update"
    assert trail[1]["actor_id"] == user.id
    assert trail[1]["changes"] == {"category_id": {"from": category["id"], "to": None}}


async def test_a_reconciliation_records_the_status_it_moved(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)
    body = {
        "type": "expense",
        "amount": "1.00",
        "date": "2026-11-01",
        "account_id": account["id"],
        "status": "cleared",
    }
    txn = await _post(client, user, TRANSACTIONS, body)

    reconciled = await client.post(
        f"{ACCOUNTS}/{account['id']}/reconcile",
        json={"statement_date": "2026-11-02", "statement_balance": "4.00"},
        headers=user.headers,
    )

    assert reconciled.status_code == 200, reconciled.text
    trail = await _trail(client, user, f"{TRANSACTIONS}/{txn['id']}")
    assert trail[-1]["changes"] == {"status": {"from": "cleared", "to": "reconciled"}}
    account_trail = await _trail(client, user, f"{ACCOUNTS}/{account['id']}")
    assert account_trail[-1]["changes"] == {
        "last_reconciled_on": {"from": None, "to": "2026-11-02"}
    }


async def test_categories_and_budgets_have_trails_too(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    category = await _post(client, user, CATEGORIES, {"name": "Food", "kind": "expense"})
    budget = await _post(
        client, user, BUDGETS, {"name": "Food", "amount": "10.00", "currency": "EUR"}
    )

    await _patch(client, user, f"{CATEGORIES}/{category['id']}", {"color": "#00ff00"})
    await _patch(client, user, f"{BUDGETS}/{budget['id']}", {"amount": "12.00"})

    category_trail = await _trail(client, user, f"{CATEGORIES}/{category['id']}")
    budget_trail = await _trail(client, user, f"{BUDGETS}/{budget['id']}")
    assert category_trail[1]["changes"] == {"color": {"from": None, "to": "#00ff00"}}
    assert budget_trail[1]["changes"] == {"amount": {"from": "10.00", "to": "12.00"}}


async def test_another_users_trail_is_a_404(client: Client, new_user: NewUser) -> None:
    alice, bob = await new_user(), await new_user()
    account = await _account(client, alice)

    response = await client.get(f"{ACCOUNTS}/{account['id']}/audit", headers=bob.headers)

    assert response.status_code == 404


async def test_a_missing_records_trail_is_a_404(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.get(f"{TRANSACTIONS}/{uuid.uuid4()}/audit", headers=user.headers)

    assert response.status_code == 404


async def test_a_split_part_uncategorised_by_a_category_delete_records_the_new_parts(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _account(client, user)
    food = await _post(client, user, CATEGORIES, {"name": "Food", "kind": "expense"})
    body = {
        "type": "expense",
        "amount": "3.00",
        "date": "2026-11-01",
        "account_id": account["id"],
        "splits": [
            {"category_id": food["id"], "amount": "1.00"},
            {"amount": "2.00", "description": "rest"},
        ],
    }
    txn = await _post(client, user, TRANSACTIONS, body)

    deleted = await client.delete(f"{CATEGORIES}/{food['id']}", headers=user.headers)

    assert deleted.status_code == 204
    trail = await _trail(client, user, f"{TRANSACTIONS}/{txn['id']}")
    assert trail[-1]["action"] == "update"
    change = trail[-1]["changes"]["splits"]
    assert [part["category_id"] for part in change["from"]] == [food["id"], None]
    assert [part["category_id"] for part in change["to"]] == [None, None]
    after = await client.get(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)
    assert change["to"] == after.json()["splits"]
