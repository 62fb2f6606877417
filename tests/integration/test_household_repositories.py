"""The household and invitation repositories, driven through the real unit of work on
SQLite and PostgreSQL: what they hand out, in which order, and what commit writes back.

The module makes its own migrated databases (``schema``), so that the deletions it checks
run against a schema of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import ALL_HOUSEHOLDS, create_engine, read_only_engine, restrict
from budget.adapters.migrations import upgrade
from budget.adapters.tables import TransactionSplitRow
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.model.account import Account, AccountType
from budget.domain.model.currency import Currency
from budget.domain.model.household import (
    INVITATION_LIFETIME,
    Household,
    Invitation,
    InvitationStatus,
    Member,
    Membership,
    Role,
)
from budget.domain.model.ids import AccountId, HouseholdId, InvitationId, UserId
from budget.domain.model.money import Money
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.user import User
from tests.integration.conftest import unique_email
from tests.integration.databases import postgres_database, sqlite_database
from tests.integration.test_splits_storage import a_ledger, parts

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
"""Creation times are spread out from here, so every order in these tests is known."""
NOW = T0 + timedelta(days=2)
"""The time the invitations' pending state is asked at."""
EUR = Currency.of("EUR")


def _fresh_database(
    kind: str, tmp_path_factory: pytest.TempPathFactory
) -> AbstractAsyncContextManager[str]:
    if kind == "sqlite":
        return sqlite_database(tmp_path_factory.mktemp("households"))
    return postgres_database()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def schema(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A migrated database of each kind for this module."""
    async with _fresh_database(request.param, tmp_path_factory) as url:
        await upgrade(url)
        yield url


@pytest.fixture
async def engine(schema: str) -> AsyncIterator[AsyncEngine]:
    own = create_engine(schema)
    yield own
    await own.dispose()


def _uow(engine: AsyncEngine, **options: Any) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(engine, **options)


def _reading(engine: AsyncEngine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(read_only_engine(engine), read_only=True)


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def _user(engine: AsyncEngine, display_name: str | None = None) -> User:
    user = User(
        UserId(uuid.uuid4()),
        unique_email(),
        "not-a-real-hash",
        display_name,
        "EUR",
        False,
        True,
        T0,
        T0,
    )
    async with _uow(engine) as uow:
        uow.users.add(user)
        await uow.commit()
    return user


async def _household(
    engine: AsyncEngine,
    name: str = "Home",
    *,
    created_at: datetime = T0,
    members: Sequence[tuple[User, Role]] = (),
    joined_at: datetime | None = None,
) -> Household:
    """A stored household with ``members`` (joined at ``joined_at``, else when it was made)."""
    household = Household.found(HouseholdId(uuid.uuid4()), name, created_at)
    async with _uow(engine) as uow:
        uow.households.add(household)
        for user, role in members:
            joined = created_at if joined_at is None else joined_at
            uow.households.add_membership(Membership(household.id, user.id, role, joined))
        await uow.commit()
    return household


async def _join(engine: AsyncEngine, *memberships: Membership) -> None:
    async with _uow(engine) as uow:
        for membership in memberships:
            uow.households.add_membership(membership)
        await uow.commit()


def _invitation(
    household: Household,
    email: str,
    *,
    created_at: datetime = T0,
    role: Role = Role.EDITOR,
    invited_by: UserId | None = None,
    status: InvitationStatus = InvitationStatus.PENDING,
) -> Invitation:
    return Invitation(
        InvitationId(uuid.uuid4()),
        household.id,
        email,
        role,
        invited_by,
        created_at,
        created_at + INVITATION_LIFETIME,
        status,
    )


async def _invite(engine: AsyncEngine, *invitations: Invitation) -> None:
    async with _uow(engine) as uow:
        for invitation in invitations:
            uow.invitations.add(invitation)
        await uow.commit()


def _row(household: Household) -> tuple[Any, ...]:
    return household.id, household.name, household.created_at, household.updated_at


def _membership_row(membership: Membership) -> tuple[Any, ...]:
    return membership.household_id, membership.user_id, membership.role, membership.joined_at


def _ids(invitations: Sequence[Invitation]) -> list[InvitationId]:
    return [invitation.id for invitation in invitations]


# ---------------------------------------------------------------- households


async def test_an_added_household_reads_back_as_it_was_added(engine: AsyncEngine) -> None:
    household = await _household(engine, "Flat share", created_at=_at(5))

    async with _reading(engine) as uow:
        found = await uow.households.get(household.id)

    assert found is not None
    assert _row(found) == _row(household)


async def test_an_unknown_household_reads_as_none(engine: AsyncEngine) -> None:
    async with _reading(engine) as uow:
        assert await uow.households.get(HouseholdId(uuid.uuid4())) is None


async def test_a_household_read_for_update_is_the_stored_household(engine: AsyncEngine) -> None:
    household = await _household(engine)

    async with _uow(engine) as uow:
        found = await uow.households.get(household.id, for_update=True)

    assert found is not None
    assert _row(found) == _row(household)


async def test_a_household_read_for_update_keeps_a_second_locker_waiting_until_the_end(
    engine: AsyncEngine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no row locks (one writer holds the whole database)")
    household = await _household(engine)

    async def second_locker() -> Household | None:
        async with _uow(engine) as uow:
            return await uow.households.get(household.id, for_update=True)

    async with _uow(engine) as first:
        assert await first.households.get(household.id, for_update=True) is not None
        waiting = asyncio.create_task(second_locker())
        await asyncio.sleep(0.3)
        assert not waiting.done()

    assert await asyncio.wait_for(waiting, timeout=5) is not None


async def test_a_renamed_household_is_written_back_on_commit(engine: AsyncEngine) -> None:
    household = await _household(engine, "Old name")
    async with _uow(engine) as uow:
        found = await uow.households.get(household.id)
        assert found is not None
        found.rename("New name", _at(60))
        await uow.commit()

    async with _reading(engine) as uow:
        stored = await uow.households.get(household.id)

    assert stored is not None
    assert (stored.name, stored.updated_at) == ("New name", _at(60))


async def test_the_households_of_a_user_come_with_the_users_role_in_each(
    engine: AsyncEngine,
) -> None:
    user = await _user(engine)
    owned = await _household(engine, "A", members=[(user, Role.OWNER)])
    viewed = await _household(engine, "B", members=[(user, Role.VIEWER)])
    await _household(engine, "C", members=[(await _user(engine), Role.OWNER)])

    async with _reading(engine) as uow:
        page = await uow.households.list_for(user.id, PageRequest(), Sort("name"))

    assert [(household.id, role) for household, role in page.items] == [
        (owned.id, Role.OWNER),
        (viewed.id, Role.VIEWER),
    ]


async def test_the_households_of_a_user_are_paged_by_name_and_counted(
    engine: AsyncEngine,
) -> None:
    user = await _user(engine)
    b = await _household(engine, "Beta", members=[(user, Role.EDITOR)])
    c = await _household(engine, "Gamma", members=[(user, Role.EDITOR)])
    a = await _household(engine, "Alpha", members=[(user, Role.EDITOR)])

    async with _reading(engine) as uow:
        first = await uow.households.list_for(user.id, PageRequest(2, 0), Sort("name"))
        second = await uow.households.list_for(user.id, PageRequest(2, 2), Sort("name"))

    assert [household.id for household, _ in first.items] == [a.id, b.id]
    assert [household.id for household, _ in second.items] == [c.id]
    assert (first.total, second.total) == (3, 3)


async def test_the_households_of_a_user_sort_newest_first_on_descending_created_at(
    engine: AsyncEngine,
) -> None:
    user = await _user(engine)
    old = await _household(engine, "Z", created_at=_at(1), members=[(user, Role.OWNER)])
    new = await _household(engine, "Y", created_at=_at(3), members=[(user, Role.OWNER)])
    middle = await _household(engine, "X", created_at=_at(2), members=[(user, Role.OWNER)])

    async with _reading(engine) as uow:
        page = await uow.households.list_for(user.id, PageRequest(), Sort("created_at", True))

    assert [household.id for household, _ in page.items] == [new.id, middle.id, old.id]


@pytest.mark.parametrize("descending", [False, True])
async def test_households_that_tie_on_the_sort_key_are_ordered_by_id_in_its_direction(
    engine: AsyncEngine, descending: bool
) -> None:
    user = await _user(engine)
    twins = [await _household(engine, "Same", members=[(user, Role.OWNER)]) for _ in range(3)]

    async with _reading(engine) as uow:
        page = await uow.households.list_for(user.id, PageRequest(), Sort("name", descending))

    expected = sorted((household.id for household in twins), reverse=descending)
    assert [household.id for household, _ in page.items] == expected


async def test_a_household_listed_for_a_user_reads_back_as_it_was_added(
    engine: AsyncEngine,
) -> None:
    user = await _user(engine)
    household = await _household(engine, "Cabin", created_at=_at(7), members=[(user, Role.OWNER)])

    async with _reading(engine) as uow:
        page = await uow.households.list_for(user.id, PageRequest(), Sort("name"))

    assert [_row(listed) for listed, _ in page.items] == [_row(household)]


# ---------------------------------------------------------------- memberships


async def test_the_memberships_of_a_household_come_oldest_first_ties_on_user_id(
    engine: AsyncEngine,
) -> None:
    household = await _household(engine)
    first, *twins = [await _user(engine) for _ in range(3)]
    await _join(
        engine,
        *(Membership(household.id, twin.id, Role.VIEWER, _at(10)) for twin in twins),
        Membership(household.id, first.id, Role.OWNER, _at(1)),
    )

    async with _reading(engine) as uow:
        memberships = await uow.households.memberships(household.id)

    expected = [first.id, *sorted(twin.id for twin in twins)]
    assert [membership.user_id for membership in memberships] == expected


async def test_the_memberships_of_a_user_come_oldest_first_ties_on_household_id(
    engine: AsyncEngine,
) -> None:
    user = await _user(engine)
    oldest = await _household(engine, members=[(user, Role.OWNER)], joined_at=_at(1))
    twins = [
        await _household(engine, members=[(user, Role.VIEWER)], joined_at=_at(10)) for _ in range(2)
    ]

    async with _reading(engine) as uow:
        memberships = await uow.households.memberships_of(user.id)

    expected = [oldest.id, *sorted(twin.id for twin in twins)]
    assert [membership.household_id for membership in memberships] == expected


async def test_an_added_membership_reads_back_as_it_was_added(engine: AsyncEngine) -> None:
    user = await _user(engine)
    household = await _household(engine)
    membership = Membership(household.id, user.id, Role.EDITOR, _at(42))
    await _join(engine, membership)

    async with _reading(engine) as uow:
        memberships = await uow.households.memberships(household.id)

    assert [_membership_row(stored) for stored in memberships] == [_membership_row(membership)]


async def test_a_changed_role_is_written_back_on_commit(engine: AsyncEngine) -> None:
    owner, editor = await _user(engine), await _user(engine)
    household = await _household(engine, members=[(owner, Role.OWNER), (editor, Role.EDITOR)])
    async with _uow(engine) as uow:
        for membership in await uow.households.memberships(household.id):
            if membership.user_id == editor.id:
                membership.role = Role.OWNER
        await uow.commit()

    async with _reading(engine) as uow:
        memberships = await uow.households.memberships(household.id)

    assert {m.user_id: m.role for m in memberships} == {
        owner.id: Role.OWNER,
        editor.id: Role.OWNER,
    }


async def test_a_changed_role_is_not_written_without_a_commit(engine: AsyncEngine) -> None:
    user = await _user(engine)
    household = await _household(engine, members=[(user, Role.VIEWER)])
    async with _uow(engine) as uow:
        (membership,) = await uow.households.memberships_of(user.id)
        membership.role = Role.OWNER

    async with _reading(engine) as uow:
        (stored,) = await uow.households.memberships_of(user.id)

    assert (stored.household_id, stored.role) == (household.id, Role.VIEWER)


async def test_a_removed_membership_is_gone_after_commit(engine: AsyncEngine) -> None:
    staying, leaving = await _user(engine), await _user(engine)
    household = await _household(engine, members=[(staying, Role.OWNER), (leaving, Role.VIEWER)])
    async with _uow(engine) as uow:
        (membership,) = await uow.households.memberships_of(leaving.id)
        await uow.households.remove_membership(membership)
        await uow.commit()

    async with _reading(engine) as uow:
        memberships = await uow.households.memberships(household.id)

    assert [membership.user_id for membership in memberships] == [staying.id]


async def test_a_membership_removed_after_a_role_change_is_not_written_back(
    engine: AsyncEngine,
) -> None:
    user = await _user(engine)
    household = await _household(engine, members=[(user, Role.EDITOR)])
    async with _uow(engine) as uow:
        (membership,) = await uow.households.memberships(household.id)
        membership.role = Role.OWNER
        await uow.households.remove_membership(membership)
        await uow.commit()

    async with _reading(engine) as uow:
        assert await uow.households.memberships(household.id) == []


async def test_a_membership_added_and_removed_in_one_unit_of_work_is_never_written(
    engine: AsyncEngine,
) -> None:
    user = await _user(engine)
    household = await _household(engine)
    async with _uow(engine) as uow:
        membership = Membership(household.id, user.id, Role.VIEWER, _at(1))
        uow.households.add_membership(membership)
        await uow.households.remove_membership(membership)
        await uow.commit()

    async with _reading(engine) as uow:
        assert await uow.households.memberships(household.id) == []


async def test_the_members_carry_their_email_and_display_name_oldest_first(
    engine: AsyncEngine,
) -> None:
    named, unnamed = await _user(engine, "Ada"), await _user(engine)
    household = await _household(engine)
    await _join(
        engine,
        Membership(household.id, unnamed.id, Role.VIEWER, _at(2)),
        Membership(household.id, named.id, Role.OWNER, _at(1)),
    )

    async with _reading(engine) as uow:
        members = await uow.households.members(household.id)

    assert list(members) == [
        Member(named.id, named.email, "Ada", Role.OWNER, _at(1)),
        Member(unnamed.id, unnamed.email, None, Role.VIEWER, _at(2)),
    ]


# ---------------------------------------------------------------- deleting a household


async def _deleted(engine: AsyncEngine, household: Household) -> None:
    async with _uow(engine, scope=ALL_HOUSEHOLDS) as uow:
        found = await uow.households.get(household.id, for_update=True)
        assert found is not None
        await uow.households.delete(found)
        await uow.commit()


async def test_a_deleted_household_is_gone(engine: AsyncEngine) -> None:
    household = await _household(engine)

    await _deleted(engine, household)

    async with _reading(engine) as uow:
        assert await uow.households.get(household.id) is None


async def test_deleting_a_household_deletes_its_accounts(engine: AsyncEngine) -> None:
    household = await _household(engine)
    account = Account.open(
        AccountId(uuid.uuid4()), household.id, "Cash", AccountType.CASH, Money(500, EUR), T0
    )
    async with _uow(engine, scope=[household.id]) as uow:
        uow.accounts.add(account)
        await uow.commit()

    await _deleted(engine, household)

    async with _uow(engine, scope=ALL_HOUSEHOLDS) as uow:
        assert await uow.accounts.get([household.id], account.id) is None


async def test_deleting_a_household_deletes_the_parts_of_its_split_transactions(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    await ledger.record(amount="3.00", splits=parts(("1.00", None, ""), ("2.00", None, "")))
    async with _uow(engine, scope=ALL_HOUSEHOLDS) as uow:
        household = await uow.households.get(ledger.household)
    assert household is not None

    await _deleted(engine, household)

    async with engine.connect() as connection:
        await restrict(connection, ALL_HOUSEHOLDS)
        left = select(func.count()).where(TransactionSplitRow.household_id == ledger.household)
        assert (await connection.execute(left)).scalar() == 0


async def test_deleting_a_household_deletes_its_memberships(engine: AsyncEngine) -> None:
    user = await _user(engine)
    household = await _household(engine, members=[(user, Role.OWNER)])

    await _deleted(engine, household)

    async with _reading(engine) as uow:
        assert await uow.households.memberships_of(user.id) == []


async def test_deleting_a_household_deletes_its_invitations(engine: AsyncEngine) -> None:
    household = await _household(engine)
    invitation = _invitation(household, unique_email(), created_at=NOW)
    await _invite(engine, invitation)

    await _deleted(engine, household)

    async with _reading(engine) as uow:
        assert await uow.invitations.get(invitation.id) is None


async def test_deleting_a_household_drops_the_memberships_added_to_it_in_the_same_unit(
    engine: AsyncEngine,
) -> None:
    user = await _user(engine)
    household = await _household(engine)
    async with _uow(engine, scope=ALL_HOUSEHOLDS) as uow:
        uow.households.add_membership(Membership(household.id, user.id, Role.OWNER, _at(1)))
        found = await uow.households.get(household.id)
        assert found is not None
        await uow.households.delete(found)
        await uow.commit()

    async with _reading(engine) as uow:
        assert await uow.households.memberships_of(user.id) == []


# ---------------------------------------------------------------- invitations


async def test_an_added_invitation_reads_back_with_its_households_name(
    engine: AsyncEngine,
) -> None:
    inviter = await _user(engine)
    household = await _household(engine, "Beach house", members=[(inviter, Role.OWNER)])
    invitation = _invitation(
        household, unique_email(), role=Role.VIEWER, invited_by=inviter.id, created_at=_at(3)
    )
    await _invite(engine, invitation)

    async with _reading(engine) as uow:
        found = await uow.invitations.get(invitation.id)

    assert found is not None
    assert (
        found.household_id,
        found.email,
        found.role,
        found.invited_by,
        found.created_at,
        found.expires_at,
        found.status,
        found.household_name,
    ) == (
        household.id,
        invitation.email,
        Role.VIEWER,
        inviter.id,
        _at(3),
        _at(3) + INVITATION_LIFETIME,
        InvitationStatus.PENDING,
        "Beach house",
    )


async def test_an_unknown_invitation_reads_as_none(engine: AsyncEngine) -> None:
    async with _reading(engine) as uow:
        assert await uow.invitations.get(InvitationId(uuid.uuid4())) is None


async def test_a_settled_invitation_is_written_back_on_commit(engine: AsyncEngine) -> None:
    invitation = _invitation(await _household(engine), unique_email(), created_at=NOW)
    await _invite(engine, invitation)
    async with _uow(engine) as uow:
        found = await uow.invitations.get(invitation.id)
        assert found is not None
        found.settle(InvitationStatus.REVOKED)
        await uow.commit()

    async with _reading(engine) as uow:
        stored = await uow.invitations.get(invitation.id)

    assert stored is not None
    assert stored.status is InvitationStatus.REVOKED


async def test_the_pending_invitations_of_a_household_leave_out_expired_ones(
    engine: AsyncEngine,
) -> None:
    household = await _household(engine)
    fresh = _invitation(household, unique_email(), created_at=NOW - timedelta(days=1))
    expired = _invitation(household, unique_email(), created_at=NOW - INVITATION_LIFETIME)
    await _invite(engine, fresh, expired)

    async with _reading(engine) as uow:
        pending = await uow.invitations.pending_for_household(household.id, NOW)

    assert _ids(pending) == [fresh.id]


@pytest.mark.parametrize(
    "status", [InvitationStatus.ACCEPTED, InvitationStatus.DECLINED, InvitationStatus.REVOKED]
)
async def test_the_pending_invitations_of_a_household_leave_out_settled_ones(
    engine: AsyncEngine, status: InvitationStatus
) -> None:
    household = await _household(engine)
    open_one = _invitation(household, unique_email(), created_at=NOW)
    settled = _invitation(household, unique_email(), created_at=NOW, status=status)
    await _invite(engine, open_one, settled)

    async with _reading(engine) as uow:
        pending = await uow.invitations.pending_for_household(household.id, NOW)

    assert _ids(pending) == [open_one.id]


async def test_the_pending_invitations_of_a_household_come_newest_first_ties_on_id(
    engine: AsyncEngine,
) -> None:
    household = await _household(engine)
    older = _invitation(household, unique_email(), created_at=NOW - timedelta(hours=2))
    twins = [_invitation(household, unique_email(), created_at=NOW) for _ in range(3)]
    await _invite(engine, older, *twins)

    async with _reading(engine) as uow:
        pending = await uow.invitations.pending_for_household(household.id, NOW)

    assert _ids(pending) == [*sorted(_ids(twins), reverse=True), older.id]


async def test_the_pending_invitations_for_an_email_span_households_newest_first(
    engine: AsyncEngine,
) -> None:
    email = unique_email()
    home, cabin = await _household(engine, "Home"), await _household(engine, "Cabin")
    older = _invitation(home, email, created_at=NOW - timedelta(hours=1))
    newer = _invitation(cabin, email, created_at=NOW)
    await _invite(engine, older, newer, _invitation(home, unique_email(), created_at=NOW))

    async with _reading(engine) as uow:
        pending = await uow.invitations.pending_for_email(email, NOW)

    assert [(i.id, i.household_name) for i in pending] == [
        (newer.id, "Cabin"),
        (older.id, "Home"),
    ]


async def test_the_pending_invitations_for_an_email_leave_out_expired_and_settled_ones(
    engine: AsyncEngine,
) -> None:
    email = unique_email()
    household = await _household(engine)
    pending_one = _invitation(household, email, created_at=NOW)
    await _invite(
        engine,
        pending_one,
        _invitation(household, email, created_at=NOW - INVITATION_LIFETIME),
        _invitation(household, email, created_at=NOW, status=InvitationStatus.DECLINED),
    )

    async with _reading(engine) as uow:
        pending = await uow.invitations.pending_for_email(email, NOW)

    assert _ids(pending) == [pending_one.id]


async def test_deleting_the_invitations_for_an_email_leaves_other_emails_alone(
    engine: AsyncEngine,
) -> None:
    leaving, staying = unique_email(), unique_email()
    household = await _household(engine)
    gone = [_invitation(household, leaving, created_at=NOW, status=s) for s in InvitationStatus]
    kept = _invitation(household, staying, created_at=NOW)
    await _invite(engine, *gone, kept)

    async with _uow(engine) as uow:
        await uow.invitations.delete_for_email(leaving)
        await uow.commit()

    async with _reading(engine) as uow:
        assert [await uow.invitations.get(invitation.id) for invitation in gone] == [None] * 4
        assert _ids(await uow.invitations.pending_for_household(household.id, NOW)) == [kept.id]


async def test_deleting_the_invitations_for_an_email_drops_those_added_in_the_same_unit(
    engine: AsyncEngine,
) -> None:
    email = unique_email()
    invitation = _invitation(await _household(engine), email, created_at=NOW)
    async with _uow(engine) as uow:
        uow.invitations.add(invitation)
        await uow.invitations.delete_for_email(email)
        await uow.commit()

    async with _reading(engine) as uow:
        assert await uow.invitations.get(invitation.id) is None
