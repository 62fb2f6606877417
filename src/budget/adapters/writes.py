"""Pending writes: what repositories record during a unit of work, written at ``commit()``.

A repository registers each of its writers with the unit of work's ``PendingWrites``;
``write_all`` runs them by ``rank`` (see ``uow.py`` for the order and the rule). A new table
gets a ``TableWrites`` ranked by ``rank_of(table)``; derived rows (balances, totals) take
the ranks after every table's.

Derived rows are written as ``Effect`` statements (an ``EffectWriter``): the effects of
consecutive effect writers run as one statement where the database can (PostgreSQL: one
``WITH`` query of data-modifying statements, in rank order), so the row locks every writer
of one account or one day needs are taken in one round trip right before the commit, not
over several (docs/adr/0010).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Integer, Table, TextClause, bindparam, insert, text, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import TextualSelect
from sqlalchemy.types import TypeEngine

from budget.adapters.dialects import writes_in_one_statement
from budget.adapters.tables import metadata

TABLES_PARENTS_FIRST = tuple(metadata.sorted_tables)
"""Every table, each after the tables its foreign keys refer to."""

BALANCES_RANK = len(TABLES_PARENTS_FIRST)
"""Balance increments: after every row, right before the totals."""

TOTALS_RANK = BALANCES_RANK + 1
"""The daily and monthly totals: after the balances."""

CHANGES_RANK = TOTALS_RANK + 1
"""The change feed and the audit trail (``changes.ChangeLog``): last of all, so the
household's change counter is locked only for the commit right after."""


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


class ChangeObserver(Protocol):
    """Told of every entity a ``TableWrites`` adds, hands out or forgets (``changes.ChangeLog``:
    the change feed and the audit trail), so every write through a repository is seen."""

    def added(self, table: Table, entity: Any) -> None: ...

    def seen(self, table: Table, entity: Any) -> None: ...

    def deleted(self, table: Table, entity: Any) -> None: ...

    def touched(
        self,
        kind: str,
        household_id: Any,
        entity_id: Any,
        changes: Mapping[str, tuple[Any, Any]] | None = None,
    ) -> None:
        """A set-based statement changed ``entity_id`` (``changes``: field -> (from, to))."""
        ...

    def removed(self, kind: str, household_id: Any, entity_id: Any) -> None:
        """A set-based statement deleted ``entity_id``."""
        ...

    def replaced(self, kind: str, before: Any, after: Any) -> None:
        """A set-based statement made ``before`` into ``after`` (both read or derived by
        the caller): recorded as if a repository had handed it out and it had changed."""
        ...


class PendingWrites:
    """The writers of one unit of work, kept in rank order (ties: order of registration).

    With an ``observer`` (a writing unit of work's change log), every ``TableWrites``
    registered reports its entities to it."""

    def __init__(self, observer: ChangeObserver | None = None) -> None:
        self._writers: list[Writer] = []
        self.observer = observer

    def register(self, writer: W) -> W:
        self._writers.append(writer)
        if self.observer is not None and isinstance(writer, TableWrites):
            writer.observer = self.observer
        return writer

    async def write_all(self, connection: AsyncConnection) -> None:
        # Sorted here, not on registration: a unit of work that only reads never pays.
        # Effects of consecutive effect writers go to run_effects together: it decides
        # whether they run as one statement.
        dialect = connection.dialect.name
        effects: list[Effect] = []
        for writer in sorted(self._writers, key=_rank):
            if isinstance(writer, EffectWriter):
                effects += writer.effects(dialect)
                continue
            await run_effects(connection, effects)
            effects = []
            await writer.write(connection)
        await run_effects(connection, effects)


def _rank(writer: Writer) -> int:
    return writer.rank


EFFECTS_PER_STATEMENT = 32
"""At most this many effects in one statement (a unit of work that moves many cells
sends a few statements, not one without bound)."""


