"""In-memory fakes of the household and invitation repositories, behaving like the real
adapters (``budget.adapters.households``).

They keep their rows in the fake store's free extension point ``store.extra`` (copied per
unit of work like every table): households under ``"households"``, memberships under
``"memberships"`` (keyed by ``membership_key``), invitations under ``"invitations"``.
Deleting a household takes its data with it, as ``ON DELETE CASCADE`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_OID, UUID, uuid5

from budget.domain.model.household import (
    Caller,
    Household,
    Invitation,
    InvitationStatus,
    Member,
    Membership,
    Role,
)
from budget.domain.model.ids import HouseholdId, InvitationId, UserId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.user import User

if TYPE_CHECKING:
    from tests.fakes import _Store

HOUSEHOLDS = "households"
MEMBERSHIPS = "memberships"
INVITATIONS = "invitations"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def membership_key(household_id: HouseholdId, user_id: UserId) -> UUID:
    """The key of a membership in ``store.extra["memberships"]`` (its table has no id)."""
    return uuid5(NAMESPACE_OID, f"{household_id}/{user_id}")


def households_in(store: _Store) -> dict[UUID, Household]:
    return store.extra[HOUSEHOLDS]


def memberships_in(store: _Store) -> dict[UUID, Membership]:
    return store.extra[MEMBERSHIPS]


def invitations_in(store: _Store) -> dict[UUID, Invitation]:
    return store.extra[INVITATIONS]


def put_household(store: _Store, household: Household, *members: tuple[UserId, Role]) -> None:
    """Store a household with members, each joining when the household was created."""
    households_in(store)[household.id] = household
    for user_id, role in members:
        put_membership(store, Membership(household.id, user_id, role, household.created_at))


def put_membership(store: _Store, membership: Membership) -> None:
    key = membership_key(membership.household_id, membership.user_id)
    memberships_in(store)[key] = membership


def put_invitation(store: _Store, invitation: Invitation) -> None:
    invitations_in(store)[invitation.id] = invitation


def put_user(
    store: _Store,
    user_id: UserId,
    email: str,
    *,
    display_name: str | None = None,
    default: HouseholdId | None = None,
    created_at: datetime = CREATED,
) -> User:
    """Store an active, non-admin user (password ``hashed:…`` like ``FakeHasher``'s)."""
    user = User(
        user_id,
        email,
        "hashed:correct horse battery staple",
        display_name,
        "EUR",
        False,
        True,
        created_at,
        created_at,
        default,
    )
    store.users[user.id] = user
    return user


def caller_of(store: _Store, user_id: UserId) -> Caller:
    """The user signed in with their roles as stored now (``get_caller``)."""
    return Caller(store.users[user_id], roles_of(store, user_id))


def locked_households(uow: object) -> list[HouseholdId]:
    """The households a ``FakeUnitOfWork`` locked (``get(for_update=True)``), in order, over
    all its units of work."""
    locked: list[HouseholdId] = vars(uow).get("locked_households", [])
    return locked


def roles_of(store: _Store, user_id: UserId) -> dict[HouseholdId, Role]:
    """The user's role in each of their households, as ``get_caller`` reads them."""
    return {m.household_id: m.role for m in memberships_in(store).values() if m.user_id == user_id}


def drop_memberships_of(store: _Store, user_id: UserId) -> None:
    """Remove every membership of a deleted user (``ON DELETE CASCADE``)."""
    rows = memberships_in(store)
    for key in [k for k, m in rows.items() if m.user_id == user_id]:
        del rows[key]


def _drop(rows: dict[Any, Any], household_id: HouseholdId) -> None:
    for key in [k for k, row in rows.items() if row.household_id == household_id]:
        del rows[key]


class FakeHouseholdRepository:
    """Households and memberships in the store; ``locked`` records every ``for_update`` get
    (shared by the unit of work's repositories over time, so a test can read it after)."""

    def __init__(self, store: _Store, locked: list[HouseholdId] | None = None) -> None:
        self._store = store
        self.locked = [] if locked is None else locked

    def add(self, household: Household) -> None:
        households_in(self._store)[household.id] = household

    async def get(self, household_id: HouseholdId, *, for_update: bool = False) -> Household | None:
        household = households_in(self._store).get(household_id)
        if household is not None and for_update:
            self.locked.append(household_id)
        return household

    async def delete(self, household: Household) -> None:
        store = self._store
        del households_in(store)[household.id]
        for account_id in [a.id for a in store.accounts.values() if a.household_id == household.id]:
            del store.accounts[account_id]
            del store.stored_balances[account_id]
        for table in (store.categories, store.transactions, store.budgets):
            _drop(table, household.id)
        store.totals = {k: v for k, v in store.totals.items() if k.household_id != household.id}
        _drop(memberships_in(store), household.id)
        _drop(invitations_in(store), household.id)

    async def list_for(
        self, user_id: UserId, page: PageRequest, sort: Sort
    ) -> Page[tuple[Household, Role]]:
        households = households_in(self._store)
        found = [
            (households[m.household_id], m.role)
            for m in memberships_in(self._store).values()
            if m.user_id == user_id and m.household_id in households
        ]
        ordered = sorted(
            found,
            key=lambda pair: (getattr(pair[0], sort.field), pair[0].id),
            reverse=sort.descending,
        )
        chosen = ordered[page.offset : page.offset + page.limit]
        return Page(chosen, len(ordered), page.limit, page.offset)

    def add_membership(self, membership: Membership) -> None:
        put_membership(self._store, membership)

    async def memberships(self, household_id: HouseholdId) -> Sequence[Membership]:
        found = [m for m in memberships_in(self._store).values() if m.household_id == household_id]
        return sorted(found, key=lambda m: (m.joined_at, m.user_id))

    async def memberships_of(self, user_id: UserId) -> Sequence[Membership]:
        found = [m for m in memberships_in(self._store).values() if m.user_id == user_id]
        return sorted(found, key=lambda m: (m.joined_at, m.household_id))

    async def remove_membership(self, membership: Membership) -> None:
        del memberships_in(self._store)[membership_key(membership.household_id, membership.user_id)]

    async def members(self, household_id: HouseholdId) -> Sequence[Member]:
        users = self._store.users
        return [
            Member(
                m.user_id,
                users[m.user_id].email,
                users[m.user_id].display_name,
                m.role,
                m.joined_at,
            )
            for m in await self.memberships(household_id)
            if m.user_id in users
        ]


class FakeInvitationRepository:
    """Invitations in the store, handed out with their household's name (and only while
    their household exists, as the real adapter's join does)."""

    def __init__(self, store: _Store) -> None:
        self._store = store

    def _handed_out(self, invitation: Invitation) -> Invitation | None:
        household = households_in(self._store).get(invitation.household_id)
        if household is None:
            return None
        invitation.household_name = household.name
        return invitation

    def _pending(self, now: datetime, wanted: Any) -> list[Invitation]:
        found = [
            i
            for i in invitations_in(self._store).values()
            if wanted(i)
            and i.status is InvitationStatus.PENDING
            and i.expires_at > now
            and self._handed_out(i) is not None
        ]
        return sorted(found, key=lambda i: (i.created_at, i.id), reverse=True)

    def add(self, invitation: Invitation) -> None:
        put_invitation(self._store, invitation)

    async def get(self, invitation_id: InvitationId) -> Invitation | None:
        invitation = invitations_in(self._store).get(invitation_id)
        return None if invitation is None else self._handed_out(invitation)

    async def pending_for_household(
        self, household_id: HouseholdId, now: datetime
    ) -> Sequence[Invitation]:
        return self._pending(now, lambda i: i.household_id == household_id)

    async def pending_for_email(self, email: str, now: datetime) -> Sequence[Invitation]:
        return self._pending(now, lambda i: i.email == email)

    async def delete_for_email(self, email: str) -> None:
        rows = invitations_in(self._store)
        for key in [k for k, i in rows.items() if i.email == email]:
            del rows[key]
