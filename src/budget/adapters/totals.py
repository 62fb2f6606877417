"""The daily totals in SQL: atomic upserts on every ledger write, range reads, rebuilds.

``daily_totals`` (``DailyTotalRow``) holds, per owner, type, day, currency, category and
account, the sum of the amounts and the number of income and expense transactions (the
read model of reports and budgets; see ``budget.domain.model.totals``); ``monthly_totals``
(``MonthlyTotalRow``) holds the same rolled up to calendar months, so that a long range
reads its whole months there and only its ragged ends day by day (``split_by_months``).
Uncategorised cells use ``NO_CATEGORY`` as their ``category_key``.

Lock order on PostgreSQL: a writer locks its accounts (``apply_balance_deltas``), then the
categories of its cells (``FOR KEY SHARE``), then its daily cells, then its monthly cells,
each in sorted order; deleting a category locks it ``FOR UPDATE`` before moving its cells.
So writers never deadlock, and a category's cells cannot change while they are moved.
SQLite serialises writers anyway.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    BindParameter,
    Column,
    ColumnElement,
    Date,
    DateTime,
    Insert,
    Integer,
    Select,
    Table,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.selectable import TextualSelect

from budget.adapters.tables import (
    NO_CATEGORY,
    CategoryRow,
    DailyTotalRow,
    MonthlyTotalRow,
    TransactionRow,
)
from budget.domain.model.ids import CategoryId, UserId
from budget.domain.model.totals import Totals, TotalsKey

DAILY = cast("Table", DailyTotalRow.__table__)
MONTHLY = cast("Table", MonthlyTotalRow.__table__)
_txn = TransactionRow.__table__.c
INCOME_AND_EXPENSE = ("income", "expense")


@dataclass(frozen=True, slots=True)
class Level:
    """One of the two tables of totals, and the name of its date column."""

    table: Table
    day_column: str

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The primary key, in index order."""
        return ("owner_id", "type", self.day_column, "currency", "category_key", "account_id")

    @property
    def day(self) -> Column[Any]:
        return self.table.c[self.day_column]

    @property
    def columns(self) -> list[str]:
        return [*self.key_columns, "amount", "count"]


DAYS = Level(DAILY, "date")
MONTHS = Level(MONTHLY, "month")
LEVELS = (DAYS, MONTHS)


def category_key(category_id: UUID | None) -> UUID:
    """The stored ``category_key`` of a category (``NO_CATEGORY`` for uncategorised)."""
    return NO_CATEGORY if category_id is None else category_id


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def roll_up(changes: Mapping[TotalsKey, Totals]) -> dict[TotalsKey, Totals]:
    """The changes of the monthly cells (keys dated on the first of their month) that the
    changes of daily cells make; cells that do not move are left out."""
    sums: defaultdict[TotalsKey, list[int]] = defaultdict(lambda: [0, 0])
    for key, (amount, count) in changes.items():
        month = replace(key, date=first_of_month(key.date))
        sums[month][0] += amount
        sums[month][1] += count
    return {key: (amount, count) for key, (amount, count) in sums.items() if amount or count}


def _values(level: Level, key: TotalsKey, totals: Totals) -> dict[str, Any]:
    return {
        "owner_id": key.owner_id,
        "type": key.type.value,
        level.day_column: key.date,
        "currency": key.currency.code,
        "category_key": category_key(key.category_id),
        "account_id": key.account_id,
        "amount": totals[0],
        "count": totals[1],
    }


def _insert(dialect: str, level: Level) -> postgresql.Insert | sqlite.Insert:
    if dialect == "postgresql":
        return postgresql.insert(level.table)
    return sqlite.insert(level.table)


