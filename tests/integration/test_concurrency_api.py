"""Concurrent writes never lose a balance update, nor a daily total (PostgreSQL only).

Requests go to a real ``budget serve`` with two worker processes (each with its own
connection pool) from two HTTP clients at once. SQLite serialises writers, so it is left
out here. After each mix, the daily totals are compared with the GROUP BY of the
transactions through the audit adapter, on an engine of the test's own.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import create_engine
from tests.integration.conftest import SECRET, SignedIn
from tests.integration.test_daily_totals import drift_of

ACCOUNTS = "/api/v1/accounts"
TRANSACTIONS = "/api/v1/transactions"
CENT = Decimal("0.01")

Client = httpx.AsyncClient
NewUser = Callable[..., Awaitable[SignedIn]]


@pytest.fixture(scope="module")
def live_server(database_url: str) -> Iterator[str]:
    """``budget serve`` with two worker processes (two connection pools) on this database.

    In-process test clients run one request at a time; real server processes make the
    writers truly concurrent, as in production.
    """
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent writers are checked on PostgreSQL (SQLite serialises them)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "BUDGET_ENV": "test",
        "BUDGET_DATABASE_URL": database_url,
        "BUDGET_SECRET_KEY": SECRET,
        "BUDGET_ACCESS_LOG": "false",
        "BUDGET_LOG_LEVEL": "WARNING",
    }
    budget = Path(sys.executable).with_name("budget")
    server = subprocess.Popen(
        [str(budget), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        start_new_session=True,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait_until_up(base_url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/up", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail("budget serve did not start within 30 s")


@pytest.fixture
async def engine(live_server: str, database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine of the test's own (the server's pools belong to its processes)."""
    own = create_engine(database_url)
    yield own
    await own.dispose()


@pytest.fixture
async def clients(live_server: str) -> AsyncIterator[list[Client]]:
    """Two independent HTTP clients (each with its own connections) to the live server."""
    async with (
        httpx.AsyncClient(base_url=live_server, timeout=30) as first,
        httpx.AsyncClient(base_url=live_server, timeout=30) as second,
    ):
        yield [first, second]


