"""Use cases of households: create, read, rename and delete them and manage their members
(invitations: ``invitations.py``).

Every permission goes through ``Caller`` (``household.py``). Changes of members and
invitations lock the household's row first (``HouseholdRepository.get(for_update=True)``),
then read its memberships and invitations, so that the last-owner and one-pending-invitation
rules hold under concurrent requests. When several answers apply, the first of these wins
(contract, Part II): the request's own shape, not visible (404), not allowed (403), rules on
stored data (422), conflicts (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from budget.domain.errors import ConflictError, NotFoundError
from budget.domain.model.category import default_categories
from budget.domain.model.household import (
    PERSONAL_HOUSEHOLD_NAME,
    Action,
    Caller,
    Household,
    HouseholdNotFoundError,
    Member,
    Membership,
    Role,
    check_not_last_owner,
    clean_household_name,
    next_default,
)
from budget.domain.model.ids import HouseholdId, UserId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.user import User
from budget.domain.ports import Clock, IdFactory, UnitOfWork

HOUSEHOLD_SORTS = ("name", "created_at")


class MemberNotFoundError(NotFoundError):
    """The user is not a member of the household."""

    title = "Member not found"


class LastOwnerError(ConflictError):
    """The change would leave a household with members but no owner."""

    title = "Last owner of the household"


LAST_OWNER = "The household needs another owner first: hand ownership over, then retry."


def start_household(
    uow: UnitOfWork, ids: IdFactory, owner: UserId, name: str, now: datetime
) -> Household:
    """Add a new household with ``owner`` as its owner and the default categories.

    Raises:
        RuleViolationError: on ``name``, blank or over 100 characters after trimming.
    """
    household = Household.found(HouseholdId(ids.new_id()), name, now)
    uow.households.add(household)
    uow.households.add_membership(Membership(household.id, owner, Role.OWNER, now))
    for category in default_categories(household.id, now, ids.new_id):
        uow.categories.add(category)
    return household


async def move_default(
    uow: UnitOfWork, ids: IdFactory, user: User, leaving: HouseholdId, now: datetime
) -> None:
    """When ``leaving`` is the user's default household and stops being theirs: their
    oldest remaining membership becomes the default, or a new personal household."""
    if user.default_household_id != leaving:
        return
    chosen = next_default(await uow.households.memberships_of(user.id), leaving)
    if chosen is None:
        chosen = start_household(uow, ids, user.id, PERSONAL_HOUSEHOLD_NAME, now).id
    user.default_household_id = chosen
    user.touch(now)


async def existing_household(uow: UnitOfWork, household_id: HouseholdId) -> Household:
    household = await uow.households.get(household_id)
    if household is None:
        raise HouseholdNotFoundError()
    return household


async def locked_household(uow: UnitOfWork, household_id: HouseholdId) -> Household:
    household = await uow.households.get(household_id, for_update=True)
    if household is None:
        raise HouseholdNotFoundError()
    return household


def membership_of(memberships: Sequence[Membership], user_id: UserId) -> Membership:
    found = next((m for m in memberships if m.user_id == user_id), None)
    if found is None:
        raise MemberNotFoundError()
    return found


class CreateHousehold:
    """Create a household; the caller is its owner, and it gets the default categories.

    Raises:
        RuleViolationError: on ``name``, blank or over 100 characters after trimming.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, name: str) -> tuple[Household, Role]:
        clean_household_name(name)
        async with self._uow as uow:
            household = start_household(uow, self._ids, caller.id, name, self._clock.now())
            await uow.commit()
        return household, Role.OWNER


class ListHouseholds:
    """The households the caller belongs to, with the caller's role in each, sorted
    (``HOUSEHOLD_SORTS``, ties on id) and paged."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, caller: Caller, page: PageRequest, sort: Sort
    ) -> Page[tuple[Household, Role]]:
        async with self._uow as uow:
            return await uow.households.list_for(caller.id, page, sort)


class GetHousehold:
    """Read a household of the caller, with the caller's role in it.

    Raises:
        HouseholdNotFoundError: no such household, or the caller is not a member.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, household_id: HouseholdId) -> tuple[Household, Role]:
        role = caller.require(household_id, Action.READ)
        async with self._uow as uow:
            return await existing_household(uow, household_id), role


