"""The total of an unfiltered transaction list (taken from the kept totals) is exact."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

Client = AsyncTestClient[Litestar]


async def _account(client: Client, user: SignedIn, currency: str) -> str:
    response = await client.post(
        "/api/v1/accounts",
        headers=user.headers,
        json={"name": f"Acc {currency}", "type": "checking", "currency": currency},
    )
    assert response.status_code == 201, response.text
    account_id: str = response.json()["id"]
    return account_id


async def _record(client: Client, user: SignedIn, **body: Any) -> str:
    body = {"amount": "5", "date": "2026-10-03", **body}
    response = await client.post("/api/v1/transactions", headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    transaction_id: str = response.json()["id"]
    return transaction_id


async def _expense_category(client: Client, user: SignedIn) -> str:
    listed = await client.get("/api/v1/categories?kind=expense&limit=1", headers=user.headers)
    category_id: str = listed.json()["items"][0]["id"]
    return category_id


async def _totals(client: Client, user: SignedIn) -> tuple[int, int]:
    """(total the API reports, rows it actually lists)."""
    first = await client.get("/api/v1/transactions?limit=1", headers=user.headers)
    everything = await client.get("/api/v1/transactions?limit=500", headers=user.headers)
    return first.json()["total"], len(everything.json()["items"])


async def test_the_unfiltered_total_counts_income_expenses_and_transfers(
    client: Client, new_user: Any
) -> None:
    user = await new_user()
    eur, usd = await _account(client, user, "EUR"), await _account(client, user, "USD")
    await _record(client, user, type="income", account_id=eur)
    await _record(client, user, type="expense", account_id=usd)
    await _record(client, user, type="transfer", account_id=eur, to_account_id=usd, to_amount="6")
    assert await _totals(client, user) == (3, 3)


async def test_the_unfiltered_total_follows_type_changes_deletes_and_category_deletion(
    client: Client, new_user: Any
) -> None:
    user = await new_user()
    eur, other = await _account(client, user, "EUR"), await _account(client, user, "JPY")
    category = await _expense_category(client, user)
    expense = await _record(client, user, type="expense", account_id=eur, category_id=category)
    transfer = await _record(
        client, user, type="transfer", account_id=eur, to_account_id=other, to_amount="700"
    )
    await _record(client, user, type="income", account_id=other, amount="100")
    await client.patch(
        f"/api/v1/transactions/{expense}",
        headers=user.headers,
        json={"type": "transfer", "to_account_id": other, "to_amount": "800"},
    )
    await client.patch(
        f"/api/v1/transactions/{transfer}",
        headers=user.headers,
        json={"type": "expense", "to_account_id": None, "to_amount": None},
    )
    await client.delete(f"/api/v1/categories/{category}", headers=user.headers)
    assert await _totals(client, user) == (3, 3)
    await client.delete(f"/api/v1/transactions/{transfer}", headers=user.headers)
    assert await _totals(client, user) == (2, 2)
