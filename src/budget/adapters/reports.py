"""The report reader: GROUP BY queries straight into the report read models.

Each method is one ``SELECT`` that the database aggregates; no transaction row is ever
loaded into Python. Filters lead with ``owner_id``, ``type`` and ``date`` so that the
``(owner_id, type, currency, date)`` index serves them. Cash-flow buckets are computed in
SQL with each dialect's date functions, so a ten-year monthly report is still one query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    DateTime,
    Executable,
    Row,
    Select,
    and_,
    case,
    cast,
    func,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from budget.adapters.database import is_unavailable
from budget.adapters.tables import AccountRow, CategoryRow, TransactionRow
from budget.domain.errors import StorageUnavailableError
from budget.domain.model.category import CategoryKind
from budget.domain.model.ids import AccountId, CategoryId, UserId
from budget.domain.model.reports import AccountBalance, CategoryTotal, Interval, SummaryRow

INCOME, EXPENSE, TRANSFER = "income", "expense", "transfer"

_txn = TransactionRow.__table__.c
_account = AccountRow.__table__.c
_category = CategoryRow.__table__.c


def _sum_of(amount: ColumnElement[Any]) -> ColumnElement[int]:
    # PostgreSQL's SUM(bigint) is a numeric; COALESCE covers an empty group.
    return func.coalesce(func.sum(amount), 0)


def _amount_if(kind: str) -> ColumnElement[int]:
    return _sum_of(case((_txn.type == kind, _txn.amount), else_=0))


def _in_range(owner: UserId, date_from: date, date_to: date) -> ColumnElement[bool]:
    return and_(_txn.owner_id == owner, _txn.date >= date_from, _txn.date <= date_to)


def interval_start_sql(dialect: str, interval: Interval) -> ColumnElement[date]:
    """The first day of the interval containing a transaction's date (weeks from Monday)."""
    day = _txn.date
    if interval == Interval.DAY:
        return day
    if dialect == "postgresql":
        # A timestamp without time zone keeps the session time zone out of the truncation.
        truncated = func.date_trunc(interval.value, cast(day, DateTime(timezone=False)))
        return cast(truncated, Date)
    if interval == Interval.MONTH:
        return type_coerce(func.strftime("%Y-%m-01", day), Date)
    # "weekday 0" moves forward to the next Sunday (or stays on one); six days back is Monday.
    return type_coerce(func.date(day, "weekday 0", "-6 days"), Date)


class SqlAlchemyReportReader:
    """``ReportReader`` over SQLAlchemy: one short read-only session per call.

    A lost connection or a timeout becomes ``StorageUnavailableError``.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def has_account(self, owner: UserId, account_id: AccountId) -> bool:
        query = select(_account.id).where(_account.owner_id == owner, _account.id == account_id)
        return bool(await self._rows(lambda _dialect: query))

    async def summary(
        self, owner: UserId, date_from: date, date_to: date, account_id: AccountId | None
    ) -> list[SummaryRow]:
        query = (
            select(_txn.currency, _amount_if(INCOME), _amount_if(EXPENSE), func.count())
            .where(_in_range(owner, date_from, date_to), _txn.type.in_([INCOME, EXPENSE]))
            .group_by(_txn.currency)
        )
        if account_id is not None:
            query = query.where(_txn.account_id == account_id)
        rows = await self._rows(lambda _dialect: query)
        return [
            SummaryRow.of(currency, int(income), int(expense), int(count))
            for currency, income, expense, count in rows
        ]

    async def category_totals(
        self, owner: UserId, kind: CategoryKind, date_from: date, date_to: date
    ) -> list[tuple[str, CategoryTotal]]:
        query = (
            select(
                _txn.currency, _txn.category_id, _category.name, _sum_of(_txn.amount), func.count()
            )
            .select_from(
                TransactionRow.__table__.outerjoin(
                    CategoryRow.__table__, _category.id == _txn.category_id
                )
            )
            .where(_in_range(owner, date_from, date_to), _txn.type == kind.value)
            .group_by(_txn.currency, _txn.category_id, _category.name)
        )
        rows = await self._rows(lambda _dialect: query)
        return [
            (
                currency,
                CategoryTotal(
                    None if category_id is None else CategoryId(category_id),
                    name,
                    int(total),
                    int(count),
                ),
            )
            for currency, category_id, name, total, count in rows
        ]

    async def cashflow(
        self, owner: UserId, date_from: date, date_to: date, interval: Interval
    ) -> list[tuple[str, date, int, int]]:
        def build(dialect: str) -> Select[Any]:
            start = interval_start_sql(dialect, interval).label("period_start")
            return (
                select(_txn.currency, start, _amount_if(INCOME), _amount_if(EXPENSE))
                .where(_in_range(owner, date_from, date_to), _txn.type.in_([INCOME, EXPENSE]))
                .group_by(_txn.currency, start)
            )

        rows = await self._rows(build)
        return [
            (currency, _as_date(start), int(income), int(expense))
            for currency, start, income, expense in rows
        ]

    async def balances_as_of(self, owner: UserId, day: date) -> list[tuple[str, AccountBalance]]:
        effects = _effects_until(owner, day).subquery("effects")
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
            .where(_account.owner_id == owner)
        )
        rows = await self._rows(lambda _dialect: query)
        return [
            (currency, AccountBalance(AccountId(account_id), name, int(opening) + int(delta)))
            for currency, account_id, name, opening, delta in rows
        ]

    async def _rows(self, build: Callable[[str], Executable]) -> Sequence[Row[Any]]:
        """Run the statement ``build(dialect_name)`` returns; translate lost connections."""
        try:
            async with self._sessions() as session:
                statement = build(session.get_bind().dialect.name)
                return (await session.execute(statement)).all()
        except Exception as error:
            if is_unavailable(error):
                raise StorageUnavailableError() from error
            raise


def _effects_until(owner: UserId, day: date) -> CompoundSelect[Any]:
    """Each transaction's effect on each account it touches, dated on or before ``day``:
    income adds ``amount``, expense and a transfer's source subtract it, and a transfer's
    destination receives ``to_amount`` (in its own currency)."""
    until = and_(_txn.owner_id == owner, _txn.date <= day)
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
