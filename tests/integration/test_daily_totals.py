"""The daily totals over the real API and databases: always equal to the GROUP BY of the
transactions, whatever the writes; drift is found and rebuilt; the migration backfills.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from budget.adapters.database import ALL_HOUSEHOLDS, restrict
from budget.adapters.migrations import downgrade, upgrade
from budget.adapters.reports import SqlAlchemyReportReader
from budget.adapters.spending import (
    RANGES_PER_STATEMENT,
    SqlAlchemyBudgetSpendingReader,
    spending_ranges,
)
from budget.adapters.tables import (
    NO_CATEGORY,
    AccountRow,
    CategoryRow,
    DailyTotalRow,
    TransactionRow,
    UserRow,
)
from budget.adapters.verification import SqlAlchemyTotalsVerifier
from budget.domain.model.budget import SpendingQuery
from budget.domain.model.currency import Currency
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.period import Period
from budget.domain.model.verification import TotalsDrift
from budget.domain.services.maintenance import VerifyDailyTotals
from budget.entrypoints.cli import main
from tests.integration.conftest import SignedIn
from tests.integration.databases import postgres_database, sqlite_database

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
TRANSACTIONS = "/api/v1/transactions"
CATEGORIES = "/api/v1/categories"


@asynccontextmanager
async def connected(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection that sees every household's rows (PostgreSQL's row-level security)."""
    async with engine.connect() as connection:
        await restrict(connection, ALL_HOUSEHOLDS)
        yield connection


async def household_of(client: Client, user: SignedIn) -> str:
    """The user's default household: the one their accounts and transactions go to."""
    me = await _ok(client.get("/api/v1/users/me", headers=user.headers), 200)
    household_id: str = me["default_household_id"]
    return household_id


async def drift_of(engine: AsyncEngine, household_id: str) -> list[TotalsDrift]:
    """The household's drifted cells (other tests share the database)."""
    drifts = await SqlAlchemyTotalsVerifier(engine).drifted_totals()
    return [drift for drift in drifts if str(drift.key.household_id) == household_id]


async def cells_of(
    engine: AsyncEngine, household_id: str
) -> dict[tuple[Any, ...], tuple[int, int, int]]:
    """``(type, date, category_key, account_id) -> (amount, count, entries)`` of the
    household's cells."""
    cell = DailyTotalRow
    keys = [cell.type, cell.date, cell.category_key, cell.account_id]
    async with connected(engine) as connection:
        rows = await connection.execute(
            select(*keys, cell.amount, cell.count, cell.entries).where(
                cell.household_id == uuid.UUID(household_id)
            )
        )
        return {
            (kind, day, key, account): (amount, count, entries)
            for kind, day, key, account, amount, count, entries in rows
        }


async def _ok(response: Awaitable[Any], status: int = 201) -> Any:
    answered = await response
    assert answered.status_code == status, answered.text
    return answered.json() if status != 204 else None


async def _account(client: Client, user: SignedIn, currency: str) -> str:
    body = {"name": f"A {uuid.uuid4().hex[:6]}", "type": "checking", "currency": currency}
    created = await _ok(client.post("/api/v1/accounts", json=body, headers=user.headers))
    account_id: str = created["id"]
    return account_id


async def _category(client: Client, user: SignedIn, name: str, **more: Any) -> str:
    body = {"name": name, "kind": "expense", **more}
    created = await _ok(client.post(CATEGORIES, json=body, headers=user.headers))
    category_id: str = created["id"]
    return category_id


async def _record(client: Client, user: SignedIn, **body: Any) -> str:
    created = await _ok(client.post(TRANSACTIONS, json=body, headers=user.headers))
    transaction_id: str = created["id"]
    return transaction_id


async def _patch(client: Client, user: SignedIn, txn: str, **body: Any) -> None:
    await _ok(client.patch(f"{TRANSACTIONS}/{txn}", json=body, headers=user.headers), 200)


