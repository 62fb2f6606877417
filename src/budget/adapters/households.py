"""The repositories of households, memberships and invitations, with their row mappers.

Households and invitations are written like every table with an ``id``: a ``TableWrites``
each (inserted when added, their changed columns updated when handed out). Memberships
have no ``id``, the column ``TableWrites`` updates rows by: their key is ``(household_id,
user_id)``, so they get a writer of their own, ``MembershipWrites``, that does the same by
that key at the table's rank (``writes.rank_of``): a role changed on a membership handed
out is written at commit. Deletes run at once, as everywhere (``uow.py``): a household's
(``ON DELETE CASCADE`` takes its data, memberships and invitations with it), a
membership's, and the invitations of a deleted user's e-mail.

``get(..., for_update=True)`` locks the household's row on PostgreSQL only
(``dialects.locks_rows``): a SQLite writer holds the whole database already.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from budget.adapters.database import RowValues, UnitSession, plain_row, plain_rows
from budget.adapters.dialects import locks_rows
from budget.adapters.paging import ordered, page_of
from budget.adapters.tables import HouseholdRow, InvitationRow, MembershipRow, UserRow
from budget.adapters.writes import ChangeObserver, PendingWrites, TableWrites, rank_of
from budget.domain.model.household import (
    Household,
    Invitation,
    InvitationStatus,
    Member,
    Membership,
    Role,
)
from budget.domain.model.ids import HouseholdId, InvitationId, UserId
from budget.domain.model.paging import Page, PageRequest, Sort

HOUSEHOLDS = cast("Table", HouseholdRow.__table__)
MEMBERSHIPS = cast("Table", MembershipRow.__table__)
INVITATIONS = cast("Table", InvitationRow.__table__)
_households = HOUSEHOLDS.c
_memberships = MEMBERSHIPS.c
_invitations = INVITATIONS.c
_users = cast("Table", UserRow.__table__).c

_HOUSEHOLD = select(HOUSEHOLDS).where(_households.id == bindparam("household_id"))
_HOUSEHOLD_FOR_UPDATE = _HOUSEHOLD.with_for_update()
_SORTS: dict[str, Any] = {"name": _households.name, "created_at": _households.created_at}
_WITH_ROLE = select(HOUSEHOLDS, _memberships.role.label("role")).join(
    MEMBERSHIPS, _memberships.household_id == _households.id
)
"""Households with a member's role in each (``list_for`` picks the member)."""
_MEMBERSHIPS = (
    select(MEMBERSHIPS)
    .where(_memberships.household_id == bindparam("household_id"))
    .order_by(_memberships.joined_at, _memberships.user_id)
)
_MEMBERSHIPS_OF = (
    select(MEMBERSHIPS)
    .where(_memberships.user_id == bindparam("user_id"))
    .order_by(_memberships.joined_at, _memberships.household_id)
)
_MEMBERS = (
    select(
        _memberships.user_id,
        _users.email,
        _users.display_name,
        _memberships.role,
        _memberships.joined_at,
    )
    .join(UserRow, _users.id == _memberships.user_id)
    .where(_memberships.household_id == bindparam("household_id"))
    .order_by(_memberships.joined_at, _memberships.user_id)
)
_WITH_HOUSEHOLD_NAME = select(INVITATIONS, _households.name.label("household_name")).join(
    HOUSEHOLDS, _households.id == _invitations.household_id
)
"""Invitations as they are handed out: with their household's name."""
_INVITATION = _WITH_HOUSEHOLD_NAME.where(_invitations.id == bindparam("invitation_id"))
_PENDING = _WITH_HOUSEHOLD_NAME.where(
    _invitations.status == InvitationStatus.PENDING.value,
    _invitations.expires_at > bindparam("now"),
).order_by(_invitations.created_at.desc(), _invitations.id.desc())
_PENDING_FOR_HOUSEHOLD = _PENDING.where(_invitations.household_id == bindparam("household_id"))
_PENDING_FOR_EMAIL = _PENDING.where(_invitations.email == bindparam("email"))


def household_from_row(row: RowValues) -> Household:
    """A household from a row of ``households`` (a plain row's ``_mapping``)."""
    return Household(HouseholdId(row["id"]), row["name"], row["created_at"], row["updated_at"])


def household_columns(household: Household) -> dict[str, Any]:
    """Every column of a household's row."""
    return {
        "id": household.id,
        "name": household.name,
        "created_at": household.created_at,
        "updated_at": household.updated_at,
    }


def membership_from_row(row: RowValues) -> Membership:
    """A membership from a row of ``memberships`` (a plain row's ``_mapping``)."""
    return Membership(
        HouseholdId(row["household_id"]),
        UserId(row["user_id"]),
        Role(row["role"]),
        row["joined_at"],
    )