@dataclass(frozen=True, eq=False)
class EffectShape:
    """The statement of an effect: ``sql`` names each parameter ``:{p}name`` (the prefix
    keeps the parameters of effects run together apart) and returns one integer column
    ``v``; ``types`` are the parameters' types. Build each shape once (a module constant or
    a cached function): shapes are compared by identity, and each one, alone or with
    others, is compiled and prepared once per connection."""

    sql: str
    types: Mapping[str, TypeEngine[Any]] = field(default_factory=dict)
    prelude: str | None = None
    """A data-modifying ``name AS (...)`` the statement reads (named ``{p}...``): PostgreSQL
    allows those at the top level only, so it joins the ``WITH`` list of the statement the
    effect runs in."""

    def statement(self, prefix: str) -> str:
        return self.sql.format(p=prefix)

    def prelude_of(self, prefix: str) -> str | None:
        return None if self.prelude is None else self.prelude.format(p=prefix)

    def binds(self, prefix: str) -> list[Any]:
        return [bindparam(prefix + name, type_=kind) for name, kind in self.types.items()]


@dataclass(frozen=True, slots=True)
class Effect:
    """One statement of a derived write, with its parameters, and ``then``: what to do with
    the ``v`` values it returned (check them, or clean up), given the connection."""

    shape: EffectShape
    params: Mapping[str, Any]
    then: Callable[[AsyncConnection, list[int]], Awaitable[None]] | None = None


class EffectWriter(ABC):
    """A writer of derived rows whose writes are ``Effect`` statements (see the module)."""

    rank: int

    @abstractmethod
    def effects(self, dialect: str) -> list[Effect]:
        """The statements that write everything recorded since the last call, in the
        order they must run (it locks rows in that order); then forget it."""

    async def write(self, connection: AsyncConnection) -> None:
        await run_effects(connection, self.effects(connection.dialect.name))


async def run_effects(connection: AsyncConnection, effects: Sequence[Effect]) -> None:
    """Run ``effects`` in order: as one statement where the database can, else one by one;
    then each one's ``then`` with what it returned."""
    size = EFFECTS_PER_STATEMENT if writes_in_one_statement(connection.dialect.name) else 1
    for first in range(0, len(effects), size):
        chunk = effects[first : first + size]
        if len(chunk) > 1:
            shapes = tuple(effect.shape for effect in chunk)
            params = {
                f"e{index}_{name}": value
                for index, effect in enumerate(chunk)
                for name, value in effect.params.items()
            }
            row = (await connection.execute(_together(shapes), params)).one()
            returned = [list(values) for values in row]
        else:
            (effect,) = chunk
            returned = [
                [v for (v,) in await connection.execute(_alone(effect.shape), effect.params)]
            ]
        for effect, values in zip(chunk, returned, strict=True):
            if effect.then is not None:
                await effect.then(connection, values)


@cache
def _alone(shape: EffectShape) -> TextualSelect:
    prelude = shape.prelude_of("")
    sql = shape.statement("") if prelude is None else f"WITH {prelude} {shape.statement('')}"
    return text(sql).bindparams(*shape.binds("")).columns(v=Integer)


@lru_cache(maxsize=256)
def _together(shapes: tuple[EffectShape, ...]) -> TextClause:
    """``WITH e0 AS (...), e1 AS (...) SELECT ARRAY(SELECT v FROM e0), ...``: each
    statement runs when the list first reads it, so in order."""
    queries, arrays, binds = [], [], []
    for index, shape in enumerate(shapes):
        prelude = shape.prelude_of(f"e{index}_")
        if prelude is not None:
            queries.append(prelude)
        queries.append(f"e{index} AS ({shape.statement(f'e{index}_')})")
        arrays.append(f"ARRAY(SELECT v FROM e{index})")  # noqa: S608 - our own statements
        binds += shape.binds(f"e{index}_")
    sql = f"WITH {', '.join(queries)} SELECT {', '.join(arrays)}"
    return text(sql).bindparams(*binds)


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
        self.observer: ChangeObserver | None = None

    def add(self, entity: E) -> None:
        """Insert ``entity`` at commit (with its columns as they are then)."""
        values = self._columns(entity)
        self._added[id(entity)] = (entity, {name: values[name] for name in self._kept})
        if self.observer is not None:
            self.observer.added(self._table, entity)

    def seen(self, entity: E) -> E:
        """Track ``entity``, just read: its changed columns are written at commit."""
        self._seen[id(entity)] = (entity, self._updatable(entity))
        if self.observer is not None:
            self.observer.seen(self._table, entity)
        return entity

    def forget(self, entity: E) -> bool:
        """Stop tracking ``entity`` (it is being deleted); True if it was only added."""
        self._seen.pop(id(entity), None)
        if self.observer is not None:
            self.observer.deleted(self._table, entity)
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
