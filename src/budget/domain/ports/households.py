"""Repositories of households, their memberships and their invitations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from budget.domain.model.household import Household, Invitation, Member, Membership, Role
from budget.domain.model.ids import HouseholdId, InvitationId, UserId
from budget.domain.model.paging import Page, PageRequest, Sort


class HouseholdRepository(Protocol):
    """Households and memberships. Households and memberships handed out are written back
    on commit (a renamed household, a changed role)."""

    def add(self, household: Household) -> None: ...

    async def get(self, household_id: HouseholdId, *, for_update: bool = False) -> Household | None:
        """``for_update`` locks the household's row until the end of the unit of work: every
        change of its members and invitations takes this lock first, so the last-owner and
        one-invitation rules hold under concurrent requests."""
        ...

    async def delete(self, household: Household) -> None:
        """Delete the household with all its data, memberships and invitations."""
        ...

    async def list_for(
        self, user_id: UserId, page: PageRequest, sort: Sort
    ) -> Page[tuple[Household, Role]]:
        """The households ``user_id`` belongs to with their role in each; ``sort`` on
        ``name`` or ``created_at``, ties on id in the same direction."""
        ...

    def add_membership(self, membership: Membership) -> None: ...

    async def memberships(self, household_id: HouseholdId) -> Sequence[Membership]:
        """Every membership of the household, oldest first (ties on user id)."""
        ...

    async def memberships_of(self, user_id: UserId) -> Sequence[Membership]:
        """Every membership of the user, oldest first (ties on household id)."""
        ...

    async def remove_membership(self, membership: Membership) -> None: ...

    async def members(self, household_id: HouseholdId) -> Sequence[Member]:
        """The members with their e-mail and display name, oldest first (ties on user id)."""
        ...


class InvitationRepository(Protocol):
    """Invitations into households. Invitations handed out carry their household's name
    and are written back on commit (accepted, declined, revoked)."""

    def add(self, invitation: Invitation) -> None: ...

    async def get(self, invitation_id: InvitationId) -> Invitation | None: ...

    async def pending_for_household(
        self, household_id: HouseholdId, now: datetime
    ) -> Sequence[Invitation]:
        """Pending, unexpired invitations of the household, newest first (ties on id)."""
        ...

    async def pending_for_email(self, email: str, now: datetime) -> Sequence[Invitation]:
        """Pending, unexpired invitations addressed to ``email``, newest first (ties on id)."""
        ...

    async def delete_for_email(self, email: str) -> None:
        """Remove every invitation addressed to ``email`` (a deleted user's)."""
        ...
