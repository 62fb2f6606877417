"""Reports over the real API and databases: per currency, transfers excluded, never shared.

Data is seeded through the HTTP API; every test uses fresh users, and fixed past dates so
that the outcome never depends on today (except the test of the default range).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]

REPORTS = "/api/v1/reports"
SUMMARY = f"{REPORTS}/summary"
BY_CATEGORY = f"{REPORTS}/by-category"
CASHFLOW = f"{REPORTS}/cashflow"
NET_WORTH = f"{REPORTS}/net-worth"
RANGED = [SUMMARY, BY_CATEGORY, CASHFLOW]
YEAR_2024 = {"date_from": "2024-01-01", "date_to": "2024-12-31"}


# --- seeding through the API ---------------------------------------------------------------


async def open_account(
    client: Client, user: SignedIn, name: str, currency: str, opening_balance: str = "0"
) -> str:
    response = await client.post(
        "/api/v1/accounts",
        json={
            "name": name,
            "type": "checking",
            "currency": currency,
            "opening_balance": opening_balance,
        },
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    account_id: str = response.json()["id"]
    return account_id


async def record(client: Client, user: SignedIn, **body: Any) -> str:
    response = await client.post("/api/v1/transactions", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    transaction_id: str = response.json()["id"]
    return transaction_id


async def income(
    client: Client, user: SignedIn, account: str, amount: str, day: str, **more: Any
) -> str:
    return await record(
        client, user, type="income", account_id=account, amount=amount, date=day, **more
    )


async def expense(
    client: Client, user: SignedIn, account: str, amount: str, day: str, **more: Any
) -> str:
    return await record(
        client, user, type="expense", account_id=account, amount=amount, date=day, **more
    )


async def transfer(
    client: Client,
    user: SignedIn,
    source: str,
    destination: str,
    amount: str,
    day: str,
    **more: Any,
) -> str:
    return await record(
        client,
        user,
        type="transfer",
        account_id=source,
        to_account_id=destination,
        amount=amount,
        date=day,
        **more,
    )


async def categories(client: Client, user: SignedIn) -> dict[str, str]:
    """The user's categories by name (the defaults have distinct names)."""
    response = await client.get("/api/v1/categories", params={"limit": 500}, headers=user.headers)
    assert response.status_code == 200, response.text
    return {item["name"]: item["id"] for item in response.json()["items"]}


