"""Restoring a household backup over HTTP (contract section 12, ``format=budget-backup``):
new ids, the same balances, reports and budgets, only into an empty household."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from tests.integration.conftest import SignedIn
from tests.integration.ledger import Client, NewUser, body, pointers

IMPORTS = "/api/v1/imports"


def _backup(old: dict[str, str]) -> dict[str, Any]:
    """A backup as ``GET /exports/household.json`` writes it (read-only fields included)."""
    return {
        "format": "budget-backup",
        "version": 1,
        "exported_at": "2026-11-20T10:00:00Z",
        "household": {"id": old["household"], "name": "Home"},
        "categories": [
            {
                "id": old["food"],
                "name": "Food",
                "kind": "expense",
                "parent_id": None,
                "color": "#00ff00",
                "archived": False,
            },
            {
                "id": old["bakery"],
                "name": "Bakery",
                "kind": "expense",
                "parent_id": old["food"],
                "color": None,
                "archived": False,
            },
            {
                "id": old["salary"],
                "name": "Salary",
                "kind": "income",
                "parent_id": None,
                "color": None,
                "archived": False,
            },
        ],
        "accounts": [
            {
                "id": old["checking"],
                "name": "Checking",
                "type": "checking",
                "currency": "EUR",
                "opening_balance": "100.00",
                "balance": "1030.00",
                "archived": False,
                "cleared_balance": "1100.00",
                "last_reconciled_on": None,
            },
            {
                "id": old["savings"],
                "name": "Savings",
                "type": "savings",
                "currency": "EUR",
                "opening_balance": "0.00",
                "balance": "50.00",
                "archived": False,
            },
        ],
        "transactions": [
            {
                "id": old["t1"],
                "type": "income",
                "account_id": old["checking"],
                "amount": "1000.00",
                "category_id": old["salary"],
                "date": "2026-11-02",
                "status": "cleared",
                "import_id": "BANK-1",
                "tags": ["work"],
                "splits": [],
            },
            {
                "id": old["t2"],
                "type": "expense",
                "account_id": old["checking"],
                "amount": "20.00",
                "category_id": None,
                "date": "2026-11-03",
                "payee": "Market",
                "splits": [
                    {"category_id": old["bakery"], "amount": "5.00", "description": "bread"},
                    {"category_id": old["food"], "amount": "15.00", "description": ""},
                ],
            },
            {
                "id": old["t3"],
                "type": "transfer",
                "account_id": old["checking"],
                "to_account_id": old["savings"],
                "amount": "50.00",
                "to_amount": "50.00",
                "date": "2026-11-04",
            },
        ],
        "budgets": [
            {
                "id": old["budget"],
                "name": "Food",
                "category_id": old["food"],
                "amount": "300.00",
                "currency": "EUR",
                "period": "monthly",
                "start_date": "2026-11-01",
                "end_date": None,
                "rollover": False,
                "alert_threshold": 80,
            },
        ],
        "rules": [],
        "recurring": [],
        "exchange_rates": [],
    }


async def _restore(client: Client, user: SignedIn, household_id: str, backup: Any) -> Any:
    files = {"file": ("household.json", json.dumps(backup).encode(), "application/json")}
    data = {"format": "budget-backup", "household_id": household_id}
    return await client.post(IMPORTS, data=data, files=files, headers=user.headers)


async def _new_household(client: Client, user: SignedIn) -> str:
    answer = await client.post(
        "/api/v1/households", json={"name": "Restored"}, headers=user.headers
    )
    return str(body(answer, 201)["id"])


def _old_ids() -> dict[str, str]:
    names = ("household", "food", "bakery", "salary", "checking", "savings", "t1", "t2", "t3")
    return {name: str(uuid.uuid4()) for name in (*names, "budget")}


async def test_a_backup_restores_into_an_empty_household_with_the_same_balances_and_reports(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    household = await _new_household(client, user)
    old = _old_ids()
    result = body(await _restore(client, user, household, _backup(old)), 201)
    assert (result["counts"]["created"], result["account_id"]) == (3, None)
    accounts = body(
        await client.get(
            "/api/v1/accounts",
            params={"household_id": household, "sort": "name"},
            headers=user.headers,
        )
    )["items"]
    assert [(a["name"], a["balance"], a["cleared_balance"]) for a in accounts] == [
        ("Checking", "1030.00", "1100.00"),
        ("Savings", "50.00", "0.00"),
    ]
    assert not {a["id"] for a in accounts} & set(old.values())
    summary = body(
        await client.get(
            "/api/v1/reports/summary",
            params={"household_id": household, "date_from": "2026-11-01", "date_to": "2026-11-30"},
            headers=user.headers,
        )
    )
    assert [(s["income"], s["expense"], s["transaction_count"]) for s in summary] == [
        ("1000.00", "20.00", 2)
    ]
    (budget,) = body(
        await client.get(
            "/api/v1/budgets", params={"household_id": household}, headers=user.headers
        )
    )["items"]
    status = body(
        await client.get(
            f"/api/v1/budgets/{budget['id']}/status",
            params={"date": "2026-11-10"},
            headers=user.headers,
        )
    )
    assert status["spent"] == "20.00"


async def test_a_restore_replaces_the_default_categories(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    household = await _new_household(client, user)
    body(await _restore(client, user, household, _backup(_old_ids())), 201)
    categories = body(
        await client.get(
            "/api/v1/categories", params={"household_id": household}, headers=user.headers
        )
    )["items"]
    assert sorted(c["name"] for c in categories) == ["Bakery", "Food", "Salary"]


async def test_a_restore_into_a_household_with_accounts_is_a_conflict(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    household = await _new_household(client, user)
    body(await _restore(client, user, household, _backup(_old_ids())), 201)
    assert (await _restore(client, user, household, _backup(_old_ids()))).status_code == 409


async def test_a_backup_with_a_dangling_reference_is_refused_on_the_file(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    household = await _new_household(client, user)
    backup = _backup(_old_ids())
    backup["transactions"][0]["account_id"] = str(uuid.uuid4())
    assert pointers(await _restore(client, user, household, backup)) == ["#/file"]
    assert (await _restore(client, user, household, {"format": "other"})).status_code == 422


async def test_restoring_into_a_household_of_someone_else_is_422_on_household_id(
    client: Client, new_user: NewUser
) -> None:
    user, stranger = await new_user(), await new_user()
    household = await _new_household(client, stranger)
    response = await _restore(client, user, household, _backup(_old_ids()))
    assert pointers(response) == ["#/household_id"]


async def test_two_concurrent_restores_into_one_household_restore_it_once(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    household = await _new_household(client, user)
    answers = await asyncio.gather(
        *(_restore(client, user, household, _backup(_old_ids())) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    accounts = body(
        await client.get(
            "/api/v1/accounts", params={"household_id": household}, headers=user.headers
        )
    )
    assert accounts["total"] == 2
