"""Use cases of invitations: an owner invites by e-mail, lists and revokes a household's
pending invitations; the invitee lists, accepts or declines their own.

Like the member changes (``households.py``), changes lock the household's row first, so
that the one-pending-invitation and one-membership rules hold under concurrent requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from budget.domain.errors import ConflictError, NotFoundError
from budget.domain.model.household import (
    Action,
    Caller,
    Household,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
)
from budget.domain.model.ids import HouseholdId, InvitationId
from budget.domain.model.user import normalize_email
from budget.domain.ports import Clock, IdFactory, UnitOfWork
from budget.domain.services.households import (
    existing_household,
    locked_household,
)


class InvitationNotFoundError(NotFoundError):
    """No such invitation for the caller: missing, someone else's, answered, revoked or
    expired."""

    title = "Invitation not found"


class AlreadyMemberError(ConflictError):
    """The user (or the owner of the e-mail address) is a member of the household already."""

    title = "Already a member"


class InvitationPendingError(ConflictError):
    """The e-mail address has a pending invitation to the household already."""

    title = "Invitation already pending"


class InviteMember:
    """Invite an e-mail address into a household with a role (owners); it expires after
    seven days. The answer never depends on whether a user has the address.

    Raises:
        RuleViolationError: on ``email``, a malformed address.
        HouseholdNotFoundError: no such household, or the caller is not a member.
        PermissionDeniedError: the caller is not an owner.
        AlreadyMemberError: the address is a current member's.
        InvitationPendingError: the address has a pending invitation to the household.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(
        self, caller: Caller, household_id: HouseholdId, email: str, role: Role
    ) -> Invitation:
        address = normalize_email(email)
        caller.require(household_id, Action.MANAGE)
        now = self._clock.now()
        async with self._uow as uow:
            household = await locked_household(uow, household_id)
            if any(m.email == address for m in await uow.households.members(household_id)):
                raise AlreadyMemberError(f"{address} is a member of the household already.")
            pending = await uow.invitations.pending_for_household(household_id, now)
            if any(invitation.is_for(address) for invitation in pending):
                raise InvitationPendingError(f"{address} has a pending invitation already.")
            invitation_id = InvitationId(self._ids.new_id())
            invitation = Invitation.issue(invitation_id, household, address, role, caller.id, now)
            uow.invitations.add(invitation)
            await uow.commit()
        return invitation


class ListHouseholdInvitations:
    """The pending (unexpired) invitations of a household, newest first (owners).

    Raises:
        HouseholdNotFoundError: no such household, or the caller is not a member.
        PermissionDeniedError: the caller is not an owner.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, caller: Caller, household_id: HouseholdId) -> Sequence[Invitation]:
        caller.require(household_id, Action.MANAGE)
        async with self._uow as uow:
            await existing_household(uow, household_id)
            return await uow.invitations.pending_for_household(household_id, self._clock.now())


class RevokeInvitation:
    """Revoke a pending invitation of a household (owners).

    Raises:
        HouseholdNotFoundError: no such household, or the caller is not a member.
        PermissionDeniedError: the caller is not an owner.
        InvitationNotFoundError: no pending invitation with this id in the household.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, caller: Caller, household_id: HouseholdId, invitation_id: InvitationId
    ) -> None:
        caller.require(household_id, Action.MANAGE)
        async with self._uow as uow:
            await locked_household(uow, household_id)
            invitation = await uow.invitations.get(invitation_id)
            if (
                invitation is None
                or invitation.household_id != household_id
                or not invitation.is_pending(self._clock.now())
            ):
                raise InvitationNotFoundError()
            invitation.settle(InvitationStatus.REVOKED)
            await uow.commit()


class ListMyInvitations:
    """The pending, unexpired invitations addressed to the caller's e-mail, newest first."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, caller: Caller) -> Sequence[Invitation]:
        async with self._uow as uow:
            return await uow.invitations.pending_for_email(caller.email, self._clock.now())


async def _open_invitation(
    uow: UnitOfWork, caller: Caller, invitation_id: InvitationId, now: datetime
) -> tuple[Household, Invitation]:
    """The invitation, when the caller may still answer it, with its household locked."""
    found = await uow.invitations.get(invitation_id)
    if found is None or not found.is_open_to(caller.email, now):
        raise InvitationNotFoundError()
    household = await uow.households.get(found.household_id, for_update=True)
    # Read again under the lock: a concurrent revocation or answer has been written by now.
    invitation = await uow.invitations.get(invitation_id)
    if household is None or invitation is None or not invitation.is_open_to(caller.email, now):
        raise InvitationNotFoundError()
    return household, invitation


class AcceptInvitation:
    """Accept an invitation addressed to the caller: they join its household with its role.

    Raises:
        InvitationNotFoundError: missing, someone else's, answered, revoked or expired.
        AlreadyMemberError: the caller is a member of the household already.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, caller: Caller, invitation_id: InvitationId) -> tuple[Household, Role]:
        now = self._clock.now()
        async with self._uow as uow:
            household, invitation = await _open_invitation(uow, caller, invitation_id, now)
            memberships = await uow.households.memberships(household.id)
            if any(m.user_id == caller.id for m in memberships):
                raise AlreadyMemberError("You are a member of the household already.")
            uow.households.add_membership(Membership(household.id, caller.id, invitation.role, now))
            invitation.settle(InvitationStatus.ACCEPTED)
            await uow.commit()
        return household, invitation.role


class DeclineInvitation:
    """Decline an invitation addressed to the caller.

    Raises:
        InvitationNotFoundError: missing, someone else's, answered, revoked or expired.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, caller: Caller, invitation_id: InvitationId) -> None:
        async with self._uow as uow:
            _, invitation = await _open_invitation(uow, caller, invitation_id, self._clock.now())
            invitation.settle(InvitationStatus.DECLINED)
            await uow.commit()