def adding_upsert(dialect: str, level: Level, rows: Mapping[str, Any] | Select[Any]) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO UPDATE`` adding the new amount and count to the
    stored ones; ``rows`` is one row's values or a ``SELECT`` of the eight columns in
    table order."""
    insert = _insert(dialect, level)
    statement = (
        insert.from_select(level.columns, rows)
        if isinstance(rows, Select)
        else insert.values(dict(rows))
    )
    stored = level.table.c
    return statement.on_conflict_do_update(
        index_elements=list(level.key_columns),
        set_={
            "amount": stored.amount + statement.excluded.amount,
            "count": stored["count"] + statement.excluded["count"],
        },
    )


class SqlAlchemyLedgerTotals:
    """``LedgerTotals`` in the unit of work's session. Changes are summed and written at
    commit (``write``): one atomic upsert per daily cell, then one per monthly cell, each
    in sorted key order; a cell left without transactions is deleted."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._pending: dict[TotalsKey, Totals] = {}

    async def apply(self, changes: Mapping[TotalsKey, Totals]) -> None:
        for key, (amount, count) in changes.items():
            held = self._pending.get(key, (0, 0))
            self._pending[key] = (held[0] + amount, held[1] + count)

    async def write(self) -> None:
        """Write the summed changes (see the class)."""
        pending, self._pending = self._pending, {}
        daily = {key: totals for key, totals in pending.items() if totals != (0, 0)}
        if not daily:
            return
        dialect = self._session.bind.dialect.name
        if dialect == "postgresql":
            await self._hold_categories(daily)
        for level, cells in ((DAYS, daily), (MONTHS, roll_up(daily))):
            for key in sorted(cells):
                await self._add(dialect, level, _values(level, key, cells[key]))

    async def _add(self, dialect: str, level: Level, values: Mapping[str, Any]) -> None:
        connection = await self._session.connection()
        if (await connection.execute(_cell_upsert(level), values)).scalar() == 0:
            stored = level.table.c
            cell = [stored[name] == values[name] for name in level.key_columns]
            await connection.execute(delete(level.table).where(*cell, stored["count"] == 0))

    async def _hold_categories(self, keys: Iterable[TotalsKey]) -> None:
        # Deleting a category moves its cells while holding the category FOR UPDATE.
        # Holding our categories in KEY SHARE from here to commit (as the foreign key
        # check at flush would, but before the cells are written) means a write either
        # lands before that move (and is moved with the rest) or waits and then fails on
        # the foreign key: never a cell of a deleted category.
        ids = sorted({key.category_id for key in keys if key.category_id is not None})
        if ids:
            await self._session.execute(
                select(CategoryRow.id)
                .where(CategoryRow.id.in_(ids))
                .order_by(CategoryRow.id)
                .with_for_update(read=True, key_share=True)
            )


@cache
def _cell_upsert(level: Level) -> TextualSelect:
    """The adding upsert of one cell, ``RETURNING`` its count.

    Written as text (the same on both dialects) because SQLAlchemy cannot cache a
    statement with ``ON CONFLICT``: compiling it again on every write cost as much as
    running it.
    """
    table, columns = level.table.name, level.columns
    params = [bindparam(name, type_=level.table.c[name].type) for name in columns]
    names, values = ", ".join(columns), ", ".join(f":{name}" for name in columns)
    adding = f"amount = {table}.amount + excluded.amount, count = {table}.count + excluded.count"
    sql = " ".join(
        [
            f"INSERT INTO {table} ({names}) VALUES ({values})",  # noqa: S608 - our own names
            f"ON CONFLICT ({', '.join(level.key_columns)}) DO UPDATE SET {adding}",
            "RETURNING count",
        ]
    )
    return text(sql).bindparams(*params).columns(count=Integer)


async def move_to_uncategorised(session: AsyncSession, category_id: CategoryId) -> None:
    """Merge the category's cells into the uncategorised ones, then delete them (the
    category is being deleted and its transactions made uncategorised)."""
    dialect = session.bind.dialect.name
    owner_of = select(CategoryRow.owner_id).where(CategoryRow.id == category_id)
    if dialect == "postgresql":
        owner_of = owner_of.with_for_update()  # waits for the writers holding KEY SHARE
    owner_id = await session.scalar(owner_of)
    if owner_id is None:
        return
    for level in LEVELS:
        stored = level.table.c
        cells = [stored.owner_id == owner_id, stored.category_key == category_id]
        others = [stored[name] for name in level.key_columns if name != "category_key"]
        owner, kind, day, currency, account = others
        moved = (
            select(owner, kind, day, currency, _no_category(), account)
            .add_columns(stored.amount, stored["count"])
            .where(*cells)
            .order_by(*others)  # the writers' key order, so that the upsert locks in it too
        )
        await session.execute(adding_upsert(dialect, level, moved))
        await session.execute(delete(level.table).where(*cells))


def _no_category() -> ColumnElement[UUID]:
    return literal(NO_CATEGORY, DailyTotalRow.category_key.type)


def month_of(dialect: str, day: ColumnElement[dt.date]) -> ColumnElement[dt.date]:
    """The first day of the month of ``day``, in SQL."""
    if dialect == "postgresql":
        # A timestamp without time zone keeps the session time zone out of the truncation.
        return func.date_trunc("month", day.cast(DateTime(timezone=False))).cast(Date)
    return type_coerce(func.date(day, "start of month"), Date)