def membership_columns(membership: Membership) -> dict[str, Any]:
    """Every column of a membership's row."""
    return {
        "household_id": membership.household_id,
        "user_id": membership.user_id,
        "role": membership.role.value,
        "joined_at": membership.joined_at,
    }


def member_from_row(row: RowValues) -> Member:
    """A member from a row of ``memberships`` joined with its user's ``email`` and
    ``display_name``."""
    return Member(
        UserId(row["user_id"]),
        row["email"],
        row["display_name"],
        Role(row["role"]),
        row["joined_at"],
    )


def invitation_from_row(row: RowValues) -> Invitation:
    """An invitation from a row of ``invitations`` joined with its household's name as
    ``household_name`` (a plain row's ``_mapping``)."""
    invited_by = row["invited_by"]
    return Invitation(
        InvitationId(row["id"]),
        HouseholdId(row["household_id"]),
        row["email"],
        Role(row["role"]),
        None if invited_by is None else UserId(invited_by),
        row["created_at"],
        row["expires_at"],
        InvitationStatus(row["status"]),
        row["household_name"],
    )


def invitation_columns(invitation: Invitation) -> dict[str, Any]:
    """Every column of an invitation's row (``household_name`` is its household's)."""
    return {
        "id": invitation.id,
        "household_id": invitation.household_id,
        "email": invitation.email,
        "role": invitation.role.value,
        "invited_by": invitation.invited_by,
        "status": invitation.status.value,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
    }


_MEMBERSHIP_KEY = ("household_id", "user_id")


def _updatable(membership: Membership) -> dict[str, Any]:
    values = membership_columns(membership)
    return {name: value for name, value in values.items() if name not in _MEMBERSHIP_KEY}


class MembershipWrites:
    """The memberships a unit of work added or handed out, written at commit as
    ``TableWrites`` writes a table with an ``id`` (which it updates rows by): one
    ``UPDATE`` of the changed columns (the role) of each membership handed out, by its key
    ``(household_id, user_id)``, then one ``INSERT`` (many rows) of the added ones, at the
    table's rank. Entities are keyed by object, as there; ``forget`` drops them by
    membership key, every copy handed out of a removed membership or of a deleted
    household's memberships."""

    def __init__(self) -> None:
        self.rank = rank_of(MEMBERSHIPS)
        self._added: dict[int, Membership] = {}
        self._seen: dict[int, tuple[Membership, dict[str, Any]]] = {}
        self.observer: ChangeObserver | None = None
        """Told of a changed role: the household's representation (its ``role``) changed."""

    def add(self, membership: Membership) -> None:
        """Insert ``membership`` at commit (with its columns as they are then)."""
        self._added[id(membership)] = membership

    def seen(self, membership: Membership) -> Membership:
        """Track ``membership``, just read: its changed columns are written at commit."""
        self._seen[id(membership)] = (membership, _updatable(membership))
        return membership

    def forget(self, household_id: HouseholdId, user_id: UserId | None = None) -> bool:
        """Stop tracking the household's memberships (only ``user_id``'s, when given): they
        are being deleted. True if they were only added (there is no row to delete)."""

        def matches(membership: Membership) -> bool:
            return membership.household_id == household_id and (
                user_id is None or membership.user_id == user_id
            )

        added = [key for key, membership in self._added.items() if matches(membership)]
        seen = [key for key, (membership, _) in self._seen.items() if matches(membership)]
        for key in added:
            del self._added[key]
        for key in seen:
            del self._seen[key]
        return bool(added) and not seen

    async def write(self, connection: AsyncConnection) -> None:
        """Write what changed since the last call; written memberships stay tracked."""
        for key, (membership, stored) in self._seen.items():
            values = _updatable(membership)
            changed = {name: value for name, value in values.items() if stored[name] != value}
            if changed:
                where = (
                    _memberships.household_id == membership.household_id,
                    _memberships.user_id == membership.user_id,
                )
                await connection.execute(update(MEMBERSHIPS).where(*where).values(changed))
                self._seen[key] = (membership, values)
                if self.observer is not None:
                    household = membership.household_id
                    self.observer.touched("household", household, household)
        if self._added:
            added, self._added = self._added, {}
            rows = [membership_columns(membership) for membership in added.values()]
            await connection.execute(insert(MEMBERSHIPS), rows)
            for key, membership in added.items():
                self._seen[key] = (membership, _updatable(membership))


