"""Budgets over the real API and databases: rules, status, history, and isolation.

Data is seeded through the HTTP API with fixed past dates, and the status and history
expected below are worked out by hand from that data. Budgets whose ``end_date`` has
passed make the history independent of today.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event

from tests.integration.conftest import SignedIn, make_app

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]

BUDGETS = "/api/v1/budgets"
STATUSES = f"{BUDGETS}/status"
STATUS_FIELDS = {
    "budget_id",
    "period_start",
    "period_end",
    "limit",
    "carried_over",
    "available",
    "spent",
    "remaining",
    "percent_used",
    "state",
}


def pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


# --- seeding through the API ---------------------------------------------------------------


async def open_account(client: Client, user: SignedIn, name: str, currency: str) -> str:
    body = {"name": name, "type": "checking", "currency": currency, "opening_balance": "0"}
    response = await client.post("/api/v1/accounts", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    account_id: str = response.json()["id"]
    return account_id


async def new_category(
    client: Client, user: SignedIn, name: str, kind: str = "expense", **more: Any
) -> str:
    body = {"name": name, "kind": kind, **more}
    response = await client.post("/api/v1/categories", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    category_id: str = response.json()["id"]
    return category_id


async def record(
    client: Client, user: SignedIn, kind: str, account: str, amount: str, day: str, **more: Any
) -> None:
    body = {"type": kind, "account_id": account, "amount": amount, "date": day, **more}
    response = await client.post("/api/v1/transactions", json=body, headers=user.headers)
    assert response.status_code == 201, response.text


async def create_budget(client: Client, user: SignedIn, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "Groceries")
    body.setdefault("amount", "300.00")
    body.setdefault("currency", "EUR")
    response = await client.post(BUDGETS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@dataclass
class Month:
    """A user with a quarter of seeded spending (see ``seed``) and their budgets' ids."""

    user: SignedIn
    food: str
    snacks: str
    food_budget: str
    snacks_budget: str
    everything_budget: str
    trips_budget: str


async def seed(client: Client, user: SignedIn) -> Month:
    """Q1 2025 for one user.

    Food (parent of Snacks) in EUR: Jan 100 Food + 50 Snacks = 150; Feb 400 Food;
    Mar 120 Snacks (03-03) + 10 Snacks (03-20) + 100 Food (03-31) = 230; Apr 55 Food.
    Noise in March: 999 USD Food, 77 EUR Rent, a 500 EUR transfer, 1000 EUR income.
    """
    checking = await open_account(client, user, "Checking", "EUR")
    savings = await open_account(client, user, "Savings", "EUR")
    dollars = await open_account(client, user, "Dollars", "USD")
    food = await new_category(client, user, "Food")
    snacks = await new_category(client, user, "Snacks", parent_id=food)
    rent = await new_category(client, user, "Home rent")
    salary = await new_category(client, user, "Wages", "income")
    for amount, day, category in [
        ("100.00", "2025-01-05", food),
        ("50.00", "2025-01-20", snacks),
        ("400.00", "2025-02-10", food),
        ("120.00", "2025-03-03", snacks),
        ("10.00", "2025-03-20", snacks),
        ("100.00", "2025-03-31", food),
        ("55.00", "2025-04-01", food),
        ("77.00", "2025-03-08", rent),
    ]:
        await record(client, user, "expense", checking, amount, day, category_id=category)
    await record(client, user, "expense", dollars, "999.00", "2025-03-05", category_id=food)
    await record(client, user, "transfer", checking, "500.00", "2025-03-06", to_account_id=savings)
    await record(client, user, "income", checking, "1000.00", "2025-03-07", category_id=salary)

    food_budget = await create_budget(
        client,
        user,
        name="Food",
        category_id=food,
        start_date="2025-01-01",
        end_date="2025-03-31",
        rollover=True,
    )
    snacks_budget = await create_budget(
        client,
        user,
        name="Snacks",
        amount="100",
        category_id=snacks,
        start_date="2025-01-01",
        end_date="2025-03-10",
    )
    everything = await create_budget(
        client, user, name="Everything", amount="500", start_date="2025-03-01"
    )
    trips = await create_budget(
        client, user, name="Trips", amount="500", currency="USD", start_date="2025-03-01"
    )
    return Month(
        user, food, snacks, food_budget["id"], snacks_budget["id"], everything["id"], trips["id"]
    )