async def _mixed_history(client: Client, user: SignedIn) -> dict[str, str]:
    """Every kind of write: creates, updates of each field, type changes both ways,
    deletes, and the deletion of a parent category and of a subcategory."""
    eur, usd = await _account(client, user, "EUR"), await _account(client, user, "USD")
    food = await _category(client, user, "Food")
    snacks = await _category(client, user, "Snacks", parent_id=food)
    rent = await _category(client, user, "Lodging")
    day = {"date": "2026-03-01"}
    a = await _record(client, user, type="expense", account_id=eur, amount="10", **day)
    b = await _record(
        client, user, type="expense", account_id=eur, amount="4", category_id=food, **day
    )
    c = await _record(
        client, user, type="expense", account_id=eur, amount="2", category_id=snacks, **day
    )
    d = await _record(client, user, type="income", account_id=usd, amount="100", **day)
    t = await _record(
        client, user, type="transfer", account_id=eur, to_account_id=usd, amount="5",
        to_amount="6", **day,
    )  # fmt: skip
    e = await _record(
        client, user, type="expense", account_id=eur, amount="7", category_id=rent, **day
    )
    await _patch(client, user, a, amount="11.50", category_id=food)
    await _patch(client, user, b, date="2026-03-02")
    await _patch(client, user, c, account_id=usd, amount="2.20")
    await _patch(client, user, d, type="expense")
    await _patch(client, user, t, type="expense", category_id=rent)
    await _patch(client, user, e, type="transfer", to_account_id=usd, to_amount="8")
    await _ok(client.delete(f"{TRANSACTIONS}/{e}", headers=user.headers), 204)
    await _ok(client.delete(f"{CATEGORIES}/{food}", headers=user.headers), 204)
    await _ok(client.delete(f"{CATEGORIES}/{rent}", headers=user.headers), 204)
    return {"eur": eur, "usd": usd, "snacks": snacks}