async def report(client: Client, user: SignedIn, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    assert isinstance(response.json(), list)
    return response.json()


def pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


# --- summary -------------------------------------------------------------------------------


async def test_the_summary_adds_income_and_expenses_per_currency_without_transfers(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    eur = await open_account(client, user, "Euro checking", "EUR", "500.00")
    jpy = await open_account(client, user, "Yen wallet", "JPY")
    usd = await open_account(client, user, "Dollar account", "USD")
    await income(client, user, eur, "1000.00", "2024-03-01")
    await expense(client, user, eur, "250.50", "2024-03-02")
    await expense(client, user, eur, "49.50", "2024-12-31")
    await expense(client, user, jpy, "3000", "2024-01-01")
    await income(client, user, usd, "10.05", "2024-06-30")
    await transfer(client, user, eur, usd, "100.00", "2024-03-03", to_amount="110.00")
    await transfer(client, user, usd, jpy, "5.00", "2024-03-04", to_amount="700")
    await expense(client, user, eur, "1.00", "2023-12-31")  # before the range
    await income(client, user, jpy, "1", "2025-01-01")  # after the range

    rows = await report(client, user, SUMMARY, **YEAR_2024)

    assert rows == [
        {
            "currency": "EUR",
            "income": "1000.00",
            "expense": "300.00",
            "net": "700.00",
            "transaction_count": 3,
        },
        {
            "currency": "JPY",
            "income": "0",
            "expense": "3000",
            "net": "-3000",
            "transaction_count": 1,
        },
        {
            "currency": "USD",
            "income": "10.05",
            "expense": "0.00",
            "net": "10.05",
            "transaction_count": 1,
        },
    ]


async def test_the_summary_can_be_limited_to_one_account(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    main = await open_account(client, user, "Main", "EUR")
    spare = await open_account(client, user, "Spare", "EUR")
    await income(client, user, main, "40.00", "2024-05-01")
    await expense(client, user, main, "15.25", "2024-05-02")
    await expense(client, user, spare, "99.99", "2024-05-03")
    await transfer(client, user, spare, main, "20.00", "2024-05-04")

    rows = await report(client, user, SUMMARY, account_id=main, **YEAR_2024)
    empty = await report(
        client, user, SUMMARY, account_id=main, date_from="2023-01-01", date_to="2023-12-31"
    )

    assert rows == [
        {
            "currency": "EUR",
            "income": "40.00",
            "expense": "15.25",
            "net": "24.75",
            "transaction_count": 2,
        }
    ]
    assert empty == []


@pytest.mark.parametrize("account_id", ["not-a-uuid", "00000000-0000-7000-8000-000000000000"])
async def test_a_summary_filter_on_an_unknown_account_is_a_422_on_account_id(
    client: Client, new_user: NewUser, account_id: str
) -> None:
    user = await new_user()

    response = await client.get(SUMMARY, params={"account_id": account_id}, headers=user.headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert pointers(response) == ["account_id"]


# --- by category ---------------------------------------------------------------------------


async def test_by_category_totals_expenses_per_category_with_shares_and_an_uncategorised_bucket(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    names = await categories(client, user)
    eur = await open_account(client, user, "Euro checking", "EUR")
    jpy = await open_account(client, user, "Yen wallet", "JPY")
    savings = await open_account(client, user, "Savings", "EUR")
    await expense(client, user, eur, "600.00", "2024-02-01", category_id=names["Rent"])
    await expense(client, user, eur, "10.00", "2024-02-02", category_id=names["Groceries"])
    await expense(client, user, eur, "20.00", "2024-02-03", category_id=names["Groceries"])
    await expense(client, user, eur, "70.00", "2024-02-04")
    await expense(client, user, jpy, "1200", "2024-02-05", category_id=names["Groceries"])
    await income(client, user, eur, "2000.00", "2024-02-06", category_id=names["Salary"])
    await transfer(client, user, eur, savings, "300.00", "2024-02-07")
    await expense(client, user, eur, "5.00", "2025-01-01", category_id=names["Rent"])

    expenses = await report(client, user, BY_CATEGORY, **YEAR_2024)
    by_default = await report(client, user, BY_CATEGORY, type="expense", **YEAR_2024)

    assert (
        expenses
        == by_default
        == [
            {
                "currency": "EUR",
                "items": [
                    {
                        "category_id": names["Rent"],
                        "category_name": "Rent",
                        "total": "600.00",
                        "share_percent": "85.7",
                        "transaction_count": 1,
                    },
                    {
                        "category_id": None,
                        "category_name": None,
                        "total": "70.00",
                        "share_percent": "10.0",
                        "transaction_count": 1,
                    },
                    {
                        "category_id": names["Groceries"],
                        "category_name": "Groceries",
                        "total": "30.00",
                        "share_percent": "4.3",
                        "transaction_count": 2,
                    },
                ],
            },
            {
                "currency": "JPY",
                "items": [
                    {
                        "category_id": names["Groceries"],
                        "category_name": "Groceries",
                        "total": "1200",
                        "share_percent": "100.0",
                        "transaction_count": 1,
                    }
                ],
            },
        ]
    )


async def test_by_category_reports_income_on_request(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    names = await categories(client, user)
    eur = await open_account(client, user, "Euro checking", "EUR")
    await income(client, user, eur, "1.00", "2024-07-01", category_id=names["Salary"])
    await income(client, user, eur, "2.00", "2024-07-02")
    await expense(client, user, eur, "9.00", "2024-07-03", category_id=names["Rent"])

    rows = await report(client, user, BY_CATEGORY, type="income", **YEAR_2024)

    assert rows == [
        {
            "currency": "EUR",
            "items": [
                {
                    "category_id": None,
                    "category_name": None,
                    "total": "2.00",
                    "share_percent": "66.7",
                    "transaction_count": 1,
                },
                {
                    "category_id": names["Salary"],
                    "category_name": "Salary",
                    "total": "1.00",
                    "share_percent": "33.3",
                    "transaction_count": 1,
                },
            ],
        }
    ]


async def test_a_deleted_categorys_expenses_join_the_uncategorised_bucket(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    names = await categories(client, user)
    eur = await open_account(client, user, "Euro checking", "EUR")
    await expense(client, user, eur, "4.00", "2024-08-01", category_id=names["Health"])
    await expense(client, user, eur, "6.00", "2024-08-02")
    deleted = await client.delete(f"/api/v1/categories/{names['Health']}", headers=user.headers)
    assert deleted.status_code == 204, deleted.text

    [eur_report] = await report(client, user, BY_CATEGORY, **YEAR_2024)

    assert eur_report["items"] == [
        {
            "category_id": None,
            "category_name": None,
            "total": "10.00",
            "share_percent": "100.0",
            "transaction_count": 2,
        }
    ]


async def test_an_unknown_category_report_type_is_a_422_on_type(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(BY_CATEGORY, params={"type": "transfer"}, headers=user.headers)

    assert response.status_code == 422, response.text
    assert pointers(response) == ["type"]


# --- cash flow -----------------------------------------------------------------------------


def point(start: str, income: str, expense: str, net: str) -> dict[str, str]:
    return {"period_start": start, "income": income, "expense": expense, "net": net}


async def test_the_monthly_cashflow_has_a_point_per_month_even_when_empty(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    eur = await open_account(client, user, "Euro checking", "EUR")
    jpy = await open_account(client, user, "Yen wallet", "JPY")
    savings = await open_account(client, user, "Savings", "EUR")
    await income(client, user, eur, "100.00", "2024-01-14")  # before date_from, same month
    await income(client, user, eur, "250.00", "2024-01-15")
    await expense(client, user, eur, "20.10", "2024-01-31")
    await expense(client, user, eur, "5.00", "2024-03-05")
    await transfer(client, user, eur, savings, "50.00", "2024-02-10")
    await expense(client, user, jpy, "800", "2024-04-10")
    await expense(client, user, jpy, "900", "2024-04-11")  # after date_to, same month

    series = await report(client, user, CASHFLOW, date_from="2024-01-15", date_to="2024-04-10")
    by_default = await report(
        client, user, CASHFLOW, interval="month", date_from="2024-01-15", date_to="2024-04-10"
    )

    assert (
        series
        == by_default
        == [
            {
                "currency": "EUR",
                "points": [
                    point("2024-01-01", "250.00", "20.10", "229.90"),
                    point("2024-02-01", "0.00", "0.00", "0.00"),
                    point("2024-03-01", "0.00", "5.00", "-5.00"),
                    point("2024-04-01", "0.00", "0.00", "0.00"),
                ],
            },
            {
                "currency": "JPY",
                "points": [
                    point("2024-01-01", "0", "0", "0"),
                    point("2024-02-01", "0", "0", "0"),
                    point("2024-03-01", "0", "0", "0"),
                    point("2024-04-01", "0", "800", "-800"),
                ],
            },
        ]
    )


async def test_the_weekly_cashflow_starts_weeks_on_monday(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    usd = await open_account(client, user, "Dollar account", "USD")
    await expense(client, user, usd, "1.00", "2024-01-02")  # Tuesday before date_from
    await income(client, user, usd, "7.00", "2024-01-03")  # Wednesday, the first day
    await expense(client, user, usd, "2.00", "2024-01-07")  # Sunday
    await expense(client, user, usd, "3.00", "2024-01-08")  # Monday
    await income(client, user, usd, "4.00", "2024-01-21")  # Sunday, the last day
    await income(client, user, usd, "8.00", "2024-01-22")  # Monday after date_to

    series = await report(
        client, user, CASHFLOW, interval="week", date_from="2024-01-03", date_to="2024-01-21"
    )

    assert series == [
        {
            "currency": "USD",
            "points": [
                point("2024-01-01", "7.00", "2.00", "5.00"),
                point("2024-01-08", "0.00", "3.00", "-3.00"),
                point("2024-01-15", "4.00", "0.00", "4.00"),
            ],
        }
    ]


async def test_the_daily_cashflow_has_a_point_per_day(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    jpy = await open_account(client, user, "Yen wallet", "JPY")
    await expense(client, user, jpy, "500", "2024-02-28")
    await income(client, user, jpy, "1000", "2024-03-01")

    series = await report(
        client, user, CASHFLOW, interval="day", date_from="2024-02-28", date_to="2024-03-01"
    )

    assert series == [
        {
            "currency": "JPY",
            "points": [
                point("2024-02-28", "0", "500", "-500"),
                point("2024-02-29", "0", "0", "0"),
                point("2024-03-01", "1000", "0", "1000"),
            ],
        }
    ]


async def test_a_ten_year_monthly_cashflow_has_120_points(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    eur = await open_account(client, user, "Euro checking", "EUR")
    await income(client, user, eur, "1.00", "2015-01-01")
    await expense(client, user, eur, "2.00", "2024-12-31")

    [series] = await report(client, user, CASHFLOW, date_from="2015-01-01", date_to="2024-12-31")

    points = series["points"]
    assert len(points) == 120
    assert points[0] == point("2015-01-01", "1.00", "0.00", "1.00")
    assert points[-1] == point("2024-12-01", "0.00", "2.00", "-2.00")
    assert all(p["net"] == "0.00" for p in points[1:-1])


async def test_an_unknown_cashflow_interval_is_a_422_on_interval(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(CASHFLOW, params={"interval": "year"}, headers=user.headers)

    assert response.status_code == 422, response.text
    assert pointers(response) == ["interval"]


# --- ranges --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", RANGED)
async def test_a_range_over_ten_years_is_a_422_on_date_to(
    client: Client, new_user: NewUser, path: str
) -> None:
    user = await new_user()

    longest = await client.get(
        path, params={"date_from": "2014-01-01", "date_to": "2024-01-01"}, headers=user.headers
    )
    too_long = await client.get(
        path, params={"date_from": "2014-01-01", "date_to": "2024-01-02"}, headers=user.headers
    )

    assert longest.status_code == 200, longest.text
    assert too_long.status_code == 422, too_long.text
    assert pointers(too_long) == ["date_to"]


@pytest.mark.parametrize("path", RANGED)
async def test_date_to_before_date_from_is_a_422_on_date_to(
    client: Client, new_user: NewUser, path: str
) -> None:
    user = await new_user()

    response = await client.get(
        path, params={"date_from": "2024-05-02", "date_to": "2024-05-01"}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert pointers(response) == ["date_to"]


@pytest.mark.parametrize("path", RANGED)
@pytest.mark.parametrize("parameter", ["date_from", "date_to"])
@pytest.mark.parametrize("value", ["2024-02-30", "yesterday", ""])
async def test_a_malformed_date_is_a_422_on_its_parameter(
    client: Client, new_user: NewUser, path: str, parameter: str, value: str
) -> None:
    user = await new_user()

    response = await client.get(path, params={parameter: value}, headers=user.headers)

    assert response.status_code == 422, response.text
    assert pointers(response) == [parameter]


async def test_a_single_bound_reports_the_rest_of_its_month(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    eur = await open_account(client, user, "Euro checking", "EUR")
    await expense(client, user, eur, "1.00", "2023-12-31")
    await expense(client, user, eur, "2.00", "2024-01-01")
    await expense(client, user, eur, "4.00", "2024-01-20")
    await expense(client, user, eur, "8.00", "2024-01-31")
    await expense(client, user, eur, "16.00", "2024-02-01")

    [until] = await report(client, user, SUMMARY, date_to="2024-01-20")
    [since] = await report(client, user, SUMMARY, date_from="2024-01-20")

    assert (until["expense"], until["transaction_count"]) == ("6.00", 2)
    assert (since["expense"], since["transaction_count"]) == ("12.00", 2)


async def test_reports_default_to_the_current_month(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    eur = await open_account(client, user, "Euro checking", "EUR")
    today = datetime.now(UTC).date()
    month_start = today.replace(day=1)
    await expense(client, user, eur, "3.00", today.isoformat())
    await expense(client, user, eur, "100.00", (month_start - timedelta(days=1)).isoformat())

    [summary] = await report(client, user, SUMMARY)
    [series] = await report(client, user, CASHFLOW)
    [by_category] = await report(client, user, BY_CATEGORY)

    assert (summary["expense"], summary["transaction_count"]) == ("3.00", 1)
    assert series["points"] == [point(month_start.isoformat(), "0.00", "3.00", "-3.00")]
    assert [item["total"] for item in by_category["items"]] == ["3.00"]


# --- net worth -----------------------------------------------------------------------------


async def test_net_worth_as_of_a_past_day_ignores_later_transactions(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    checking = await open_account(client, user, "Checking", "EUR", "100.00")
    savings = await open_account(client, user, "savings", "EUR", "5.00")
    yen = await open_account(client, user, "Yen wallet", "JPY", "1000")
    dollars = await open_account(client, user, "Dollars", "USD", "-10.00")
    await income(client, user, checking, "50.00", "2024-01-10")
    await transfer(client, user, checking, yen, "30.00", "2024-01-15", to_amount="4500")
    await transfer(client, user, checking, savings, "12.34", "2024-01-31")
    await expense(client, user, checking, "20.00", "2024-02-01")
    await transfer(client, user, yen, dollars, "500", "2024-02-02", to_amount="3.21")
    archived = await client.patch(
        f"/api/v1/accounts/{savings}", json={"archived": True}, headers=user.headers
    )
    assert archived.status_code == 200, archived.text

    before = await report(client, user, NET_WORTH, date="2024-01-09")
    mid = await report(client, user, NET_WORTH, date="2024-01-31")
    after = await report(client, user, NET_WORTH, date="2024-02-02")

    assert before == [
        {
            "currency": "EUR",
            "total": "105.00",
            "accounts": [
                {"account_id": checking, "name": "Checking", "balance": "100.00"},
                {"account_id": savings, "name": "savings", "balance": "5.00"},
            ],
        },
        {
            "currency": "JPY",
            "total": "1000",
            "accounts": [{"account_id": yen, "name": "Yen wallet", "balance": "1000"}],
        },
        {
            "currency": "USD",
            "total": "-10.00",
            "accounts": [{"account_id": dollars, "name": "Dollars", "balance": "-10.00"}],
        },
    ]
    assert [(row["currency"], row["total"]) for row in mid] == [
        ("EUR", "125.00"),
        ("JPY", "5500"),
        ("USD", "-10.00"),
    ]
    assert [a["balance"] for a in mid[0]["accounts"]] == ["107.66", "17.34"]
    assert [(row["currency"], row["total"]) for row in after] == [
        ("EUR", "105.00"),
        ("JPY", "5000"),
        ("USD", "-6.79"),
    ]


async def test_net_worth_defaults_to_today_and_matches_the_account_balances(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    checking = await open_account(client, user, "Checking", "EUR", "10.00")
    today = datetime.now(UTC).date()
    await income(client, user, checking, "1.50", (today - timedelta(days=400)).isoformat())
    await expense(client, user, checking, "0.25", today.isoformat())
    await income(client, user, checking, "99.00", (today + timedelta(days=2)).isoformat())
    balance = (await client.get(f"/api/v1/accounts/{checking}", headers=user.headers)).json()

    rows = await report(client, user, NET_WORTH)

    assert balance["balance"] == "110.25"
    assert rows == [
        {
            "currency": "EUR",
            "total": "11.25",
            "accounts": [{"account_id": checking, "name": "Checking", "balance": "11.25"}],
        }
    ]


async def test_a_malformed_net_worth_date_is_a_422_on_date(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(NET_WORTH, params={"date": "2024-13-01"}, headers=user.headers)

    assert response.status_code == 422, response.text
    assert pointers(response) == ["date"]


async def test_net_worth_without_accounts_is_empty(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    assert await report(client, user, NET_WORTH) == []


# --- isolation and auth --------------------------------------------------------------------


async def test_a_user_never_sees_another_users_money_in_any_report(
    client: Client, new_user: NewUser
) -> None:
    alice, bob = await new_user(), await new_user()
    names = await categories(client, alice)
    eur = await open_account(client, alice, "Alice checking", "EUR", "1000.00")
    usd = await open_account(client, alice, "Alice dollars", "USD")
    await income(client, alice, eur, "500.00", "2024-04-01", category_id=names["Salary"])
    await expense(client, alice, eur, "80.00", "2024-04-02", category_id=names["Groceries"])
    await transfer(client, alice, eur, usd, "100.00", "2024-04-03", to_amount="108.00")

    for path in RANGED:
        assert await report(client, bob, path, **YEAR_2024) == []
        assert await report(client, alice, path, **YEAR_2024) != []
    assert await report(client, bob, BY_CATEGORY, type="income", **YEAR_2024) == []
    assert await report(client, bob, NET_WORTH, date="2024-12-31") == []
    foreign = await client.get(SUMMARY, params={"account_id": eur}, headers=bob.headers)
    assert foreign.status_code == 422, foreign.text
    assert pointers(foreign) == ["account_id"]


@pytest.mark.parametrize("path", [*RANGED, NET_WORTH])
async def test_reports_need_an_access_token(client: Client, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_openapi_document_describes_the_reports(client: Client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]

    for path in ("summary", "by-category", "cashflow", "net-worth"):
        operation = paths[f"{REPORTS}/{path}"]["get"]
        assert operation["tags"] == ["reports"]
        assert all(operation[key] for key in ("operationId", "summary", "description"))
        assert {"401", "422"} <= set(operation["responses"])
        assert operation["security"]
    parameters = {p["name"] for p in paths[f"{REPORTS}/by-category"]["get"]["parameters"]}
    assert parameters == {"household_id", "date_from", "date_to", "type", "currency"}
    net_worth = {p["name"] for p in paths[f"{NET_WORTH}"]["get"]["parameters"]}
    assert net_worth == {"household_id", "date", "currency"}
