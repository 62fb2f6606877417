"""Use cases of households, members and invitations over in-memory fakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from budget.domain.errors import PermissionDeniedError, RuleViolationError
from budget.domain.model.account import AccountType
from budget.domain.model.category import DEFAULT_CATEGORIES
from budget.domain.model.household import (
    PERSONAL_HOUSEHOLD_NAME,
    Caller,
    Household,
    HouseholdNotFoundError,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
)
from budget.domain.model.ids import HouseholdId, InvitationId, UserId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.transaction import TransactionType
from budget.domain.model.user import User
from budget.domain.services.accounts import AccountDraft, CreateAccount
from budget.domain.services.households import (
    ChangeMemberRole,
    CreateHousehold,
    DeleteHousehold,
    GetHousehold,
    LastOwnerError,
    ListHouseholds,
    ListMembers,
    MemberNotFoundError,
    RemoveMember,
    RenameHousehold,
)
from budget.domain.services.invitations import (
    AcceptInvitation,
    AlreadyMemberError,
    DeclineInvitation,
    InvitationNotFoundError,
    InvitationPendingError,
    InviteMember,
    ListHouseholdInvitations,
    ListMyInvitations,
    RevokeInvitation,
)
from budget.domain.services.transactions import RecordTransaction, TransactionDraft
from tests.fakes import FakeClock, FakeIds, FakeUnitOfWork
from tests.fakes_households import (
    caller_of,
    households_in,
    invitations_in,
    locked_households,
    memberships_in,
    put_household,
    put_invitation,
    put_membership,
    put_user,
)

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=300)
LATER = NOW + timedelta(hours=1)
NOWHERE = HouseholdId(UUID(int=999_999))


@dataclass
class World:
    """A fake store of users and households, and the use cases wired over it."""

    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    clock: FakeClock = field(default_factory=lambda: FakeClock(NOW))
    ids: FakeIds = field(default_factory=FakeIds)

    def person(self, name: str, *, since: datetime = LONG_AGO) -> User:
        """A user with a personal household that they own and that is their default."""
        user_id = UserId(self.ids.new_id())
        personal = Household(HouseholdId(self.ids.new_id()), f"{name}'s", since, since)
        put_household(self.uow.store, personal, (user_id, Role.OWNER))
        email = f"{name}@example.com"
        return put_user(
            self.uow.store, user_id, email, display_name=name.title(), default=personal.id
        )

    def household(
        self, name: str, *members: tuple[User, Role], since: datetime = LONG_AGO
    ) -> Household:
        household = Household(HouseholdId(self.ids.new_id()), name, since, since)
        put_household(self.uow.store, household, *((u.id, role) for u, role in members))
        return household

    def join(self, user: User, household: Household, role: Role, at: datetime) -> None:
        put_membership(self.uow.store, Membership(household.id, user.id, role, at))

    def caller(self, user: User) -> Caller:
        return caller_of(self.uow.store, user.id)

    def invite(
        self,
        household: Household,
        email: str,
        *,
        role: Role = Role.EDITOR,
        at: datetime = NOW - timedelta(days=1),
        status: InvitationStatus = InvitationStatus.PENDING,
    ) -> Invitation:
        invitation = Invitation.issue(
            InvitationId(self.ids.new_id()), household, email, role, UserId(UUID(int=0)), at
        )
        invitation.settle(status)
        put_invitation(self.uow.store, invitation)
        return invitation

    def roles_in(self, household: Household) -> dict[UserId, Role]:
        memberships = memberships_in(self.uow.store).values()
        return {m.user_id: m.role for m in memberships if m.household_id == household.id}

    def user(self, user: User) -> User:
        return self.uow.store.users[user.id]

    def stored(self, household_id: HouseholdId) -> Household | None:
        return households_in(self.uow.store).get(household_id)

    def stored_invitation(self, invitation: Invitation) -> Invitation:
        return invitations_in(self.uow.store)[invitation.id]

    def memberships_of(self, user: User) -> list[Membership]:
        return [m for m in memberships_in(self.uow.store).values() if m.user_id == user.id]


def _family(world: World) -> tuple[User, User, User, Household]:
    """Ada owns "Family", Bob edits it, Cy views it."""
    ada, bob, cy = world.person("ada"), world.person("bob"), world.person("cy")
    family = world.household("Family", (ada, Role.OWNER), (bob, Role.EDITOR), (cy, Role.VIEWER))
    return ada, bob, cy, family


# --- CreateHousehold -----------------------------------------------------------------------


async def test_creating_a_household_makes_the_caller_its_owner_and_commits() -> None:
    world = World()
    ada = world.person("ada")

    household, role = await CreateHousehold(world.uow, world.clock, world.ids).execute(
        world.caller(ada), "  Family  "
    )

    assert role is Role.OWNER
    assert (household.name, household.created_at, household.updated_at) == ("Family", NOW, NOW)
    assert world.stored(household.id) is household
    assert world.roles_in(household) == {ada.id: Role.OWNER}
    assert world.uow.commits == 1


async def test_a_new_household_gets_the_default_categories() -> None:
    world = World()
    ada = world.person("ada")

    household, _ = await CreateHousehold(world.uow, world.clock, world.ids).execute(
        world.caller(ada), "Family"
    )

    mine = [c for c in world.uow.store.categories.values() if c.household_id == household.id]
    assert sorted((c.kind, c.name) for c in mine) == sorted(DEFAULT_CATEGORIES)


async def test_creating_a_household_leaves_the_callers_default_household_alone() -> None:
    world = World()
    ada = world.person("ada")
    default = ada.default_household_id

    await CreateHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), "Family")

    assert world.user(ada).default_household_id == default


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_a_blank_or_too_long_name_is_rejected_on_name_without_committing(name: str) -> None:
    world = World()
    ada = world.person("ada")

    with pytest.raises(RuleViolationError) as caught:
        await CreateHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), name)

    assert [p.field for p in caught.value.problems] == ["name"]
    assert world.uow.commits == 0
    assert len(households_in(world.uow.store)) == 1


# --- ListHouseholds ------------------------------------------------------------------------


async def test_listing_shows_only_the_callers_households_with_their_role_in_each() -> None:
    world = World()
    ada, bob, _, family = _family(world)
    world.household("Strangers", (ada, Role.OWNER))

    page = await ListHouseholds(world.uow).execute(world.caller(bob), PageRequest(), Sort("name"))

    assert [(h.name, role) for h, role in page.items] == [
        ("Family", Role.EDITOR),
        ("bob's", Role.OWNER),
    ]
    assert page.total == 2
    assert page.items[0][0].id == family.id


async def test_listing_sorts_descending_and_pages_with_the_total() -> None:
    world = World()
    ada = world.person("ada")
    for name in ("Beta", "Alpha", "Gamma"):
        world.household(name, (ada, Role.VIEWER))

    page = await ListHouseholds(world.uow).execute(
        world.caller(ada), PageRequest(limit=2, offset=1), Sort("name", descending=True)
    )

    assert [h.name for h, _ in page.items] == ["Gamma", "Beta"]
    assert (page.total, page.limit, page.offset) == (4, 2, 1)


# --- GetHousehold --------------------------------------------------------------------------


async def test_a_member_reads_the_household_with_their_role() -> None:
    world = World()
    _, _, cy, family = _family(world)

    household, role = await GetHousehold(world.uow).execute(world.caller(cy), family.id)

    assert (household.id, household.name, role) == (family.id, "Family", Role.VIEWER)


async def test_a_household_the_caller_is_not_in_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")

    with pytest.raises(HouseholdNotFoundError):
        await GetHousehold(world.uow).execute(world.caller(dan), family.id)


async def test_a_household_deleted_since_the_caller_signed_in_is_not_found() -> None:
    world = World()
    ada, _, _, family = _family(world)
    caller = world.caller(ada)
    del households_in(world.uow.store)[family.id]

    with pytest.raises(HouseholdNotFoundError):
        await GetHousehold(world.uow).execute(caller, family.id)


# --- RenameHousehold -----------------------------------------------------------------------


async def test_an_owner_renames_the_household_and_commits() -> None:
    world = World()
    ada, _, _, family = _family(world)
    world.clock.current = LATER

    household, role = await RenameHousehold(world.uow, world.clock).execute(
        world.caller(ada), family.id, "  Home "
    )

    assert (household.name, household.updated_at, role) == ("Home", LATER, Role.OWNER)
    stored = world.stored(family.id)
    assert stored is not None
    assert stored.name == "Home"
    assert world.uow.commits == 1


@pytest.mark.parametrize("member", ["bob", "cy"])
async def test_a_member_who_is_not_an_owner_may_not_rename(member: str) -> None:
    world = World()
    _, bob, cy, family = _family(world)
    caller = world.caller(bob if member == "bob" else cy)

    with pytest.raises(PermissionDeniedError):
        await RenameHousehold(world.uow, world.clock).execute(caller, family.id, "Home")

    assert world.uow.commits == 0


async def test_renaming_a_household_the_caller_is_not_in_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)

    with pytest.raises(HouseholdNotFoundError):
        await RenameHousehold(world.uow, world.clock).execute(
            world.caller(world.person("dan")), family.id, "Home"
        )


async def test_a_blank_new_name_is_rejected_before_the_household_is_looked_up() -> None:
    world = World()
    dan = world.person("dan")

    with pytest.raises(RuleViolationError) as caught:
        await RenameHousehold(world.uow, world.clock).execute(world.caller(dan), NOWHERE, "  ")

    assert [p.field for p in caught.value.problems] == ["name"]


# --- DeleteHousehold -----------------------------------------------------------------------


async def _fill(world: World, caller: Caller, household: Household) -> None:
    """An account with an expense in ``household``."""
    account = await CreateAccount(world.uow, world.clock, world.ids).execute(
        caller, AccountDraft("Cash", AccountType.CASH, "EUR", "100", household_id=household.id)
    )
    draft = TransactionDraft(TransactionType.EXPENSE, account.id, "12.50", date(2026, 11, 20))
    await RecordTransaction(world.uow, world.clock, world.ids).execute(caller, draft)


async def test_deleting_a_household_removes_it_with_all_its_data_and_commits() -> None:
    world = World()
    ada, bob, _, family = _family(world)
    await CreateHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), "Other")
    await _fill(world, world.caller(ada), family)
    world.invite(family, "dan@example.com")
    commits = world.uow.commits

    await DeleteHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), family.id)

    store = world.uow.store
    assert world.stored(family.id) is None
    assert world.roles_in(family) == {}
    assert all(i.household_id != family.id for i in invitations_in(store).values())
    assert all(a.household_id != family.id for a in store.accounts.values())
    assert all(t.household_id != family.id for t in store.transactions.values())
    assert all(k.household_id != family.id for k in store.totals)
    assert world.memberships_of(bob) != []
    assert world.uow.commits == commits + 1


async def test_deleting_a_household_leaves_other_households_data_alone() -> None:
    world = World()
    ada, _, _, family = _family(world)
    other, _ = await CreateHousehold(world.uow, world.clock, world.ids).execute(
        world.caller(ada), "Other"
    )
    await _fill(world, world.caller(ada), other)
    before = (
        len(world.uow.store.accounts),
        len(world.uow.store.transactions),
        len(world.uow.store.categories),
    )

    await DeleteHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), family.id)

    after = (
        len(world.uow.store.accounts),
        len(world.uow.store.transactions),
        len(world.uow.store.categories),
    )
    assert after == before


@pytest.mark.parametrize("member", ["bob", "cy"])
async def test_a_member_who_is_not_an_owner_may_not_delete_the_household(member: str) -> None:
    world = World()
    _, bob, cy, family = _family(world)

    with pytest.raises(PermissionDeniedError):
        await DeleteHousehold(world.uow, world.clock, world.ids).execute(
            world.caller(bob if member == "bob" else cy), family.id
        )

    assert world.stored(family.id) is not None
    assert world.uow.commits == 0


async def test_deleting_a_household_the_caller_is_not_in_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)

    with pytest.raises(HouseholdNotFoundError):
        await DeleteHousehold(world.uow, world.clock, world.ids).execute(
            world.caller(world.person("dan")), family.id
        )

    assert world.stored(family.id) is not None


async def test_deleting_a_household_locks_its_row() -> None:
    world = World()
    ada, _, _, family = _family(world)

    await DeleteHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), family.id)

    assert locked_households(world.uow) == [family.id]


async def test_a_member_whose_default_it_was_gets_their_oldest_remaining_membership() -> None:
    world = World()
    ada, bob = world.person("ada"), world.person("bob", since=NOW - timedelta(days=5))
    family = world.household("Family", (ada, Role.OWNER))
    older, newer = world.household("Older"), world.household("Newer")
    world.join(bob, family, Role.EDITOR, NOW - timedelta(days=400))
    world.join(bob, newer, Role.VIEWER, NOW - timedelta(days=10))
    world.join(bob, older, Role.VIEWER, NOW - timedelta(days=20))
    world.user(bob).default_household_id = family.id

    await DeleteHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), family.id)

    assert world.user(bob).default_household_id == older.id
    assert world.user(bob).updated_at == NOW


async def test_a_member_left_without_households_gets_a_new_personal_one_as_default() -> None:
    world = World()
    ada = world.person("ada")
    family = world.household("Family", (ada, Role.OWNER))
    bob = put_user(
        world.uow.store, UserId(world.ids.new_id()), "bob@example.com", default=family.id
    )
    world.join(bob, family, Role.VIEWER, LONG_AGO)

    await DeleteHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), family.id)

    new_default = world.user(bob).default_household_id
    assert new_default is not None
    personal = world.stored(new_default)
    assert personal is not None
    assert (personal.name, personal.created_at) == (PERSONAL_HOUSEHOLD_NAME, NOW)
    assert world.roles_in(personal) == {bob.id: Role.OWNER}
    categories = [c for c in world.uow.store.categories.values() if c.household_id == new_default]
    assert sorted((c.kind, c.name) for c in categories) == sorted(DEFAULT_CATEGORIES)


async def test_the_deleting_owner_whose_default_it_was_gets_a_new_default_too() -> None:
    world = World()
    ada = world.person("ada")
    personal = ada.default_household_id
    family = world.household("Family", (ada, Role.OWNER), since=NOW - timedelta(days=1))
    world.user(ada).default_household_id = family.id

    await DeleteHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), family.id)

    assert world.user(ada).default_household_id == personal


async def test_a_member_whose_default_was_another_household_keeps_it() -> None:
    world = World()
    ada, bob, _, family = _family(world)
    default = bob.default_household_id

    await DeleteHousehold(world.uow, world.clock, world.ids).execute(world.caller(ada), family.id)

    assert world.user(bob).default_household_id == default
    assert world.user(bob).updated_at == bob.created_at


# --- ListMembers ---------------------------------------------------------------------------


async def test_members_are_listed_oldest_first_with_their_profile_and_role() -> None:
    world = World()
    ada, bob, cy = world.person("ada"), world.person("bob"), world.person("cy")
    family = world.household("Family")
    world.join(cy, family, Role.VIEWER, NOW - timedelta(days=3))
    world.join(ada, family, Role.OWNER, NOW - timedelta(days=9))
    world.join(bob, family, Role.EDITOR, NOW - timedelta(days=6))

    members = await ListMembers(world.uow).execute(world.caller(cy), family.id)

    assert [(m.user_id, m.email, m.display_name, m.role, m.joined_at) for m in members] == [
        (ada.id, "ada@example.com", "Ada", Role.OWNER, NOW - timedelta(days=9)),
        (bob.id, "bob@example.com", "Bob", Role.EDITOR, NOW - timedelta(days=6)),
        (cy.id, "cy@example.com", "Cy", Role.VIEWER, NOW - timedelta(days=3)),
    ]


async def test_the_members_of_a_household_the_caller_is_not_in_are_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)

    with pytest.raises(HouseholdNotFoundError):
        await ListMembers(world.uow).execute(world.caller(world.person("dan")), family.id)


async def test_the_members_of_a_household_deleted_since_sign_in_are_not_found() -> None:
    world = World()
    _, bob, _, family = _family(world)
    caller = world.caller(bob)
    del households_in(world.uow.store)[family.id]

    with pytest.raises(HouseholdNotFoundError):
        await ListMembers(world.uow).execute(caller, family.id)


# --- ChangeMemberRole ----------------------------------------------------------------------


async def test_an_owner_changes_a_members_role_and_commits() -> None:
    world = World()
    ada, bob, _, family = _family(world)

    member = await ChangeMemberRole(world.uow).execute(
        world.caller(ada), family.id, bob.id, Role.VIEWER
    )

    assert (member.user_id, member.email, member.role) == (bob.id, "bob@example.com", Role.VIEWER)
    assert world.roles_in(family)[bob.id] is Role.VIEWER
    assert world.uow.commits == 1


async def test_an_owner_may_make_another_member_an_owner() -> None:
    world = World()
    ada, _, cy, family = _family(world)

    await ChangeMemberRole(world.uow).execute(world.caller(ada), family.id, cy.id, Role.OWNER)

    assert world.roles_in(family)[cy.id] is Role.OWNER


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
async def test_demoting_the_last_owner_is_a_conflict_and_changes_nothing(role: Role) -> None:
    world = World()
    ada, _, _, family = _family(world)

    with pytest.raises(LastOwnerError):
        await ChangeMemberRole(world.uow).execute(world.caller(ada), family.id, ada.id, role)

    assert world.roles_in(family)[ada.id] is Role.OWNER
    assert world.uow.commits == 0


async def test_one_of_two_owners_may_be_demoted() -> None:
    world = World()
    ada, bob, _, family = _family(world)
    world.join(bob, family, Role.OWNER, LONG_AGO)

    await ChangeMemberRole(world.uow).execute(world.caller(ada), family.id, ada.id, Role.EDITOR)

    roles = world.roles_in(family)
    assert (roles[ada.id], roles[bob.id]) == (Role.EDITOR, Role.OWNER)
    assert world.uow.commits == 1


@pytest.mark.parametrize("member", ["bob", "cy"])
async def test_a_member_who_is_not_an_owner_may_not_change_roles(member: str) -> None:
    world = World()
    ada, bob, cy, family = _family(world)

    with pytest.raises(PermissionDeniedError):
        await ChangeMemberRole(world.uow).execute(
            world.caller(bob if member == "bob" else cy), family.id, ada.id, Role.VIEWER
        )

    assert world.uow.commits == 0


async def test_changing_a_role_in_a_household_the_caller_is_not_in_is_not_found() -> None:
    world = World()
    ada, _, _, family = _family(world)

    with pytest.raises(HouseholdNotFoundError):
        await ChangeMemberRole(world.uow).execute(
            world.caller(world.person("dan")), family.id, ada.id, Role.VIEWER
        )


async def test_changing_the_role_of_someone_who_is_not_a_member_is_not_found() -> None:
    world = World()
    ada, _, _, family = _family(world)
    dan = world.person("dan")

    with pytest.raises(MemberNotFoundError):
        await ChangeMemberRole(world.uow).execute(world.caller(ada), family.id, dan.id, Role.VIEWER)

    assert world.uow.commits == 0


async def test_a_non_owner_asking_about_a_non_member_is_forbidden_rather_than_not_found() -> None:
    world = World()
    _, bob, _, family = _family(world)
    dan = world.person("dan")

    with pytest.raises(PermissionDeniedError):
        await ChangeMemberRole(world.uow).execute(world.caller(bob), family.id, dan.id, Role.VIEWER)


async def test_changing_a_role_locks_the_household_row() -> None:
    world = World()
    ada, bob, _, family = _family(world)

    await ChangeMemberRole(world.uow).execute(world.caller(ada), family.id, bob.id, Role.VIEWER)

    assert locked_households(world.uow) == [family.id]


# --- RemoveMember --------------------------------------------------------------------------


async def test_an_owner_removes_a_member_and_commits() -> None:
    world = World()
    ada, bob, cy, family = _family(world)

    await RemoveMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, bob.id
    )

    assert world.roles_in(family) == {ada.id: Role.OWNER, cy.id: Role.VIEWER}
    assert world.uow.commits == 1


@pytest.mark.parametrize("member", ["bob", "cy"])
async def test_a_member_may_leave_the_household(member: str) -> None:
    world = World()
    _, bob, cy, family = _family(world)
    leaving = bob if member == "bob" else cy

    await RemoveMember(world.uow, world.clock, world.ids).execute(
        world.caller(leaving), family.id, leaving.id
    )

    assert leaving.id not in world.roles_in(family)


async def test_an_owner_may_leave_when_another_owner_stays() -> None:
    world = World()
    ada, bob, _, family = _family(world)
    world.join(bob, family, Role.OWNER, LONG_AGO)

    await RemoveMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, ada.id
    )

    assert ada.id not in world.roles_in(family)


@pytest.mark.parametrize("member", ["bob", "cy"])
async def test_a_member_who_is_not_an_owner_may_not_remove_someone_else(member: str) -> None:
    world = World()
    _, bob, cy, family = _family(world)
    caller, target = (bob, cy) if member == "bob" else (cy, bob)

    with pytest.raises(PermissionDeniedError):
        await RemoveMember(world.uow, world.clock, world.ids).execute(
            world.caller(caller), family.id, target.id
        )

    assert target.id in world.roles_in(family)
    assert world.uow.commits == 0


async def test_the_last_owner_leaving_is_a_conflict_and_changes_nothing() -> None:
    world = World()
    ada, _, _, family = _family(world)

    with pytest.raises(LastOwnerError):
        await RemoveMember(world.uow, world.clock, world.ids).execute(
            world.caller(ada), family.id, ada.id
        )

    assert world.roles_in(family)[ada.id] is Role.OWNER
    assert world.uow.commits == 0


async def test_the_only_member_may_not_leave_their_household() -> None:
    world = World()
    ada = world.person("ada")
    personal = ada.default_household_id
    assert personal is not None

    with pytest.raises(LastOwnerError):
        await RemoveMember(world.uow, world.clock, world.ids).execute(
            world.caller(ada), personal, ada.id
        )


async def test_removing_from_a_household_the_caller_is_not_in_is_not_found() -> None:
    world = World()
    _, bob, _, family = _family(world)

    with pytest.raises(HouseholdNotFoundError):
        await RemoveMember(world.uow, world.clock, world.ids).execute(
            world.caller(world.person("dan")), family.id, bob.id
        )


async def test_removing_someone_who_is_not_a_member_is_not_found() -> None:
    world = World()
    ada, _, _, family = _family(world)
    dan = world.person("dan")

    with pytest.raises(MemberNotFoundError):
        await RemoveMember(world.uow, world.clock, world.ids).execute(
            world.caller(ada), family.id, dan.id
        )


async def test_the_removed_members_default_moves_to_their_oldest_remaining_membership() -> None:
    world = World()
    ada, bob = world.person("ada"), world.person("bob", since=NOW - timedelta(days=2))
    family = world.household("Family", (ada, Role.OWNER))
    older = world.household("Older")
    world.join(bob, family, Role.EDITOR, NOW - timedelta(days=500))
    world.join(bob, older, Role.VIEWER, NOW - timedelta(days=100))
    world.user(bob).default_household_id = family.id

    await RemoveMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, bob.id
    )

    assert world.user(bob).default_household_id == older.id


async def test_a_member_leaving_their_last_household_gets_a_new_personal_one() -> None:
    world = World()
    ada = world.person("ada")
    bob_id = UserId(world.ids.new_id())
    family = world.household("Family", (ada, Role.OWNER))
    bob = put_user(world.uow.store, bob_id, "bob@example.com", default=family.id)
    world.join(bob, family, Role.EDITOR, LONG_AGO)

    await RemoveMember(world.uow, world.clock, world.ids).execute(
        world.caller(bob), family.id, bob.id
    )

    new_default = world.user(bob).default_household_id
    assert new_default not in (None, family.id)
    assert new_default is not None
    personal = world.stored(new_default)
    assert personal is not None
    assert personal.name == PERSONAL_HOUSEHOLD_NAME
    assert world.roles_in(personal) == {bob.id: Role.OWNER}
    categories = [c for c in world.uow.store.categories.values() if c.household_id == new_default]
    assert len(categories) == len(DEFAULT_CATEGORIES)


async def test_removing_a_member_whose_default_is_elsewhere_leaves_it_alone() -> None:
    world = World()
    ada, bob, _, family = _family(world)
    default = bob.default_household_id

    await RemoveMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, bob.id
    )

    assert world.user(bob).default_household_id == default


async def test_removing_a_member_locks_the_household_row() -> None:
    world = World()
    ada, bob, _, family = _family(world)

    await RemoveMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, bob.id
    )

    assert locked_households(world.uow) == [family.id]


# --- InviteMember --------------------------------------------------------------------------


async def test_an_owner_invites_a_normalised_email_for_seven_days_and_commits() -> None:
    world = World()
    ada, _, _, family = _family(world)

    invitation = await InviteMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, "  Dan@Example.COM ", Role.OWNER
    )

    assert invitation.email == "dan@example.com"
    assert (invitation.household_id, invitation.household_name) == (family.id, "Family")
    assert (invitation.role, invitation.invited_by) == (Role.OWNER, ada.id)
    assert (invitation.created_at, invitation.expires_at) == (NOW, NOW + timedelta(days=7))
    assert invitation.status is InvitationStatus.PENDING
    assert world.stored_invitation(invitation) is invitation
    assert world.uow.commits == 1


async def test_the_invitation_looks_the_same_whether_or_not_the_email_is_a_users() -> None:
    world = World()
    ada, _, _, family = _family(world)
    world.person("dan")
    invite = InviteMember(world.uow, world.clock, world.ids)

    user_s = await invite.execute(world.caller(ada), family.id, "dan@example.com", Role.VIEWER)
    nobody_s = await invite.execute(world.caller(ada), family.id, "eve@example.com", Role.VIEWER)

    def shape(i: Invitation) -> tuple[object, ...]:
        return (i.household_name, i.role, i.status, i.created_at, i.expires_at, i.invited_by)

    assert shape(user_s) == shape(nobody_s)


async def test_a_malformed_email_is_rejected_on_email_before_the_household_is_looked_up() -> None:
    world = World()
    dan = world.person("dan")

    with pytest.raises(RuleViolationError) as caught:
        await InviteMember(world.uow, world.clock, world.ids).execute(
            world.caller(dan), NOWHERE, "not an address", Role.VIEWER
        )

    assert [p.field for p in caught.value.problems] == ["email"]


@pytest.mark.parametrize("member", ["bob", "cy"])
async def test_a_member_who_is_not_an_owner_may_not_invite(member: str) -> None:
    world = World()
    _, bob, cy, family = _family(world)

    with pytest.raises(PermissionDeniedError):
        await InviteMember(world.uow, world.clock, world.ids).execute(
            world.caller(bob if member == "bob" else cy), family.id, "dan@example.com", Role.VIEWER
        )

    assert invitations_in(world.uow.store) == {}


async def test_inviting_into_a_household_the_caller_is_not_in_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)

    with pytest.raises(HouseholdNotFoundError):
        await InviteMember(world.uow, world.clock, world.ids).execute(
            world.caller(world.person("dan")), family.id, "eve@example.com", Role.VIEWER
        )


async def test_inviting_a_current_member_in_any_case_is_a_conflict() -> None:
    world = World()
    ada, _, _, family = _family(world)

    with pytest.raises(AlreadyMemberError):
        await InviteMember(world.uow, world.clock, world.ids).execute(
            world.caller(ada), family.id, "BOB@example.com", Role.VIEWER
        )

    assert invitations_in(world.uow.store) == {}
    assert world.uow.commits == 0


async def test_inviting_an_email_with_a_pending_invitation_is_a_conflict() -> None:
    world = World()
    ada, _, _, family = _family(world)
    world.invite(family, "dan@example.com")

    with pytest.raises(InvitationPendingError):
        await InviteMember(world.uow, world.clock, world.ids).execute(
            world.caller(ada), family.id, "dan@example.com", Role.VIEWER
        )

    assert len(invitations_in(world.uow.store)) == 1
    assert world.uow.commits == 0


async def test_an_expired_invitation_does_not_stop_a_new_one() -> None:
    world = World()
    ada, _, _, family = _family(world)
    world.invite(family, "dan@example.com", at=NOW - timedelta(days=7))

    invitation = await InviteMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, "dan@example.com", Role.VIEWER
    )

    assert invitation.is_pending(NOW)


@pytest.mark.parametrize(
    "status", [InvitationStatus.ACCEPTED, InvitationStatus.DECLINED, InvitationStatus.REVOKED]
)
async def test_an_answered_or_revoked_invitation_does_not_stop_a_new_one(
    status: InvitationStatus,
) -> None:
    world = World()
    ada, _, _, family = _family(world)
    world.invite(family, "dan@example.com", status=status)

    invitation = await InviteMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, "dan@example.com", Role.VIEWER
    )

    assert invitation.is_pending(NOW)


async def test_a_pending_invitation_to_another_household_does_not_stop_one_to_this() -> None:
    world = World()
    ada, _, _, family = _family(world)
    world.invite(world.household("Elsewhere"), "dan@example.com")

    invitation = await InviteMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, "dan@example.com", Role.VIEWER
    )

    assert invitation.household_id == family.id


async def test_inviting_locks_the_household_row() -> None:
    world = World()
    ada, _, _, family = _family(world)

    await InviteMember(world.uow, world.clock, world.ids).execute(
        world.caller(ada), family.id, "dan@example.com", Role.VIEWER
    )

    assert locked_households(world.uow) == [family.id]


# --- ListHouseholdInvitations --------------------------------------------------------------


async def test_an_owner_lists_the_pending_invitations_newest_first() -> None:
    world = World()
    ada, _, _, family = _family(world)
    older = world.invite(family, "dan@example.com", at=NOW - timedelta(days=3))
    newer = world.invite(family, "eve@example.com", at=NOW - timedelta(days=1))
    world.invite(family, "old@example.com", at=NOW - timedelta(days=8))
    world.invite(family, "no@example.com", status=InvitationStatus.DECLINED)
    world.invite(world.household("Elsewhere"), "far@example.com")

    invitations = await ListHouseholdInvitations(world.uow, world.clock).execute(
        world.caller(ada), family.id
    )

    assert [i.id for i in invitations] == [newer.id, older.id]
    assert {i.household_name for i in invitations} == {"Family"}


@pytest.mark.parametrize("member", ["bob", "cy"])
async def test_a_member_who_is_not_an_owner_may_not_list_invitations(member: str) -> None:
    world = World()
    _, bob, cy, family = _family(world)

    with pytest.raises(PermissionDeniedError):
        await ListHouseholdInvitations(world.uow, world.clock).execute(
            world.caller(bob if member == "bob" else cy), family.id
        )


async def test_the_invitations_of_a_household_the_caller_is_not_in_are_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)

    with pytest.raises(HouseholdNotFoundError):
        await ListHouseholdInvitations(world.uow, world.clock).execute(
            world.caller(world.person("dan")), family.id
        )


async def test_the_invitations_of_a_household_deleted_since_sign_in_are_not_found() -> None:
    world = World()
    ada, _, _, family = _family(world)
    caller = world.caller(ada)
    del households_in(world.uow.store)[family.id]

    with pytest.raises(HouseholdNotFoundError):
        await ListHouseholdInvitations(world.uow, world.clock).execute(caller, family.id)


# --- RevokeInvitation ----------------------------------------------------------------------


async def test_an_owner_revokes_a_pending_invitation_and_commits() -> None:
    world = World()
    ada, _, _, family = _family(world)
    invitation = world.invite(family, "dan@example.com")

    await RevokeInvitation(world.uow, world.clock).execute(
        world.caller(ada), family.id, invitation.id
    )

    assert world.stored_invitation(invitation).status is InvitationStatus.REVOKED
    assert world.uow.commits == 1
    assert locked_households(world.uow) == [family.id]


async def test_revoking_another_households_invitation_is_not_found() -> None:
    world = World()
    ada, _, _, family = _family(world)
    elsewhere = world.household("Elsewhere", (ada, Role.OWNER))
    invitation = world.invite(elsewhere, "dan@example.com")

    with pytest.raises(InvitationNotFoundError):
        await RevokeInvitation(world.uow, world.clock).execute(
            world.caller(ada), family.id, invitation.id
        )

    assert world.stored_invitation(invitation).status is InvitationStatus.PENDING


@pytest.mark.parametrize(
    "status", [InvitationStatus.ACCEPTED, InvitationStatus.DECLINED, InvitationStatus.REVOKED]
)
async def test_revoking_an_answered_or_revoked_invitation_is_not_found(
    status: InvitationStatus,
) -> None:
    world = World()
    ada, _, _, family = _family(world)
    invitation = world.invite(family, "dan@example.com", status=status)

    with pytest.raises(InvitationNotFoundError):
        await RevokeInvitation(world.uow, world.clock).execute(
            world.caller(ada), family.id, invitation.id
        )

    assert world.stored_invitation(invitation).status is status


async def test_revoking_a_missing_invitation_is_not_found() -> None:
    world = World()
    ada, _, _, family = _family(world)

    with pytest.raises(InvitationNotFoundError):
        await RevokeInvitation(world.uow, world.clock).execute(
            world.caller(ada), family.id, InvitationId(UUID(int=424242))
        )


@pytest.mark.parametrize("member", ["bob", "cy"])
async def test_a_member_who_is_not_an_owner_may_not_revoke(member: str) -> None:
    world = World()
    _, bob, cy, family = _family(world)
    invitation = world.invite(family, "dan@example.com")

    with pytest.raises(PermissionDeniedError):
        await RevokeInvitation(world.uow, world.clock).execute(
            world.caller(bob if member == "bob" else cy), family.id, invitation.id
        )

    assert world.stored_invitation(invitation).status is InvitationStatus.PENDING


async def test_revoking_in_a_household_the_caller_is_not_in_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)
    invitation = world.invite(family, "dan@example.com")

    with pytest.raises(HouseholdNotFoundError):
        await RevokeInvitation(world.uow, world.clock).execute(
            world.caller(world.person("eve")), family.id, invitation.id
        )


# --- ListMyInvitations ---------------------------------------------------------------------


async def test_the_caller_sees_the_pending_invitations_to_their_email_newest_first() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    elsewhere = world.household("Elsewhere")
    older = world.invite(family, "dan@example.com", at=NOW - timedelta(days=4))
    newer = world.invite(elsewhere, "dan@example.com", at=NOW - timedelta(days=2))
    world.invite(family, "eve@example.com")
    world.invite(elsewhere, "dan@example.com", at=NOW - timedelta(days=9))
    world.invite(family, "dan@example.com", status=InvitationStatus.REVOKED)

    invitations = await ListMyInvitations(world.uow, world.clock).execute(world.caller(dan))

    assert [(i.id, i.household_name) for i in invitations] == [
        (newer.id, "Elsewhere"),
        (older.id, "Family"),
    ]


# --- AcceptInvitation ----------------------------------------------------------------------


async def test_the_invitee_accepts_and_joins_with_the_invited_role() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    invitation = world.invite(family, "dan@example.com", role=Role.VIEWER)

    household, role = await AcceptInvitation(world.uow, world.clock).execute(
        world.caller(dan), invitation.id
    )

    assert (household.id, role) == (family.id, Role.VIEWER)
    assert world.roles_in(family)[dan.id] is Role.VIEWER
    joined = next(m for m in world.memberships_of(dan) if m.household_id == family.id)
    assert joined.joined_at == NOW
    assert world.stored_invitation(invitation).status is InvitationStatus.ACCEPTED
    assert world.uow.commits == 1


async def test_accepting_leaves_the_default_household_alone() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    default = dan.default_household_id
    invitation = world.invite(family, "dan@example.com")

    await AcceptInvitation(world.uow, world.clock).execute(world.caller(dan), invitation.id)

    assert world.user(dan).default_household_id == default


async def test_accepting_locks_the_household_row() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    invitation = world.invite(family, "dan@example.com")

    await AcceptInvitation(world.uow, world.clock).execute(world.caller(dan), invitation.id)

    assert locked_households(world.uow) == [family.id]


async def test_accepting_someone_elses_invitation_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    invitation = world.invite(family, "eve@example.com")

    with pytest.raises(InvitationNotFoundError):
        await AcceptInvitation(world.uow, world.clock).execute(world.caller(dan), invitation.id)

    assert dan.id not in world.roles_in(family)
    assert world.stored_invitation(invitation).status is InvitationStatus.PENDING


@pytest.mark.parametrize(
    "status", [InvitationStatus.ACCEPTED, InvitationStatus.DECLINED, InvitationStatus.REVOKED]
)
async def test_accepting_an_answered_or_revoked_invitation_is_not_found(
    status: InvitationStatus,
) -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    invitation = world.invite(family, "dan@example.com", status=status)

    with pytest.raises(InvitationNotFoundError):
        await AcceptInvitation(world.uow, world.clock).execute(world.caller(dan), invitation.id)

    assert dan.id not in world.roles_in(family)


async def test_accepting_an_invitation_the_moment_it_expires_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    invitation = world.invite(family, "dan@example.com", at=NOW - timedelta(days=7))

    with pytest.raises(InvitationNotFoundError):
        await AcceptInvitation(world.uow, world.clock).execute(world.caller(dan), invitation.id)


async def test_accepting_a_missing_invitation_is_not_found() -> None:
    world = World()
    dan = world.person("dan")

    with pytest.raises(InvitationNotFoundError):
        await AcceptInvitation(world.uow, world.clock).execute(
            world.caller(dan), InvitationId(UUID(int=424242))
        )


async def test_accepting_when_already_a_member_is_a_conflict_and_changes_nothing() -> None:
    world = World()
    _, bob, _, family = _family(world)
    invitation = world.invite(family, "bob@example.com", role=Role.OWNER)

    with pytest.raises(AlreadyMemberError):
        await AcceptInvitation(world.uow, world.clock).execute(world.caller(bob), invitation.id)

    assert world.roles_in(family)[bob.id] is Role.EDITOR
    assert world.stored_invitation(invitation).status is InvitationStatus.PENDING
    assert world.uow.commits == 0


# --- DeclineInvitation ---------------------------------------------------------------------


async def test_the_invitee_declines_without_joining_and_commits() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    invitation = world.invite(family, "dan@example.com")

    await DeclineInvitation(world.uow, world.clock).execute(world.caller(dan), invitation.id)

    assert world.stored_invitation(invitation).status is InvitationStatus.DECLINED
    assert dan.id not in world.roles_in(family)
    assert world.uow.commits == 1


async def test_declining_someone_elses_invitation_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    invitation = world.invite(family, "eve@example.com")

    with pytest.raises(InvitationNotFoundError):
        await DeclineInvitation(world.uow, world.clock).execute(world.caller(dan), invitation.id)

    assert world.stored_invitation(invitation).status is InvitationStatus.PENDING


async def test_declining_an_expired_invitation_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    invitation = world.invite(family, "dan@example.com", at=NOW - timedelta(days=8))

    with pytest.raises(InvitationNotFoundError):
        await DeclineInvitation(world.uow, world.clock).execute(world.caller(dan), invitation.id)


async def test_declining_an_accepted_invitation_is_not_found() -> None:
    world = World()
    _, _, _, family = _family(world)
    dan = world.person("dan")
    invitation = world.invite(family, "dan@example.com", status=InvitationStatus.ACCEPTED)

    with pytest.raises(InvitationNotFoundError):
        await DeclineInvitation(world.uow, world.clock).execute(world.caller(dan), invitation.id)

    assert world.stored_invitation(invitation).status is InvitationStatus.ACCEPTED
