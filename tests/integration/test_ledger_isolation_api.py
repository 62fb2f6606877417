"""Users never see or touch one another's ledger: another user's resource is a missing one."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

ACCOUNTS = "/api/v1/accounts"
CATEGORIES = "/api/v1/categories"
TRANSACTIONS = "/api/v1/transactions"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]

PATCH_BODIES = {
    ACCOUNTS: {"name": "Mine now"},
    CATEGORIES: {"name": "Mine now"},
    TRANSACTIONS: {"description": "Mine now"},
}


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


async def _create(client: Client, user: SignedIn, path: str, body: dict[str, Any]) -> str:
    response = await client.post(path, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created_id: str = response.json()["id"]
    return created_id


@dataclass
class Owned:
    """Alice's account, second account, category and transaction."""

    user: SignedIn
    account: str
    other_account: str
    category: str
    income_category: str
    transaction: str

    def id_for(self, path: str) -> str:
        return {
            ACCOUNTS: self.account,
            CATEGORIES: self.category,
            TRANSACTIONS: self.transaction,
        }[path]


async def _alices_ledger(client: Client, new_user: NewUser) -> Owned:
    alice = await new_user()
    account_body = {"type": "cash", "currency": "EUR", "opening_balance": "100"}
    account = await _create(client, alice, ACCOUNTS, {"name": "Alice", **account_body})
    other = await _create(client, alice, ACCOUNTS, {"name": "Alice 2", **account_body})
    category = await _create(client, alice, CATEGORIES, {"name": "Alice's", "kind": "expense"})
    income = await _create(client, alice, CATEGORIES, {"name": "Alice's", "kind": "income"})
    txn = await _create(
        client,
        alice,
        TRANSACTIONS,
        {
            "type": "expense",
            "account_id": account,
            "amount": "10",
            "date": "2026-11-01",
            "category_id": category,
        },
    )
    return Owned(alice, account, other, category, income, txn)


async def _bobs_account(client: Client, bob: SignedIn, currency: str = "EUR") -> str:
    body = {"name": f"Bob {uuid.uuid4().hex[:6]}", "type": "cash", "currency": currency}
    return await _create(client, bob, ACCOUNTS, body)


