"""A feed walker keeps up with concurrent writers and ends with the server's state
(PostgreSQL: SQLite runs one writer at a time)."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.changes import ChangeLog, Recording
from budget.adapters.writes import run_effects
from tests.integration.conftest import SignedIn

CHANGES = "/api/v1/changes"
ACCOUNTS = "/api/v1/accounts"
TRANSACTIONS = "/api/v1/transactions"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
Json = dict[str, Any]
State = dict[tuple[str, str], Json]


def _apply(state: State, items: list[Json]) -> None:
    for item in items:
        key = (item["entity"], item["id"])
        if item["op"] == "upsert":
            state[key] = item["data"]
        elif item["entity"] == "household":
            for other in [k for k, v in state.items() if v.get("household_id") == item["id"]]:
                del state[other]
            state.pop(key, None)
        else:
            state.pop(key, None)


async def _walk(client: Client, user: SignedIn, state: State, since: str | None) -> str | None:
    while True:
        query = "?limit=7" + (f"&since={since}" if since else "")
        response = await client.get(CHANGES + query, headers=user.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        _apply(state, page["items"])
        since = page["next_since"]
        if not page["has_more"]:
            return since


async def _writer(client: Client, user: SignedIn, account_id: str, seed: int) -> None:
    chance = random.Random(seed)
    mine: list[str] = []
    for _ in range(12):
        choice = chance.random()
        if mine and choice < 0.25:
            victim = mine.pop(chance.randrange(len(mine)))
            response = await client.delete(f"{TRANSACTIONS}/{victim}", headers=user.headers)
            assert response.status_code == 204, response.text
        elif mine and choice < 0.5:
            target = chance.choice(mine)
            body = {"amount": f"{chance.randint(1, 999)}.00"}
            response = await client.patch(
                f"{TRANSACTIONS}/{target}", json=body, headers=user.headers
            )
            assert response.status_code == 200, response.text
        else:
            body = {
                "type": "expense",
                "amount": "1.00",
                "date": "2026-11-02",
                "account_id": account_id,
            }
            response = await client.post(TRANSACTIONS, json=body, headers=user.headers)
            assert response.status_code == 201, response.text
            mine.append(response.json()["id"])


async def _slow_writer(engine: AsyncEngine, household_id: str, account_id: str) -> None:
    """Renames the account and takes its change position, then holds the transaction open
    while the others write and the walker reads: nobody may pass its position meanwhile."""
    async with engine.begin() as connection:
        await connection.execute(text("SELECT set_config('budget.households', '*', true)"))
        await connection.execute(
            text("UPDATE accounts SET name = 'Renamed slowly' WHERE id = :id"),
            {"id": uuid.UUID(account_id)},
        )
        log = ChangeLog(Recording({}))
        log.touched("account", uuid.UUID(household_id), uuid.UUID(account_id))
        await run_effects(connection, log.effects("postgresql"))
        await asyncio.sleep(0.5)


async def _server_state(client: Client, user: SignedIn) -> State:
    state: State = {}
    for entity, url in (("account", ACCOUNTS), ("transaction", TRANSACTIONS)):
        response = await client.get(f"{url}?limit=500", headers=user.headers)
        assert response.status_code == 200, response.text
        for item in response.json()["items"]:
            state[(entity, item["id"])] = item
    return state


async def test_a_walker_ends_with_the_servers_state_while_slow_and_fast_writers_interleave(
    client: Client, new_user: NewUser, engine: AsyncEngine, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent writers are checked on PostgreSQL (SQLite serialises them)")
    user = await new_user()
    body = {"name": "Shared", "type": "cash", "currency": "EUR"}
    account = (await client.post(ACCOUNTS, json=body, headers=user.headers)).json()
    state: State = {}
    since = await _walk(client, user, state, None)
    writing = asyncio.gather(
        _slow_writer(engine, account["household_id"], account["id"]),
        *(_writer(client, user, account["id"], seed) for seed in range(4)),
    )

    while not writing.done():
        since = await _walk(client, user, state, since)
        await asyncio.sleep(0.01)
    await writing
    await _walk(client, user, state, since)

    server = await _server_state(client, user)
    walked = {key: value for key, value in state.items() if key[0] in {"account", "transaction"}}
    assert walked == server
    assert server[("account", account["id"])]["name"] == "Renamed slowly"
