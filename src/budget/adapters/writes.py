"""Pending writes: what repositories record during a unit of work, written at ``commit()``.

A repository registers each of its writers with the unit of work's ``PendingWrites``;
``write_all`` runs them by ``rank`` (see ``uow.py`` for the order and the rule). A new table
gets a ``TableWrites`` ranked by ``rank_of(table)``; derived rows (balances, totals) take
the ranks after every table's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Table, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from budget.adapters.tables import metadata

TABLES_PARENTS_FIRST = tuple(metadata.sorted_tables)
"""Every table, each after the tables its foreign keys refer to."""

BALANCES_RANK = len(TABLES_PARENTS_FIRST)
"""Balance increments: after every row, right before the totals."""

TOTALS_RANK = BALANCES_RANK + 1
"""The daily and monthly totals: last."""


_RANKS = {table: rank for rank, table in enumerate(TABLES_PARENTS_FIRST)}


def rank_of(table: Table) -> int:
    """The rank of the rows of ``table``: parents before children."""
    return _RANKS[table]


class Writer(Protocol):
    """Something that holds recorded changes and writes them when the unit of work commits."""

    @property
    def rank(self) -> int: ...

    async def write(self, connection: AsyncConnection) -> None:
        """Write everything recorded since the last call, then forget it."""
        ...


W = TypeVar("W", bound=Writer)


class PendingWrites:
    """The writers of one unit of work, kept in rank order (ties: order of registration)."""

    def __init__(self) -> None:
        self._writers: list[Writer] = []

    def register(self, writer: W) -> W:
        self._writers.append(writer)
        return writer

    async def write_all(self, connection: AsyncConnection) -> None:
        # Sorted here, not on registration: a unit of work that only reads never pays.
        for writer in sorted(self._writers, key=_rank):
            await writer.write(connection)


def _rank(writer: Writer) -> int:
    return writer.rank


E = TypeVar("E")


class TableWrites(Generic[E]):
    """The entities of one table that a unit of work added or handed out, written at
    commit with Core statements: one ``UPDATE`` of the changed columns of each handed-out
    entity whose columns changed, then one ``INSERT`` (many rows) of the added ones.

    ``columns(entity)`` gives every column of the entity's row (the one mapper used for
    both). The ``kept`` columns are written once, as they were when the entity was added,
    and never updated from the entity (an account's ``balance`` moves only through
    recorded deltas). Entities are keyed by object: one handed out twice is tracked twice.
    """

    def __init__(
        self,
        table: Table,
        columns: Callable[[E], Mapping[str, Any]],
        *,
        kept: tuple[str, ...] = (),
    ) -> None:
        self.rank = rank_of(table)
        self._table = table
        self._columns = columns
        self._kept = ("id", *kept)
        self._added: dict[int, tuple[E, dict[str, Any]]] = {}
        self._seen: dict[int, tuple[E, dict[str, Any]]] = {}

    def add(self, entity: E) -> None:
        """Insert ``entity`` at commit (with its columns as they are then)."""
        values = self._columns(entity)
        self._added[id(entity)] = (entity, {name: values[name] for name in self._kept})

    def seen(self, entity: E) -> E:
        """Track ``entity``, just read: its changed columns are written at commit."""
        self._seen[id(entity)] = (entity, self._updatable(entity))
        return entity

    def forget(self, entity: E) -> bool:
        """Stop tracking ``entity`` (it is being deleted); True if it was only added."""
        self._seen.pop(id(entity), None)
        return self._added.pop(id(entity), None) is not None

    def _updatable(self, entity: E) -> dict[str, Any]:
        values = self._columns(entity)
        return {name: value for name, value in values.items() if name not in self._kept}

    async def write(self, connection: AsyncConnection) -> None:
        """Write what changed since the last call; written entities stay tracked (a
        category delete writes its table's changes early, and the unit of work goes on)."""
        for key, (entity, stored) in self._seen.items():
            values = self._updatable(entity)
            changed = {name: value for name, value in values.items() if stored[name] != value}
            if changed:
                where = self._table.c.id == entity.id  # type: ignore[attr-defined]
                await connection.execute(update(self._table).where(where).values(changed))
                self._seen[key] = (entity, values)
        if self._added:
            added, self._added = self._added, {}
            rows = [{**self._columns(entity), **kept} for entity, kept in added.values()]
            await connection.execute(insert(self._table), rows)
            for (key, (entity, _)), row in zip(added.items(), rows, strict=True):
                updatable = {name: value for name, value in row.items() if name not in self._kept}
                self._seen[key] = (entity, updatable)
