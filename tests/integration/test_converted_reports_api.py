"""Reports in one currency (contract section 17), converted by hand for a seeded month.

March 2026 in one household: a EUR checking account, a USD card and JPY cash. Stored rates:
USD→EUR 0.9 on 03-02 and 0.95 on 03-10; EUR→JPY 160 on 03-05 (so JPY→EUR is its inverse,
used from 03-05 to 03-12). With the default maximum age of 7 days:

| day   | account | what                      | rate              | in EUR cents          |
|-------|---------|---------------------------|-------------------|-----------------------|
| 03-01 | EUR     | income 2000.00            | —                 | 200000                |
| 03-01 | USD     | expense 20.00 Groceries   | none yet: missing | —                     |
| 03-02 | JPY     | expense 100 Eating out    | none yet: missing | —                     |
| 03-03 | EUR     | expense 50.00 Groceries   | —                 | 5000                  |
| 03-03 | USD     | expense 10.01 Groceries   | 0.9               | 900.9 → 901           |
| 03-04 | USD     | expense 0.05 Transport    | 0.9               | 4.5 → 4 (half even)   |
| 03-05 | EUR→USD | transfer 100.00 → 110.00  | (not in reports)  |                       |
| 03-06 | JPY     | expense 1000 Eating out   | 1/160 (inverse)   | 625                   |
| 03-07 | JPY     | expense 1001 (split 1)    | 1/160             | 625.625 → 626         |
| 03-08 | JPY     | expense 4, uncategorised  | 1/160             | 2.5 → 2 (half even)   |
| 03-10 | USD     | income 100.00             | 0.95              | 9500                  |
| 03-11 | USD     | expense 0.15 Transport    | 0.95              | 14.25 → 14            |
| 03-13 | JPY     | expense 500 Eating out    | 160 is 8 days old: stale, missing | — |
| 03-20 | USD     | expense 30.00 Groceries   | 0.95 is 10 days old: stale, missing | — |

(1) split into 501 Groceries and 500 Transport: the by-category report converts each part on
its own, 313.125 → 313 and 312.5 → 312 (half even), where the summary converts the whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

REPORTS = "/api/v1/reports"
MARCH = "date_from=2026-03-01&date_to=2026-03-31"
MISSING = [
    {"currency": "JPY", "date": "2026-03-02"},
    {"currency": "JPY", "date": "2026-03-13"},
    {"currency": "USD", "date": "2026-03-01"},
    {"currency": "USD", "date": "2026-03-20"},
]

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
Json = dict[str, Any]


@dataclass
class Ledger:
    user: SignedIn
    accounts: dict[str, str]
    categories: dict[str, str]


async def _post(client: Client, user: SignedIn, url: str, body: Json) -> Json:
    response = await client.post(url, json=body, headers=user.headers)
    assert response.status_code in (200, 201), response.text
    result: Json = response.json()
    return result


async def _seed(client: Client, user: SignedIn, household: str | None = None) -> Ledger:
    where = {} if household is None else {"household_id": household}
    accounts = {}
    for name, currency, opening in (
        ("Checking", "EUR", "1000.00"),
        ("Card", "USD", "500.00"),
        ("Cash", "JPY", "10000"),
    ):
        body = {"name": name, "type": "checking", "currency": currency, "opening_balance": opening}
        accounts[currency] = (await _post(client, user, "/api/v1/accounts", body | where))["id"]
    query = "" if household is None else f"&household_id={household}"
    listed = await client.get(f"/api/v1/categories?limit=500{query}", headers=user.headers)
    categories = {c["name"]: c["id"] for c in listed.json()["items"]}
    ledger = Ledger(user, accounts, categories)
    for row in (
        ("income", "EUR", "2000.00", "03-01", "Salary"),
        ("expense", "USD", "20.00", "03-01", "Groceries"),
        ("expense", "JPY", "100", "03-02", "Eating out"),
        ("expense", "EUR", "50.00", "03-03", "Groceries"),
        ("expense", "USD", "10.01", "03-03", "Groceries"),
        ("expense", "USD", "0.05", "03-04", "Transport"),
        ("expense", "JPY", "1000", "03-06", "Eating out"),
        ("expense", "JPY", "4", "03-08", None),
        ("income", "USD", "100.00", "03-10", "Salary"),
        ("expense", "USD", "0.15", "03-11", "Transport"),
        ("expense", "JPY", "500", "03-13", "Eating out"),
        ("expense", "USD", "30.00", "03-20", "Groceries"),
    ):
        await _record(client, ledger, *row)
    split = [
        {"category_id": categories["Groceries"], "amount": "501"},
        {"category_id": categories["Transport"], "amount": "500"},
    ]
    body = {
        "type": "expense",
        "account_id": accounts["JPY"],
        "amount": "1001",
        "date": "2026-03-07",
        "splits": split,
    }
    await _post(client, user, "/api/v1/transactions", body)
    transfer = {
        "type": "transfer",
        "account_id": accounts["EUR"],
        "to_account_id": accounts["USD"],
        "amount": "100.00",
        "to_amount": "110.00",
        "date": "2026-03-05",
    }
    await _post(client, user, "/api/v1/transactions", transfer)
    rates = [
        {"base": "USD", "quote": "EUR", "date": "2026-03-02", "rate": "0.9"},
        {"base": "USD", "quote": "EUR", "date": "2026-03-10", "rate": "0.95"},
        {"base": "EUR", "quote": "JPY", "date": "2026-03-05", "rate": "160"},
    ]
    await _post(client, user, "/api/v1/exchange-rates/batch", {"items": rates} | where)
    return ledger


async def _record(
    client: Client,
    ledger: Ledger,
    kind: str,
    currency: str,
    amount: str,
    day: str,
    category: str | None,
) -> None:
    body = {
        "type": kind,
        "account_id": ledger.accounts[currency],
        "amount": amount,
        "date": f"2026-{day}",
        "category_id": None if category is None else ledger.categories[category],
    }
    await _post(client, ledger.user, "/api/v1/transactions", body)


async def _report(client: Client, user: SignedIn, path: str) -> list[Json]:
    response = await client.get(f"{REPORTS}/{path}", headers=user.headers)
    assert response.status_code == 200, response.text
    body: list[Json] = response.json()
    return body


@pytest.fixture
async def ledger(client: Client, new_user: NewUser) -> Ledger:
    return await _seed(client, await new_user())


async def test_the_summary_converts_each_transaction_at_its_days_rate(
    client: Client, ledger: Ledger
) -> None:
    report = await _report(client, ledger.user, f"summary?{MARCH}&currency=EUR")
    assert report == [
        {
            "currency": "EUR",
            "income": "2095.00",
            "expense": "71.72",
            "net": "2023.28",
            "transaction_count": 9,
            "missing_rates": MISSING,
        }
    ]


async def test_the_summary_of_one_account_converts_only_its_transactions(
    client: Client, ledger: Ledger
) -> None:
    path = f"summary?{MARCH}&currency=EUR&account_id={ledger.accounts['USD']}"
    assert await _report(client, ledger.user, path) == [
        {
            "currency": "EUR",
            "income": "95.00",
            "expense": "9.19",
            "net": "85.81",
            "transaction_count": 4,
            "missing_rates": MISSING[2:],
        }
    ]


async def test_a_summary_without_data_is_one_empty_entry(client: Client, ledger: Ledger) -> None:
    path = "summary?date_from=2025-01-01&date_to=2025-01-31&currency=CHF"
    assert await _report(client, ledger.user, path) == [
        {
            "currency": "CHF",
            "income": "0.00",
            "expense": "0.00",
            "net": "0.00",
            "transaction_count": 0,
            "missing_rates": [],
        }
    ]


async def test_without_currency_the_summary_stays_per_currency(
    client: Client, ledger: Ledger
) -> None:
    report = await _report(client, ledger.user, f"summary?{MARCH}")
    assert [row["currency"] for row in report] == ["EUR", "JPY", "USD"]
    assert all("missing_rates" not in row for row in report)


async def test_the_cash_flow_converts_into_one_series(client: Client, ledger: Ledger) -> None:
    report = await _report(client, ledger.user, f"cashflow?{MARCH}&currency=EUR")
    assert report == [
        {
            "currency": "EUR",
            "points": [
                {
                    "period_start": "2026-03-01",
                    "income": "2095.00",
                    "expense": "71.72",
                    "net": "2023.28",
                }
            ],
            "missing_rates": MISSING,
        }
    ]


async def test_the_daily_cash_flow_puts_each_conversion_on_its_day(
    client: Client, ledger: Ledger
) -> None:
    path = "cashflow?date_from=2026-03-06&date_to=2026-03-08&interval=day&currency=EUR"
    report = await _report(client, ledger.user, path)
    assert [(p["period_start"], p["expense"]) for p in report[0]["points"]] == [
        ("2026-03-06", "6.25"),
        ("2026-03-07", "6.26"),
        ("2026-03-08", "0.02"),
    ]
    assert report[0]["missing_rates"] == []


async def test_by_category_converts_each_split_part_on_its_own(
    client: Client, ledger: Ledger
) -> None:
    report = await _report(client, ledger.user, f"by-category?{MARCH}&currency=EUR")
    assert len(report) == 1
    assert report[0]["currency"] == "EUR"
    assert report[0]["missing_rates"] == MISSING
    items = [
        (i["category_name"], i["total"], i["share_percent"], i["transaction_count"])
        for i in report[0]["items"]
    ]
    assert items == [
        ("Groceries", "62.14", "86.7", 3),
        ("Eating out", "6.25", "8.7", 1),
        ("Transport", "3.30", "4.6", 3),
        (None, "0.02", "0.0", 1),
    ]


async def test_by_category_of_income_converts_too(client: Client, ledger: Ledger) -> None:
    report = await _report(client, ledger.user, f"by-category?{MARCH}&type=income&currency=EUR")
    assert [
        (i["category_name"], i["total"], i["transaction_count"]) for i in report[0]["items"]
    ] == [("Salary", "2095.00", 2)]
    assert report[0]["missing_rates"] == []


async def test_net_worth_converts_each_balance_at_the_days_rate(
    client: Client, ledger: Ledger
) -> None:
    report = await _report(client, ledger.user, "net-worth?date=2026-03-12&currency=EUR")
    assert report == [
        {
            "currency": "EUR",
            "total": "3545.14",
            "accounts": [
                {"account_id": ledger.accounts["USD"], "name": "Card", "balance": "645.80"},
                {"account_id": ledger.accounts["JPY"], "name": "Cash", "balance": "49.34"},
                {"account_id": ledger.accounts["EUR"], "name": "Checking", "balance": "2850.00"},
            ],
            "missing_rates": [],
        }
    ]


async def test_net_worth_lists_an_account_without_a_rate_with_a_null_balance(
    client: Client, ledger: Ledger
) -> None:
    report = await _report(client, ledger.user, "net-worth?date=2026-03-13&currency=EUR")
    assert report[0]["total"] == "3495.80"
    assert [a["balance"] for a in report[0]["accounts"]] == ["645.80", None, "2850.00"]
    assert report[0]["missing_rates"] == [{"currency": "JPY", "date": "2026-03-13"}]


async def test_net_worth_in_a_currency_without_decimals_rounds_to_whole_units(
    client: Client, ledger: Ledger
) -> None:
    report = await _report(client, ledger.user, "net-worth?date=2026-03-12&currency=JPY")
    assert report[0]["total"] == "463895"
    assert [a["balance"] for a in report[0]["accounts"]] == [None, "7895", "456000"]
    assert report[0]["missing_rates"] == [{"currency": "USD", "date": "2026-03-12"}]


async def test_a_report_uses_only_the_rates_of_the_household_it_covers(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    ledger = await _seed(client, user)
    other = await _post(client, user, "/api/v1/households", {"name": "Other"})
    late = {"base": "USD", "quote": "EUR", "date": "2026-03-20", "rate": "0.9"}
    await _post(client, user, "/api/v1/exchange-rates", late | {"household_id": other["id"]})
    report = await _report(client, ledger.user, f"summary?{MARCH}&currency=EUR")
    assert report[0]["missing_rates"] == MISSING
    elsewhere = await _report(
        client, user, f"summary?{MARCH}&currency=EUR&household_id={other['id']}"
    )
    assert elsewhere[0]["transaction_count"] == 0


@pytest.mark.parametrize("report", ["summary", "by-category", "cashflow", "net-worth"])
@pytest.mark.parametrize("currency", ["eur", "XXX", "EURO"])
async def test_an_unknown_currency_is_a_422_on_currency(
    client: Client, new_user: NewUser, report: str, currency: str
) -> None:
    user = await new_user()
    response = await client.get(f"{REPORTS}/{report}?currency={currency}", headers=user.headers)
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["currency"]


@pytest.mark.parametrize("report", ["summary", "by-category", "cashflow", "net-worth"])
async def test_a_converted_report_of_a_household_the_caller_is_not_in_is_a_404(
    client: Client, new_user: NewUser, report: str
) -> None:
    user = await new_user()
    path = f"{REPORTS}/{report}?currency=EUR&household_id={uuid.uuid4()}"
    assert (await client.get(path, headers=user.headers)).status_code == 404
