"""The read side of the change feed and the audit trail (``ChangeReader``).

A feed page is one index range scan of ``changes`` per household, ``(household_id,
position)``, then one ``SELECT ... WHERE id IN (...)`` per entity type on the page (plus
the parts of split transactions), mapped with each table's own ``*_from_row``. An audit
trail is one query: the resource's row (so a missing or foreign one is "not found") left
joined to its entries through ``(household_id, entity_id, seq)``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Self, cast
from uuid import UUID

from sqlalchemy import Integer, Table, and_, bindparam, column, delete, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.accounts import ACCOUNTS, account_from_row
from budget.adapters.budgets import BUDGETS, budget_from_row
from budget.adapters.categories import CATEGORIES, category_from_row
from budget.adapters.changes import AUDIT_ENTRIES, CHANGES
from budget.adapters.database import RowValues, Scope, UnitSession, WriterQueue, plain_rows
from budget.adapters.households import HOUSEHOLDS, household_from_row
from budget.adapters.scoping import in_households
from budget.adapters.splits import parts_of
from budget.adapters.transactions import TRANSACTIONS, transaction_from_row
from budget.domain.model.audit import AuditAction, AuditEntry
from budget.domain.model.changes import ChangeRecord, Entity, Op
from budget.domain.model.ids import HouseholdId

_changes = CHANGES.c
_audit = AUDIT_ENTRIES.c

_TABLES: dict[Entity, tuple[Table, Callable[[RowValues], Any]]] = {
    Entity.HOUSEHOLD: (HOUSEHOLDS, household_from_row),
    Entity.ACCOUNT: (ACCOUNTS, account_from_row),
    Entity.CATEGORY: (CATEGORIES, category_from_row),
    Entity.TRANSACTION: (TRANSACTIONS, transaction_from_row),
    Entity.BUDGET: (BUDGETS, budget_from_row),
}

_AFTER = (
    select(_changes.entity, _changes.entity_id, _changes.op, _changes.position)
    .where(
        _changes.household_id == bindparam("household_id"),
        _changes.position > bindparam("position"),
    )
    .order_by(_changes.position)
    .limit(bindparam("limit"))
)


class SqlAlchemyChangeReader:
    """``ChangeReader`` over ``engine`` (read-only), within ``scope``: the caller's
    households (the filter of every query, and row-level security's setting). One
    connection for everything read inside its ``async with`` block."""

    def __init__(self, engine: AsyncEngine, scope: Sequence[HouseholdId]) -> None:
        self._engine = engine
        self._scope = list(scope)
        self._session = UnitSession(engine, cast("Scope", tuple(self._scope)))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        """Give the one connection a page used back to the pool."""
        await self._session.close()

    async def _rows(self, statement: Any, params: Mapping[str, Any] | None = None) -> list[Any]:
        return list(await plain_rows(self._session, statement, params))

    async def changes_after(
        self, household_id: HouseholdId, position: int, limit: int
    ) -> Sequence[ChangeRecord]:
        if household_id not in self._scope:
            return []
        params = {"household_id": household_id, "position": position, "limit": limit}
        return [
            ChangeRecord(Entity(row.entity), row.entity_id, Op(row.op), row.position)
            for row in await self._rows(_AFTER, params)
        ]

    async def entities(self, entity: Entity, ids: Sequence[UUID]) -> Mapping[UUID, object]:
        table, from_row = _TABLES[entity]
        owner = table.c.id if entity is Entity.HOUSEHOLD else table.c.household_id
        statement = select(table).where(
            in_households(owner, self._scope), table.c.id.in_(sorted(set(ids)))
        )
        values = [row._mapping for row in await self._rows(statement)]
        if entity is Entity.TRANSACTION:
            parts = await parts_of(self._session, self._scope, values)
            return {v["id"]: transaction_from_row(v, parts.get(v["id"], ())) for v in values}
        return {v["id"]: from_row(v) for v in values}

    async def audit_trail(self, entity: Entity, entity_id: UUID) -> Sequence[AuditEntry] | None:
        table, _ = _TABLES[entity]
        joined = table.outerjoin(
            AUDIT_ENTRIES,
            and_(_audit.household_id == table.c.household_id, _audit.entity_id == table.c.id),
        )
        statement = (
            select(_audit.at, _audit.actor_id, _audit.action, _audit.changes)
            .select_from(joined)
            .where(in_households(table.c.household_id, self._scope), table.c.id == entity_id)
            .order_by(_audit.seq)
        )
        rows = await self._rows(statement)
        if not rows:
            return None
        return [
            AuditEntry(row.at, row.actor_id, AuditAction(row.action), json.loads(row.changes))
            for row in rows
            if row.at is not None
        ]


PURGE_EVERY = 64
"""One feed read in this many also purges a batch of old tombstones, in the background."""
PURGE_BATCH = 500
PURGE_MARGIN = timedelta(hours=1)
"""Tombstones are kept this much longer than tokens live, so that no token still accepted
(its age under the retention) can have missed one (a delete's time is taken before its
commit)."""


async def purge_tombstones(
    engine: AsyncEngine,
    now: datetime,
    retention: timedelta,
    *,
    writers: WriterQueue | None = None,
    batch: int = PURGE_BATCH,
) -> int:
    """Delete at most ``batch`` delete rows of the feed older than ``retention`` (plus a
    margin); how many went. Tokens older than the retention are refused with a 410, so no
    walk needs them. Safe to call at any time (a scheduler may): it waits on no row lock
    (PostgreSQL: ``SKIP LOCKED``)."""
    cutoff = now - retention - PURGE_MARGIN
    end_turn = await writers.wait_turn() if writers is not None else None
    try:
        async with engine.begin() as connection:
            old = and_(_changes.op == "delete", _changes.changed_at < cutoff)
            if connection.dialect.name == "postgresql":
                await connection.execute(text("SELECT set_config('budget.households', '*', true)"))
                victims = (
                    select(_changes.household_id, _changes.entity, _changes.entity_id)
                    .where(old)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
                key = tuple_(_changes.household_id, _changes.entity, _changes.entity_id)
                condition = key.in_(victims)
            else:
                rowid = column("rowid", Integer)
                condition = rowid.in_(select(rowid).select_from(CHANGES).where(old).limit(batch))
            result = await connection.execute(delete(CHANGES).where(condition))
            return int(result.rowcount)
    finally:
        if end_turn is not None:
            end_turn()


class TombstonePurger:
    """Purges old tombstones now and then, in the background of feed reads (see
    ``purge_tombstones``), so the service cleans up after itself without a scheduler."""

    def __init__(
        self, engine: AsyncEngine, writers: WriterQueue | None, retention: timedelta
    ) -> None:
        self._engine, self._writers, self._retention = engine, writers, retention
        self._reads = 0
        self._running: set[asyncio.Task[int]] = set()

    def maybe_purge(self, now: datetime) -> None:
        self._reads += 1
        if self._reads % PURGE_EVERY:
            return
        task = asyncio.get_running_loop().create_task(
            purge_tombstones(self._engine, now, self._retention, writers=self._writers)
        )
        self._running.add(task)
        task.add_done_callback(self._running.discard)
