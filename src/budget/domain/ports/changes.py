"""The read side of the change feed and the audit trail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, Self
from uuid import UUID

from budget.domain.model.audit import AuditEntry
from budget.domain.model.changes import ChangeRecord, Entity
from budget.domain.model.ids import HouseholdId


class ChangeReader(Protocol):
    """Reads the feed and the audit trail within the caller's households (given when the
    reader is built), inside an ``async with`` block (which releases what it holds)."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *_: object) -> None: ...

    async def changes_after(
        self, household_id: HouseholdId, position: int, limit: int
    ) -> Sequence[ChangeRecord]:
        """At most ``limit`` changes of the household after ``position``, in position order."""
        ...

    async def entities(self, entity: Entity, ids: Sequence[UUID]) -> Mapping[UUID, object]:
        """The live entities among ``ids`` (the domain objects their ``GET`` answers)."""
        ...

    async def audit_trail(self, entity: Entity, entity_id: UUID) -> Sequence[AuditEntry] | None:
        """The entity's audit entries, oldest first; None when there is no such entity."""
        ...
