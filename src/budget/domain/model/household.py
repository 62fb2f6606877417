"""Households, memberships, invitations and the one access policy of every use case.

A household is the unit of ownership and tenancy: accounts, categories, transactions and
budgets belong to one. A user reaches a household's data through a membership with a
role; what each role may do is ``PERMISSIONS``, and every use case asks ``Caller.require``
(or ``Caller.household_for_new``) instead of looking at roles itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum, StrEnum

from budget.domain.errors import NotFoundError, PermissionDeniedError, RuleViolationError
from budget.domain.model.ids import HouseholdId, InvitationId, UserId
from budget.domain.model.user import User

MAX_HOUSEHOLD_NAME_LENGTH = 100
PERSONAL_HOUSEHOLD_NAME = "Personal"
INVITATION_LIFETIME = timedelta(days=7)


class Role(StrEnum):
    """A member's role in a household."""

    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"


class Action(Enum):
    """What a use case does to a household's data, as the policy sees it."""

    READ = "read"
    """See the household, its members and its data."""
    WRITE = "write"
    """Create, change and delete accounts, categories, transactions and budgets."""
    MANAGE = "manage"
    """Rename or delete the household, manage members and invitations, webhooks."""


PERMISSIONS: Mapping[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.EDITOR: frozenset({Action.READ, Action.WRITE}),
    Role.VIEWER: frozenset({Action.READ}),
}


class HouseholdNotFoundError(NotFoundError):
    """The household does not exist, or the caller is not one of its members."""

    title = "Household not found"


def may(role: Role, action: Action) -> bool:
    """Whether a member with ``role`` may do ``action``."""
    return action in PERMISSIONS[role]


def clean_household_name(raw: str, *, field_name: str = "name") -> str:
    """Trim a household name; 1-100 characters."""
    name = raw.strip()
    if not 1 <= len(name) <= MAX_HOUSEHOLD_NAME_LENGTH:
        raise RuleViolationError.on(
            field_name, f"must be 1 to {MAX_HOUSEHOLD_NAME_LENGTH} characters after trimming"
        )
    return name


@dataclass(eq=False, slots=True)
class Household:
    """A shared ledger: the owner of accounts, categories, transactions and budgets."""

    id: HouseholdId
    name: str
    created_at: datetime
    updated_at: datetime

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Household) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @classmethod
    def found(cls, household_id: HouseholdId, name: str, now: datetime) -> Household:
        return cls(household_id, clean_household_name(name), now, now)

    def rename(self, name: str, now: datetime) -> None:
        self.name = clean_household_name(name)
        self.updated_at = now


@dataclass(eq=False, slots=True)
class Membership:
    """A user's membership of a household, with their role in it."""

    household_id: HouseholdId
    user_id: UserId
    role: Role
    joined_at: datetime

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Membership)
            and other.household_id == self.household_id
            and other.user_id == self.user_id
        )

    def __hash__(self) -> int:
        return hash((self.household_id, self.user_id))

    def change_role(self, role: Role) -> None:
        """Give the member another role (``check_not_last_owner`` first: a household keeps
        an owner)."""
        self.role = role


@dataclass(frozen=True, slots=True)
class Member:
    """A membership with the member's public profile, as the member list shows it."""

    user_id: UserId
    email: str
    display_name: str | None
    role: Role
    joined_at: datetime


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"


@dataclass(eq=False, slots=True)
class Invitation:
    """An invitation of an e-mail address into a household with a role.

    It is pending until it is accepted, declined or revoked, or until it expires.
    """

    id: InvitationId
    household_id: HouseholdId
    email: str
    role: Role
    invited_by: UserId | None
    created_at: datetime
    expires_at: datetime
    status: InvitationStatus = InvitationStatus.PENDING
    household_name: str = field(default="", compare=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Invitation) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @classmethod
    def issue(
        cls,
        invitation_id: InvitationId,
        household: Household,
        email: str,
        role: Role,
        invited_by: UserId,
        now: datetime,
    ) -> Invitation:
        return cls(
            invitation_id,
            household.id,
            email,
            role,
            invited_by,
            now,
            now + INVITATION_LIFETIME,
            InvitationStatus.PENDING,
            household.name,
        )

    def is_pending(self, now: datetime) -> bool:
        """Neither answered nor revoked, and not expired."""
        return self.status is InvitationStatus.PENDING and now < self.expires_at

    def is_for(self, email: str) -> bool:
        return self.email == email

    def is_open_to(self, email: str, now: datetime) -> bool:
        """Whether the owner of ``email`` may still accept or decline it: addressed to them
        and pending (someone else's, an answered, revoked or expired one is not)."""
        return self.is_for(email) and self.is_pending(now)

    def settle(self, status: InvitationStatus) -> None:
        """Accept, decline or revoke: the invitation stops being pending."""
        self.status = status


