"""SQLAlchemy adapters of budgets: the repository (write side) and the spending reader.

The reader sums expenses in SQL: per query one ``GROUP BY`` over a ``CASE`` that puts each
expense's date into one of the query's spans (period boundaries computed in Python by
``Schedule``, so any anchor works on any dialect), and the queries of a batch travel as
one ``UNION ALL``. Only one row per non-empty span comes back; no transaction does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
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

from budget.adapters.database import translate_unavailable
from budget.adapters.tables import BudgetRow, CategoryRow, TransactionRow, UserRow
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


def budget_from_row(row: BudgetRow) -> Budget:
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


def _active_on(day: date) -> ColumnElement[bool]:
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


class SqlAlchemyBudgetRepository:
    def __init__(self, session: AsyncSession, tracker: Tracker) -> None:
        self._session = session
        self._tracker = tracker

    def _seen(self, row: BudgetRow) -> Budget:
        return self._tracker.seen(budget_from_row(row), row, budget_to_row)

    def add(self, budget: Budget) -> None:
        row = budget_to_row(budget)
        self._session.add(row)
        self._tracker.seen(budget, row, budget_to_row)

    async def get(self, owner: UserId, budget_id: BudgetId) -> Budget | None:
        row = await self._session.scalar(
            select(BudgetRow).where(BudgetRow.id == budget_id, BudgetRow.owner_id == owner)
        )
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
        rows = await self._session.scalars(
            select(BudgetRow)
            .where(*conditions)
            .order_by(*order)
            .limit(page.limit)
            .offset(page.offset)
        )
        budgets = [self._seen(row) for row in rows]
        total = await self._session.scalar(
            select(func.count()).select_from(BudgetRow).where(*conditions)
        )
        return Page(budgets, total or 0, page.limit, page.offset)

    async def active_on(self, owner: UserId, day: date) -> Sequence[Budget]:
        rows = await self._session.scalars(
            select(BudgetRow)
            .where(BudgetRow.owner_id == owner, _active_on(day))
            .order_by(BudgetRow.name, BudgetRow.id)
        )
        return [self._seen(row) for row in rows]

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
        found = await self._session.scalar(select(exists().where(*conditions)))
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
                for start in range(0, len(numbered), QUERIES_PER_STATEMENT):
                    batch = numbered[start : start + QUERIES_PER_STATEMENT]
                    statement = union_all(*(_sums_per_span(n, q) for n, q in batch))
                    for number, span, total in await session.execute(statement):
                        sums[number][span] = int(total)
        except Exception as error:
            unavailable = translate_unavailable(error)
            if unavailable is not None:
                raise unavailable from error
            raise
        return sums


def _sums_per_span(number: int, query: SpendingQuery) -> Select[tuple[int, int, int]]:
    """``(number, span index, total)`` for every span of ``query`` that has expenses."""
    txn = TransactionRow
    span_of_day = case(
        *((txn.date.between(s.start, s.end), index) for index, s in enumerate(query.spans)),
        else_=None,
    )
    conditions = [
        txn.owner_id == query.owner_id,
        txn.type == TransactionType.EXPENSE.value,
        txn.currency == query.currency.code,
        txn.date >= query.spans[0].start,
        txn.date <= query.spans[-1].end,
    ]
    if query.category_id is not None:
        covered = select(CategoryRow.id).where(
            CategoryRow.owner_id == query.owner_id,
            or_(CategoryRow.id == query.category_id, CategoryRow.parent_id == query.category_id),
        )
        conditions.append(txn.category_id.in_(covered))
    dated = select(span_of_day.label("span"), txn.amount.label("amount")).where(*conditions)
    spans = dated.subquery()
    return (
        select(
            literal_column(str(int(number)), Integer).label("query"),
            spans.c.span,
            func.sum(spans.c.amount).label("total"),
        )
        .where(spans.c.span.is_not(None))
        .group_by(spans.c.span)
    )
