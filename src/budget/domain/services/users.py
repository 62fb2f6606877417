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
from budget.domain.model.ids import UserId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.user import User, check_password_policy, clean_display_name
from budget.domain.ports import Clock, PasswordHasher, UnitOfWork
from budget.domain.services.auth import LoginThrottle

USER_SORTS = ("email", "created_at")


class UserNotFoundError(NotFoundError):
    title = "User not found"


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """Only the fields that were sent; ``None`` display_name clears it."""

    display_name: str | None = None
    set_display_name: bool = False
    default_currency: str | None = None


class UpdateProfile:
    """Change one's display name or default currency."""

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


class DeleteUser:
    """Delete the user and all their data."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, user_id: UserId) -> None:
        async with self._uow as uow:
            user = await _existing(uow, user_id)
            await uow.users.delete(user)
            await uow.commit()


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
