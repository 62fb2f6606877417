"""Use cases of a user's own profile and of user administration."""

from __future__ import annotations

from dataclasses import dataclass

from budget.domain.errors import (
    FieldProblem,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from budget.domain.model.currency import Currency
from budget.domain.model.household import Household, check_not_last_owner
from budget.domain.model.ids import HouseholdId, UserId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.user import User, check_password_policy, clean_display_name
from budget.domain.ports import Clock, PasswordHasher, UnitOfWork
from budget.domain.services.auth import LoginThrottle
from budget.domain.services.households import LAST_OWNER, LastOwnerError

USER_SORTS = ("email", "created_at")


class UserNotFoundError(NotFoundError):
    title = "User not found"


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """Only the fields that were sent; ``None`` display_name clears it (``None`` in the
    other fields: not sent)."""

    display_name: str | None = None
    set_display_name: bool = False
    default_currency: str | None = None
    default_household_id: HouseholdId | None = None


class UpdateProfile:
    """Change one's display name, default currency or default household.

    Raises:
        UserNotFoundError: no such user.
        RuleViolationError: bad display name or currency; on ``default_household_id``, a
            household the user is not a member of.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, user_id: UserId, changes: ProfileChanges) -> User:
        async with self._uow as uow:
            user = await _existing(uow, user_id)
            if changes.set_display_name:
                user.display_name = clean_display_name(changes.display_name)
            if changes.default_currency is not None:
                user.default_currency = Currency.of(
                    changes.default_currency, field="default_currency"
                ).code
            if changes.default_household_id is not None:
                await _check_member(uow, user_id, changes.default_household_id)
                user.default_household_id = changes.default_household_id
            user.touch(self._clock.now())
            await uow.commit()
        return user


class ChangePassword:
    """Change one's password; every refresh token of the user is revoked.

    A wrong ``current_password`` counts as a failed login of the account (the login
    throttle, with its per-account limit): once the account has too many recent failures,
    attempts are refused before the password is checked; the right one clears the count.

    Raises:
        RateLimitedError: too many recent failures for the account.
        RuleViolationError: wrong ``current_password`` or a new one that breaks the policy.
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, throttle: LoginThrottle
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._throttle = throttle

    async def execute(self, user_id: UserId, current: str, new: str) -> None:
        async with self._uow as uow:
            user = await _existing(uow, user_id)
            await self._throttle.check(user.email, None, self._clock.now())
            if not await self._hasher.verify(user.password_hash, current):
                await self._throttle.failed(user.email, None, self._clock.now())
                raise RuleViolationError.on("current_password", "is not your current password")
            await self._throttle.succeeded(user.email)
            check_password_policy(new, user.email, field="new_password")
            user.password_hash = await self._hasher.hash(new)
            now = self._clock.now()
            user.touch(now)
            await uow.refresh_tokens.revoke_all_for_user(user.id, now)
            await uow.commit()


async def _check_member(uow: UnitOfWork, user_id: UserId, household_id: HouseholdId) -> None:
    memberships = await uow.households.memberships_of(user_id)
    if all(m.household_id != household_id for m in memberships):
        raise RuleViolationError.on("default_household_id", "must be one of your households")


class DeleteUser:
    """Delete the user, their memberships, and the invitations addressed to their e-mail.

    Households where the user is the only member are deleted with all their data; the other
    households stay with their other members.

    Raises:
        UserNotFoundError: no such user.
        LastOwnerError: the user is the last owner of a household that has other members
            (they hand ownership over first).
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, user_id: UserId) -> None:
        async with self._uow as uow:
            user = await _existing(uow, user_id)
            alone_in = await _households_left_behind(uow, user_id)
            for household in alone_in:
                await uow.households.delete(household)
            await uow.invitations.delete_for_email(user.email)
            await uow.users.delete(user)
            await uow.commit()


async def _households_left_behind(uow: UnitOfWork, user_id: UserId) -> list[Household]:
    """The households the user is the only member of, each locked (in id order, so that
    concurrent deletions never deadlock) and checked: leaving any other one must not leave
    it without an owner.

    Raises:
        LastOwnerError: the user is the last owner of a household with other members.
    """
    alone_in: list[Household] = []
    memberships = await uow.households.memberships_of(user_id)
    for household_id in sorted(m.household_id for m in memberships):
        household = await uow.households.get(household_id, for_update=True)
        if household is None:  # deleted concurrently: nothing is left to decide
            continue
        members = await uow.households.memberships(household_id)
        if all(m.user_id == user_id for m in members):
            alone_in.append(household)
        elif not check_not_last_owner(members, user_id, None):
            raise LastOwnerError(LAST_OWNER)
    return alone_in


class ListUsers:
    """Administrators list every user, paginated.

    Raises:
        PermissionDeniedError: the caller is not an administrator.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: User, page: PageRequest, sort: Sort) -> Page[User]:
        _require_admin(caller)
        async with self._uow as uow:
            return await uow.users.list(page, sort)


@dataclass(frozen=True, slots=True)
class AdminChanges:
    is_active: bool | None = None
    is_admin: bool | None = None


class AdministerUser:
    """Administrators (de)activate users or grant admin; deactivation revokes refresh tokens.

    An administrator cannot remove their own administrator rights or deactivate themselves
    (so that the last one cannot lock everybody out); another administrator can.

    Raises:
        PermissionDeniedError: the caller is not an administrator.
        RuleViolationError: on ``is_admin`` or ``is_active``, for such a change of oneself.
        UserNotFoundError: no such user.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, caller: User, user_id: UserId, changes: AdminChanges) -> User:
        _require_admin(caller)
        if user_id == caller.id:
            _check_self_administration(changes)
        async with self._uow as uow:
            user = await _existing(uow, user_id)
            now = self._clock.now()
            if changes.is_admin is not None:
                user.is_admin = changes.is_admin
            if changes.is_active is not None:
                user.is_active = changes.is_active
                if not changes.is_active:
                    await uow.refresh_tokens.revoke_all_for_user(user.id, now)
            user.touch(now)
            await uow.commit()
        return user


def _check_self_administration(changes: AdminChanges) -> None:
    problems = []
    if changes.is_admin is False:
        problems.append(FieldProblem("is_admin", "you cannot remove your own administrator rights"))
    if changes.is_active is False:
        problems.append(FieldProblem("is_active", "you cannot deactivate yourself"))
    if problems:
        raise RuleViolationError(*problems)


def _require_admin(caller: User) -> None:
    if not caller.is_admin:
        raise PermissionDeniedError("Only administrators may do this.")


async def _existing(uow: UnitOfWork, user_id: UserId) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise UserNotFoundError()
    return user
