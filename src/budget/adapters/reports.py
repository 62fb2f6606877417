"""The report reader: GROUP BY queries straight into the report read models.

Each method is one ``SELECT`` that the database aggregates; no transaction row is ever
loaded into Python. Summary, by-category and cash-flow read the totals kept in step with
the ledger (one row per household, type, day or month, currency, category and account): the
whole months of the range from ``monthly_totals``, the other days from ``daily_totals``
(``split_by_months``), filtered on ``household_id``, ``type`` and the date, the leading columns
of both primary keys. Net worth needs transfers and reads ``transactions``. Cash-flow
buckets are computed in SQL with each dialect's date functions, so a ten-year monthly
report is still one query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Executable,
    Row,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    func,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import restrict
from budget.adapters.dialects import month_of, week_of
from budget.adapters.errors import translating
from budget.adapters.tables import (
    NO_CATEGORY,
    AccountRow,
    CategoryRow,
    DailyTotalRow,
    TransactionRow,
)
from budget.adapters.totals import Level
from budget.adapters.totals_ranges import (
    SplitRange,
    cells_in,
    range_parameters,
    range_values,
    split_by_months,
)
from budget.domain.model.category import CategoryKind
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId
from budget.domain.model.reports import AccountBalance, CategoryTotal, Interval, SummaryRow

INCOME, EXPENSE, TRANSFER = "income", "expense", "transfer"

_txn = TransactionRow.__table__.c
_account = AccountRow.__table__.c
_category = CategoryRow.__table__.c


def _sum_of(amount: ColumnElement[Any]) -> ColumnElement[int]:
    # PostgreSQL's SUM(bigint) is a numeric; COALESCE covers an empty group.
    return func.coalesce(func.sum(amount), 0)


def _amount_if(cells: Subquery, kind: str) -> ColumnElement[int]:
    return _sum_of(case((cells.c.type == kind, cells.c.amount), else_=0))


_Shape = tuple[int, int]
"""How many ranges of days and of whole months a read covers (its statement's shape)."""


def _bounds(ranges: SplitRange) -> tuple[_Shape, dict[str, date]]:
    """The shape of ``ranges`` and the values of its bound parameters."""
    params = range_values("d", ranges.days) | range_values("m", ranges.months)
    return (len(ranges.days), len(ranges.months)), params


@lru_cache(maxsize=128)
def _cells(types: tuple[str, ...], shape: _Shape, by_account: bool) -> Subquery:
    """``(type, currency, category_key, day, amount, count, entries)`` of the cells of
    ``types`` of the ``household`` parameter (and ``account``, if ``by_account``) over ranges
    of the given shape: whole months from ``monthly_totals`` (dated on their first day), the
    other days from ``daily_totals``. Built once per shape, so that repeated reports reuse
    the statement and its compiled SQL."""
    guid = DailyTotalRow.household_id.type
    household, account = bindparam("household", type_=guid), bindparam("account", type_=guid)

    def columns(level: Level) -> list[ColumnElement[Any]]:
        cells = level.table.c
        day = level.day.label("day")
        return [
            cells.type,
            cells.currency,
            cells.category_key,
            day,
            cells.amount,
            cells["count"],
            cells.entries,
        ]

    def where(level: Level) -> list[ColumnElement[bool]]:
        cells = level.table.c
        found = [cells.household_id == household, cells.type.in_(types)]
        return [*found, cells.account_id == account] if by_account else found

    ranges = (range_parameters("d", shape[0]), range_parameters("m", shape[1]))
    parts = cells_in(ranges, columns, where)
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("cells")


@lru_cache(maxsize=64)
def _summary_statement(shape: _Shape, by_account: bool) -> Select[Any]:
    cells = _cells((INCOME, EXPENSE), shape, by_account)
    return select(
        cells.c.currency,
        _amount_if(cells, INCOME),
        _amount_if(cells, EXPENSE),
        _sum_of(cells.c["count"]),
    ).group_by(cells.c.currency)


@lru_cache(maxsize=64)
def _category_statement(kind: str, shape: _Shape) -> Select[Any]:
    # Per category, whole transactions and split parts count alike: ``entries``, not the
    # transactions' ``count`` (which a split puts in its first part's category alone).
    cells = _cells((kind,), shape, False)
    return (
        select(
            cells.c.currency,
            cells.c.category_key,
            _category.name,
            _sum_of(cells.c.amount),
            _sum_of(cells.c.entries),
        )
        .select_from(cells.outerjoin(CategoryRow.__table__, _category.id == cells.c.category_key))
        .group_by(cells.c.currency, cells.c.category_key, _category.name)
    )


@lru_cache(maxsize=64)
def _cashflow_statement(dialect: str, interval: Interval, shape: _Shape) -> Select[Any]:
    cells = _cells((INCOME, EXPENSE), shape, False)
    start = interval_start_sql(dialect, interval, cells.c.day).label("period_start")
    return select(
        cells.c.currency,
        start,
        _amount_if(cells, INCOME),
        _amount_if(cells, EXPENSE),
    ).group_by(cells.c.currency, start)


def interval_start_sql(
    dialect: str, interval: Interval, day: ColumnElement[date]
) -> ColumnElement[date]:
    """The first day of the interval containing ``day`` (weeks start on Monday)."""
    if interval == Interval.DAY:
        return day
    if interval == Interval.MONTH:
        return month_of(dialect, day)
    return week_of(dialect, day)


class SqlAlchemyReportReader:
    """``ReportReader`` over SQLAlchemy: one short read-only connection per call (give it
    a read-only engine, ``database.read_only_engine``).

    A lost connection or a timeout becomes ``StorageUnavailableError``.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def has_account(self, household: HouseholdId, account_id: AccountId) -> bool:
        query = select(_account.id).where(
            _account.household_id == household, _account.id == account_id
        )
        return bool(await self._rows(household, lambda _dialect: query))

    async def summary(
        self, household: HouseholdId, date_from: date, date_to: date, account_id: AccountId | None
    ) -> list[SummaryRow]:
        shape, bounds = _bounds(split_by_months(date_from, date_to))
        query = _summary_statement(shape, account_id is not None)
        params = {**bounds, "household": household, "account": account_id}
        rows = await self._rows(household, lambda _dialect: query, params)
        return [
            SummaryRow.of(currency, int(income), int(expense), int(count))
            for currency, income, expense, count in rows
        ]

    async def category_totals(
        self, household: HouseholdId, kind: CategoryKind, date_from: date, date_to: date
    ) -> list[tuple[str, CategoryTotal]]:
        shape, params = _bounds(split_by_months(date_from, date_to))
        query = _category_statement(kind.value, shape)
        rows = await self._rows(
            household, lambda _dialect: query, {**params, "household": household}
        )
        return [
            (
                currency,
                CategoryTotal(
                    None if key == NO_CATEGORY else CategoryId(key),
                    name,
                    int(total),
                    int(count),
                ),
            )
            for currency, key, name, total, count in rows
        ]

    async def cashflow(
        self, household: HouseholdId, date_from: date, date_to: date, interval: Interval
    ) -> list[tuple[str, date, int, int]]:
        # Whole months bucket whole into a monthly interval; weeks and days need days.
        if interval is Interval.MONTH:
            ranges = split_by_months(date_from, date_to)
        else:
            ranges = SplitRange(((date_from, date_to),), ())
        shape, params = _bounds(ranges)
        rows = await self._rows(
            household,
            lambda dialect: _cashflow_statement(dialect, interval, shape),
            {**params, "household": household},
        )
        return [
            (currency, _as_date(start), int(income), int(expense))
            for currency, start, income, expense in rows
        ]

    async def balances_as_of(
        self, household: HouseholdId, day: date
    ) -> list[tuple[str, AccountBalance]]:
        effects = _effects_until(household, day).subquery("effects")
        moved = (
            select(effects.c.account_id, _sum_of(effects.c.delta).label("delta"))
            .group_by(effects.c.account_id)
            .subquery("moved")
        )
        query = (
            select(
                _account.currency,
                _account.id,
                _account.name,
                _account.opening_balance,
                func.coalesce(moved.c.delta, 0),
            )
            .select_from(AccountRow.__table__.outerjoin(moved, moved.c.account_id == _account.id))
            .where(_account.household_id == household)
        )
        rows = await self._rows(household, lambda _dialect: query)
        return [
            (currency, AccountBalance(AccountId(account_id), name, int(opening) + int(delta)))
            for currency, account_id, name, opening, delta in rows
        ]

    async def _rows(
        self,
        household: HouseholdId,
        build: Callable[[str], Executable],
        params: Mapping[str, Any] | None = None,
    ) -> Sequence[Row[Any]]:
        """Run the statement ``build(dialect_name)`` returns with ``params``, restricted to
        ``household`` (``database.restrict``); translate persistence failures."""
        async with translating(), self._engine.connect() as connection:
            await restrict(connection, (household,))
            statement = build(connection.dialect.name)
            return (await connection.execute(statement, params)).all()


def _effects_until(household: HouseholdId, day: date) -> CompoundSelect[Any]:
    """Each transaction's effect on each account it touches, dated on or before ``day``:
    income adds ``amount``, expense and a transfer's source subtract it, and a transfer's
    destination receives ``to_amount`` (in its own currency)."""
    until = and_(_txn.household_id == household, _txn.date <= day)
    source = select(
        _txn.account_id.label("account_id"),
        case((_txn.type == INCOME, _txn.amount), else_=-_txn.amount).label("delta"),
    ).where(until)
    destination = select(
        _txn.to_account_id.label("account_id"),
        func.coalesce(_txn.to_amount, _txn.amount).label("delta"),
    ).where(until, _txn.type == TRANSFER)
    return union_all(source, destination)


def _as_date(value: object) -> date:
    # SQLite hands back the bucket's text if the driver bypasses the Date type; accept both.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