class SqlAlchemyHouseholdRepository:
    """``HouseholdRepository`` in the unit of work's session: plain-row reads, Core writes
    at commit (see the module). Households and memberships handed out by a unit of work
    that may write are tracked and written back on commit."""

    def __init__(
        self, session: UnitSession, writes: PendingWrites, *, read_only: bool = False
    ) -> None:
        self._session = session
        self._read_only = read_only
        self._rows = writes.register(TableWrites(HOUSEHOLDS, household_columns))
        self._memberships = writes.register(MembershipWrites())
        self._memberships.observer = writes.observer

    def _household(self, row: RowValues) -> Household:
        household = household_from_row(row)
        return household if self._read_only else self._rows.seen(household)

    def _membership(self, row: RowValues) -> Membership:
        membership = membership_from_row(row)
        return membership if self._read_only else self._memberships.seen(membership)

    def add(self, household: Household) -> None:
        self._rows.add(household)

    async def get(self, household_id: HouseholdId, *, for_update: bool = False) -> Household | None:
        locking = for_update and not self._read_only and locks_rows(self._session.dialect_name)
        statement = _HOUSEHOLD_FOR_UPDATE if locking else _HOUSEHOLD
        found = await plain_row(self._session, statement, {"household_id": household_id})
        return None if found is None else self._household(found._mapping)

    async def delete(self, household: Household) -> None:
        # Its memberships go with it (ON DELETE CASCADE), so none of them is written back;
        # nor are the new ones, which would refer to a household that is gone.
        self._memberships.forget(household.id)
        if self._rows.forget(household):
            return
        connection = await self._session.connection()
        await connection.execute(delete(HOUSEHOLDS).where(_households.id == household.id))

    async def list_for(
        self, user_id: UserId, page: PageRequest, sort: Sort
    ) -> Page[tuple[Household, Role]]:
        conditions = [_memberships.user_id == user_id]
        statement = ordered(_WITH_ROLE.where(*conditions), _SORTS[sort.field], _households.id, sort)
        rows, total = await page_of(self._session, MEMBERSHIPS, statement, conditions, page)
        items = [(self._household(r._mapping), Role(r.role)) for r in rows]
        return Page(items, total, page.limit, page.offset)

    def add_membership(self, membership: Membership) -> None:
        self._memberships.add(membership)

    async def memberships(self, household_id: HouseholdId) -> Sequence[Membership]:
        rows = await plain_rows(self._session, _MEMBERSHIPS, {"household_id": household_id})
        return [self._membership(r._mapping) for r in rows]

    async def memberships_of(self, user_id: UserId) -> Sequence[Membership]:
        rows = await plain_rows(self._session, _MEMBERSHIPS_OF, {"user_id": user_id})
        return [self._membership(r._mapping) for r in rows]

    async def remove_membership(self, membership: Membership) -> None:
        household_id, user_id = membership.household_id, membership.user_id
        if self._memberships.forget(household_id, user_id):
            return
        connection = await self._session.connection()
        await connection.execute(
            delete(MEMBERSHIPS).where(
                _memberships.household_id == household_id, _memberships.user_id == user_id
            )
        )

    async def members(self, household_id: HouseholdId) -> Sequence[Member]:
        rows = await plain_rows(self._session, _MEMBERS, {"household_id": household_id})
        return [member_from_row(r._mapping) for r in rows]


class SqlAlchemyInvitationRepository:
    """``InvitationRepository`` in the unit of work's session: plain-row reads joined with
    the household's name, Core writes at commit (``TableWrites``)."""

    def __init__(
        self, session: UnitSession, writes: PendingWrites, *, read_only: bool = False
    ) -> None:
        self._session = session
        self._read_only = read_only
        self._rows = writes.register(TableWrites(INVITATIONS, invitation_columns))
        self._tracked: dict[int, Invitation] = {}

    def _track(self, invitation: Invitation) -> Invitation:
        self._tracked[id(invitation)] = invitation
        return invitation

    async def _handed_out(self, statement: Any, params: Mapping[str, Any]) -> list[Invitation]:
        rows = await plain_rows(self._session, statement, params)
        invitations = [invitation_from_row(r._mapping) for r in rows]
        if self._read_only:
            return invitations
        return [self._track(self._rows.seen(invitation)) for invitation in invitations]

    def add(self, invitation: Invitation) -> None:
        self._rows.add(self._track(invitation))

    async def get(self, invitation_id: InvitationId) -> Invitation | None:
        found = await self._handed_out(_INVITATION, {"invitation_id": invitation_id})
        return found[0] if found else None

    async def pending_for_household(
        self, household_id: HouseholdId, now: datetime
    ) -> Sequence[Invitation]:
        params = {"household_id": household_id, "now": now}
        return await self._handed_out(_PENDING_FOR_HOUSEHOLD, params)

    async def pending_for_email(self, email: str, now: datetime) -> Sequence[Invitation]:
        return await self._handed_out(_PENDING_FOR_EMAIL, {"email": email, "now": now})

    async def delete_for_email(self, email: str) -> None:
        # The ones added or handed out in this unit of work go too: none is written back.
        for key, invitation in list(self._tracked.items()):
            if invitation.email == email:
                self._rows.forget(invitation)
                del self._tracked[key]
        connection = await self._session.connection()
        await connection.execute(delete(INVITATIONS).where(_invitations.email == email))
