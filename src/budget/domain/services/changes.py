"""Use cases of the change feed and the audit trail (contract section 11)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from budget.domain.errors import NotFoundError
from budget.domain.model.audit import AuditEntry
from budget.domain.model.changes import (
    ChangeRecord,
    Entity,
    FeedToken,
    Op,
    decode_token,
    encode_token,
    plan_walk,
)
from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId
from budget.domain.ports.changes import ChangeReader
from budget.domain.ports.system import Clock


@dataclass(frozen=True, slots=True)
class ChangeItem:
    """One entity of a page: ``value`` is what its ``GET`` answers is made from (a
    household comes with the caller's role), None for a delete."""

    entity: Entity
    id: UUID
    household_id: HouseholdId
    op: Op
    value: object | None


@dataclass(frozen=True, slots=True)
class ChangePage:
    items: list[ChangeItem]
    next_since: str
    has_more: bool


class ReadChanges:
    """One page of the caller's change feed after ``since`` (see ``model.changes``).

    Raises:
        RuleViolationError: on ``since``, a malformed, forged or another user's token.
        GoneError: a token older than the retention.
    """

    def __init__(
        self, reader: ChangeReader, clock: Clock, key: bytes, retention: timedelta
    ) -> None:
        self._reader, self._clock, self._key, self._retention = reader, clock, key, retention

    async def execute(self, caller: Caller, since: str | None, limit: int) -> ChangePage:
        async with self._reader:
            return await self._page(caller, since, limit)

    async def _page(self, caller: Caller, since: str | None, limit: int) -> ChangePage:
        now = self._clock.now()
        token = decode_token(since, self._key) if since else None
        if token is not None:
            token.check(caller.id, now, self._retention)
        walk = plan_walk(token, set(caller.roles))
        positions = dict(token.positions) if token is not None else {}
        items: list[ChangeItem] = []
        has_more = False
        for household_id in walk.ended:
            if len(items) == limit:
                has_more = True
                break
            items.append(ChangeItem(Entity.HOUSEHOLD, household_id, household_id, Op.DELETE, None))
            del positions[household_id]
        records: list[tuple[HouseholdId, ChangeRecord]] = []
        for household_id, after, fresh in walk.households if not has_more else ():
            room = limit - len(items) - len(records)
            if room == 0:
                has_more = True
                break
            found = await self._reader.changes_after(household_id, after, room + 1)
            page = found[:room]
            positions[household_id] = page[-1].position if page else after
            records += [(household_id, r) for r in page if not (fresh and r.op is Op.DELETE)]
            if len(found) > room:
                has_more = True
                break
        items += await self._with_values(caller, records)
        next_since = encode_token(FeedToken(caller.id, now, positions), self._key)
        return ChangePage(items, next_since, has_more)

    async def _with_values(
        self, caller: Caller, records: Sequence[tuple[HouseholdId, ChangeRecord]]
    ) -> list[ChangeItem]:
        wanted: dict[Entity, list[UUID]] = {}
        for _, record in records:
            if record.op is Op.UPSERT:
                wanted.setdefault(record.entity, []).append(record.entity_id)
        found = {entity: await self._reader.entities(entity, ids) for entity, ids in wanted.items()}
        items = []
        for household_id, record in records:
            value = None
            if record.op is Op.UPSERT:
                value = found[record.entity].get(record.entity_id)
                if value is None:
                    continue  # deleted since: its tombstone comes later in the walk
                if record.entity is Entity.HOUSEHOLD:
                    value = (value, caller.role_in(household_id))
            items.append(
                ChangeItem(record.entity, record.entity_id, household_id, record.op, value)
            )
        return items


class AuditTrailNotFoundError(NotFoundError):
    """No such resource in the caller's households."""


class GetAuditTrail:
    """The audit trail of one account, category, transaction or budget, oldest first.

    Raises:
        AuditTrailNotFoundError: no such resource in the caller's households.
    """

    def __init__(self, reader: ChangeReader) -> None:
        self._reader = reader

    async def execute(self, entity: Entity, entity_id: UUID) -> Sequence[AuditEntry]:
        async with self._reader as reader:
            entries = await reader.audit_trail(entity, entity_id)
        if entries is None:
            raise AuditTrailNotFoundError(f"No such {entity.value}.")
        return entries
