"""Deletes racing writes that refer to the deleted row answer 2xx or 4xx, never 500
(PostgreSQL only: SQLite serialises writers, so nothing races there).

Each race is run many times on a real ``budget serve`` with two worker processes, so that
both orders (the delete first, the write first) and their overlaps come up.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx

from tests.integration import test_concurrency_api
from tests.integration.conftest import SignedIn

# The live server (two worker processes) and its two clients, for this module too.
live_server = test_concurrency_api.live_server
clients = test_concurrency_api.clients

ACCOUNTS = "/api/v1/accounts"
CATEGORIES = "/api/v1/categories"
TRANSACTIONS = "/api/v1/transactions"
BUDGETS = "/api/v1/budgets"
ROUNDS = 20

Client = httpx.AsyncClient
NewUser = Callable[..., Awaitable[SignedIn]]


async def _created(response: Awaitable[httpx.Response]) -> str:
    answer = await response
    assert answer.status_code == 201, answer.text
    created: str = answer.json()["id"]
    return created


def _open(client: Client, user: SignedIn) -> Awaitable[httpx.Response]:
    body = {"name": f"Doomed {uuid.uuid4().hex[:8]}", "type": "cash", "currency": "EUR"}
    return client.post(ACCOUNTS, json=body, headers=user.headers)


def _category(client: Client, user: SignedIn) -> Awaitable[httpx.Response]:
    body = {"name": f"Doomed {uuid.uuid4().hex[:8]}", "kind": "expense"}
    return client.post(CATEGORIES, json=body, headers=user.headers)


def _expense(client: Client, user: SignedIn, **fields: Any) -> Awaitable[httpx.Response]:
    body = {"type": "expense", "amount": "2.50", "date": "2026-11-01", **fields}
    return client.post(TRANSACTIONS, json=body, headers=user.headers)


def _spent(expenses: int) -> str:
    """The balance of an account opened at 0 after ``expenses`` expenses of 2.50."""
    return str(Decimal(0) - Decimal("2.50") * expenses)


async def _after(round_: int, request: Awaitable[httpx.Response]) -> httpx.Response:
    """``request``, held back a little more each round, so both orders come up."""
    await asyncio.sleep((round_ % 5) * 0.003)
    return await request


async def _get(client: Client, user: SignedIn, path: str) -> httpx.Response:
    return await client.get(path, headers=user.headers)


async def _transactions_of(client: Client, user: SignedIn) -> list[dict[str, Any]]:
    response = await client.get(f"{TRANSACTIONS}?limit=500", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_deleting_an_account_while_an_expense_is_recorded_on_it_never_fails_with_500(
    clients: list[Client], new_user: NewUser
) -> None:
    user = await new_user()
    first, second = clients
    recorded_rounds = 0
    for round_ in range(ROUNDS):
        account = await _created(_open(first, user))
        deleter, writer = (first, second) if round_ % 2 else (second, first)

        deleted, recorded = await asyncio.gather(
            _after(round_, deleter.delete(f"{ACCOUNTS}/{account}", headers=user.headers)),
            _expense(writer, user, account_id=account),
        )

        recorded_rounds += recorded.status_code == 201
        assert (deleted.status_code, recorded.status_code) in {(204, 422), (409, 201)}, (
            deleted.text,
            recorded.text,
        )
        still_there = await _get(first, user, f"{ACCOUNTS}/{account}")
        if deleted.status_code == 204:
            assert still_there.status_code == 404
        else:
            assert still_there.json()["balance"] == "-2.50"
    assert len(await _transactions_of(first, user)) == recorded_rounds


async def test_deleting_a_transfers_destination_while_it_is_recorded_never_fails_with_500(
    clients: list[Client], new_user: NewUser
) -> None:
    user = await new_user()
    first, second = clients
    source = await _created(_open(first, user))
    for round_ in range(ROUNDS):
        destination = await _created(_open(first, user))

        deleted, recorded = await asyncio.gather(
            _after(round_, second.delete(f"{ACCOUNTS}/{destination}", headers=user.headers)),
            _expense(first, user, type="transfer", account_id=source, to_account_id=destination),
        )

        assert (deleted.status_code, recorded.status_code) in {(204, 422), (409, 201)}, (
            deleted.text,
            recorded.text,
        )
        still_there = await _get(first, user, f"{ACCOUNTS}/{destination}")
        assert still_there.status_code == (404 if deleted.status_code == 204 else 200)
    transfers = await _transactions_of(first, user)
    balance = (await _get(first, user, f"{ACCOUNTS}/{source}")).json()["balance"]
    assert balance == _spent(len(transfers))


async def test_deleting_a_category_while_an_expense_is_recorded_in_it_never_fails_with_500(
    clients: list[Client], new_user: NewUser
) -> None:
    user = await new_user()
    first, second = clients
    account = await _created(_open(first, user))
    for round_ in range(ROUNDS):
        category = await _created(_category(first, user))
        deleter, writer = (first, second) if round_ % 2 else (second, first)

        deleted, recorded = await asyncio.gather(
            _after(round_, deleter.delete(f"{CATEGORIES}/{category}", headers=user.headers)),
            _expense(writer, user, account_id=account, category_id=category),
        )

        assert deleted.status_code == 204, deleted.text
        assert recorded.status_code in {201, 422}, recorded.text
        assert (await _get(first, user, f"{CATEGORIES}/{category}")).status_code == 404
    transactions = await _transactions_of(first, user)
    assert {txn["category_id"] for txn in transactions} <= {None}
    balance = (await _get(first, user, f"{ACCOUNTS}/{account}")).json()["balance"]
    assert balance == _spent(len(transactions))


async def test_deleting_a_category_while_a_budget_is_created_for_it_never_fails_with_500(
    clients: list[Client], new_user: NewUser
) -> None:
    user = await new_user()
    first, second = clients
    for round_ in range(ROUNDS):
        category = await _created(_category(first, user))
        deleter, writer = (first, second) if round_ % 2 else (second, first)
        body = {"name": "Racing", "amount": "100", "currency": "EUR", "category_id": category}

        deleted, created = await asyncio.gather(
            _after(round_, deleter.delete(f"{CATEGORIES}/{category}", headers=user.headers)),
            writer.post(BUDGETS, json=body, headers=user.headers),
        )

        assert deleted.status_code == 204, deleted.text
        assert created.status_code in {201, 422}, created.text
    budgets = await first.get(f"{BUDGETS}?limit=500", headers=user.headers)
    assert budgets.json()["items"] == []


async def test_deleting_an_account_while_it_is_renamed_never_fails_with_500(
    clients: list[Client], new_user: NewUser
) -> None:
    user = await new_user()
    first, second = clients
    for round_ in range(ROUNDS):
        account = await _created(_open(first, user))
        deleter, renamer = (first, second) if round_ % 2 else (second, first)
        rename = {"name": f"Renamed {uuid.uuid4().hex[:8]}", "opening_balance": "5"}

        deleted, renamed = await asyncio.gather(
            _after(round_, deleter.delete(f"{ACCOUNTS}/{account}", headers=user.headers)),
            renamer.patch(f"{ACCOUNTS}/{account}", json=rename, headers=user.headers),
        )

        assert deleted.status_code == 204, deleted.text
        assert renamed.status_code in {200, 404}, renamed.text
        assert (await _get(first, user, f"{ACCOUNTS}/{account}")).status_code == 404
