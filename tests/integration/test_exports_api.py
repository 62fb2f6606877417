"""Exports over HTTP (contract section 12): the transactions' CSV and the household backup."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from tests.integration.conftest import SignedIn
from tests.integration.ledger import (
    MISSING_ID,
    Client,
    Json,
    NewUser,
    body,
    joined,
    new_category,
    open_account,
    parts,
    pointers,
    record,
)

CSV_URL = "/api/v1/exports/transactions.csv"
JSON_URL = "/api/v1/exports/household.json"
HEADER = (
    "id,date,type,status,account_id,account,to_account_id,to_account,amount,to_amount,"
    "currency,category_id,category,payee,description,tags,import_id"
)


async def exported(client: Client, user: SignedIn, **params: Any) -> list[dict[str, str]]:
    response = await client.get(CSV_URL, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


async def me(client: Client, user: SignedIn) -> Json:
    return body(await client.get("/api/v1/users/me", headers=user.headers))


# --- CSV ------------------------------------------------------------------------------------------


async def test_the_csv_starts_with_the_contracts_header(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.get(CSV_URL, headers=user.headers)

    assert response.status_code == 200
    assert response.text.split("\r\n")[0] == HEADER


async def test_a_row_carries_every_column_with_names(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    txn = await record(
        client,
        user,
        account_id=account_id,
        amount="12.5",
        category_id=food,
        payee='Shop "A", Ltd',
        description="line\nbreak",
        tags=["a", "b"],
        import_id="bank-1",
        status="cleared",
    )
    account = body(await client.get(f"/api/v1/accounts/{account_id}", headers=user.headers))
    category = body(await client.get(f"/api/v1/categories/{food}", headers=user.headers))

    (row,) = await exported(client, user)

    assert row == {
        "id": txn["id"],
        "date": txn["date"],
        "type": "expense",
        "status": "cleared",
        "account_id": account_id,
        "account": account["name"],
        "to_account_id": "",
        "to_account": "",
        "amount": "12.50",
        "to_amount": "",
        "currency": "EUR",
        "category_id": food,
        "category": category["name"],
        "payee": 'Shop "A", Ltd',
        "description": "line\nbreak",
        "tags": "a|b",
        "import_id": "bank-1",
    }


async def test_a_transfer_names_both_accounts_and_amounts(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    euros = await open_account(client, user)
    dollars = await open_account(client, user, currency="USD")
    await record(
        client,
        user,
        type="transfer",
        account_id=euros,
        to_account_id=dollars,
        amount="10",
        to_amount="11",
    )

    (row,) = await exported(client, user)

    assert (row["to_account_id"], row["amount"], row["to_amount"], row["currency"]) == (
        dollars,
        "10.00",
        "11.00",
        "EUR",
    )


async def test_a_split_transaction_is_one_row_per_part(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    sent = [
        {"amount": "20", "category_id": food, "description": "Food"},
        {"amount": "10", "description": "Rest"},
    ]
    txn = await record(client, user, account_id=account_id, amount="30", splits=sent)

    rows = await exported(client, user)

    assert [(r["id"], r["amount"], r["category_id"], r["description"]) for r in rows] == [
        (txn["id"], "20.00", food, "Food"),
        (txn["id"], "10.00", "", "Rest"),
    ]


@pytest.mark.parametrize(
    ("payee", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        ("a=b", "a=b"),
    ],
)
async def test_formula_like_cells_are_defused_but_numbers_are_kept(
    client: Client, new_user: NewUser, payee: str, cell: str
) -> None:
    user = await new_user()
    await record(client, user, account_id=await open_account(client, user), payee=payee)

    (row,) = await exported(client, user)

    assert row["payee"] == cell


async def test_the_csv_takes_the_lists_filters_and_sort(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    small = await record(client, user, account_id=account_id, amount="5", date="2026-10-01")
    large = await record(client, user, account_id=account_id, amount="50", date="2026-10-02")
    await record(client, user, account_id=account_id, amount="7", date="2026-12-01")

    rows = await exported(client, user, date_to="2026-10-31", sort="-amount")

    assert [r["id"] for r in rows] == [large["id"], small["id"]]


async def test_the_csv_is_newest_first_by_default(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    old = await record(client, user, account_id=account_id, date="2026-01-01")
    new = await record(client, user, account_id=account_id, date="2026-02-01")

    assert [r["id"] for r in await exported(client, user)] == [new["id"], old["id"]]


async def test_the_csv_streams_more_than_one_page(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    sent = [
        {"type": "expense", "account_id": account_id, "amount": "1", "date": f"2026-01-{d:02d}"}
        for d in range(1, 29)
    ]
    for _ in range(19):
        for item in sent:
            assert (
                await client.post("/api/v1/transactions", json=item, headers=user.headers)
            ).status_code == 201

    rows = await exported(client, user)

    assert len(rows) == 19 * 28
    assert len({r["id"] for r in rows}) == 19 * 28


async def test_the_csv_covers_every_household_of_the_caller_or_one_of_them(
    client: Client, new_user: NewUser
) -> None:
    owner, editor = await joined(client, new_user, "editor")
    shared = await record(client, owner, account_id=await open_account(client, owner))
    own = await record(client, editor, account_id=await open_account(client, editor))
    household = (await me(client, owner))["default_household_id"]

    every = {r["id"] for r in await exported(client, editor)}
    only = {r["id"] for r in await exported(client, editor, household_id=household)}

    assert every == {shared["id"], own["id"]}
    assert only == {shared["id"]}


async def test_another_households_csv_is_a_404(client: Client, new_user: NewUser) -> None:
    user, stranger = await new_user(), await new_user()
    household = (await me(client, user))["default_household_id"]

    response = await client.get(
        CSV_URL, params={"household_id": household}, headers=stranger.headers
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"sort": "payee"}, "sort"),
        ({"household_id": "x"}, "household_id"),
        ({"min_amount": "1e3"}, "min_amount"),
    ],
)
async def test_bad_csv_parameters_are_a_422(
    client: Client, new_user: NewUser, params: dict[str, str], pointer: str
) -> None:
    user = await new_user()

    response = await client.get(CSV_URL, params=params, headers=user.headers)

    assert pointers(response) == [pointer]


async def test_exports_need_a_token(client: Client) -> None:
    assert (await client.get(CSV_URL)).status_code == 401
    assert (await client.get(JSON_URL)).status_code == 401


# --- the backup -----------------------------------------------------------------------------------


async def test_a_backup_holds_every_record_as_its_get_answers_it(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    headers = user.headers
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    txn = await record(
        client, user, account_id=account_id, category_id=food, import_id="x-1", status="cleared"
    )
    split = await record(client, user, account_id=account_id, amount="30", splits=parts("10", "20"))
    budget = body(
        await client.post(
            "/api/v1/budgets",
            json={"name": "Food", "category_id": food, "amount": "100", "currency": "EUR"},
            headers=headers,
        ),
        201,
    )
    rule = body(
        await client.post(
            "/api/v1/rules",
            json={
                "name": "R",
                "conditions": [{"field": "payee", "op": "contains", "value": "x"}],
                "actions": [{"add_tags": ["t"]}],
            },
            headers=headers,
        ),
        201,
    )
    household_id = (await me(client, user))["default_household_id"]

    response = await client.get(JSON_URL, params={"household_id": household_id}, headers=headers)

    assert response.status_code == 200
    backup = json.loads(response.content)
    assert list(backup) == [
        "format",
        "version",
        "exported_at",
        "household",
        "accounts",
        "categories",
        "transactions",
        "budgets",
        "rules",
        "recurring",
        "exchange_rates",
    ]
    assert (backup["format"], backup["version"]) == ("budget-backup", 1)
    assert backup["household"] == body(
        await client.get(f"/api/v1/households/{household_id}", headers=headers)
    )
    assert backup["accounts"] == [
        body(await client.get(f"/api/v1/accounts/{account_id}", headers=headers))
    ]
    categories = body(
        await client.get("/api/v1/categories", params={"limit": 500}, headers=headers)
    )
    assert sorted(backup["categories"], key=lambda c: c["id"]) == sorted(
        categories["items"], key=lambda c: c["id"]
    )
    fetched = [
        body(await client.get(f"/api/v1/transactions/{t['id']}", headers=headers))
        for t in (txn, split)
    ]
    assert sorted(backup["transactions"], key=lambda t: t["id"]) == sorted(
        fetched, key=lambda t: t["id"]
    )
    assert backup["budgets"] == [
        body(await client.get(f"/api/v1/budgets/{budget['id']}", headers=headers))
    ]
    assert backup["rules"] == [rule]
    assert (backup["recurring"], backup["exchange_rates"]) == ([], [])


async def test_a_backup_defaults_to_the_callers_default_household(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    household_id = (await me(client, user))["default_household_id"]

    response = await client.get(JSON_URL, headers=user.headers)

    assert json.loads(response.content)["household"]["id"] == household_id


async def test_a_backup_of_a_household_with_many_transactions_lists_each_once(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    for day in range(1, 29):
        for _ in range(20):
            item = {
                "type": "expense",
                "account_id": account_id,
                "amount": "1",
                "date": f"2026-02-{day:02d}",
            }
            assert (
                await client.post("/api/v1/transactions", json=item, headers=user.headers)
            ).status_code == 201

    backup = json.loads((await client.get(JSON_URL, headers=user.headers)).content)

    assert len({t["id"] for t in backup["transactions"]}) == len(backup["transactions"]) == 560


@pytest.mark.parametrize(("role", "status"), [("editor", 403), ("viewer", 403)])
async def test_a_member_who_is_not_an_owner_gets_403(
    client: Client, new_user: NewUser, role: str, status: int
) -> None:
    owner, member = await joined(client, new_user, role)
    household_id = (await me(client, owner))["default_household_id"]

    response = await client.get(
        JSON_URL, params={"household_id": household_id}, headers=member.headers
    )

    assert response.status_code == status


async def test_a_backup_of_a_household_the_caller_is_not_in_is_a_404(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(JSON_URL, params={"household_id": MISSING_ID}, headers=user.headers)

    assert response.status_code == 404


async def test_a_backup_holds_recurring_templates_and_exchange_rates_as_their_gets_answer(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    headers = user.headers
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    template = body(
        await client.post(
            "/api/v1/recurring",
            json={
                "type": "expense",
                "account_id": account_id,
                "amount": "30",
                "category_id": food,
                "payee": "Gym",
                "frequency": "monthly",
                "start_date": "2026-01-31",
                "auto_post": False,
            },
            headers=headers,
        ),
        201,
    )
    posted = await client.post(f"/api/v1/recurring/{template['id']}/post", headers=headers)
    assert posted.status_code == 201
    rate = body(
        await client.post(
            "/api/v1/exchange-rates",
            json={"base": "USD", "quote": "EUR", "date": "2026-11-02", "rate": "0.9250"},
            headers=headers,
        ),
        201,
    )

    backup = json.loads((await client.get(JSON_URL, headers=headers)).content)

    current = body(await client.get(f"/api/v1/recurring/{template['id']}", headers=headers))
    assert current["next_date"] == "2026-02-28"
    assert backup["recurring"] == [current]
    assert backup["exchange_rates"] == [
        body(await client.get(f"/api/v1/exchange-rates/{rate['id']}", headers=headers))
    ]


async def test_a_backup_lists_every_exchange_rate_once_over_several_pages(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    days = [f"2025-{month:02d}-{day:02d}" for month in range(1, 13) for day in range(1, 29)]
    items = [{"base": "USD", "quote": "EUR", "date": day, "rate": "0.9"} for day in days[:320]]
    items += [{"base": "GBP", "quote": "EUR", "date": day, "rate": "1.1"} for day in days[:300]]
    answer = await client.post(
        "/api/v1/exchange-rates/batch", json={"items": items}, headers=user.headers
    )
    assert body(answer)["created"] == 620

    backup = json.loads((await client.get(JSON_URL, headers=user.headers)).content)

    rates = backup["exchange_rates"]
    assert len({r["id"] for r in rates}) == len(rates) == 620
    assert [r["date"] for r in rates] == sorted(r["date"] for r in rates)
