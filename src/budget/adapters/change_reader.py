"""The read side of the change feed and the audit trail (``ChangeReader``).

A feed page is one index range scan of ``changes`` per household, ``(household_id,
position)``, then one ``SELECT ... WHERE id IN (...)`` per entity type on the page (plus
the parts of split transactions), mapped with each table's own ``*_from_row``. An audit
trail is one query: the resource's row (so a missing or foreign one is "not found") left
joined to its entries through ``(household_id, entity_id, seq)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.accounts import ACCOUNTS, account_from_row
from budget.adapters.budgets import BUDGETS, budget_from_row
from budget.adapters.categories import CATEGORIES, category_from_row
from budget.adapters.changes import AUDIT_ENTRIES, CHANGES
from budget.adapters.database import RowValues, Scope, UnitSession, plain_rows
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
    households (the filter of every query, and row-level security's setting)."""

    def __init__(self, engine: AsyncEngine, scope: Sequence[HouseholdId]) -> None:
        self._engine = engine
        self._scope = list(scope)

    async def _rows(self, statement: Any, params: Mapping[str, Any] | None = None) -> list[Any]:
        session = UnitSession(self._engine, cast("Scope", tuple(self._scope)))
        try:
            return list(await plain_rows(session, statement, params))
        finally:
            await session.close()

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
        session = UnitSession(self._engine, cast("Scope", tuple(self._scope)))
        try:
            rows = await plain_rows(session, statement)
            values = [row._mapping for row in rows]
            if entity is Entity.TRANSACTION:
                parts = await parts_of(session, self._scope, values)
                return {v["id"]: transaction_from_row(v, parts.get(v["id"], ())) for v in values}
            return {v["id"]: from_row(v) for v in values}
        finally:
            await session.close()

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
