"""Idempotency-Key over HTTP (contract section 11), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.idempotency import KEYS, purge_expired
from tests.integration.conftest import SignedIn

ACCOUNTS = "/api/v1/accounts"
Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


def _account(name: str | None = None) -> dict[str, Any]:
    return {"name": name or f"A {uuid.uuid4().hex[:8]}", "type": "cash", "currency": "EUR"}


def _with_key(user: SignedIn, key: str) -> dict[str, str]:
    return {**user.headers, "Idempotency-Key": key}


async def _count_accounts(client: Client, user: SignedIn) -> int:
    response = await client.get(f"{ACCOUNTS}?limit=500", headers=user.headers)
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


async def test_a_repeated_create_is_answered_again_without_creating_twice(
    client: Client, new_user: NewUser
) -> None:
    user, key, body = await new_user(), uuid.uuid4().hex, _account()

    first = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))
    again = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count_accounts(client, user) == 1


async def test_the_same_json_written_differently_is_the_same_request(
    client: Client, new_user: NewUser
) -> None:
    user, key = await new_user(), uuid.uuid4().hex
    content = '{"name": "Wallet", "type": "cash", "currency": "EUR"}'
    reordered = '{"currency":"EUR","type":"cash","name":"Wallet"}'
    headers = {**_with_key(user, key), "Content-Type": "application/json"}

    await client.post(ACCOUNTS, content=content, headers=headers)
    again = await client.post(ACCOUNTS, content=reordered, headers=headers)

    assert again.headers.get("idempotent-replayed") == "true"


async def test_a_key_reused_with_another_body_is_a_422_on_the_header(
    client: Client, new_user: NewUser
) -> None:
    user, key = await new_user(), uuid.uuid4().hex
    await client.post(ACCOUNTS, json=_account(), headers=_with_key(user, key))

    other = await client.post(ACCOUNTS, json=_account(), headers=_with_key(user, key))

    assert other.status_code == 422
    assert [e["pointer"] for e in other.json()["errors"]] == ["Idempotency-Key"]


async def test_a_key_reused_on_another_path_is_a_422(client: Client, new_user: NewUser) -> None:
    user, key = await new_user(), uuid.uuid4().hex
    created = await client.post(ACCOUNTS, json=_account(), headers=_with_key(user, key))

    other = await client.patch(
        created.headers["location"], json={"name": "Renamed"}, headers=_with_key(user, key)
    )

    assert other.status_code == 422


async def test_keys_are_kept_per_user(client: Client, new_user: NewUser) -> None:
    alice, bob, key = await new_user(), await new_user(), uuid.uuid4().hex

    await client.post(ACCOUNTS, json=_account("Same"), headers=_with_key(alice, key))
    theirs = await client.post(ACCOUNTS, json=_account("Same"), headers=_with_key(bob, key))

    assert theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers


async def test_malformed_keys_are_a_400(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    for key in ("", "has space", "x" * 256, "tab\tkey"):
        response = await client.post(ACCOUNTS, json=_account(), headers=_with_key(user, key))
        assert response.status_code == 400, key
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await _count_accounts(client, user) == 0


async def test_a_key_of_255_visible_characters_is_accepted(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(ACCOUNTS, json=_account(), headers=_with_key(user, "~" * 255))

    assert response.status_code == 201


async def test_a_client_error_is_kept_and_replayed(client: Client, new_user: NewUser) -> None:
    user, key, body = await new_user(), uuid.uuid4().hex, {"name": "", "type": "cash"}

    first = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))
    again = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))

    assert (first.status_code, again.status_code) == (422, 422)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_repeated_delete_is_answered_again(client: Client, new_user: NewUser) -> None:
    user, key = await new_user(), uuid.uuid4().hex
    created = await client.post(ACCOUNTS, json=_account(), headers=user.headers)
    where = created.headers["location"]

    first = await client.delete(where, headers=_with_key(user, key))
    again = await client.delete(where, headers=_with_key(user, key))

    assert (first.status_code, again.status_code) == (204, 204)
    assert again.headers["idempotent-replayed"] == "true"


async def test_concurrent_requests_with_one_key_create_one_resource(
    client: Client, new_user: NewUser
) -> None:
    user, key, body = await new_user(), uuid.uuid4().hex, _account()

    answers = await asyncio.gather(
        *(client.post(ACCOUNTS, json=body, headers=_with_key(user, key)) for _ in range(5))
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) <= {201, 409}
    fresh = [a for a in answers if a.status_code == 201 and "idempotent-replayed" not in a.headers]
    assert len(fresh) == 1
    assert await _count_accounts(client, user) == 1


async def test_a_request_while_the_first_is_running_is_a_409(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user, key, body = await new_user(), uuid.uuid4().hex, _account()
    first = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))
    async with engine.begin() as connection:  # as if the first were still running
        await connection.execute(update(KEYS).where(KEYS.c.key == key).values(done=False))

    again = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))

    assert first.status_code == 201
    assert again.status_code == 409
    assert await _count_accounts(client, user) == 1


async def test_an_expired_key_runs_the_request_again(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user, key, body = await new_user(), uuid.uuid4().hex, _account("Once")
    await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))
    async with engine.begin() as connection:
        await connection.execute(
            update(KEYS).where(KEYS.c.key == key).values(created_at=KEYS.c.created_at)
        )
        created = (
            await connection.execute(select(KEYS.c.created_at).where(KEYS.c.key == key))
        ).scalar_one()
        await connection.execute(
            update(KEYS).where(KEYS.c.key == key).values(created_at=created - timedelta(hours=25))
        )

    again = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))

    # It ran again: the name is now taken by the first one's account.
    assert again.status_code == 409
    assert "idempotent-replayed" not in again.headers
    assert await _count_accounts(client, user) == 1


async def test_writes_without_a_key_are_not_recorded_as_keys(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()

    await client.post(ACCOUNTS, json=_account(), headers=user.headers)

    async with engine.connect() as connection:
        found = await connection.execute(
            select(func.count()).select_from(KEYS).where(KEYS.c.user_id == uuid.UUID(user.id))
        )
        assert found.scalar() == 0


async def test_expired_keys_are_purged_and_fresh_ones_kept(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user, key = await new_user(), uuid.uuid4().hex
    await client.post(ACCOUNTS, json=_account(), headers=_with_key(user, key))

    await purge_expired(engine, datetime.now(UTC))
    kept = await _keys_of(engine, user)
    await purge_expired(engine, datetime.now(UTC) + timedelta(hours=25))
    purged = await _keys_of(engine, user)

    assert (kept, purged) == (1, 0)


async def _keys_of(engine: AsyncEngine, user: SignedIn) -> int:
    async with engine.connect() as connection:
        found = await connection.execute(
            select(func.count()).select_from(KEYS).where(KEYS.c.user_id == uuid.UUID(user.id))
        )
        return int(found.scalar_one())


async def test_a_claim_abandoned_past_its_lease_is_taken_over(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user, key, body = await new_user(), uuid.uuid4().hex, _account("Twice")
    await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))
    async with engine.begin() as connection:  # as if its process had died mid-request
        stored = await connection.execute(select(KEYS.c.created_at).where(KEYS.c.key == key))
        abandoned = stored.scalar_one() - timedelta(minutes=6)
        await connection.execute(
            update(KEYS).where(KEYS.c.key == key).values(done=False, created_at=abandoned)
        )

    again = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))

    assert again.status_code == 409  # it ran again: the name is taken
    assert "idempotent-replayed" not in again.headers


class _BrokenClock:
    def now(self) -> datetime:
        raise RuntimeError("the clock broke")


async def test_a_server_error_is_not_kept_and_a_retry_runs_again(
    client: Client, app: Litestar, new_user: NewUser
) -> None:
    user, key, body = await new_user(), uuid.uuid4().hex, _account()
    container = app.state.container
    clock, container.clock = container.clock, _BrokenClock()
    try:
        failed = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))
    finally:
        container.clock = clock

    again = await client.post(ACCOUNTS, json=body, headers=_with_key(user, key))

    assert failed.status_code == 500
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert await _count_accounts(client, user) == 1
