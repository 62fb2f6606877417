"""The daily totals in SQL: atomic upserts on every ledger write, and rebuilds.

``daily_totals`` (``DailyTotalRow``) holds, per household, type, day, currency, category and
account, the sum of the amounts, the number of income and expense transactions and the
number of entries (whole transactions and split parts, each in its own category's cell: the
read model of reports and budgets; see ``budget.domain.model.totals``); ``monthly_totals``
(``MonthlyTotalRow``) holds the same rolled up to calendar months, so that a long range
reads its whole months there and only its ragged ends day by day (``totals_ranges.py``).
Uncategorised cells use ``NO_CATEGORY`` as their ``category_key``. A cell is deleted when
its entries reach zero.

Lock order on PostgreSQL: a writer locks its accounts (``BalanceDeltas``), then the
categories of its cells (``FOR KEY SHARE``), then its daily cells, then its monthly cells,
each in sorted order; deleting a category locks it ``FOR UPDATE`` before moving its cells.
So writers never deadlock, and a category's cells cannot change while they are moved.
SQLite serialises writers anyway.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    Column,
    ColumnElement,
    Select,
    Table,
    case,
    delete,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from budget.adapters.dialects import adding_upsert, locks_rows, month_of, replacing_upsert
from budget.adapters.tables import (
    NO_CATEGORY,
    CategoryRow,
    DailyTotalRow,
    MonthlyTotalRow,
    TransactionRow,
    TransactionSplitRow,
)
from budget.adapters.writes import TOTALS_RANK, Effect, EffectShape, EffectWriter
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.totals import Totals, TotalsKey

DAILY = cast("Table", DailyTotalRow.__table__)
MONTHLY = cast("Table", MonthlyTotalRow.__table__)
_txn = TransactionRow.__table__.c
_parts = TransactionSplitRow.__table__.c
SUMS = ("amount", "count", "entries")
"""The columns of a cell that add up (``Totals``, in order)."""


@dataclass(frozen=True, slots=True)
class Level:
    """One of the two tables of totals, and the name of its date column."""

    table: Table
    day_column: str

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The primary key, in index order."""
        return ("household_id", "type", self.day_column, "currency", "category_key", "account_id")

    @property
    def day(self) -> Column[Any]:
        return self.table.c[self.day_column]

    @property
    def columns(self) -> list[str]:
        return [*self.key_columns, *SUMS]


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
    sums: defaultdict[TotalsKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, totals in changes.items():
        month = sums[replace(key, date=first_of_month(key.date))]
        for position, value in enumerate(totals):
            month[position] += value
    return {key: (a, c, e) for key, (a, c, e) in sums.items() if a or c or e}


def _values(level: Level, key: TotalsKey, totals: Totals) -> dict[str, Any]:
    return {
        "household_id": key.household_id,
        "type": key.type.value,
        level.day_column: key.date,
        "currency": key.currency.code,
        "category_key": category_key(key.category_id),
        "account_id": key.account_id,
        "amount": totals[0],
        "count": totals[1],
        "entries": totals[2],
    }


class SqlAlchemyLedgerTotals(EffectWriter):
    """``LedgerTotals``: changes are summed as they are recorded and written at commit,
    last of all (``TOTALS_RANK``): one atomic upsert per daily cell, then one per monthly
    cell, each in sorted key order; a cell left without entries is deleted."""

    rank = TOTALS_RANK

    def __init__(self) -> None:
        self._pending: dict[TotalsKey, Totals] = {}

    async def record(self, changes: Mapping[TotalsKey, Totals]) -> None:
        for key, (amount, count, entries) in changes.items():
            held = self._pending.get(key, (0, 0, 0))
            self._pending[key] = (held[0] + amount, held[1] + count, held[2] + entries)

    def effects(self, dialect: str) -> list[Effect]:
        pending, self._pending = self._pending, {}
        daily = {key: totals for key, totals in pending.items() if totals != (0, 0, 0)}
        if not daily:
            return []
        effects = _holding_categories(daily) if locks_rows(dialect) else []
        for level, cells in ((DAYS, daily), (MONTHS, roll_up(daily))):
            for key in sorted(cells):
                values = _values(level, key, cells[key])
                effects.append(Effect(_cell_upsert(level), values, _emptied(level, values)))
        return effects


def _holding_categories(keys: Iterable[TotalsKey]) -> list[Effect]:
    # Deleting a category moves its cells while holding the category FOR UPDATE. Holding
    # our categories in KEY SHARE from here to commit (as the foreign key check at flush
    # would, but before the cells are written) means a write either lands before that move
    # (and is moved with the rest) or waits and then fails on the foreign key: never a
    # cell of a deleted category.
    ids = sorted({key.category_id for key in keys if key.category_id is not None})
    if not ids:
        return []
    return [Effect(_HOLD_CATEGORIES, {"ids": ids})]


_HOLD_CATEGORIES = EffectShape(
    "SELECT 1 AS v FROM categories WHERE id = ANY(:{p}ids) ORDER BY id FOR KEY SHARE",
    {"ids": postgresql.ARRAY(CategoryRow.__table__.c.id.type)},
)


def _emptied(
    level: Level, values: Mapping[str, Any]
) -> Callable[[AsyncConnection, list[int]], Awaitable[None]]:
    async def delete_if_empty(connection: AsyncConnection, entries: list[int]) -> None:
        if entries == [0]:
            stored = level.table.c
            cell = [stored[name] == values[name] for name in level.key_columns]
            await connection.execute(delete(level.table).where(*cell, stored.entries == 0))

    return delete_if_empty


@cache
def _cell_upsert(level: Level) -> EffectShape:
    """The adding upsert of one cell, returning its entries.

    Written as text (the same on both dialects) because SQLAlchemy cannot cache a
    statement with ``ON CONFLICT``: compiling it again on every write cost as much as
    running it.
    """
    table, columns = level.table.name, level.columns
    names, values = ", ".join(columns), ", ".join(f":{{p}}{name}" for name in columns)
    adding = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in SUMS)
    sql = " ".join(
        [
            f"INSERT INTO {table} ({names}) VALUES ({values})",  # noqa: S608 - our own names
            f"ON CONFLICT ({', '.join(level.key_columns)}) DO UPDATE SET {adding}",
            "RETURNING entries AS v",
        ]
    )
    return EffectShape(sql, {name: level.table.c[name].type for name in columns})


