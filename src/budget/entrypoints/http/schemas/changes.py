"""The change feed and the audit trail on the wire (contract section 11), and the wire
renderers the unit of work's change log diffs (the same ``*Read.of`` the ``GET``s answer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated, Any
from uuid import UUID

import msgspec

from budget.domain.model.audit import AuditAction, AuditEntry
from budget.domain.model.changes import Entity, Op
from budget.domain.services.changes import ChangeItem, ChangePage
from budget.entrypoints.http.schemas.accounts import AccountRead
from budget.entrypoints.http.schemas.budgets import BudgetRead
from budget.entrypoints.http.schemas.categories import CategoryRead
from budget.entrypoints.http.schemas.common import Timestamp
from budget.entrypoints.http.schemas.households import HouseholdRead
from budget.entrypoints.http.schemas.transactions import TransactionRead

_READS: dict[Entity, Callable[[Any], msgspec.Struct]] = {
    Entity.HOUSEHOLD: HouseholdRead.of,
    Entity.ACCOUNT: AccountRead.of,
    Entity.CATEGORY: CategoryRead.of,
    Entity.TRANSACTION: TransactionRead.of,
    Entity.BUDGET: BudgetRead.of,
}


def wire_renderers() -> Mapping[str, Callable[[Any], Mapping[str, Any]]]:
    """Per audited entity, its representation as its ``GET`` answers it, as JSON builtins."""

    def renderer(read: Callable[[Any], msgspec.Struct]) -> Callable[[Any], Mapping[str, Any]]:
        return lambda entity: msgspec.to_builtins(read(entity))

    return {
        entity.value: renderer(read)
        for entity, read in _READS.items()
        if entity is not Entity.HOUSEHOLD
    }


class ChangeItemRead(msgspec.Struct):
    entity: Entity
    id: UUID
    household_id: UUID
    op: Op
    data: Annotated[
        dict[str, Any] | None,
        msgspec.Meta(
            description="The resource exactly as its GET answers it (a Household, Account,"
            " Category, Transaction or Budget); null for delete"
        ),
    ]

    @classmethod
    def of(cls, item: ChangeItem) -> ChangeItemRead:
        data = None if item.value is None else msgspec.to_builtins(_READS[item.entity](item.value))
        return cls(item.entity, item.id, item.household_id, item.op, data)


class ChangeFeedRead(msgspec.Struct):
    items: list[ChangeItemRead]
    next_since: Annotated[str, msgspec.Meta(description="Pass as `since` to read on")]
    has_more: bool

    @classmethod
    def of(cls, page: ChangePage) -> ChangeFeedRead:
        return cls([ChangeItemRead.of(item) for item in page.items], page.next_since, page.has_more)


class FieldChangeRead(msgspec.Struct):
    from_: Any = msgspec.field(name="from")
    to: Any = None


class AuditEntryRead(msgspec.Struct):
    at: Timestamp
    actor_id: Annotated[
        UUID | None, msgspec.Meta(description="Who wrote it; null: the service itself")
    ]
    action: AuditAction
    changes: Annotated[
        dict[str, FieldChangeRead],
        msgspec.Meta(description="Each changed field of the wire representation"),
    ]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryRead:
        changes = {
            name: FieldChangeRead(change.get("from"), change.get("to"))
            for name, change in entry.changes.items()
        }
        return cls(entry.at.astimezone(dt.UTC), entry.actor_id, entry.action, changes)


class AuditTrailRead(msgspec.Struct):
    items: list[AuditEntryRead]
