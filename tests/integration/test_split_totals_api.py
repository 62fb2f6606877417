"""Split parts in budgets, reports and list filters (contract section 10): each part counts
under its own category, worked out by hand below."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.integration.conftest import SignedIn
from tests.integration.ledger import (
    Client,
    NewUser,
    body,
    listed,
    new_category,
    open_account,
    record,
)

MONTH = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


@dataclass
class Household:
    """Groceries (parent) with its child Cleaning, and Fun; spending in November 2026:

    * a split of 100.00: 30.00 Groceries, 50.00 Cleaning, 20.00 uncategorised;
    * a whole 10.00 in Cleaning;
    * a split of 15.00: 5.00 + 10.00, both in Fun.
    """

    user: SignedIn
    groceries: str
    cleaning: str
    fun: str
    split: str
    whole: str
    fun_split: str


async def _household(client: Client, new_user: NewUser) -> Household:
    user = await new_user()
    account_id = await open_account(client, user, opening_balance="1000")
    groceries = await new_category(client, user)
    cleaning = await new_category(client, user, parent_id=groceries)
    fun = await new_category(client, user)
    split = await record(
        client,
        user,
        account_id=account_id,
        amount="100",
        splits=[
            {"amount": "30", "category_id": groceries},
            {"amount": "50", "category_id": cleaning},
            {"amount": "20"},
        ],
    )
    whole = await record(client, user, account_id=account_id, category_id=cleaning)
    fun_split = await record(
        client,
        user,
        account_id=account_id,
        amount="15",
        splits=[{"amount": "5", "category_id": fun}, {"amount": "10", "category_id": fun}],
    )
    return Household(
        user, groceries, cleaning, fun, str(split["id"]), str(whole["id"]), str(fun_split["id"])
    )


async def _spent(client: Client, user: SignedIn, category_id: str | None) -> str:
    fields = {
        "name": "Monthly",
        "category_id": category_id,
        "amount": "500",
        "currency": "EUR",
        "period": "monthly",
        "start_date": "2026-11-01",
    }
    budget = body(await client.post("/api/v1/budgets", json=fields, headers=user.headers), 201)
    status = await client.get(
        f"/api/v1/budgets/{budget['id']}/status",
        params={"date": "2026-11-15"},
        headers=user.headers,
    )
    return str(body(status)["spent"])


async def _report(client: Client, user: SignedIn, path: str, **params: Any) -> Any:
    response = await client.get(f"/api/v1/reports/{path}", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


# --- budgets ---------------------------------------------------------------------------------


async def test_a_parent_budget_counts_the_parts_in_it_and_in_its_children(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _household(client, new_user)

    # 30.00 Groceries part + 50.00 Cleaning part + 10.00 whole Cleaning expense.
    assert await _spent(client, seeded.user, seeded.groceries) == "90.00"


async def test_a_child_budget_counts_only_its_own_parts(client: Client, new_user: NewUser) -> None:
    seeded = await _household(client, new_user)

    # 50.00 Cleaning part + 10.00 whole Cleaning expense.
    assert await _spent(client, seeded.user, seeded.cleaning) == "60.00"


async def test_an_all_expenses_budget_counts_each_split_transaction_once(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _household(client, new_user)

    # 100.00 + 10.00 + 15.00.
    assert await _spent(client, seeded.user, None) == "125.00"


# --- reports ---------------------------------------------------------------------------------


async def test_the_category_report_puts_each_part_under_its_own_category(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _household(client, new_user)

    rows = await _report(client, seeded.user, "by-category", **MONTH)

    # Of 125.00: Cleaning 60.00 (48.0 %), Groceries 30.00 (24.0 %), uncategorised 20.00
    # (16.0 %), Fun 15.00 (12.0 %).
    items = [
        (i["category_id"], i["total"], i["share_percent"], i["transaction_count"])
        for i in rows[0]["items"]
    ]
    assert items == [
        (seeded.cleaning, "60.00", "48.0", 2),
        (seeded.groceries, "30.00", "24.0", 1),
        (None, "20.00", "16.0", 1),
        (seeded.fun, "15.00", "12.0", 2),
    ]


async def test_the_summary_counts_a_split_transaction_once(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _household(client, new_user)

    rows = await _report(client, seeded.user, "summary", **MONTH)

    assert [(r["expense"], r["transaction_count"]) for r in rows] == [("125.00", 3)]


# --- list filters ----------------------------------------------------------------------------


async def test_the_category_filter_matches_a_transaction_with_a_part_in_it(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _household(client, new_user)

    found = await listed(client, seeded.user, category_id=seeded.groceries)

    assert found == [seeded.split]


async def test_the_category_filter_matches_parts_and_whole_transactions(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _household(client, new_user)

    found = await listed(client, seeded.user, category_id=seeded.cleaning, sort="amount")

    assert found == [seeded.whole, seeded.split]


async def test_uncategorized_matches_a_split_with_an_uncategorised_part_only(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _household(client, new_user)

    found = await listed(client, seeded.user, uncategorized="true")

    assert found == [seeded.split]