def status_of(budget_id: str, start: str, end: str, **money: Any) -> dict[str, Any]:
    return {"budget_id": budget_id, "period_start": start, "period_end": end, **money}


# --- create, read, list, update, delete ----------------------------------------------------


async def test_creating_a_budget_answers_201_with_location_and_defaults(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user(default_currency="JPY")

    response = await client.post(
        BUDGETS, json={"name": "  Everything  ", "amount": "50000"}, headers=user.headers
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{BUDGETS}/{body['id']}"
    today = datetime.now(UTC).date()
    me = await client.get("/api/v1/users/me", headers=user.headers)
    assert body | {"id": None, "created_at": None, "updated_at": None} == {
        "id": None,
        "household_id": me.json()["default_household_id"],
        "name": "Everything",
        "category_id": None,
        "amount": "50000",
        "currency": "JPY",
        "period": "monthly",
        "start_date": today.replace(day=1).isoformat(),
        "end_date": None,
        "rollover": False,
        "alert_threshold": 80,
        "created_at": None,
        "updated_at": None,
    }
    assert body["created_at"].endswith("Z")


async def test_a_budget_reads_back_lists_changes_and_deletes(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    food = await new_category(client, user, "Food")
    created = await create_budget(
        client, user, category_id=food, period="weekly", start_date="2025-01-06"
    )
    url = f"{BUDGETS}/{created['id']}"

    fetched = await client.get(url, headers=user.headers)
    changed = await client.patch(
        url, json={"amount": "12.5", "end_date": "2025-12-28"}, headers=user.headers
    )
    cleared = await client.patch(url, json={"category_id": None}, headers=user.headers)
    deleted = await client.delete(url, headers=user.headers)
    gone = await client.get(url, headers=user.headers)

    assert fetched.json() == created
    assert changed.status_code == 200, changed.text
    assert (changed.json()["amount"], changed.json()["end_date"]) == ("12.50", "2025-12-28")
    assert changed.json()["category_id"] == food
    assert cleared.json()["category_id"] is None
    assert deleted.status_code == 204
    assert gone.status_code == 404


async def test_the_list_is_paged_sorted_and_filtered(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    food = await new_category(client, user, "Food")
    await create_budget(client, user, name="B", start_date="2025-01-01")
    await create_budget(client, user, name="A", category_id=food, start_date="2025-02-01")
    await create_budget(client, user, name="C", currency="USD", period="yearly")

    page = await client.get(BUDGETS, params={"limit": 2, "sort": "-name"}, headers=user.headers)
    by_food = await client.get(BUDGETS, params={"category_id": food}, headers=user.headers)
    yearly = await client.get(BUDGETS, params={"period": "yearly"}, headers=user.headers)
    euros = await client.get(
        BUDGETS, params={"currency": "EUR", "sort": "start_date"}, headers=user.headers
    )
    january = await client.get(BUDGETS, params={"active_on": "2025-01-15"}, headers=user.headers)

    assert page.status_code == 200, page.text
    assert [b["name"] for b in page.json()["items"]] == ["C", "B"]
    assert (page.json()["total"], page.json()["limit"], page.json()["offset"]) == (3, 2, 0)
    assert [b["name"] for b in by_food.json()["items"]] == ["A"]
    assert [b["name"] for b in yearly.json()["items"]] == ["C"]
    assert [b["name"] for b in euros.json()["items"]] == ["B", "A"]
    assert [b["name"] for b in january.json()["items"]] == ["B"]


@pytest.mark.parametrize(
    "params",
    [{"sort": "amount"}, {"limit": 0}, {"limit": 501}, {"offset": -1}, {"currency": "eur"}],
)
async def test_bad_list_parameters_are_422(
    client: Client, new_user: NewUser, params: dict[str, Any]
) -> None:
    user = await new_user()

    response = await client.get(BUDGETS, params=params, headers=user.headers)

    assert response.status_code == 422, response.text
    assert pointers(response) == list(params)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"amount": "0"}, "#/amount"),
        ({"amount": "-5"}, "#/amount"),
        ({"amount": "1.001"}, "#/amount"),
        ({"amount": 5}, "#/amount"),
        ({"currency": "eur"}, "#/currency"),
        ({"name": " "}, "#/name"),
        ({"period": "daily"}, "#/period"),
        ({"start_date": "2025-02-01", "end_date": "2025-01-31"}, "#/end_date"),
        ({"alert_threshold": 0}, "#/alert_threshold"),
        ({"alert_threshold": 101}, "#/alert_threshold"),
        ({"id": "01900000-0000-7000-8000-000000000001"}, "#/id"),
        ({"spent": "1.00"}, "#/spent"),
    ],
)
async def test_invalid_bodies_are_422_with_a_pointer(
    client: Client, new_user: NewUser, body: dict[str, Any], pointer: str
) -> None:
    user = await new_user()
    valid = {"name": "Food", "amount": "10.00", "currency": "EUR"}

    created = await client.post(BUDGETS, json=valid | body, headers=user.headers)

    assert created.status_code == 422, created.text
    assert pointers(created) == [pointer]


