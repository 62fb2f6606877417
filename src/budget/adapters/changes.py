"""The change log of a writing unit of work: the change feed's rows and the audit trail,
written at commit, last, in the same database transaction (docs/adr/0017).

Every ``TableWrites`` of a writing unit of work reports to its ``ChangeLog`` (``writes.
ChangeObserver``) the entities it adds, hands out and forgets; at commit the log compares
each handed-out entity with the copy it took when it was read. So every write through a
repository is recorded without the use case doing anything:

- **feed**: one row per changed entity in ``changes`` (op ``upsert`` or ``delete``), its
  position taken from the household's counter row, moved by one atomic upsert per household
  in sorted household order. An account whose balance moved, a category detached from its
  deleted parent: any field that differs is a change.
- **audit**: for the four audited resources, the wire representations before and after
  (``Recording.renderers``, given by the composition root: the controllers' serialisers)
  are diffed (``domain.model.audit``); nothing is recorded when no recorded field changed.
  The actor is the request's (``ACTOR``, set by the HTTP edge), None for the service.

Set-based statements that change rows no repository handed out (uncategorising a deleted
category's transactions, reconciling, deleting a category's budgets) report them with
``touched`` / ``removed``.

On PostgreSQL the writes are effects (``writes.EffectWriter``) that run in the one
statement of the balances and totals: no extra round trip. SQLite runs the counter upsert,
then inserts the rows (its writer queue serialises writers anyway).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from advanced_alchemy.types import GUID
from sqlalchemy import BigInteger, Table, insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from budget.adapters.sync_tables import AuditEntryRow, ChangeRow
from budget.adapters.writes import CHANGES_RANK, Effect, EffectShape, EffectWriter
from budget.domain.model.audit import AuditAction, creation_changes, update_changes

CHANGES = cast("Table", ChangeRow.__table__)
AUDIT_ENTRIES = cast("Table", AuditEntryRow.__table__)

ENTITY_OF_TABLE = {
    "households": "household",
    "accounts": "account",
    "categories": "category",
    "transactions": "transaction",
    "budgets": "budget",
}
"""The tables whose rows are feed entities, and the entity name of each."""

AUDITED = frozenset({"account", "category", "transaction", "budget"})

ACTOR: ContextVar[UUID | None] = ContextVar("budget_actor", default=None)
"""The user whose request is writing (set by the HTTP edge; None: the service itself)."""

Render = Callable[[Any], Mapping[str, Any]]

UPSERT, DELETE = "upsert", "delete"


@dataclass(frozen=True, slots=True)
class Recording:
    """What a writing unit of work needs to record changes: per audited entity, the
    function that renders it as its ``GET`` answers (JSON-ready builtins)."""

    renderers: Mapping[str, Render]


_FEED_PG = EffectShape(
    "INSERT INTO changes AS x (household_id, entity, entity_id, op, position, changed_at)"
    " SELECT :{p}household_id, u.entity, u.entity_id, u.op,"
    " {p}counter.position - :{p}n + u.ord, :{p}at"
    " FROM {p}counter, unnest(CAST(:{p}entities AS varchar[]), CAST(:{p}ids AS uuid[]),"
    " CAST(:{p}ops AS varchar[])) WITH ORDINALITY AS u(entity, entity_id, op, ord)"
    " ON CONFLICT (household_id, entity, entity_id) DO UPDATE SET op = excluded.op,"
    " position = excluded.position, changed_at = excluded.changed_at RETURNING 1 AS v",
    {"household_id": GUID(), "n": BigInteger()},
    prelude="{p}counter AS (INSERT INTO change_counters AS c (household_id, position)"
    " VALUES (:{p}household_id, :{p}n) ON CONFLICT (household_id)"
    " DO UPDATE SET position = c.position + excluded.position RETURNING c.position)",
)
_AUDIT_PG = EffectShape(
    "INSERT INTO audit_entries (household_id, entity, entity_id, at, actor_id, action, changes)"
    " SELECT u.household_id, u.entity, u.entity_id, :{p}at, CAST(:{p}actor AS uuid), u.action,"
    " u.changes FROM unnest(CAST(:{p}households AS uuid[]), CAST(:{p}entities AS varchar[]),"
    " CAST(:{p}ids AS uuid[]), CAST(:{p}actions AS varchar[]), CAST(:{p}changes AS text[]))"
    " AS u(household_id, entity, entity_id, action, changes) RETURNING 1 AS v"
)
_COUNTER_SQLITE = EffectShape(
    "INSERT INTO change_counters (household_id, position) VALUES (:{p}household_id, :{p}n)"
    " ON CONFLICT (household_id) DO UPDATE SET position = change_counters.position"
    " + excluded.position RETURNING position AS v",
    {"household_id": GUID(), "n": BigInteger()},
)

FeedKey = tuple[UUID, str, UUID]
"""(household id, entity, entity id)."""


@dataclass(frozen=True, slots=True)
class _Audit:
    household_id: UUID
    entity: str
    entity_id: UUID
    action: AuditAction
    changes: Mapping[str, Any]


class ChangeLog(EffectWriter):
    """The feed rows and audit entries of one writing unit of work (see the module)."""

    rank = CHANGES_RANK

    def __init__(self, recording: Recording) -> None:
        self._renderers = recording.renderers
        self._added: dict[int, tuple[str, Any]] = {}
        self._seen: dict[int, tuple[str, Any, Any]] = {}
        self._feed: dict[FeedKey, str] = {}
        self._audit: list[_Audit] = []
        self._gone: set[UUID] = set()

    # -- writes.ChangeObserver --------------------------------------------------------

    def added(self, table: Table, entity: Any) -> None:
        kind = ENTITY_OF_TABLE.get(table.name)
        if kind is not None:
            self._added[id(entity)] = (kind, entity)

    def seen(self, table: Table, entity: Any) -> None:
        kind = ENTITY_OF_TABLE.get(table.name)
        if kind is not None and id(entity) not in self._added:
            self._seen[id(entity)] = (kind, entity, copy.copy(entity))

    def deleted(self, table: Table, entity: Any) -> None:
        kind = ENTITY_OF_TABLE.get(table.name)
        if kind is None:
            return
        self._seen.pop(id(entity), None)
        if kind == "household":
            # Its rows (feed and audit included) go with it; members learn of it from the
            # feed's membership check.
            self._gone.add(entity.id)
        if self._added.pop(id(entity), None) is None:
            self._feed[(_household_of(kind, entity), kind, entity.id)] = DELETE

    # -- set-based statements ---------------------------------------------------------

    def touched(
        self,
        kind: str,
        household_id: UUID,
        entity_id: UUID,
        changes: Mapping[str, tuple[Any, Any]] | None = None,
    ) -> None:
        """``entity_id`` was changed by a set-based statement: a feed ``upsert`` and, for
        an audited entity, an ``update`` with ``changes`` (field: (from, to), wire format)."""
        key = (household_id, kind, entity_id)
        if self._feed.get(key) != DELETE:
            self._feed[key] = UPSERT
        if changes and kind in AUDITED:
            wire = {name: {"from": old, "to": new} for name, (old, new) in changes.items()}
            self._audit.append(_Audit(household_id, kind, entity_id, AuditAction.UPDATE, wire))

    def replaced(self, kind: str, before: Any, after: Any) -> None:
        """A set-based statement made ``before`` into ``after``: compared at commit like an
        entity handed out (feed ``upsert``; audit ``update`` of the changed wire fields)."""
        self._seen[id(after)] = (kind, after, before)

    def removed(self, kind: str, household_id: UUID, entity_id: UUID) -> None:
        """``entity_id`` was deleted by a set-based statement: a feed ``delete``."""
        self._feed[(household_id, kind, entity_id)] = DELETE

    # -- commit -----------------------------------------------------------------------

    def _collect(self) -> None:
        for kind, entity in self._added.values():
            household_id = _household_of(kind, entity)
            self._feed[(household_id, kind, entity.id)] = UPSERT
            render = self._renderers.get(kind)
            if render is not None:
                changes = creation_changes(render(entity))
                self._audit.append(
                    _Audit(household_id, kind, entity.id, AuditAction.CREATE, changes)
                )
        for kind, entity, before in self._seen.values():
            differing = _differing(before, entity)
            if not differing:
                continue
            household_id = _household_of(kind, entity)
            self._feed[(household_id, kind, entity.id)] = UPSERT
            render = self._renderers.get(kind)
            # A balance moved by a transaction is a feed change but never an audited one:
            # not rendering it keeps the create path cheap.
            if render is not None and not differing <= UNAUDITED_FIELDS:
                changes = update_changes(render(before), render(entity))
                if changes:
                    self._audit.append(
                        _Audit(household_id, kind, entity.id, AuditAction.UPDATE, changes)
                    )
        self._added, self._seen = {}, {}

    def effects(self, dialect: str) -> list[Effect]:
        self._collect()
        feed, self._feed = self._feed, {}
        audit, self._audit = self._audit, []
        if self._gone:
            feed = {key: op for key, op in feed.items() if key[0] not in self._gone}
            audit = [entry for entry in audit if entry.household_id not in self._gone]
        if not feed and not audit:
            return []
        at, actor = datetime.now(UTC), ACTOR.get()
        households: dict[UUID, list[tuple[str, UUID, str]]] = {}
        for (household_id, kind, entity_id), op in sorted(feed.items(), key=_feed_order):
            households.setdefault(household_id, []).append((kind, entity_id, op))
        if dialect == "postgresql":
            return _pg_effects(households, audit, at, actor)
        return _sqlite_effects(households, audit, at, actor)


def _feed_order(item: tuple[FeedKey, str]) -> tuple[str, str, str]:
    (household_id, kind, entity_id), _ = item
    return (str(household_id), kind, str(entity_id))


def _household_of(kind: str, entity: Any) -> UUID:
    return cast("UUID", entity.id if kind == "household" else entity.household_id)


UNAUDITED_FIELDS = frozenset({"balance", "cleared_balance", "updated_at"})
"""Entity fields whose change alone records no audit entry (see ``domain.model.audit``)."""


def _differing(before: Any, after: Any) -> set[str]:
    return {
        field.name
        for field in fields(after)
        if getattr(before, field.name) != getattr(after, field.name)
    }


def _json(changes: Mapping[str, Any]) -> str:
    return json.dumps(changes, separators=(",", ":"), default=str)


def _pg_effects(
    households: Mapping[UUID, list[tuple[str, UUID, str]]],
    audit: list[_Audit],
    at: datetime,
    actor: UUID | None,
) -> list[Effect]:
    effects = []
    if audit:
        params: dict[str, Any] = {
            "at": at,
            "actor": actor,
            "households": [entry.household_id for entry in audit],
            "entities": [entry.entity for entry in audit],
            "ids": [entry.entity_id for entry in audit],
            "actions": [entry.action.value for entry in audit],
            "changes": [_json(entry.changes) for entry in audit],
        }
        effects.append(Effect(_AUDIT_PG, params))
    for household_id in sorted(households):
        changes = households[household_id]
        params = {
            "household_id": household_id,
            "n": len(changes),
            "at": at,
            "entities": [kind for kind, _, _ in changes],
            "ids": [entity_id for _, entity_id, _ in changes],
            "ops": [op for _, _, op in changes],
        }
        effects.append(Effect(_FEED_PG, params))
    return effects


def _sqlite_effects(
    households: Mapping[UUID, list[tuple[str, UUID, str]]],
    audit: list[_Audit],
    at: datetime,
    actor: UUID | None,
) -> list[Effect]:
    effects = []
    for household_id in sorted(households):
        changes = households[household_id]
        entries = [entry for entry in audit if entry.household_id == household_id]

        async def write(
            connection: AsyncConnection,
            returned: list[int],
            household_id: UUID = household_id,
            changes: list[tuple[str, UUID, str]] = changes,
            entries: list[_Audit] = entries,
        ) -> None:
            (last,) = returned
            first = last - len(changes) + 1
            rows = [
                {
                    "household_id": household_id,
                    "entity": kind,
                    "entity_id": entity_id,
                    "op": op,
                    "position": first + index,
                    "changed_at": at,
                }
                for index, (kind, entity_id, op) in enumerate(changes)
            ]
            statement = sqlite_insert(CHANGES)
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["household_id", "entity", "entity_id"],
                    set_={
                        "op": statement.excluded.op,
                        "position": statement.excluded.position,
                        "changed_at": statement.excluded.changed_at,
                    },
                ),
                rows,
            )
            await _insert_audit(connection, entries, at, actor)

        effects.append(
            Effect(_COUNTER_SQLITE, {"household_id": household_id, "n": len(changes)}, write)
        )
    return effects


async def _insert_audit(
    connection: AsyncConnection, entries: list[_Audit], at: datetime, actor: UUID | None
) -> None:
    if not entries:
        return
    rows = [
        {
            "household_id": entry.household_id,
            "entity": entry.entity,
            "entity_id": entry.entity_id,
            "at": at,
            "actor_id": actor,
            "action": entry.action.value,
            "changes": _json(entry.changes),
        }
        for entry in entries
    ]
    await connection.execute(insert(AUDIT_ENTRIES), rows)
