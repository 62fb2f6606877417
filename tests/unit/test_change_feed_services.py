"""Reading the change feed with a fake reader: pages, memberships, tombstones, tokens."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Self
from uuid import UUID

from budget.domain.model.audit import AuditEntry
from budget.domain.model.changes import ChangeRecord, Entity, FeedToken, Op, encode_token
from budget.domain.model.household import Role
from budget.domain.model.ids import HouseholdId
from budget.domain.services.changes import ReadChanges
from tests.fakes import FakeClock, personal_caller

KEY = b"k" * 32
ME = personal_caller(1, h2=Role.EDITOR)
HOME, SHARED, LEFT = HouseholdId(UUID(int=1)), HouseholdId(UUID(int=2)), HouseholdId(UUID(int=3))
MONTH = timedelta(days=30)


class FakeChangeReader:
    """Change rows per household; entities that still exist by id."""

    def __init__(self, rows: Mapping[HouseholdId, list[ChangeRecord]], live: set[UUID]) -> None:
        self.rows, self.live = rows, live
        self.closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        self.closed = True

    async def changes_after(
        self, household_id: HouseholdId, position: int, limit: int
    ) -> Sequence[ChangeRecord]:
        return [r for r in self.rows.get(household_id, []) if r.position > position][:limit]

    async def entities(self, entity: Entity, ids: Sequence[UUID]) -> Mapping[UUID, object]:
        return {i: f"{entity.value} {i.int}" for i in ids if i in self.live}

    async def audit_trail(self, entity: Entity, entity_id: UUID) -> Sequence[AuditEntry] | None:
        return None


def _row(n: int, op: Op = Op.UPSERT) -> ChangeRecord:
    return ChangeRecord(Entity.ACCOUNT, UUID(int=100 + n), op, n)


def _use_case(reader: FakeChangeReader, clock: FakeClock | None = None) -> ReadChanges:
    return ReadChanges(reader, clock or FakeClock(), KEY, MONTH)


def _token(positions: Mapping[HouseholdId, int]) -> str:
    return encode_token(FeedToken(ME.id, FakeClock().now(), positions), KEY)


async def test_a_first_walk_leaves_tombstones_out() -> None:
    reader = FakeChangeReader(
        {HOME: [_row(1), _row(2, Op.DELETE), _row(3)]}, {UUID(int=101), UUID(int=103)}
    )

    page = await _use_case(reader).execute(ME, None, 10)

    assert [(item.id.int, item.op) for item in page.items] == [(101, Op.UPSERT), (103, Op.UPSERT)]
    assert page.has_more is False
    assert reader.closed


async def test_a_walk_from_a_token_brings_tombstones_with_no_data() -> None:
    reader = FakeChangeReader({HOME: [_row(1), _row(2, Op.DELETE)]}, set())

    page = await _use_case(reader).execute(ME, _token({HOME: 1, SHARED: 0}), 10)

    assert [(item.id.int, item.op, item.value) for item in page.items] == [(102, Op.DELETE, None)]


async def test_a_page_stops_at_the_limit_and_the_next_goes_on_from_there() -> None:
    rows = {HOME: [_row(n) for n in range(1, 6)]}
    reader = FakeChangeReader(rows, {UUID(int=100 + n) for n in range(1, 6)})
    use_case = _use_case(reader)

    first = await use_case.execute(ME, None, 3)
    second = await use_case.execute(ME, first.next_since, 3)

    assert first.has_more is True
    assert [item.id.int for item in first.items] == [101, 102, 103]
    assert [item.id.int for item in second.items] == [104, 105]
    assert second.has_more is False


async def test_an_entity_deleted_since_its_change_is_left_for_its_tombstone() -> None:
    reader = FakeChangeReader({HOME: [_row(1)]}, set())

    page = await _use_case(reader).execute(ME, None, 10)

    assert page.items == []


async def test_a_household_no_longer_joined_is_answered_as_its_delete_once() -> None:
    reader = FakeChangeReader({}, set())
    use_case = _use_case(reader)

    page = await use_case.execute(ME, _token({HOME: 0, SHARED: 0, LEFT: 9}), 10)
    after = await use_case.execute(ME, page.next_since, 10)

    assert [(item.entity, item.id, item.op) for item in page.items] == [
        (Entity.HOUSEHOLD, LEFT, Op.DELETE)
    ]
    assert after.items == []


async def test_a_household_comes_with_the_callers_role() -> None:
    household = ChangeRecord(Entity.HOUSEHOLD, SHARED, Op.UPSERT, 1)
    reader = FakeChangeReader({SHARED: [household]}, {SHARED})

    page = await _use_case(reader).execute(ME, _token({HOME: 0}), 10)

    assert [item.value for item in page.items] == [("household 2", Role.EDITOR)]