async def test_an_income_category_is_422(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    wages = await new_category(client, user, "Wages", "income")
    body = {"name": "Odd", "amount": "1", "currency": "EUR", "category_id": wages}

    response = await client.post(BUDGETS, json=body, headers=user.headers)

    assert response.status_code == 422
    assert pointers(response) == ["#/category_id"]


async def test_a_clashing_budget_is_409_and_an_ended_one_does_not_clash(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    food = await new_category(client, user, "Food")
    await create_budget(client, user, category_id=food, start_date="2024-01-01")
    ended = await create_budget(
        client, user, category_id=food, period="weekly", start_date="2024-01-01",
        end_date="2024-06-30",
    )  # fmt: skip

    clash = await client.post(
        BUDGETS,
        json={"name": "Again", "amount": "1", "currency": "EUR", "category_id": food},
        headers=user.headers,
    )
    after_ended = await client.post(
        BUDGETS,
        json={"name": "W", "amount": "1", "currency": "EUR", "category_id": food,
              "period": "weekly"},
        headers=user.headers,
    )  # fmt: skip
    reopened = await client.patch(
        f"{BUDGETS}/{ended['id']}", json={"end_date": None}, headers=user.headers
    )

    assert clash.status_code == 409, clash.text
    assert clash.headers["content-type"].startswith("application/problem+json")
    assert after_ended.status_code == 201, after_ended.text
    assert reopened.status_code == 409, reopened.text


async def test_a_patch_follows_the_rules(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    created = await create_budget(client, user, amount="10.50")
    url = f"{BUDGETS}/{created['id']}"

    yen = await client.patch(url, json={"currency": "JPY"}, headers=user.headers)
    backwards = await client.patch(url, json={"end_date": "2000-01-01"}, headers=user.headers)
    read_only = await client.patch(url, json={"created_at": "x"}, headers=user.headers)
    renamed = await client.patch(url, json={"name": " Food "}, headers=user.headers)

    assert yen.status_code == 422
    assert pointers(yen) == ["#/amount"]
    assert pointers(backwards) == ["#/end_date"]
    assert pointers(read_only) == ["#/created_at"]
    assert renamed.json()["name"] == "Food"
    assert renamed.json()["amount"] == "10.50"


async def test_deleting_a_category_removes_its_budgets(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    food = await new_category(client, user, "Food")
    budget = await create_budget(client, user, category_id=food)

    kind_change = await client.patch(
        f"/api/v1/categories/{food}", json={"kind": "income"}, headers=user.headers
    )
    deleted = await client.delete(f"/api/v1/categories/{food}", headers=user.headers)
    gone = await client.get(f"{BUDGETS}/{budget['id']}", headers=user.headers)

    assert kind_change.status_code == 409, kind_change.text
    assert deleted.status_code == 204
    assert gone.status_code == 404


# --- status and history --------------------------------------------------------------------


async def test_status_with_rollover_is_worked_out_from_the_seeded_quarter(
    client: Client, new_user: NewUser
) -> None:
    month = await seed(client, await new_user())

    response = await client.get(
        f"{BUDGETS}/{month.food_budget}/status",
        params={"date": "2025-03-15"},
        headers=month.user.headers,
    )

    assert response.status_code == 200, response.text
    # Carried: (300 - 150) + (300 - 400) = 50. March: 120 + 10 Snacks + 100 Food = 230.
    assert response.json() == status_of(
        month.food_budget,
        "2025-03-01",
        "2025-03-31",
        limit="300.00",
        carried_over="50.00",
        available="350.00",
        spent="230.00",
        remaining="120.00",
        percent_used="65.7",
        state="ok",
    )


async def test_a_period_cut_by_the_end_date_counts_spending_up_to_it(
    client: Client, new_user: NewUser
) -> None:
    month = await seed(client, await new_user())

    response = await client.get(
        f"{BUDGETS}/{month.snacks_budget}/status",
        params={"date": "2025-03-10"},
        headers=month.user.headers,
    )

    # The 10.00 of March 20 is after the end date; 120.00 of 100 is spent.
    assert response.json() == status_of(
        month.snacks_budget,
        "2025-03-01",
        "2025-03-10",
        limit="100.00",
        carried_over="0.00",
        available="100.00",
        spent="120.00",
        remaining="-20.00",
        percent_used="120.0",
        state="exceeded",
    )


@pytest.mark.parametrize("day", ["2024-12-31", "2025-04-01"])
async def test_a_status_outside_the_budget_is_422_on_date(
    client: Client, new_user: NewUser, day: str
) -> None:
    month = await seed(client, await new_user())

    response = await client.get(
        f"{BUDGETS}/{month.food_budget}/status", params={"date": day}, headers=month.user.headers
    )

    assert response.status_code == 422
    assert pointers(response) == ["date"]


async def test_a_malformed_status_date_is_422_on_date(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    budget = await create_budget(client, user)

    response = await client.get(
        f"{BUDGETS}/{budget['id']}/status", params={"date": "15/03/2025"}, headers=user.headers
    )
    listed = await client.get(STATUSES, params={"date": "nope"}, headers=user.headers)

    assert response.status_code == 422
    assert pointers(response) == ["date"]
    assert pointers(listed) == ["date"]


async def test_the_status_of_today_is_the_default(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    budget = await create_budget(client, user)

    response = await client.get(f"{BUDGETS}/{budget['id']}/status", headers=user.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == STATUS_FIELDS
    assert body["period_start"] == budget["start_date"]
    assert (body["spent"], body["percent_used"], body["state"]) == ("0.00", "0.0", "ok")


async def test_statuses_list_every_budget_active_on_the_date(
    client: Client, new_user: NewUser
) -> None:
    month = await seed(client, await new_user())

    response = await client.get(STATUSES, params={"date": "2025-03-15"}, headers=month.user.headers)

    assert response.status_code == 200, response.text
    # Snacks ended on March 10. Everything: 120 + 10 + 100 + 77 rent (EUR expenses only).
    assert response.json() == {
        "items": [
            status_of(
                month.everything_budget,
                "2025-03-01",
                "2025-03-31",
                limit="500.00",
                carried_over="0.00",
                available="500.00",
                spent="307.00",
                remaining="193.00",
                percent_used="61.4",
                state="ok",
            ),
            status_of(
                month.food_budget,
                "2025-03-01",
                "2025-03-31",
                limit="300.00",
                carried_over="50.00",
                available="350.00",
                spent="230.00",
                remaining="120.00",
                percent_used="65.7",
                state="ok",
            ),
            status_of(
                month.trips_budget,
                "2025-03-01",
                "2025-03-31",
                limit="500.00",
                carried_over="0.00",
                available="500.00",
                spent="999.00",
                remaining="-499.00",
                percent_used="199.8",
                state="exceeded",
            ),
        ]
    }


async def test_history_of_an_ended_budget_is_its_periods_oldest_first(
    client: Client, new_user: NewUser
) -> None:
    month = await seed(client, await new_user())
    url = f"{BUDGETS}/{month.food_budget}/history"

    full = await client.get(url, headers=month.user.headers)
    last_two = await client.get(url, params={"periods": 2}, headers=month.user.headers)

    assert full.status_code == 200, full.text
    january = status_of(
        month.food_budget,
        "2025-01-01",
        "2025-01-31",
        limit="300.00",
        carried_over="0.00",
        available="300.00",
        spent="150.00",
        remaining="150.00",
        percent_used="50.0",
        state="ok",
    )
    february = status_of(
        month.food_budget,
        "2025-02-01",
        "2025-02-28",
        limit="300.00",
        carried_over="150.00",
        available="450.00",
        spent="400.00",
        remaining="50.00",
        percent_used="88.9",
        state="warning",
    )
    march = status_of(
        month.food_budget,
        "2025-03-01",
        "2025-03-31",
        limit="300.00",
        carried_over="50.00",
        available="350.00",
        spent="230.00",
        remaining="120.00",
        percent_used="65.7",
        state="ok",
    )
    assert full.json() == {"items": [january, february, march]}
    assert last_two.json() == {"items": [february, march]}


async def test_history_of_a_budget_not_started_yet_is_empty(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    budget = await create_budget(client, user, start_date="2999-01-01")

    response = await client.get(f"{BUDGETS}/{budget['id']}/history", headers=user.headers)

    assert response.json() == {"items": []}


@pytest.mark.parametrize("periods", ["0", "37", "x"])
async def test_a_history_length_outside_1_to_36_is_422(
    client: Client, new_user: NewUser, periods: str
) -> None:
    user = await new_user()
    budget = await create_budget(client, user)

    response = await client.get(
        f"{BUDGETS}/{budget['id']}/history", params={"periods": periods}, headers=user.headers
    )

    assert response.status_code == 422
    assert pointers(response) == ["periods"]


# --- query counts --------------------------------------------------------------------------


@contextmanager
def counted_statements(app: Litestar) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = app.state.container.engine.sync_engine

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SELECT 1")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def reads_totals(statement: str) -> bool:
    return "daily_totals" in statement or "monthly_totals" in statement


async def test_statuses_and_history_cost_a_constant_number_of_queries(
    client: Client, new_user: NewUser, app: Litestar
) -> None:
    user = await new_user()
    account = await open_account(client, user, "Checking", "EUR")
    first = await create_budget(client, user, start_date="2022-01-01", rollover=True)
    for day in ["2022-01-03", "2023-06-07", "2024-12-30"]:
        await record(client, user, "expense", account, "1.00", day)

    with counted_statements(app) as few:
        await client.get(STATUSES, headers=user.headers)
    for currency in ["USD", "GBP", "JPY", "CHF", "SEK"]:
        await create_budget(client, user, name=currency, amount="500", currency=currency)
    with counted_statements(app) as many:
        listed = await client.get(STATUSES, headers=user.headers)
    with counted_statements(app) as history:
        long = await client.get(
            f"{BUDGETS}/{first['id']}/history", params={"periods": 36}, headers=user.headers
        )

    assert len(listed.json()["items"]) == 6
    assert len(many) == len(few)
    assert len(long.json()["items"]) == 36
    # Authentication, the budget, and one statement of sums (over the daily and monthly
    # totals, never the transactions).
    assert sum(reads_totals(s) for s in many) == 1
    assert sum(reads_totals(s) for s in history) == 1
    assert not any("transactions" in s for s in [*many, *history])
    assert len(history) == len(few)


# --- concurrency ---------------------------------------------------------------------------


async def test_concurrent_clashing_creates_let_exactly_one_through(
    new_user: NewUser, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent writers are checked on PostgreSQL (SQLite serialises them)")
    user = await new_user()
    body = {"name": "Food", "amount": "1", "currency": "EUR", "start_date": "2025-01-01"}
    # Litestar's test client runs each request to completion on a portal thread, so
    # requests through it never overlap: two apps (two pools, as two server processes)
    # are called through httpx's ASGI transport on this event loop instead.
    apps = [make_app(database_url), make_app(database_url)]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://budget")
        for app in apps
    ]
    try:
        answers = await asyncio.gather(
            *(c.post(BUDGETS, json=body, headers=user.headers) for c in clients * 4)
        )
        listed = await clients[0].get(BUDGETS, headers=user.headers)
    finally:
        for c, app in zip(clients, apps, strict=True):
            await c.aclose()
            await app.state.container.engine.dispose()

    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    assert listed.json()["total"] == 1


# --- isolation and authentication ----------------------------------------------------------


async def test_users_never_see_or_use_each_others_budgets(
    client: Client, new_user: NewUser
) -> None:
    month = await seed(client, await new_user())
    bob = await new_user()
    alices = f"{BUDGETS}/{month.food_budget}"

    answers = [
        await client.get(alices, headers=bob.headers),
        await client.patch(alices, json={"name": "Mine"}, headers=bob.headers),
        await client.delete(alices, headers=bob.headers),
        await client.get(f"{alices}/status", headers=bob.headers),
        await client.get(f"{alices}/history", headers=bob.headers),
    ]
    missing = await client.get(
        f"{BUDGETS}/01900000-0000-7000-8000-000000000001", headers=bob.headers
    )
    listed = await client.get(BUDGETS, headers=bob.headers)
    statuses = await client.get(STATUSES, params={"date": "2025-03-15"}, headers=bob.headers)
    borrowed = await client.post(
        BUDGETS,
        json={"name": "Food", "amount": "1", "currency": "EUR", "category_id": month.food},
        headers=bob.headers,
    )
    still_there = await client.get(alices, headers=month.user.headers)

    assert [a.status_code for a in answers] == [404] * 5
    assert all(a.json()["detail"] == missing.json()["detail"] for a in answers)
    assert listed.json()["items"] == []
    assert statuses.json() == {"items": []}
    assert borrowed.status_code == 422
    assert pointers(borrowed) == ["#/category_id"]
    assert still_there.json()["name"] == "Food"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", BUDGETS),
        ("POST", BUDGETS),
        ("GET", STATUSES),
        ("GET", f"{BUDGETS}/01900000-0000-7000-8000-000000000001"),
        ("PATCH", f"{BUDGETS}/01900000-0000-7000-8000-000000000001"),
        ("DELETE", f"{BUDGETS}/01900000-0000-7000-8000-000000000001"),
        ("GET", f"{BUDGETS}/01900000-0000-7000-8000-000000000001/status"),
        ("GET", f"{BUDGETS}/01900000-0000-7000-8000-000000000001/history"),
    ],
)
async def test_every_budget_route_needs_a_token(client: Client, method: str, path: str) -> None:
    response = await client.request(method, path, json={} if method in {"POST", "PATCH"} else None)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_openapi_document_describes_every_budget_operation(client: Client) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    operations = {
        op["operationId"]: op
        for path, item in document["paths"].items()
        if path.startswith(BUDGETS)
        for op in item.values()
    }

    assert set(operations) == {
        "getBudgetAudit",
        "listBudgets",
        "createBudget",
        "getBudget",
        "updateBudget",
        "deleteBudget",
        "listBudgetStatuses",
        "getBudgetStatus",
        "getBudgetHistory",
    }
    for operation in operations.values():
        assert operation["tags"] == ["budgets"]
        assert operation["summary"]
        assert operation["security"] == [{"BearerToken": []}]
        assert "401" in operation["responses"]