@dataclass(frozen=True, slots=True)
class Caller:
    """The signed-in user with their roles: who is asking, and in which households.

    Read at the start of every request, so role changes and removals apply from the
    member's next request.
    """

    user: User
    roles: Mapping[HouseholdId, Role]
    events: Mapping[HouseholdId, int] = field(default_factory=dict)
    """Per household, the event mask of its active webhooks (``model/webhook.py``); absent
    means none. Read with the roles, so a write knows at no cost whether to record events."""

    @property
    def id(self) -> UserId:
        return self.user.id

    @property
    def default_household_id(self) -> HouseholdId:
        household = self.user.default_household_id
        if household is None:  # a registered user always has one
            raise HouseholdNotFoundError()
        return household

    @property
    def email(self) -> str:
        return self.user.email

    def role_in(self, household_id: HouseholdId) -> Role | None:
        return self.roles.get(household_id)

    def webhook_events(self, household_id: HouseholdId) -> int:
        """The event mask of the household's active webhooks (0: nobody listens)."""
        return self.events.get(household_id, 0)

    def visible(self, only: HouseholdId | None = None) -> tuple[HouseholdId, ...]:
        """The households whose data the caller sees, in a fixed order; with ``only``, just
        that one when the caller is a member (else none: the list is empty)."""
        if only is not None:
            return (only,) if only in self.roles else ()
        return tuple(sorted(self.roles, key=str))

    def require(self, household_id: HouseholdId, action: Action) -> Role:
        """The caller's role, when it allows ``action`` in the household.

        Raises:
            HouseholdNotFoundError: the caller is not a member (as if it did not exist).
            PermissionDeniedError: a member whose role does not allow ``action``.
        """
        role = self.roles.get(household_id)
        if role is None:
            raise HouseholdNotFoundError()
        if not may(role, action):
            raise PermissionDeniedError(_refusal(role, action))
        return role

    def require_removal(self, household_id: HouseholdId, user_id: UserId) -> Role:
        """The caller's role, when it allows removing ``user_id`` from the household: an
        owner removes any member, and every member may leave (remove themself).

        Raises:
            HouseholdNotFoundError: the caller is not a member (as if it did not exist).
            PermissionDeniedError: a member who is not an owner removing someone else.
        """
        if user_id == self.id:
            return self.require(household_id, Action.READ)
        return self.require(household_id, Action.MANAGE)

    def household_to_read(self, household_id: HouseholdId | None) -> HouseholdId:
        """The one household an aggregate covers: the one asked for, else the default.

        Raises:
            HouseholdNotFoundError: the caller is not a member.
        """
        chosen = self.default_household_id if household_id is None else household_id
        self.require(chosen, Action.READ)
        return chosen

    def require_write(self, household_id: HouseholdId) -> None:
        """Writing to data the caller can see (found through ``visible``).

        Raises:
            PermissionDeniedError: a viewer.
        """
        role = self.roles.get(household_id)
        if role is None or not may(role, Action.WRITE):
            raise PermissionDeniedError(_refusal(role or Role.VIEWER, Action.WRITE))

    def household_for_new(
        self, household_id: HouseholdId | None, *, field_name: str = "household_id"
    ) -> HouseholdId:
        """The household a new resource goes to: the one sent, else the default.

        Raises:
            RuleViolationError: on ``field_name``, a household the caller is not in.
            PermissionDeniedError: a household where the caller may not write.
        """
        chosen = self.default_household_id if household_id is None else household_id
        role = self.roles.get(chosen)
        if role is None:
            raise RuleViolationError.on(field_name, "must be one of your households")
        if not may(role, Action.WRITE):
            raise PermissionDeniedError(_refusal(role, Action.WRITE))
        return chosen


def _refusal(role: Role, action: Action) -> str:
    if action is Action.MANAGE:
        return "Only an owner of the household may do this."
    return f"A {role.value} of the household may not change its data."


def count_owners(memberships: Iterable[Membership]) -> int:
    return sum(1 for membership in memberships if membership.role is Role.OWNER)


def check_not_last_owner(
    memberships: Iterable[Membership], leaving: UserId, new_role: Role | None
) -> bool:
    """Whether ``leaving`` may stop being an owner (``new_role`` None: leave).

    False when they are an owner and the only one left; non-owners always may.
    """
    members = list(memberships)
    mine = next((m for m in members if m.user_id == leaving), None)
    if mine is None or mine.role is not Role.OWNER or new_role is Role.OWNER:
        return True
    return count_owners(members) > 1


def next_default(memberships: Iterable[Membership], leaving: HouseholdId) -> HouseholdId | None:
    """The household that becomes a user's default when ``leaving`` stops being theirs:
    their oldest remaining membership (ties on household id), or None when none is left."""
    remaining = sorted(
        (m for m in memberships if m.household_id != leaving),
        key=lambda m: (m.joined_at, str(m.household_id)),
    )
    return remaining[0].household_id if remaining else None
