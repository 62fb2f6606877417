"""SQLite sums a budget's spending on the schema's indexes, never on an index it would
build anew, over a whole table, for every run of the statement."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import create_engine
from budget.adapters.migrations import upgrade
from budget.adapters.spending import SqlAlchemyBudgetSpendingReader
from budget.adapters.tables import DailyTotalRow, HouseholdRow
from budget.domain.model.budget import SpendingQuery
from budget.domain.model.currency import Currency
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.period import Period
from tests.integration.databases import sqlite_database


async def test_an_all_expenses_budget_is_summed_without_an_automatic_index(
    tmp_path: Path,
) -> None:
    async with sqlite_database(tmp_path) as url:
        await upgrade(url)
        engine = create_engine(url)
        owner = await _a_year_of_cells(engine)
        spans = (
            Period(date(2026, 1, 15), date(2026, 2, 14)),
            Period(date(2026, 2, 15), date(2026, 3, 14)),  # no whole month: days only
        )
        queries = [
            SpendingQuery(owner, Currency.of("EUR"), None, spans),
            SpendingQuery(owner, Currency.of("EUR"), CategoryId(uuid.uuid4()), spans),
        ]
        plans: list[list[str]] = []

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def explain(_connection: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            if "ranges" in statement:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
                plans.append([row[3] for row in cursor.fetchall()])

        sums = await SqlAlchemyBudgetSpendingReader(engine).spent_per_period(queries)
        await engine.dispose()

    assert sums[0] == [31 * 4 * 100, 28 * 4 * 100]
    [plan] = plans
    assert any("daily_totals" in step for step in plan)
    assert [step for step in plan if "AUTOMATIC" in step] == []


async def _a_year_of_cells(engine: AsyncEngine) -> HouseholdId:
    """A household with expense cells on every day of 2026 in four categories, analysed."""
    owner, now = uuid.uuid4(), datetime(2026, 1, 1, tzinfo=UTC)
    categories, account = [uuid.uuid4() for _ in range(4)], uuid.uuid4()
    async with engine.begin() as connection:
        await connection.execute(
            insert(HouseholdRow),
            [{"id": owner, "name": "Personal", "created_at": now, "updated_at": now}],
        )
        await connection.execute(
            insert(DailyTotalRow),
            [
                {
                    "household_id": owner,
                    "type": "expense",
                    "date": date(2026, 1, 1) + timedelta(days=day),
                    "currency": "EUR",
                    "category_key": category,
                    "account_id": account,
                    "amount": 100,
                    "count": 1,
                    "entries": 1,
                }
                for day in range(365)
                for category in categories
            ],
        )
        await connection.execute(text("ANALYZE"))
    return HouseholdId(owner)
