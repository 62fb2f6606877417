"""The parts of split transactions in ``transaction_splits``: their mapper pair, their writer
(one of the unit of work's pending writes) and the reads and conditions the transaction
repository builds on them.

Parts belong to the transaction aggregate: they are read with it and written with it. A
new transaction's parts are inserted at commit with the balances and totals, in the same
statement on PostgreSQL (``AddedParts``, an effect writer); a handed-out transaction whose
parts changed has them all replaced at its table's rank, after ``transactions`` (one
``DELETE``, one ``INSERT``, ``PartsWrites``); unchanged ones cost nothing.
``transactions.split_count`` says how many parts a row has, so that a page of rows none of
which is split never queries this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from budget.adapters.database import RowValues, UnitSession, plain_rows
from budget.adapters.scoping import in_households
from budget.adapters.tables import CategoryRow, TransactionRow, TransactionSplitRow
from budget.adapters.writes import BALANCES_RANK, Effect, EffectShape, EffectWriter, rank_of
from budget.domain.model.currency import Currency
from budget.domain.model.ids import CategoryId, HouseholdId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.splits import Split
from budget.domain.model.transaction import Transaction

SPLITS = cast("Table", TransactionSplitRow.__table__)
_parts = SPLITS.c
_txn = cast("Table", TransactionRow.__table__).c
_PART_COLUMNS = (_parts.transaction_id, _parts.category_id, _parts.amount, _parts.description)


def split_columns(txn: Transaction, position: int, part: Split) -> dict[str, Any]:
    """Every column of the row of ``txn``'s part at ``position`` (0 for the first)."""
    return {
        "transaction_id": txn.id,
        "position": position,
        "household_id": txn.household_id,
        "category_id": part.category_id,
        "amount": part.amount.minor,
        "description": part.description,
    }


def split_from_row(row: RowValues, currency: Currency) -> Split:
    """A part from a row of ``transaction_splits``, in its transaction's ``currency``."""
    category_id = row["category_id"]
    return Split(
        None if category_id is None else CategoryId(category_id),
        Money(row["amount"], currency),
        row["description"],
    )


def _rows_of(txn: Transaction) -> list[dict[str, Any]]:
    return [split_columns(txn, position, part) for position, part in enumerate(txn.splits)]


_INSERT_PART = EffectShape(
    "INSERT INTO transaction_splits"
    " (transaction_id, position, household_id, category_id, amount, description)"
    " VALUES (:{p}transaction_id, :{p}position, :{p}household_id, :{p}category_id,"
    " :{p}amount, :{p}description) RETURNING 1 AS v",
    {
        "transaction_id": _parts.transaction_id.type,
        "position": _parts.position.type,
        "household_id": _parts.household_id.type,
        "category_id": _parts.category_id.type,
        "amount": _parts.amount.type,
        "description": _parts.description.type,
    },
)


class AddedParts(EffectWriter):
    """The parts of the transactions a unit of work added, inserted at commit as effects
    (``writes.Effect``) ranked with the balances: on PostgreSQL they join the one statement
    that moves the balances and totals, so a split create costs no extra round trip. The
    transactions' rows are written before (their table's rank is lower)."""

    rank = BALANCES_RANK

    def __init__(self, tracked: PartsWrites) -> None:
        self._tracked = tracked
        self._added: dict[int, Transaction] = {}

    def add(self, txn: Transaction) -> None:
        self._added[id(txn)] = txn

    def forget(self, txn: Transaction) -> None:
        self._added.pop(id(txn), None)

    def effects(self, dialect: str) -> list[Effect]:
        added, self._added = self._added, {}
        effects = []
        for txn in added.values():
            self._tracked.seen(txn)
            effects += [Effect(_INSERT_PART, row) for row in _rows_of(txn)]
        return effects


class PartsWrites:
    """The parts of the transactions a unit of work handed out, written at commit: each
    changed transaction's parts replaced (one ``DELETE``, one ``INSERT``); added ones go
    through ``added`` (``AddedParts``). Entities are keyed by object, like ``TableWrites``."""

    def __init__(self) -> None:
        self.rank = rank_of(SPLITS)
        self.added = AddedParts(self)
        self._seen: dict[int, tuple[Transaction, tuple[Split, ...]]] = {}

    def add(self, txn: Transaction) -> None:
        """Insert ``txn``'s parts at commit (as they are then; ``AddedParts``)."""
        self.added.add(txn)

    def seen(self, txn: Transaction) -> None:
        """Track ``txn``, just read: its parts are replaced at commit if they changed."""
        self._seen[id(txn)] = (txn, txn.splits)

    def forget(self, txn: Transaction) -> None:
        """Stop tracking ``txn`` (it is being deleted; its parts go with its row)."""
        self.added.forget(txn)
        self._seen.pop(id(txn), None)

    async def write(self, connection: AsyncConnection) -> None:
        rows: list[dict[str, Any]] = []
        replaced: list[TransactionId] = []
        for key, (txn, stored) in self._seen.items():
            if txn.splits != stored:
                replaced.append(txn.id)
                rows += _rows_of(txn)
                self._seen[key] = (txn, txn.splits)
        if replaced:
            await connection.execute(
                delete(SPLITS).where(_parts.transaction_id.in_(sorted(replaced)))
            )
        if rows:
            await connection.execute(insert(SPLITS), rows)


async def parts_of(
    session: UnitSession, scope: Sequence[HouseholdId], rows: Iterable[RowValues]
) -> dict[TransactionId, tuple[Split, ...]]:
    """The parts of the split ones among ``rows`` (rows of ``transactions``), in position
    order, in one query; nothing is queried when none is split."""
    currencies = {row["id"]: row["currency"] for row in rows if row["split_count"]}
    if not currencies:
        return {}
    statement = (
        select(*_PART_COLUMNS)
        .where(
            in_households(_parts.household_id, scope),
            _parts.transaction_id.in_(bindparam("ids", expanding=True)),
        )
        .order_by(_parts.transaction_id, _parts.position)
    )
    found: dict[TransactionId, list[Split]] = {}
    for part in await plain_rows(session, statement, {"ids": list(currencies)}):
        values = part._mapping
        owner = values["transaction_id"]
        found.setdefault(owner, []).append(split_from_row(values, Currency.of(currencies[owner])))
    return {TransactionId(owner): tuple(parts) for owner, parts in found.items()}


def has_part_in(category_id: CategoryId) -> ColumnElement[bool]:
    """The transaction row is split and one of its parts is in ``category_id``."""
    return and_(
        _txn.split_count > 0,
        exists().where(_parts.transaction_id == _txn.id, _parts.category_id == category_id),
    )


def has_uncategorised_part() -> ColumnElement[bool]:
    """The transaction row is split and one of its parts has no category."""
    return and_(
        _txn.split_count > 0,
        exists().where(_parts.transaction_id == _txn.id, _parts.category_id.is_(None)),
    )


async def uncategorize_parts(
    connection: AsyncConnection, category_id: CategoryId
) -> set[tuple[Any, Any]]:
    """Remove ``category_id`` from every part that has it (found through the household
    index: the category's household is its parts'); the (transaction id, household id) of
    the transactions whose parts changed."""
    household = select(CategoryRow.household_id).where(CategoryRow.id == category_id)
    result = await connection.execute(
        update(SPLITS)
        .where(
            _parts.household_id == household.scalar_subquery(), _parts.category_id == category_id
        )
        .values(category_id=None)
        .returning(_parts.transaction_id, _parts.household_id)
    )
    return {(transaction_id, household_id) for transaction_id, household_id in result.all()}
