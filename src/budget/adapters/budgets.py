"""SQLAlchemy adapters of budgets: the repository (write side) and the spending reader.

The reader sums expenses in SQL over the totals kept in step with the ledger. Every span
of every query (period boundaries computed in Python by ``Schedule``, so any anchor works
on any dialect) becomes ranges of days: its whole months, read from ``monthly_totals``,
and its other days, read from ``daily_totals``. The ranges travel as rows of one
statement that joins them to the cells and sums per query and span: only one row per
non-empty span comes back; no transaction does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache, lru_cache
from typing import Any, NamedTuple, cast
from uuid import UUID

from advanced_alchemy.types import GUID
from sqlalchemy import (
    CTE,
    Boolean,
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Row,
    String,
    Table,
    and_,
    bindparam,
    column,
    delete,
    exists,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.expression import ColumnClause

from budget.adapters.database import plain_row, plain_rows, plain_value, translate_unavailable
from budget.adapters.tables import BudgetRow, CategoryRow, UserRow
from budget.adapters.totals import DAYS, MONTHS, split_by_months
from budget.adapters.tracking import Tracker
from budget.domain.model.budget import Budget, BudgetFilters, SpendingQuery
from budget.domain.model.currency import Currency
from budget.domain.model.ids import BudgetId, CategoryId, UserId
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.period import PeriodKind
from budget.domain.model.transaction import TransactionType

_SORT_COLUMNS: dict[str, Any] = {
    "name": BudgetRow.name,
    "created_at": BudgetRow.created_at,
    "start_date": BudgetRow.start_date,
}


def budget_from_row(row: BudgetRow | Row[Any]) -> Budget:
    return Budget(
        BudgetId(row.id),
        UserId(row.owner_id),
        row.name,
        None if row.category_id is None else CategoryId(row.category_id),
        Money(row.amount, Currency.of(row.currency)),
        PeriodKind(row.period),
        row.start_date,
        row.end_date,
        row.rollover,
        row.alert_threshold,
        row.created_at,
        row.updated_at,
    )


def budget_to_row(budget: Budget, row: BudgetRow | None = None) -> BudgetRow:
    row = row or BudgetRow(id=budget.id, owner_id=budget.owner_id)
    row.name = budget.name
    row.category_id = budget.category_id
    row.amount = budget.amount.minor
    row.currency = budget.currency.code
    row.period = budget.period.value
    row.start_date = budget.start_date
    row.end_date = budget.end_date
    row.rollover = budget.rollover
    row.alert_threshold = budget.alert_threshold
    row.created_at = budget.created_at
    row.updated_at = budget.updated_at
    return row


def _same_category(category_id: CategoryId | None) -> ColumnElement[bool]:
    if category_id is None:
        return BudgetRow.category_id.is_(None)
    return BudgetRow.category_id == category_id


def _active_on(day: date | ColumnElement[date]) -> ColumnElement[bool]:
    return and_(
        BudgetRow.start_date <= day, or_(BudgetRow.end_date.is_(None), BudgetRow.end_date >= day)
    )


def _filtered(owner: UserId, filters: BudgetFilters) -> list[ColumnElement[bool]]:
    conditions = [BudgetRow.owner_id == owner]
    if filters.category_id is not None:
        conditions.append(BudgetRow.category_id == filters.category_id)
    if filters.period is not None:
        conditions.append(BudgetRow.period == filters.period.value)
    if filters.currency is not None:
        conditions.append(BudgetRow.currency == filters.currency)
    if filters.active_on is not None:
        conditions.append(_active_on(filters.active_on))
    return conditions


_BUDGETS = cast("Table", BudgetRow.__table__)
_ACTIVE_ON = (
    select(_BUDGETS)
    .where(BudgetRow.owner_id == bindparam("owner_id"), _active_on(bindparam("day", type_=Date())))
    .order_by(BudgetRow.name, BudgetRow.id)
)
"""The budgets of ``owner_id`` active on ``day``, by name (built once: it runs on every
status request)."""


class SqlAlchemyBudgetRepository:
    def __init__(self, session: AsyncSession, tracker: Tracker, *, read_only: bool = False) -> None:
        self._session = session
        self._tracker = tracker
        self._read_only = read_only

    def _seen(self, row: BudgetRow) -> Budget:
        return self._tracker.seen(budget_from_row(row), row, budget_to_row)

    def add(self, budget: Budget) -> None:
        row = budget_to_row(budget)
        self._session.add(row)
        self._tracker.seen(budget, row, budget_to_row)

    async def get(self, owner: UserId, budget_id: BudgetId) -> Budget | None:
        statement = select(BudgetRow).where(BudgetRow.id == budget_id, BudgetRow.owner_id == owner)
        if self._read_only:
            found = await plain_row(self._session, statement)
            return None if found is None else budget_from_row(found)
        row = await self._session.scalar(statement)
        return None if row is None else self._seen(row)

    async def delete(self, budget: Budget) -> None:
        self._tracker.forget(budget)
        await self._session.execute(delete(BudgetRow).where(BudgetRow.id == budget.id))

    async def list(
        self, owner: UserId, filters: BudgetFilters, page: PageRequest, sort: Sort
    ) -> Page[Budget]:
        conditions = _filtered(owner, filters)
        column = _SORT_COLUMNS[sort.field]
        order = (column.desc(), BudgetRow.id.desc()) if sort.descending else (column, BudgetRow.id)
        rows = await plain_rows(
            self._session,
            select(BudgetRow)
            .where(*conditions)
            .order_by(*order)
            .limit(page.limit)
            .offset(page.offset),
        )
        total = await plain_value(
            self._session, select(func.count()).select_from(BudgetRow).where(*conditions)
        )
        return Page([budget_from_row(row) for row in rows], total or 0, page.limit, page.offset)

    async def active_on(self, owner: UserId, day: date) -> Sequence[Budget]:
        rows = await plain_rows(self._session, _ACTIVE_ON, {"owner_id": owner, "day": day})
        return [budget_from_row(row) for row in rows]

    async def active_clash(self, budget: Budget, today: date) -> bool:
        """The SQL form of ``Budget.clashes_with`` against every other budget of the owner."""
        if budget.has_ended(today):
            return False
        await self._serialise_writes_of(budget.owner_id)
        conditions = [
            BudgetRow.owner_id == budget.owner_id,
            BudgetRow.id != budget.id,
            _same_category(budget.category_id),
            BudgetRow.period == budget.period.value,
            BudgetRow.currency == budget.currency.code,
            or_(BudgetRow.end_date.is_(None), BudgetRow.end_date >= today),
            or_(BudgetRow.end_date.is_(None), BudgetRow.end_date >= budget.start_date),
        ]
        if budget.end_date is not None:
            conditions.append(BudgetRow.start_date <= budget.end_date)
        found = await plain_value(self._session, select(exists().where(*conditions)))
        return bool(found)

    async def _serialise_writes_of(self, owner: UserId) -> None:
        # Check-then-write: without a lock, two concurrent requests could both find no
        # clash. Locking the owner's row until the end of the unit of work serialises them
        # on PostgreSQL (NO KEY UPDATE still lets rows referencing the user be inserted);
        # SQLite needs nothing, as every transaction there starts with BEGIN IMMEDIATE.
        await self._session.execute(
            select(UserRow.id).where(UserRow.id == owner).with_for_update(key_share=True)
        )

    async def delete_for_category(self, category_id: CategoryId) -> None:
        await self._session.execute(
            delete(BudgetRow)
            .where(BudgetRow.category_id == category_id)
            .execution_options(synchronize_session=False)
        )


class SqlAlchemyBudgetSpendingReader:
    """Reads in a session of its own: use it after the unit of work is closed (SQLite takes
    its write lock at ``BEGIN``, so two open sessions of one request would wait)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def spent_per_period(self, queries: Sequence[SpendingQuery]) -> list[list[int]]:
        sums = [[0] * len(query.spans) for query in queries]
        ranges = spending_ranges(queries)
        try:
            async with self._sessions() as session:
                connection = await session.connection()
                for statement, params in _statements(ranges, connection.dialect.name):
                    for query, span, total in await connection.execute(statement, params):
                        sums[query][span] += int(total)
        except Exception as error:
            unavailable = translate_unavailable(error)
            if unavailable is not None:
                raise unavailable from error
            raise
        return sums


