"""Users and their households over in-memory fakes: registration makes a personal household,
a signed-in user carries their roles, the default household can be chosen, and deleting a
user follows the household rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from budget.domain.errors import AuthenticationError, RuleViolationError
from budget.domain.model.category import DEFAULT_CATEGORIES
from budget.domain.model.household import (
    PERSONAL_HOUSEHOLD_NAME,
    Household,
    Invitation,
    Membership,
    Role,
)
from budget.domain.model.ids import HouseholdId, InvitationId, UserId
from budget.domain.model.user import User
from budget.domain.services.auth import (
    Authenticate,
    EmailTakenError,
    LogIn,
    LoginLimits,
    LoginThrottle,
    RegisterUser,
    Registration,
    TokenIssuer,
    TokenPolicy,
)
from budget.domain.services.households import LastOwnerError
from budget.domain.services.users import DeleteUser, ProfileChanges, UpdateProfile
from tests.fakes import (
    FakeClock,
    FakeCodec,
    FakeHasher,
    FakeIds,
    FakeLoginAttemptStore,
    FakeUnitOfWork,
)
from tests.fakes_households import (
    households_in,
    invitations_in,
    locked_households,
    memberships_in,
    put_household,
    put_invitation,
    put_membership,
    put_user,
)

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=300)


@dataclass
class World:
    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    clock: FakeClock = field(default_factory=lambda: FakeClock(NOW))
    ids: FakeIds = field(default_factory=FakeIds)
    codec: FakeCodec = field(default_factory=FakeCodec)

    def person(self, name: str) -> User:
        """A user with a personal household that they own and that is their default."""
        user_id = UserId(self.ids.new_id())
        personal = Household(HouseholdId(self.ids.new_id()), f"{name}'s", LONG_AGO, LONG_AGO)
        put_household(self.uow.store, personal, (user_id, Role.OWNER))
        return put_user(self.uow.store, user_id, f"{name}@example.com", default=personal.id)

    def household(self, name: str, *members: tuple[User, Role]) -> Household:
        household = Household(HouseholdId(self.ids.new_id()), name, LONG_AGO, LONG_AGO)
        put_household(self.uow.store, household, *((u.id, role) for u, role in members))
        return household

    def invite(self, household: Household, email: str) -> Invitation:
        invitation = Invitation.issue(
            InvitationId(self.ids.new_id()), household, email, Role.EDITOR, UserId(UUID(int=0)), NOW
        )
        put_invitation(self.uow.store, invitation)
        return invitation

    def register(self) -> RegisterUser:
        return RegisterUser(self.uow, FakeHasher(), self.clock, self.ids)

    def roles_in(self, household: Household) -> dict[UserId, Role]:
        memberships = memberships_in(self.uow.store).values()
        return {m.user_id: m.role for m in memberships if m.household_id == household.id}

    def stored(self, household_id: HouseholdId | None) -> Household | None:
        return None if household_id is None else households_in(self.uow.store).get(household_id)


def _personal(world: World, user: User) -> Household:
    household = world.stored(user.default_household_id)
    assert household is not None
    return household


# --- RegisterUser --------------------------------------------------------------------------


async def test_registering_creates_a_personal_household_owned_by_the_user_as_default() -> None:
    world = World()

    user = await world.register().execute(Registration("ada@example.com", PASSWORD))

    personal = _personal(world, user)
    assert (personal.name, personal.created_at) == (PERSONAL_HOUSEHOLD_NAME, NOW)
    assert world.roles_in(personal) == {user.id: Role.OWNER}
    assert world.uow.store.users[user.id].default_household_id == personal.id
    assert world.uow.commits == 1


async def test_the_personal_household_gets_the_default_categories() -> None:
    world = World()

    user = await world.register().execute(Registration("ada@example.com", PASSWORD))

    household = user.default_household_id
    mine = [c for c in world.uow.store.categories.values() if c.household_id == household]
    assert sorted((c.kind, c.name) for c in mine) == sorted(DEFAULT_CATEGORIES)


async def test_each_registration_gets_a_household_of_its_own() -> None:
    world = World()

    ada = await world.register().execute(Registration("ada@example.com", PASSWORD))
    bob = await world.register().execute(Registration("bob@example.com", PASSWORD))

    assert ada.default_household_id != bob.default_household_id
    assert len(households_in(world.uow.store)) == 2


async def test_a_refused_registration_creates_no_household() -> None:
    world = World()
    world.person("ada")

    with pytest.raises(EmailTakenError):
        await world.register().execute(Registration("ADA@example.com", PASSWORD))

    assert len(households_in(world.uow.store)) == 1
    assert world.uow.store.categories == {}


# --- Authenticate --------------------------------------------------------------------------


async def _access_token(world: World, email: str) -> str:
    throttle = LoginThrottle(FakeLoginAttemptStore(), LoginLimits(5, 5, timedelta(minutes=15)))
    issuer = TokenIssuer(world.codec, world.ids, TokenPolicy(timedelta(minutes=15), timedelta(1)))
    log_in = LogIn(world.uow, FakeHasher(), world.clock, issuer, throttle)
    return (await log_in.execute(email, PASSWORD, "203.0.113.7")).access_token


async def test_a_registered_user_authenticates_as_the_owner_of_their_personal_household() -> None:
    world = World()
    user = await world.register().execute(Registration("ada@example.com", PASSWORD))
    token = await _access_token(world, "ada@example.com")

    caller = await Authenticate(world.uow, world.codec).execute(token)

    assert caller.id == user.id
    assert caller.roles == {user.default_household_id: Role.OWNER}


async def test_the_caller_carries_the_role_in_every_household_as_stored_now() -> None:
    world = World()
    ada = world.person("ada")
    family = world.household("Family", (ada, Role.VIEWER))
    token = await _access_token(world, "ada@example.com")
    put_membership(world.uow.store, Membership(family.id, ada.id, Role.EDITOR, LONG_AGO))

    caller = await Authenticate(world.uow, world.codec).execute(token)

    assert caller.roles == {ada.default_household_id: Role.OWNER, family.id: Role.EDITOR}


async def test_a_deactivated_user_does_not_authenticate_as_a_caller() -> None:
    world = World()
    ada = world.person("ada")
    token = await _access_token(world, "ada@example.com")
    world.uow.store.users[ada.id].is_active = False

    with pytest.raises(AuthenticationError):
        await Authenticate(world.uow, world.codec).execute(token)


# --- UpdateProfile: default household ------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
async def test_the_default_household_may_be_any_household_the_user_belongs_to(role: Role) -> None:
    world = World()
    ada = world.person("ada")
    family = world.household("Family", (ada, role))

    user = await UpdateProfile(world.uow, world.clock).execute(
        ada.id, ProfileChanges(default_household_id=family.id)
    )

    assert user.default_household_id == family.id
    assert world.uow.store.users[ada.id].default_household_id == family.id
    assert world.uow.commits == 1


async def test_a_default_household_the_user_is_not_in_is_a_violation_on_default_household_id() -> (
    None
):
    world = World()
    ada, bob = world.person("ada"), world.person("bob")
    default = ada.default_household_id

    with pytest.raises(RuleViolationError) as caught:
        await UpdateProfile(world.uow, world.clock).execute(
            ada.id, ProfileChanges(default_household_id=bob.default_household_id)
        )

    assert [p.field for p in caught.value.problems] == ["default_household_id"]
    assert world.uow.store.users[ada.id].default_household_id == default
    assert world.uow.commits == 0


async def test_a_missing_household_as_default_is_a_violation_on_default_household_id() -> None:
    world = World()
    ada = world.person("ada")

    with pytest.raises(RuleViolationError) as caught:
        await UpdateProfile(world.uow, world.clock).execute(
            ada.id, ProfileChanges(default_household_id=HouseholdId(UUID(int=999_999)))
        )

    assert [p.field for p in caught.value.problems] == ["default_household_id"]


async def test_a_profile_change_without_a_default_household_leaves_it_alone() -> None:
    world = World()
    ada = world.person("ada")
    default = ada.default_household_id

    await UpdateProfile(world.uow, world.clock).execute(
        ada.id, ProfileChanges(default_currency="USD")
    )

    assert world.uow.store.users[ada.id].default_household_id == default


# --- DeleteUser ----------------------------------------------------------------------------


async def test_deleting_a_user_deletes_the_households_they_are_alone_in_with_their_data() -> None:
    world = World()
    ada = await world.register().execute(Registration("ada@example.com", PASSWORD))
    personal = _personal(world, ada)

    await DeleteUser(world.uow).execute(ada.id)

    assert world.stored(personal.id) is None
    assert world.uow.store.categories == {}
    assert ada.id not in world.uow.store.users
    assert world.uow.commits == 2


async def test_a_household_with_other_members_stays_without_the_deleted_user() -> None:
    world = World()
    ada, bob = world.person("ada"), world.person("bob")
    family = world.household("Family", (ada, Role.EDITOR), (bob, Role.OWNER))

    await DeleteUser(world.uow).execute(ada.id)

    assert world.stored(family.id) is not None
    assert world.roles_in(family) == {bob.id: Role.OWNER}
    assert all(m.user_id != ada.id for m in memberships_in(world.uow.store).values())


async def test_one_of_two_owners_may_delete_themself() -> None:
    world = World()
    ada, bob = world.person("ada"), world.person("bob")
    family = world.household("Family", (ada, Role.OWNER), (bob, Role.OWNER))

    await DeleteUser(world.uow).execute(ada.id)

    assert world.roles_in(family) == {bob.id: Role.OWNER}


async def test_the_last_owner_of_a_household_with_other_members_may_not_be_deleted() -> None:
    world = World()
    ada, bob = world.person("ada"), world.person("bob")
    family = world.household("Family", (ada, Role.OWNER), (bob, Role.EDITOR))
    personal = ada.default_household_id

    with pytest.raises(LastOwnerError):
        await DeleteUser(world.uow).execute(ada.id)

    assert ada.id in world.uow.store.users
    assert world.stored(personal) is not None
    assert world.roles_in(family) == {ada.id: Role.OWNER, bob.id: Role.EDITOR}
    assert world.uow.commits == 0


async def test_invitations_addressed_to_the_deleted_user_are_removed() -> None:
    world = World()
    ada, bob = world.person("ada"), world.person("bob")
    family = world.household("Family", (bob, Role.OWNER))
    world.invite(family, "ada@example.com")
    kept = world.invite(family, "eve@example.com")

    await DeleteUser(world.uow).execute(ada.id)

    assert list(invitations_in(world.uow.store)) == [kept.id]


async def test_deleting_a_user_locks_each_of_their_households_in_id_order() -> None:
    world = World()
    ada, bob = world.person("ada"), world.person("bob")
    first = world.household("First", (bob, Role.OWNER))
    second = world.household("Second", (bob, Role.OWNER))
    # Joined in the other order than their ids: the locks follow the ids.
    put_membership(world.uow.store, Membership(first.id, ada.id, Role.VIEWER, NOW))
    put_membership(world.uow.store, Membership(second.id, ada.id, Role.EDITOR, LONG_AGO))

    await DeleteUser(world.uow).execute(ada.id)

    personal = ada.default_household_id
    assert personal is not None
    assert locked_households(world.uow) == sorted([personal, first.id, second.id])