def totals_of_transactions(
    dialect: str, level: Level, owner_id: UserId | None = None
) -> Select[Any]:
    """What ``level``'s table must hold, recomputed from ``transactions`` with a GROUP BY:
    its eight columns, named as in the table."""
    day = _txn.date if level is DAYS else month_of(dialect, _txn.date)
    category = func.coalesce(_txn.category_id, _no_category())
    keys = [_txn.owner_id, _txn.type, day, _txn.currency, category, _txn.account_id]
    statement = (
        select(
            _txn.owner_id,
            _txn.type,
            day.label(level.day_column),
            _txn.currency,
            category.label("category_key"),
            _txn.account_id,
            func.sum(_txn.amount).label("amount"),
            func.count().label("count"),
        )
        .where(_txn.type.in_(INCOME_AND_EXPENSE))
        .group_by(*keys)
    )
    if owner_id is not None:
        statement = statement.where(_txn.owner_id == owner_id)
    return statement


async def rebuild_daily_totals(connection: AsyncConnection, owner_id: UserId | None = None) -> None:
    """Replace the daily and monthly totals of ``owner_id`` (None: everyone) with what the
    transactions say, in the connection's current transaction.

    Overwriting on conflict keeps it correct beside live writers on PostgreSQL: a cell a
    writer creates between the delete and the insert is set to the recomputed value, which
    includes that writer's committed transaction.
    """
    dialect = connection.dialect.name
    for level in LEVELS:
        cleared = delete(level.table)
        if owner_id is not None:
            cleared = cleared.where(level.table.c.owner_id == owner_id)
        await connection.execute(cleared)
        recomputed = totals_of_transactions(dialect, level, owner_id)
        statement = _insert(dialect, level).from_select(
            level.columns,
            recomputed.order_by(*recomputed.selected_columns[:6]),  # stored in key order
        )
        await connection.execute(
            statement.on_conflict_do_update(
                index_elements=list(level.key_columns),
                set_={"amount": statement.excluded.amount, "count": statement.excluded["count"]},
            )
        )


# ---------------------------------------------------------------- range reads

DateRange = tuple[dt.date, dt.date]


@dataclass(frozen=True, slots=True)
class SplitRange:
    """A range of days as the ranges to read from each table: ``days`` from
    ``daily_totals`` and ``months`` (first to last day of whole months) from
    ``monthly_totals``, disjoint, together exactly the range."""

    days: tuple[DateRange, ...]
    months: tuple[DateRange, ...]


_DAY = dt.timedelta(days=1)


def _month_end(month: dt.date) -> dt.date:
    """The last day of ``month``'s month."""
    if month.month == 12:
        return month.replace(day=31)
    return month.replace(month=month.month + 1, day=1) - _DAY


def split_by_months(first: dt.date, last: dt.date) -> SplitRange:
    """Split ``first`` to ``last`` into its whole months and the days around them."""
    start, end = _whole_months_within(first, last)
    if start is None or end is None or start > end:
        return SplitRange(((first, last),), ())
    days: list[DateRange] = []
    if first < start:
        days.append((first, start - _DAY))
    if end < last:
        days.append((end + _DAY, last))
    return SplitRange(tuple(days), ((start, end),))


def _whole_months_within(first: dt.date, last: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first day of the first whole month in the range, and the last day of the last."""
    start: dt.date | None = first
    if first.day != 1:
        start = None if _month_end(first) == dt.date.max else _month_end(first) + _DAY
    end: dt.date | None = last
    if last != _month_end(last):
        end = None if first_of_month(last) == dt.date.min else first_of_month(last) - _DAY
    return start, end


def cells_in(
    ranges: tuple[Sequence[tuple[Any, Any]], Sequence[tuple[Any, Any]]],
    columns: Callable[[Level], Sequence[ColumnElement[Any]]],
    where: Callable[[Level], Sequence[ColumnElement[bool]]],
) -> list[Select[Any]]:
    """One ``SELECT columns(level) WHERE where(level)`` per table that has ranges to read:
    ``ranges`` is ``(days, months)`` as ``(first, last)`` pairs of values or bound
    parameters, for ``UNION ALL``."""
    parts = []
    for level, bounds in zip(LEVELS, ranges, strict=True):
        if bounds:
            inside = or_(*(level.day.between(start, end) for start, end in bounds))
            parts.append(select(*columns(level)).where(*where(level), inside))
    return parts


def range_parameters(
    prefix: str, count: int
) -> list[tuple[BindParameter[dt.date], BindParameter[dt.date]]]:
    """``count`` pairs of bound dates, ``{prefix}{n}_first`` and ``{prefix}{n}_last``."""
    return [
        (
            bindparam(f"{prefix}{n}_first", type_=Date()),
            bindparam(f"{prefix}{n}_last", type_=Date()),
        )
        for n in range(count)
    ]


def range_values(prefix: str, ranges: Sequence[DateRange]) -> dict[str, dt.date]:
    """The values of ``range_parameters(prefix, len(ranges))``."""
    values: dict[str, dt.date] = {}
    for n, (first, last) in enumerate(ranges):
        values |= {f"{prefix}{n}_first": first, f"{prefix}{n}_last": last}
    return values
