"""SQLAlchemy adapters of budgets: the repository (write side) and the spending reader.

The reader sums expenses in SQL over the totals kept in step with the ledger: per query
one ``GROUP BY`` over a ``CASE`` that puts each cell's day into one of the query's spans
(period boundaries computed in Python by ``Schedule``, so any anchor works on any dialect),
reading whole months from ``monthly_totals`` and the other days from ``daily_totals``; the
queries of a batch travel as one ``UNION ALL``. Only one row per non-empty span comes
back; no transaction does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Row,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budget.adapters.database import plain_row, plain_rows, plain_value, translate_unavailable
from budget.adapters.tables import BudgetRow, CategoryRow, DailyTotalRow, UserRow
from budget.adapters.totals import (
    Level,
    cells_in,
    range_parameters,
    range_values,
    split_by_months,
)
from budget.adapters.tracking import Tracker
from budget.domain.model.budget import Budget, BudgetFilters, SpendingQuery
from budget.domain.model.currency import Currency
from budget.domain.model.ids import BudgetId, CategoryId, UserId
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.period import PeriodKind
from budget.domain.model.transaction import TransactionType

QUERIES_PER_STATEMENT = 100
"""Queries per ``UNION ALL`` (SQLite allows 500 compound members; this also keeps the
bound parameters well under both dialects' limits)."""

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
        numbered = [(n, q) for n, q in enumerate(queries) if q.spans]
        try:
            async with self._sessions() as session:
                connection = await session.connection()
                dialect = connection.dialect.name
                for start in range(0, len(numbered), QUERIES_PER_STATEMENT):
                    batch = SpendingBatch(numbered[start : start + QUERIES_PER_STATEMENT])
                    statement = _spending_statement(batch.shape, dialect)
                    result = await connection.execute(statement, batch.params)
                    for position, span, total in result:
                        sums[batch.numbers[position]][span] = int(total)
        except Exception as error:
            unavailable = translate_unavailable(error)
            if unavailable is not None:
                raise unavailable from error
            raise
        return sums


_QueryShape = tuple[bool, int, int, int]
"""A query's statement without its values: whether it has a category, and how many spans,
day ranges and month ranges it reads."""


class SpendingBatch:
    """The queries of one statement as its shape (which picks a cached statement) and its
    bound parameters.

    Each query reads the whole months of its spans from ``monthly_totals`` and the other
    days from ``daily_totals`` (``split_by_months``, cut at every span's first day and at
    the day after its last).
    """

    def __init__(self, numbered: Sequence[tuple[int, SpendingQuery]]) -> None:
        self.numbers = [number for number, _ in numbered]
        self.params: dict[str, Any] = {}
        self.shape = tuple(self._add(f"q{n}", query) for n, (_, query) in enumerate(numbered))

    def _add(self, prefix: str, query: SpendingQuery) -> _QueryShape:
        spans = [(span.start, span.end) for span in query.spans]
        split = split_by_months(spans[0][0], spans[-1][1], _cuts(query))
        self.params |= {f"{prefix}_owner": query.owner_id, f"{prefix}_cur": query.currency.code}
        if query.category_id is not None:
            self.params[f"{prefix}_category"] = query.category_id
        for kind, ranges in (("s", spans), ("d", split.days), ("m", split.months)):
            self.params |= range_values(f"{prefix}_{kind}", ranges)
        with_category = query.category_id is not None
        return (with_category, len(spans), len(split.days), len(split.months))


def _cuts(query: SpendingQuery) -> list[date]:
    """The days where one span ends and the next begins, or where spans begin and end."""
    starts = [span.start for span in query.spans]
    return starts + [span.end + timedelta(days=1) for span in query.spans if span.end < date.max]


@lru_cache(maxsize=256)
def _spending_statement(shape: tuple[_QueryShape, ...], dialect: str) -> CompoundSelect[Any]:
    """``(position, span index, total)`` rows of a batch of this shape, as one ``UNION ALL``
    (built once per shape: repeated requests reuse the statement and its compiled SQL)."""
    return union_all(
        *(_sums_per_span(position, query, dialect) for position, query in enumerate(shape))
    )


def _in_categories(
    category_key: ColumnElement[Any], covered: Select[Any], dialect: str
) -> ColumnElement[bool]:
    """``category_key`` among the ``covered`` ids. On PostgreSQL as ``= ANY(ARRAY(...))``:
    the sub-select runs once and the ids become a condition of the index scan, so only
    the covered cells are fetched (with ``IN`` every cell of the days was fetched, then
    joined to the categories): about half the database time of a status request."""
    if dialect == "postgresql":
        return category_key == any_(func.array(covered.scalar_subquery()))
    return category_key.in_(covered)


def _sums_per_span(position: int, shape: _QueryShape, dialect: str) -> Select[Any]:
    """``(position, span index, total)`` for every span of the query that has expenses."""
    with_category, spans, day_ranges, month_ranges = shape
    prefix = f"q{position}"
    owner = bindparam(f"{prefix}_owner", type_=DailyTotalRow.owner_id.type)

    def conditions(level: Level) -> list[ColumnElement[bool]]:
        cells = level.table.c
        found = [
            cells.owner_id == owner,
            cells.type == TransactionType.EXPENSE.value,
            cells.currency == bindparam(f"{prefix}_cur", type_=String()),
        ]
        if with_category:
            category = bindparam(f"{prefix}_category", type_=CategoryRow.id.type)
            covered = select(CategoryRow.id).where(
                CategoryRow.owner_id == owner,
                or_(CategoryRow.id == category, CategoryRow.parent_id == category),
            )
            found.append(_in_categories(cells.category_key, covered, dialect))
        return found

    parts = cells_in(
        (
            range_parameters(f"{prefix}_d", day_ranges),
            range_parameters(f"{prefix}_m", month_ranges),
        ),
        lambda level: [level.day.label("day"), level.table.c.amount.label("amount")],
        conditions,
    )
    cells = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("cells")
    span_of_day = case(
        *(
            (cells.c.day.between(first, last), n)
            for n, (first, last) in enumerate(range_parameters(f"{prefix}_s", spans))
        ),
        else_=None,
    ).label("span")
    return (
        select(
            literal_column(str(int(position)), Integer).label("query"),
            span_of_day,
            func.sum(cells.c.amount).label("total"),
        )
        .group_by(span_of_day)
        .having(span_of_day.is_not(None))
    )
