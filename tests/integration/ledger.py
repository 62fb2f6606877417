"""Seeding a ledger through the API, for the tests of contract section 10 (splits, status,
reconciliation, import ids): small calls that assert their own success."""

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
HOUSEHOLDS = "/api/v1/households"
DAY = "2026-11-02"
MISSING_ID = "0190b5a0-0000-7000-8000-0000000000ff"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
Json = dict[str, Any]


def pointers(response: Any) -> list[str]:
    """The pointers of a 422's errors, in order."""
    assert response.status_code == 422, response.text
    return [error["pointer"] for error in response.json()["errors"]]


def body(response: Any, status: int = 200) -> Json:
    assert response.status_code == status, response.text
    found: Json = response.json()
    return found


async def open_account(
    client: Client, user: SignedIn, currency: str = "EUR", opening_balance: str = "100"
) -> str:
    fields = {
        "name": f"Account {uuid.uuid4().hex[:8]}",
        "type": "checking",
        "currency": currency,
        "opening_balance": opening_balance,
    }
    return str(body(await client.post(ACCOUNTS, json=fields, headers=user.headers), 201)["id"])


async def account(client: Client, user: SignedIn, account_id: str) -> Json:
    return body(await client.get(f"{ACCOUNTS}/{account_id}", headers=user.headers))


async def new_category(
    client: Client, user: SignedIn, kind: str = "expense", parent_id: str | None = None
) -> str:
    fields = {"name": f"Cat {uuid.uuid4().hex[:8]}", "kind": kind, "parent_id": parent_id}
    return str(body(await client.post(CATEGORIES, json=fields, headers=user.headers), 201)["id"])


async def post(client: Client, user: SignedIn, **fields: Any) -> Any:
    """POST a transaction: an expense of 10 on ``DAY`` unless ``fields`` say otherwise."""
    sent = {"type": "expense", "amount": "10", "date": DAY, **fields}
    return await client.post(TRANSACTIONS, json=sent, headers=user.headers)


async def record(client: Client, user: SignedIn, **fields: Any) -> Json:
    return body(await post(client, user, **fields), 201)


async def patch(client: Client, user: SignedIn, txn_id: str, **fields: Any) -> Any:
    return await client.patch(f"{TRANSACTIONS}/{txn_id}", json=fields, headers=user.headers)


async def fetch(client: Client, user: SignedIn, txn_id: str) -> Json:
    return body(await client.get(f"{TRANSACTIONS}/{txn_id}", headers=user.headers))


async def delete(client: Client, user: SignedIn, txn_id: str) -> Any:
    return await client.delete(f"{TRANSACTIONS}/{txn_id}", headers=user.headers)


async def listed(client: Client, user: SignedIn, **params: Any) -> list[str]:
    """The ids a transaction list answers for ``params``."""
    response = await client.get(TRANSACTIONS, params=params, headers=user.headers)
    return [item["id"] for item in body(response)["items"]]


def parts(*amounts: str, category_id: str | None = None) -> list[Json]:
    """Split parts of ``amounts``, all in ``category_id``."""
    return [{"amount": amount, "category_id": category_id} for amount in amounts]


async def joined(client: Client, new_user: NewUser, role: str) -> tuple[SignedIn, SignedIn]:
    """An owner and a member with ``role`` of the owner's default household."""
    owner, member = await new_user(), await new_user()
    household = body(await client.get("/api/v1/users/me", headers=owner.headers))
    invited = await client.post(
        f"{HOUSEHOLDS}/{household['default_household_id']}/invitations",
        json={"email": member.email, "role": role},
        headers=owner.headers,
    )
    invitation = body(invited, 201)
    accepted = await client.post(
        f"/api/v1/invitations/{invitation['id']}/accept", headers=member.headers
    )
    body(accepted)
    return owner, member