class SpendingRange(NamedTuple):
    """Days whose expenses count toward span ``span`` of query ``query``: the cells of
    ``monthly_totals`` (``monthly``) or ``daily_totals`` dated ``first_day`` to
    ``last_day``, of the owner and currency, in ``category`` or its subcategories (any
    category when None)."""

    query: int
    span: int
    monthly: bool
    owner_id: UUID
    category: UUID | None
    currency: str
    first_day: date
    last_day: date


def spending_ranges(queries: Sequence[SpendingQuery]) -> list[SpendingRange]:
    """The ranges that make up every span of every query: each span's whole months, read
    from ``monthly_totals``, and its other days, read from ``daily_totals``."""
    ranges = []
    for number, query in enumerate(queries):
        owner, category, currency = query.owner_id, query.category_id, query.currency.code
        for index, span in enumerate(query.spans):
            split = split_by_months(span.start, span.end)
            for monthly, bounds in ((False, split.days), (True, split.months)):
                ranges += [
                    SpendingRange(number, index, monthly, owner, category, currency, first, last)
                    for first, last in bounds
                ]
    return ranges


RANGES_PER_STATEMENT = 100
"""Ranges per statement on SQLite, where each is a row of 8 bound parameters (under
its limits of 999 parameters and 500 compound members); PostgreSQL takes them all at once,
as arrays."""