class RenameHousehold:
    """Rename a household (owners); names are trimmed, 1-100 characters, not unique.

    Raises:
        RuleViolationError: on ``name``, blank or over 100 characters after trimming.
        HouseholdNotFoundError: no such household, or the caller is not a member.
        PermissionDeniedError: the caller is not an owner.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, caller: Caller, household_id: HouseholdId, name: str
    ) -> tuple[Household, Role]:
        clean_household_name(name)
        role = caller.require(household_id, Action.MANAGE)
        async with self._uow as uow:
            household = await existing_household(uow, household_id)
            household.rename(name, self._clock.now())
            await uow.commit()
        return household, role


class DeleteHousehold:
    """Delete a household with all its data, memberships and invitations (owners).

    Every member whose default it was gets their oldest remaining membership as default, or
    a new personal household when they have none left.

    Raises:
        HouseholdNotFoundError: no such household, or the caller is not a member.
        PermissionDeniedError: the caller is not an owner.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, household_id: HouseholdId) -> None:
        caller.require(household_id, Action.MANAGE)
        now = self._clock.now()
        async with self._uow as uow:
            household = await locked_household(uow, household_id)
            for membership in await uow.households.memberships(household_id):
                user = await uow.users.get(membership.user_id)
                if user is not None:
                    await move_default(uow, self._ids, user, household_id, now)
            await uow.households.delete(household)
            await uow.commit()


class ListMembers:
    """The members of a household of the caller, oldest first.

    Raises:
        HouseholdNotFoundError: no such household, or the caller is not a member.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, household_id: HouseholdId) -> Sequence[Member]:
        caller.require(household_id, Action.READ)
        async with self._uow as uow:
            await existing_household(uow, household_id)
            return await uow.households.members(household_id)


class ChangeMemberRole:
    """Give a member another role (owners); the household keeps at least one owner.

    Raises:
        HouseholdNotFoundError: no such household, or the caller is not a member.
        PermissionDeniedError: the caller is not an owner.
        MemberNotFoundError: the user is not a member of the household.
        LastOwnerError: demoting the household's last owner.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, caller: Caller, household_id: HouseholdId, user_id: UserId, role: Role
    ) -> Member:
        caller.require(household_id, Action.MANAGE)
        async with self._uow as uow:
            await locked_household(uow, household_id)
            memberships = await uow.households.memberships(household_id)
            membership = membership_of(memberships, user_id)
            if not check_not_last_owner(memberships, user_id, role):
                raise LastOwnerError(LAST_OWNER)
            members = await uow.households.members(household_id)
            member = next((m for m in members if m.user_id == user_id), None)
            if member is None:
                raise MemberNotFoundError()
            membership.change_role(role)
            await uow.commit()
        return replace(member, role=role)


class RemoveMember:
    """Remove a member (owners), or leave a household (any member, themself).

    The removed user's default household moves as ``move_default`` says when it was this one.

    Raises:
        HouseholdNotFoundError: no such household, or the caller is not a member.
        PermissionDeniedError: a member who is not an owner removing someone else.
        MemberNotFoundError: the user is not a member of the household.
        LastOwnerError: removing the household's last owner.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, household_id: HouseholdId, user_id: UserId) -> None:
        caller.require_removal(household_id, user_id)
        async with self._uow as uow:
            await locked_household(uow, household_id)
            memberships = await uow.households.memberships(household_id)
            membership = membership_of(memberships, user_id)
            if not check_not_last_owner(memberships, user_id, None):
                raise LastOwnerError(LAST_OWNER)
            await uow.households.remove_membership(membership)
            user = await uow.users.get(user_id)
            if user is not None:
                await move_default(uow, self._ids, user, household_id, self._clock.now())
            await uow.commit()
