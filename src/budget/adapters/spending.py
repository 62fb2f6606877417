"""The budget spending reader: a budget's expenses per span of days, summed in SQL.

It sums over the totals kept in step with the ledger. Every span of every query (period
boundaries computed in Python by ``Schedule``, so any anchor works on any dialect) becomes
ranges of days: its whole months, read from ``monthly_totals``, and its other days, read
from ``daily_totals``. The ranges travel as rows of one statement that joins them to the
cells and sums per query and span: only one row per non-empty span comes back; no
transaction does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID

from advanced_alchemy.types import GUID
from sqlalchemy import (
    CTE,
    Boolean,
    CompoundSelect,
    Date,
    Integer,
    String,
    and_,
    column,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.expression import ColumnClause

from budget.adapters.database import restrict
from budget.adapters.dialects import parameter_rows, rows_table
from budget.adapters.errors import translating
from budget.adapters.tables import CategoryRow
from budget.adapters.totals import DAYS, MONTHS
from budget.adapters.totals_ranges import split_by_months
from budget.domain.model.budget import SpendingQuery
from budget.domain.model.transaction import TransactionType


class SqlAlchemyBudgetSpendingReader:
    """Reads on a connection of its own (give it a read-only engine): use it after the unit
    of work is closed (SQLite takes its write lock at ``BEGIN``, so two open transactions of
    one request would wait)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def spent_per_period(self, queries: Sequence[SpendingQuery]) -> list[list[int]]:
        async with translating(), self._engine.connect() as connection:
            await restrict(connection, sorted({query.household_id for query in queries}))
            return await spent_on(connection, queries)


async def spent_on(
    connection: AsyncConnection, queries: Sequence[SpendingQuery]
) -> list[list[int]]:
    """What ``spent_per_period`` answers, read on ``connection`` (a unit of work's, to see
    its own writes)."""
    sums = [[0] * len(query.spans) for query in queries]
    ranges = spending_ranges(queries)
    batches = parameter_rows(
        connection.dialect.name, _RANGE_COLUMNS, ranges, per_statement=RANGES_PER_STATEMENT
    )
    for shape, params in batches:
        for query, span, total in await connection.execute(_statement(shape), params):
            sums[query][span] += int(total)
    return sums


class SpendingRange(NamedTuple):
    """Days whose expenses count toward span ``span`` of query ``query``: the cells of
    ``monthly_totals`` (``monthly``) or ``daily_totals`` dated ``first_day`` to
    ``last_day``, of the household and currency, in ``category`` or its subcategories (any
    category when None)."""

    query: int
    span: int
    monthly: bool
    household_id: UUID
    category: UUID | None
    currency: str
    first_day: date
    last_day: date


def spending_ranges(queries: Sequence[SpendingQuery]) -> list[SpendingRange]:
    """The ranges that make up every span of every query: each span's whole months, read
    from ``monthly_totals``, and its other days, read from ``daily_totals``."""
    ranges = []
    for number, query in enumerate(queries):
        household, category, currency = query.household_id, query.category_id, query.currency.code
        for index, span in enumerate(query.spans):
            split = split_by_months(span.start, span.end)
            for monthly, bounds in ((False, split.days), (True, split.months)):
                ranges += [
                    SpendingRange(
                        number, index, monthly, household, category, currency, first, last
                    )
                    for first, last in bounds
                ]
    return ranges


RANGES_PER_STATEMENT = 100
"""Ranges per statement on SQLite, where each is a row of 8 bound parameters (under
its limits of 999 parameters and 500 compound members); PostgreSQL takes them all at once,
as arrays (``parameter_rows``)."""

_RANGE_COLUMNS: tuple[ColumnClause[Any], ...] = (
    column("query", Integer()),
    column("span", Integer()),
    column("monthly", Boolean()),
    column("household_id", GUID()),
    column("category", GUID()),
    column("currency", String()),
    column("first_day", Date()),
    column("last_day", Date()),
)


@lru_cache(maxsize=RANGES_PER_STATEMENT + 1)
def _statement(shape: int | None) -> CompoundSelect[Any]:
    """The statement that sums the ranges of one ``parameter_rows`` batch of this shape
    (built once per shape, so that its compiled SQL is reused)."""
    return _sums_over(rows_table(shape, _RANGE_COLUMNS, "ranges"))


def _sums_over(ranges: CTE) -> CompoundSelect[Any]:
    """``(query, span, total)`` rows: the expenses of each range, summed per query and span
    (a pair may come back more than once; its totals add up).

    A range with a category is first joined to that category and its subcategories, so
    that the cells are fetched by ``(household, type, currency, category, date)``; a range
    without one reads every expense cell of its days.
    """
    r = ranges.c
    covered = (
        select(ranges, CategoryRow.id.label("category_key"))
        .join(
            CategoryRow,
            and_(
                CategoryRow.household_id == r.household_id,
                or_(CategoryRow.id == r.category, CategoryRow.parent_id == r.category),
            ),
        )
        .cte("covered")
    )
    parts = []
    for level, monthly in ((DAYS, False), (MONTHS, True)):
        cells = level.table.c
        for source, condition in (
            (covered, cells.category_key == covered.c.category_key),
            (ranges, r.category.is_(None)),
        ):
            s = source.c
            parts.append(
                select(s.query, s.span, func.sum(cells.amount))
                .join_from(
                    source,
                    level.table,
                    and_(
                        cells.household_id == s.household_id,
                        cells.type == TransactionType.EXPENSE.value,
                        cells.currency == s.currency,
                        level.day.between(s.first_day, s.last_day),
                    ),
                )
                .where(s.monthly.is_(monthly), condition)
                .group_by(s.query, s.span)
            )
    return union_all(*parts)