async def test_a_mix_of_writes_leaves_the_totals_equal_to_the_transactions(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    household = await household_of(client, user)
    ids = await _mixed_history(client, user)

    assert await drift_of(engine, household) == []
    eur, usd, snacks = (uuid.UUID(ids[name]) for name in ("eur", "usd", "snacks"))
    march_1, march_2 = date(2026, 3, 1), date(2026, 3, 2)
    assert await cells_of(engine, household) == {
        # a (put in Food) and t (a transfer turned expense in Rent), both uncategorised
        # when their categories went; e became a transfer, then was deleted
        ("expense", march_1, NO_CATEGORY, eur): (1150 + 500, 2, 2),
        ("expense", march_2, NO_CATEGORY, eur): (400, 1, 1),  # b, in Food, a day later
        ("expense", march_1, snacks, usd): (220, 1, 1),  # c: Snacks outlived its parent
        ("expense", march_1, NO_CATEGORY, usd): (10000, 1, 1),  # d: income turned expense
    }


async def test_the_totals_of_a_deleted_user_are_gone(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    household = await household_of(client, user)
    account = await _account(client, user, "EUR")
    await _record(client, user, type="income", account_id=account, amount="1", date="2026-01-01")
    assert await cells_of(engine, household)

    await _ok(client.delete("/api/v1/users/me", headers=user.headers), 204)

    assert await cells_of(engine, household) == {}


async def _tamper(engine: AsyncEngine, household_id: str, by: int) -> None:
    async with connected(engine) as connection:
        await connection.execute(
            update(DailyTotalRow)
            .where(DailyTotalRow.household_id == uuid.UUID(household_id))
            .values(amount=DailyTotalRow.amount + by, count=DailyTotalRow.count + 1)
        )
        await connection.commit()


async def test_a_tampered_cell_is_reported_and_fixing_rebuilds_the_owners_totals(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    household = await household_of(client, user)
    account = await _account(client, user, "EUR")
    await _record(client, user, type="expense", account_id=account, amount="3", date="2026-01-05")
    await _tamper(engine, household, 7)

    [drift] = await drift_of(engine, household)
    assert (drift.stored, drift.expected) == ((307, 2, 1), (300, 1, 1))
    assert str(drift.key.account_id) == account
    assert (drift.key.date, drift.key.category_id) == (date(2026, 1, 5), None)

    await VerifyDailyTotals(SqlAlchemyTotalsVerifier(engine)).execute(fix=True)

    assert await drift_of(engine, household) == []
    assert list((await cells_of(engine, household)).values()) == [(300, 1, 1)]


async def test_a_missing_cell_is_reported_as_stored_zero(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    household = await household_of(client, user)
    account = await _account(client, user, "EUR")
    await _record(client, user, type="income", account_id=account, amount="3", date="2026-01-05")
    async with connected(engine) as connection:
        await connection.execute(
            DailyTotalRow.__table__.delete().where(
                DailyTotalRow.household_id == uuid.UUID(household)
            )
        )
        await connection.commit()

    [drift] = await drift_of(engine, household)
    assert (drift.stored, drift.expected) == ((0, 0, 0), (300, 1, 1))

    await SqlAlchemyTotalsVerifier(engine).rebuild_totals([HouseholdId(uuid.UUID(household))])
    assert await drift_of(engine, household) == []


async def test_the_command_reports_drifted_totals_and_fixes_them(
    client: Client,
    new_user: NewUser,
    engine: AsyncEngine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = await new_user()
    household = await household_of(client, user)
    account = await _account(client, user, "EUR")
    await _record(client, user, type="income", account_id=account, amount="3", date="2026-01-05")
    await _tamper(engine, household, -1)
    monkeypatch.setenv("BUDGET_DATABASE_URL", database_url)
    monkeypatch.setenv("BUDGET_SECRET_KEY", "x" * 40)

    assert await _run_cli("verify-balances") == 1
    assert await _run_cli("verify-balances", "--fix") == 1
    assert await _run_cli("verify-balances") == 0
    assert await drift_of(engine, household) == []


async def _run_cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


# --- readers over whole months and ragged ends ------------------------------------------------


async def _spread_history(client: Client, user: SignedIn) -> dict[str, str]:
    """Income and expenses every fourth day for five months, in and out of categories."""
    account = await _account(client, user, "EUR")
    food = await _category(client, user, "Food")
    snacks = await _category(client, user, "Snacks", parent_id=food)
    day = date(2025, 10, 15)
    for n in range(40):
        kind = "income" if n % 5 == 0 else "expense"
        category = None if kind == "income" else [None, food, snacks][n % 3]
        extra = {} if category is None else {"category_id": category}
        amount = f"{n + 1}.{n % 100:02d}"
        await _record(
            client, user, type=kind, account_id=account, amount=amount, date=str(day), **extra
        )
        day += timedelta(days=4)
    return {"account": account, "food": food, "snacks": snacks}


async def _ledger(engine: AsyncEngine, household_id: str) -> list[Any]:
    t = TransactionRow
    async with connected(engine) as connection:
        found = await connection.execute(
            select(t.type, t.amount, t.category_id, t.date).where(
                t.household_id == uuid.UUID(household_id)
            )
        )
        return list(found)


RANGES = [
    (date(2025, 10, 15), date(2026, 3, 20)),  # everything
    (date(2025, 11, 1), date(2026, 1, 31)),  # whole months only
    (date(2025, 11, 2), date(2026, 1, 30)),  # ragged at both ends
    (date(2025, 12, 5), date(2025, 12, 25)),  # inside one month
    (date(2025, 10, 31), date(2026, 2, 1)),  # one day on either side of whole months
]


async def test_the_summary_over_months_and_days_equals_the_sum_of_the_transactions(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    household = await household_of(client, user)
    await _spread_history(client, user)
    ledger = await _ledger(engine, household)
    reader = SqlAlchemyReportReader(engine)

    for first, last in RANGES:
        inside = [row for row in ledger if first <= row.date <= last]
        income = sum(row.amount for row in inside if row.type == "income")
        expense = sum(row.amount for row in inside if row.type == "expense")
        [row] = await reader.summary(HouseholdId(uuid.UUID(household)), first, last, None)
        assert (row.income, row.expense, row.transaction_count) == (
            income,
            expense,
            len(inside),
        ), (first, last)


def _covered(ids: dict[str, str]) -> dict[str | None, set[Any] | None]:
    """The categories each query's category covers (None: any)."""
    return {
        None: None,
        ids["food"]: {uuid.UUID(ids["food"]), uuid.UUID(ids["snacks"])},
        ids["snacks"]: {uuid.UUID(ids["snacks"])},
    }


def _spending_queries(household_id: str, categories: Iterable[str | None]) -> list[SpendingQuery]:
    household, eur = HouseholdId(uuid.UUID(household_id)), Currency.of("EUR")
    spans = [
        # contiguous periods cut mid-month, on the first, and running to a month's end
        (
            Period(date(2025, 10, 1), date(2025, 11, 14)),
            Period(date(2025, 11, 15), date(2026, 2, 28)),
        ),
        (
            Period(date(2025, 12, 1), date(2025, 12, 31)),
            Period(date(2026, 1, 1), date(2026, 3, 31)),
        ),
        (Period(date(2025, 10, 20), date(2025, 10, 26)),),
    ]
    return [
        SpendingQuery(household, eur, None if key is None else CategoryId(uuid.UUID(key)), periods)
        for key in categories
        for periods in spans
    ]


async def test_budget_spending_over_months_and_days_equals_the_sum_of_the_expenses(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    household = await household_of(client, user)
    covered = _covered(await _spread_history(client, user))
    ledger = await _ledger(engine, household)
    queries = _spending_queries(household, covered)

    sums = await SqlAlchemyBudgetSpendingReader(engine).spent_per_period(queries)

    for query, found in zip(queries, sums, strict=True):
        categories = covered[None if query.category_id is None else str(query.category_id)]
        expected = [
            sum(
                row.amount
                for row in ledger
                if row.type == "expense"
                and span.contains(row.date)
                and (categories is None or row.category_id in categories)
            )
            for span in query.spans
        ]
        assert found == expected, query


async def test_a_batch_too_big_for_one_statement_sums_each_query_as_if_it_were_alone(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    user = await new_user()
    household = await household_of(client, user)
    queries = _spending_queries(household, _covered(await _spread_history(client, user)))
    reader = SqlAlchemyBudgetSpendingReader(engine)
    alone = [(await reader.spent_per_period([query]))[0] for query in queries]
    many = queries * 20
    assert len(spending_ranges(many)) > RANGES_PER_STATEMENT

    assert await reader.spent_per_period(many) == alone * 20


async def test_another_users_categories_and_expenses_never_count(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    owner, other = await new_user(), await new_user()
    covered = _covered(await _spread_history(client, owner))
    queries = _spending_queries(await household_of(client, other), covered)

    sums = await SqlAlchemyBudgetSpendingReader(engine).spent_per_period(queries)

    assert sums == [[0] * len(query.spans) for query in queries]


# --- the migration's backfill ------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
async def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    manager = sqlite_database(tmp_path) if request.param == "sqlite" else postgres_database()
    async with manager as url:
        yield url


def _at_0002(row_class: Any, keys: Iterable[str]) -> sa.TableClause:
    """The table of ``row_class`` as revision 0002 has it: the ``keys`` columns, the owned
    rows' owner in ``owner_id`` (the models describe the head, where it is ``household_id``)."""
    columns = row_class.__table__.c
    return sa.table(
        row_class.__tablename__,
        *(
            sa.column(key, columns["household_id" if key == "owner_id" else key].type)
            for key in keys
        ),
    )


def _cells_at_0003() -> sa.TableClause:
    """``daily_totals`` as revision 0003 made it."""
    columns = DailyTotalRow.__table__.c
    names = (
        "owner_id",
        "type",
        "date",
        "currency",
        "category_key",
        "account_id",
        "amount",
        "count",
    )
    return sa.table(
        "daily_totals",
        *(
            sa.column(name, columns["household_id" if name == "owner_id" else name].type)
            for name in names
        ),
    )


async def _seed_before_daily_totals(url: str) -> dict[str, uuid.UUID]:
    """A user with two accounts, a category, and every type of transaction, at 0002."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    ids = {name: uuid.uuid4() for name in ("user", "eur", "usd", "food")}
    stamps = {"created_at": now, "updated_at": now}
    rows: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            UserRow,
            [
                {
                    "id": ids["user"],
                    "email": "backfill@example.com",
                    "password_hash": "x",
                    "default_currency": "EUR",
                    "is_admin": False,
                    "is_active": True,
                    **stamps,
                }
            ],
        ),
        (
            AccountRow,
            [
                {
                    "id": ids[code],
                    "owner_id": ids["user"],
                    "name": code,
                    "type": "checking",
                    "currency": code.upper(),
                    "opening_balance": 0,
                    "balance": 0,
                    "archived": False,
                    **stamps,
                }
                for code in ("eur", "usd")
            ],
        ),
        (
            CategoryRow,
            [
                {
                    "id": ids["food"],
                    "owner_id": ids["user"],
                    "name": "Food",
                    "kind": "expense",
                    "archived": False,
                    **stamps,
                }
            ],
        ),
    ]

    def txn(kind: str, account: str, amount: int, day: int, **more: Any) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "owner_id": ids["user"],
            "type": kind,
            "account_id": ids[account],
            "to_account_id": None,
            "amount": amount,
            "to_amount": None,
            "currency": account.upper(),
            "to_currency": None,
            "category_id": None,
            "date": date(2026, 1, day),
            "description": "",
            "payee": "",
            "tags": [],
            "search_text": "",
            **stamps,
            **more,
        }

    transactions = [
        txn("expense", "eur", 100, 1, category_id=ids["food"]),
        txn("expense", "eur", 250, 1, category_id=ids["food"]),
        txn("expense", "eur", 40, 1),
        txn("income", "usd", 5000, 2),
        txn("expense", "usd", 70, 2),
        txn("transfer", "eur", 900, 2, to_account_id=ids["usd"], to_amount=1000, to_currency="USD"),
    ]
    rows.append((TransactionRow, transactions))
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for row_class, values in rows:
                await connection.execute(insert(_at_0002(row_class, values[0])), values)
    finally:
        await engine.dispose()
    return ids


async def test_the_migration_backfills_the_totals_from_existing_transactions(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    await upgrade(url, "0002")
    ids = await _seed_before_daily_totals(url)

    await upgrade(url, "0003")

    engine = create_async_engine(url)
    try:
        eur, usd = ids["eur"], ids["usd"]
        expected = {
            ("expense", date(2026, 1, 1), ids["food"], eur): (350, 2),
            ("expense", date(2026, 1, 1), NO_CATEGORY, eur): (40, 1),
            ("income", date(2026, 1, 2), NO_CATEGORY, usd): (5000, 1),
            ("expense", date(2026, 1, 2), NO_CATEGORY, usd): (70, 1),
        }
        cell = _cells_at_0003().c
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(
                    cell.type,
                    cell.date,
                    cell.category_key,
                    cell.account_id,
                    cell.amount,
                    cell.count,
                ).where(cell.owner_id == ids["user"])
            )
            assert {(t, d, k, a): (amount, n) for t, d, k, a, amount, n in rows} == expected
        # The households migration keeps them: the user's personal household has the
        # user's id, and the totals still match the transactions; each transaction is one
        # entry (migration 0007), and the transfer gets its own cell (migration 0008).
        await upgrade(url)
        assert await SqlAlchemyTotalsVerifier(engine).drifted_totals() == []
        with_entries = {key: (amount, n, n) for key, (amount, n) in expected.items()}
        with_entries[("transfer", date(2026, 1, 2), NO_CATEGORY, eur)] = (900, 1, 1)
        assert await cells_of(engine, str(ids["user"])) == with_entries
        await downgrade(url, "0002")
        async with engine.connect() as connection:
            count = select(func.count()).select_from(TransactionRow)
            assert await connection.scalar(count) == 6
    finally:
        await engine.dispose()