async def move_to_uncategorised(connection: AsyncConnection, category_id: CategoryId) -> None:
    """Merge the category's cells into the uncategorised ones, then delete them (the
    category is being deleted and its transactions made uncategorised)."""
    dialect = connection.dialect.name
    household_of = select(CategoryRow.household_id).where(CategoryRow.id == category_id)
    if locks_rows(dialect):
        household_of = household_of.with_for_update()  # waits for the writers holding KEY SHARE
    household_id = (await connection.execute(household_of)).scalar()
    if household_id is None:
        return
    for level in LEVELS:
        stored = level.table.c
        cells = [stored.household_id == household_id, stored.category_key == category_id]
        others = [stored[name] for name in level.key_columns if name != "category_key"]
        household, kind, day, currency, account = others
        moved = (
            select(household, kind, day, currency, _no_category(), account)
            .add_columns(*(stored[name] for name in SUMS))
            .where(*cells)
            .order_by(*others)  # the writers' key order, so that the upsert locks in it too
        )
        await connection.execute(
            adding_upsert(
                dialect,
                level.table,
                moved,
                key=level.key_columns,
                add=SUMS,
                columns=level.columns,
            )
        )
        await connection.execute(delete(level.table).where(*cells))


def _no_category() -> ColumnElement[UUID]:
    return literal(NO_CATEGORY, DailyTotalRow.category_key.type)


def totals_of_transactions(
    dialect: str, level: Level, household_id: HouseholdId | None = None
) -> Select[Any]:
    """What ``level``'s table must hold, recomputed from ``transactions`` and
    ``transaction_splits`` with a GROUP BY: its nine columns, named as in the table.

    Each whole transaction is one entry in its cell; each part of a split one is one entry
    in its part's category's cell, and the transaction counts once, in its first part's.
    """
    day = _txn.date if level is DAYS else month_of(dialect, _txn.date)
    split = _parts.transaction_id.is_not(None)
    category = func.coalesce(
        case((split, _parts.category_id), else_=_txn.category_id), _no_category()
    )
    amount = case((split, _parts.amount), else_=_txn.amount)
    counted = case((split & (_parts.position != 0), 0), else_=1)
    keys = [_txn.household_id, _txn.type, day, _txn.currency, category, _txn.account_id]
    statement = (
        select(
            _txn.household_id,
            _txn.type,
            day.label(level.day_column),
            _txn.currency,
            category.label("category_key"),
            _txn.account_id,
            func.sum(amount).label("amount"),
            func.sum(counted).label("count"),
            func.count().label("entries"),
        )
        .select_from(
            TransactionRow.__table__.outerjoin(
                TransactionSplitRow.__table__, _parts.transaction_id == _txn.id
            )
        )
        .group_by(*keys)
    )
    if household_id is not None:
        statement = statement.where(_txn.household_id == household_id)
    return statement


async def rebuild_daily_totals(
    connection: AsyncConnection, household_id: HouseholdId | None = None
) -> None:
    """Replace the daily and monthly totals of ``household_id`` (None: all) with what the
    transactions say, in the connection's current transaction.

    Overwriting on conflict keeps it correct beside live writers on PostgreSQL: a cell a
    writer creates between the delete and the insert is set to the recomputed value, which
    includes that writer's committed transaction.
    """
    dialect = connection.dialect.name
    for level in LEVELS:
        cleared = delete(level.table)
        if household_id is not None:
            cleared = cleared.where(level.table.c.household_id == household_id)
        await connection.execute(cleared)
        recomputed = totals_of_transactions(dialect, level, household_id)
        stored_in_key_order = recomputed.order_by(*recomputed.selected_columns[:6])
        await connection.execute(
            replacing_upsert(
                dialect,
                level.table,
                stored_in_key_order,
                key=level.key_columns,
                replace=SUMS,
                columns=level.columns,
            )
        )