@pytest.mark.parametrize("path", [ACCOUNTS, CATEGORIES, TRANSACTIONS])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_another_users_resource_answers_exactly_like_a_missing_one(
    client: Client, new_user: NewUser, path: str, method: str
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()
    body = PATCH_BODIES[path] if method == "PATCH" else None

    theirs = await client.request(
        method, f"{path}/{alice.id_for(path)}", json=body, headers=bob.headers
    )
    missing = await client.request(method, f"{path}/{uuid.uuid4()}", json=body, headers=bob.headers)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert theirs.headers["content-type"] == missing.headers["content-type"]


@pytest.mark.parametrize("path", [ACCOUNTS, CATEGORIES, TRANSACTIONS])
async def test_another_users_attempts_leave_the_resource_unchanged(
    client: Client, new_user: NewUser, path: str
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()
    url = f"{path}/{alice.id_for(path)}"
    before = (await client.get(url, headers=alice.user.headers)).json()

    await client.patch(url, json=PATCH_BODIES[path], headers=bob.headers)
    await client.delete(url, headers=bob.headers)

    after = await client.get(url, headers=alice.user.headers)
    assert after.status_code == 200
    assert after.json() == before


async def test_lists_show_only_the_users_own_ledger(client: Client, new_user: NewUser) -> None:
    await _alices_ledger(client, new_user)
    bob = await new_user()

    accounts = (await client.get(ACCOUNTS, headers=bob.headers)).json()
    categories = (await client.get(f"{CATEGORIES}?limit=500", headers=bob.headers)).json()
    transactions = (await client.get(TRANSACTIONS, headers=bob.headers)).json()

    assert (accounts["items"], accounts["total"]) == ([], 0)
    assert categories["total"] == 10
    assert "Alice's" not in {c["name"] for c in categories["items"]}
    assert (transactions["items"], transactions["total"]) == ([], 0)


async def test_filtering_by_another_users_account_finds_nothing(
    client: Client, new_user: NewUser
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()

    response = await client.get(f"{TRANSACTIONS}?account_id={alice.account}", headers=bob.headers)

    assert response.status_code == 200, response.text
    assert (response.json()["items"], response.json()["total"]) == ([], 0)


async def test_filtering_by_another_users_category_finds_nothing(
    client: Client, new_user: NewUser
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()

    transactions = await client.get(
        f"{TRANSACTIONS}?category_id={alice.category}", headers=bob.headers
    )
    children = await client.get(f"{CATEGORIES}?parent_id={alice.category}", headers=bob.headers)

    assert transactions.json()["items"] == []
    assert children.json()["items"] == []


async def test_recording_on_another_users_account_is_rejected_on_account_id(
    client: Client, new_user: NewUser
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()
    body = {"type": "income", "account_id": alice.account, "amount": "1", "date": "2026-11-01"}

    response = await client.post(TRANSACTIONS, json=body, headers=bob.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/account_id"]
    balance = (await client.get(f"{ACCOUNTS}/{alice.account}", headers=alice.user.headers)).json()
    assert balance["balance"] == "90.00"


async def test_transferring_into_another_users_account_is_rejected_on_to_account_id(
    client: Client, new_user: NewUser
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()
    body = {
        "type": "transfer",
        "account_id": await _bobs_account(client, bob),
        "to_account_id": alice.account,
        "amount": "1",
        "date": "2026-11-01",
    }

    response = await client.post(TRANSACTIONS, json=body, headers=bob.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_account_id"]


async def test_using_another_users_category_is_rejected_on_category_id(
    client: Client, new_user: NewUser
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()
    body = {
        "type": "expense",
        "account_id": await _bobs_account(client, bob),
        "category_id": alice.category,
        "amount": "1",
        "date": "2026-11-01",
    }

    response = await client.post(TRANSACTIONS, json=body, headers=bob.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/category_id"]


async def test_a_parent_from_another_user_is_rejected_on_parent_id(
    client: Client, new_user: NewUser
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()
    body = {"name": "Sub", "kind": "expense", "parent_id": alice.category}

    response = await client.post(CATEGORIES, json=body, headers=bob.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/parent_id"]


async def test_moving_a_category_under_another_users_parent_is_rejected(
    client: Client, new_user: NewUser
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()
    mine = await _create(client, bob, CATEGORIES, {"name": "Mine", "kind": "expense"})

    response = await client.patch(
        f"{CATEGORIES}/{mine}", json={"parent_id": alice.category}, headers=bob.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/parent_id"]


@pytest.mark.parametrize("field", ["account_id", "to_account_id", "category_id"])
async def test_patching_a_transaction_onto_another_users_resource_is_rejected(
    client: Client, new_user: NewUser, field: str
) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()
    mine = await _bobs_account(client, bob)
    txn = await _create(
        client,
        bob,
        TRANSACTIONS,
        {"type": "income", "account_id": mine, "amount": "3", "date": "2026-11-01"},
    )
    changes: dict[str, Any] = {
        "account_id": {"account_id": alice.account},
        "to_account_id": {"type": "transfer", "to_account_id": alice.account},
        "category_id": {"category_id": alice.income_category},
    }[field]

    response = await client.patch(f"{TRANSACTIONS}/{txn}", json=changes, headers=bob.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]
    account = (await client.get(f"{ACCOUNTS}/{mine}", headers=bob.headers)).json()
    assert account["balance"] == "3.00"


async def test_the_same_names_may_exist_for_two_users(client: Client, new_user: NewUser) -> None:
    alice = await _alices_ledger(client, new_user)
    bob = await new_user()

    account = await client.post(
        ACCOUNTS, json={"name": "Alice", "type": "cash", "currency": "EUR"}, headers=bob.headers
    )
    category = await client.post(
        CATEGORIES, json={"name": "Alice's", "kind": "expense"}, headers=bob.headers
    )

    assert (account.status_code, category.status_code) == (201, 201)
    assert alice.account != account.json()["id"]