async def _open(client: Client, user: SignedIn, opening_balance: str = "1000") -> str:
    body = {
        "name": f"Account {uuid.uuid4().hex[:8]}",
        "type": "checking",
        "currency": "EUR",
        "opening_balance": opening_balance,
    }
    response = await client.post(ACCOUNTS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    account_id: str = response.json()["id"]
    return account_id


async def _account(client: Client, user: SignedIn, account_id: str) -> dict[str, Any]:
    response = await client.get(f"{ACCOUNTS}/{account_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    account: dict[str, Any] = response.json()
    return account


async def _post(client: Client, user: SignedIn, **fields: Any) -> Any:
    body = {"type": "expense", "amount": "1", "date": "2026-11-01", **fields}
    return await client.post(TRANSACTIONS, json=body, headers=user.headers)


async def _all_transactions(client: Client, user: SignedIn) -> list[dict[str, Any]]:
    response = await client.get(f"{TRANSACTIONS}?limit=500", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _effects(transactions: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Each account's net movement, recomputed from the listed transactions."""
    moved: dict[str, Decimal] = defaultdict(Decimal)
    for txn in transactions:
        amount = Decimal(txn["amount"])
        if txn["type"] == "income":
            moved[txn["account_id"]] += amount
        else:
            moved[txn["account_id"]] -= amount
        if txn["type"] == "transfer":
            moved[txn["to_account_id"]] += Decimal(txn["to_amount"])
    return moved


async def _assert_balances_match_transactions(
    client: Client, user: SignedIn, accounts: list[str]
) -> None:
    moved = _effects(await _all_transactions(client, user))
    for account_id in accounts:
        account = await _account(client, user, account_id)
        expected = Decimal(account["opening_balance"]) + moved[account_id]
        assert account["balance"] == str(expected.quantize(CENT)), account_id


async def _household_of(client: Client, user: SignedIn) -> str:
    response = await client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 200, response.text
    household_id: str = response.json()["default_household_id"]
    return household_id


async def _assert_totals_match_transactions(
    engine: AsyncEngine, client: Client, user: SignedIn
) -> None:
    assert await drift_of(engine, await _household_of(client, user)) == []


async def test_forty_concurrent_expenses_on_one_account_all_count(
    clients: list[Client], new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    account = await _open(clients[0], user, "100")

    responses = await asyncio.gather(
        *(_post(clients[i % 2], user, account_id=account, amount="1.25") for i in range(40))
    )

    assert [r.status_code for r in responses] == [201] * 40
    assert (await _account(clients[0], user, account))["balance"] == "50.00"
    assert len(await _all_transactions(clients[1], user)) == 40
    await _assert_totals_match_transactions(engine, clients[0], user)


async def test_concurrent_transfers_in_both_directions_keep_both_balances_exact(
    clients: list[Client], new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    first, second = await _open(clients[0], user), await _open(clients[0], user)

    responses = await asyncio.gather(
        *(
            _post(
                clients[i % 2],
                user,
                type="transfer",
                account_id=first if i % 2 else second,
                to_account_id=second if i % 2 else first,
                amount=f"{i + 1}.01",
            )
            for i in range(30)
        )
    )

    assert [r.status_code for r in responses] == [201] * 30
    out_of_first = sum(Decimal(f"{i + 1}.01") for i in range(30) if i % 2)
    into_first = sum(Decimal(f"{i + 1}.01") for i in range(30) if not i % 2)
    expected = Decimal("1000") - out_of_first + into_first
    assert (await _account(clients[0], user, first))["balance"] == str(expected.quantize(CENT))
    await _assert_balances_match_transactions(clients[0], user, [first, second])
    await _assert_totals_match_transactions(engine, clients[0], user)


async def test_concurrent_updates_and_deletes_leave_every_balance_equal_to_its_transactions(
    clients: list[Client], new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    accounts = [await _open(clients[0], user) for _ in range(3)]
    created = []
    for i in range(30):
        kind = ["expense", "income", "transfer"][i % 3]
        extra = {"to_account_id": accounts[(i + 1) % 3]} if kind == "transfer" else {}
        response = await _post(
            clients[0], user, type=kind, account_id=accounts[i % 3], amount=f"{i + 1}.50", **extra
        )
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])

    def change(i: int, txn_id: str) -> Awaitable[Any]:
        client, url = clients[i % 2], f"{TRANSACTIONS}/{txn_id}"
        if i % 4 == 0:
            return client.delete(url, headers=user.headers)
        body: dict[str, Any] = {"amount": f"{i * 3 + 2}.25"}
        if i % 4 == 1:
            body["account_id"] = accounts[(i + 2) % 3]
        if i % 4 == 2 and i % 3 != 2:
            body["type"] = "income" if i % 3 == 0 else "expense"
        return client.patch(url, json=body, headers=user.headers)

    operations = [change(i, txn_id) for i, txn_id in enumerate(created)]
    # The same transactions again, so that writers also collide on one row.
    operations += [change(i + 1, txn_id) for i, txn_id in enumerate(created[:12])]
    responses = await asyncio.gather(*operations)

    assert {r.status_code for r in responses} <= {200, 204, 404}, [r.text for r in responses]
    await _assert_balances_match_transactions(clients[1], user, accounts)
    await _assert_totals_match_transactions(engine, clients[0], user)


async def test_concurrent_creates_updates_and_deletes_on_shared_accounts_stay_exact(
    clients: list[Client], new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    accounts = [await _open(clients[0], user, "0") for _ in range(2)]
    seed = [
        (await _post(clients[0], user, account_id=accounts[i % 2], amount="10")).json()["id"]
        for i in range(10)
    ]

    operations: list[Awaitable[Any]] = []
    for i in range(10):
        operations.append(_post(clients[i % 2], user, type="income", account_id=accounts[0]))
        operations.append(
            clients[(i + 1) % 2].patch(
                f"{TRANSACTIONS}/{seed[i]}",
                json={"account_id": accounts[(i + 1) % 2], "amount": "7.77"},
                headers=user.headers,
            )
        )
        if i % 2:
            operations.append(
                clients[i % 2].delete(f"{TRANSACTIONS}/{seed[i - 1]}", headers=user.headers)
            )
    responses = await asyncio.gather(*operations)

    assert {r.status_code for r in responses} <= {200, 201, 204, 404}
    await _assert_balances_match_transactions(clients[0], user, accounts)
    await _assert_totals_match_transactions(engine, clients[0], user)


async def test_writes_into_a_category_racing_its_deletion_keep_the_totals_exact(
    clients: list[Client], new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    account = await _open(clients[0], user, "0")
    body = {"name": f"Racing {uuid.uuid4().hex[:6]}", "kind": "expense"}
    created = await clients[0].post("/api/v1/categories", json=body, headers=user.headers)
    assert created.status_code == 201, created.text
    category = created.json()["id"]
    seed = [
        (await _post(clients[0], user, account_id=account, category_id=category)).json()["id"]
        for _ in range(10)
    ]

    operations: list[Awaitable[Any]] = []
    for i in range(10):
        client = clients[i % 2]
        operations.append(_post(client, user, account_id=account, category_id=category))
        recategorised = {"category_id": None if i % 2 else category, "amount": f"{i + 2}"}
        operations.append(
            client.patch(f"{TRANSACTIONS}/{seed[i]}", json=recategorised, headers=user.headers)
        )
        if i == 5:
            operations.append(
                clients[1].delete(f"/api/v1/categories/{category}", headers=user.headers)
            )
    responses = await asyncio.gather(*operations)

    # A write that lost the race to the deletion refers to a missing category: 422.
    assert {r.status_code for r in responses} <= {200, 201, 204, 422}, [r.text for r in responses]
    await _assert_balances_match_transactions(clients[0], user, [account])
    await _assert_totals_match_transactions(engine, clients[0], user)


async def _shared_household(client: Client, owner: SignedIn, member: SignedIn) -> str:
    """A new household of ``owner`` that ``member`` joined as an editor."""
    founded = await client.post(
        "/api/v1/households", json={"name": f"Shared {uuid.uuid4().hex[:6]}"}, headers=owner.headers
    )
    assert founded.status_code == 201, founded.text
    household_id: str = founded.json()["id"]
    invited = await client.post(
        f"/api/v1/households/{household_id}/invitations",
        json={"email": member.email, "role": "editor"},
        headers=owner.headers,
    )
    assert invited.status_code == 201, invited.text
    accepted = await client.post(
        f"/api/v1/invitations/{invited.json()['id']}/accept", headers=member.headers
    )
    assert accepted.status_code == 200, accepted.text
    return household_id


async def test_two_members_writing_to_one_shared_account_at_once_leave_its_balance_exact(
    clients: list[Client], new_user: NewUser, engine: AsyncEngine
) -> None:
    owner, member = await new_user(), await new_user()
    household = await _shared_household(clients[0], owner, member)
    body = {
        "name": "Joint",
        "type": "checking",
        "currency": "EUR",
        "opening_balance": "500",
        "household_id": household,
    }
    opened = await clients[0].post(ACCOUNTS, json=body, headers=owner.headers)
    assert opened.status_code == 201, opened.text
    account = opened.json()["id"]

    responses = await asyncio.gather(
        *(
            _post(clients[i % 2], owner if i % 2 else member, account_id=account, amount="2.35")
            for i in range(40)
        )
    )

    assert [r.status_code for r in responses] == [201] * 40
    assert (await _account(clients[1], member, account))["balance"] == "406.00"
    assert (await _account(clients[0], owner, account))["balance"] == "406.00"
    assert await drift_of(engine, household) == []