_RANGE_COLUMNS: tuple[ColumnClause[Any], ...] = (
    column("query", Integer()),
    column("span", Integer()),
    column("monthly", Boolean()),
    column("owner_id", GUID()),
    column("category", GUID()),
    column("currency", String()),
    column("first_day", Date()),
    column("last_day", Date()),
)


def _statements(
    ranges: Sequence[SpendingRange], dialect: str
) -> list[tuple[CompoundSelect[Any], dict[str, Any]]]:
    """The statements that sum ``ranges``, with their parameters."""
    if not ranges:
        return []
    if dialect == "postgresql":
        columns = zip(*ranges, strict=True)
        return [(_array_statement(), dict(zip(SpendingRange._fields, columns, strict=True)))]
    batches = []
    for start in range(0, len(ranges), RANGES_PER_STATEMENT):
        batch = ranges[start : start + RANGES_PER_STATEMENT]
        params = {
            f"r{n}_{name}": value
            for n, values in enumerate(batch)
            for name, value in zip(SpendingRange._fields, values, strict=True)
        }
        batches.append((_row_statement(len(batch)), params))
    return batches


@cache
def _array_statement() -> CompoundSelect[Any]:
    """PostgreSQL: the ranges as one array per column, unnested into rows (one statement
    and 8 parameters, however many budgets and periods)."""
    arrays = (bindparam(c.name, type_=postgresql.ARRAY(c.type)) for c in _RANGE_COLUMNS)
    rows = func.unnest(*arrays).table_valued(*_RANGE_COLUMNS).render_derived(name="ranges")
    return _sums_over(select(rows).cte("ranges"))


@lru_cache(maxsize=RANGES_PER_STATEMENT)
def _row_statement(count: int) -> CompoundSelect[Any]:
    """Other dialects: ``count`` ranges as rows of bound parameters (built once per count)."""
    rows = [
        select(*(bindparam(f"r{n}_{c.name}", type_=c.type).label(c.name) for c in _RANGE_COLUMNS))
        for n in range(count)
    ]
    return _sums_over((union_all(*rows) if count > 1 else rows[0]).cte("ranges"))


def _sums_over(ranges: CTE) -> CompoundSelect[Any]:
    """``(query, span, total)`` rows: the expenses of each range, summed per query and span
    (a pair may come back more than once; its totals add up).

    A range with a category is first joined to that category and its subcategories, so
    that the cells are fetched by ``(owner, type, currency, category, date)``; a range
    without one reads every expense cell of its days.
    """
    r = ranges.c
    covered = (
        select(ranges, CategoryRow.id.label("category_key"))
        .join(
            CategoryRow,
            and_(
                CategoryRow.owner_id == r.owner_id,
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
                        cells.owner_id == s.owner_id,
                        cells.type == TransactionType.EXPENSE.value,
                        cells.currency == s.currency,
                        level.day.between(s.first_day, s.last_day),
                    ),
                )
                .where(s.monthly.is_(monthly), condition)
                .group_by(s.query, s.span)
            )
    return union_all(*parts)
