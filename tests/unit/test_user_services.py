"""Use cases of one's own profile and of user administration, over in-memory fakes."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from polyfactory import Use
from polyfactory.factories import DataclassFactory

from budget.domain.errors import PermissionDeniedError, RateLimitedError, RuleViolationError
from budget.domain.model.auth import RefreshToken
from budget.domain.model.category import DEFAULT_CATEGORIES
from budget.domain.model.ids import TokenFamilyId, TokenId, UserId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.user import User
from budget.domain.services.admin import EnsureAdministrator
from budget.domain.services.auth import LoginLimits, LoginThrottle, Registration
from budget.domain.services.users import (
    AdminChanges,
    AdministerUser,
    ChangePassword,
    DeleteUser,
    ListUsers,
    ProfileChanges,
    UpdateProfile,
    UserNotFoundError,
)
from tests.fakes import FakeClock, FakeHasher, FakeIds, FakeLoginAttemptStore, FakeUnitOfWork

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
PER_ACCOUNT = 3
WINDOW = timedelta(minutes=15)
_numbers = itertools.count(1)


class UserFactory(DataclassFactory[User]):
    __model__ = User
    __check_model__ = False

    email = Use(lambda: f"user-{next(_numbers)}@example.com")
    password_hash = f"hashed:{PASSWORD}"
    display_name = "Ada"
    default_currency = "EUR"
    is_admin = False
    is_active = True
    created_at = CREATED
    updated_at = CREATED


def _throttle(attempts: FakeLoginAttemptStore | None = None) -> LoginThrottle:
    limits = LoginLimits(per_account=PER_ACCOUNT, per_client=100, window=WINDOW)
    return LoginThrottle(attempts or FakeLoginAttemptStore(), limits)


def _store_user(uow: FakeUnitOfWork, **fields: object) -> User:
    user = UserFactory.build(**fields)
    uow.store.users[user.id] = user
    return user


def _store_token(uow: FakeUnitOfWork, user: User, family: int) -> RefreshToken:
    token = RefreshToken(
        TokenId(UUID(int=len(uow.store.refresh_tokens) + 1)),
        TokenFamilyId(UUID(int=1000 + family)),
        user.id,
        f"hash-{family}",
        CREATED,
        CREATED + timedelta(days=365),
    )
    uow.store.refresh_tokens[token.id] = token
    return token


def _tokens_of(uow: FakeUnitOfWork, user: User) -> list[RefreshToken]:
    return [t for t in uow.store.refresh_tokens.values() if t.user_id == user.id]


# --- UpdateProfile -------------------------------------------------------------------------


async def test_updating_the_profile_changes_name_and_currency_and_commits() -> None:
    uow = FakeUnitOfWork()
    user = _store_user(uow)

    updated = await UpdateProfile(uow, FakeClock(NOW)).execute(
        user.id, ProfileChanges(" Grace ", True, "JPY")
    )

    stored = uow.store.users[user.id]
    assert (stored.display_name, stored.default_currency) == ("Grace", "JPY")
    assert (updated.display_name, updated.default_currency) == ("Grace", "JPY")
    assert stored.updated_at == NOW
    assert stored.created_at == CREATED
    assert uow.committed


async def test_a_display_name_that_was_not_sent_is_left_unchanged() -> None:
    uow = FakeUnitOfWork()
    user = _store_user(uow, display_name="Ada")

    await UpdateProfile(uow, FakeClock(NOW)).execute(
        user.id, ProfileChanges(default_currency="USD")
    )

    assert uow.store.users[user.id].display_name == "Ada"


@pytest.mark.parametrize("sent", [None, "   "])
async def test_a_null_or_blank_display_name_clears_it(sent: str | None) -> None:
    uow = FakeUnitOfWork()
    user = _store_user(uow, display_name="Ada")

    await UpdateProfile(uow, FakeClock(NOW)).execute(user.id, ProfileChanges(sent, True))

    assert uow.store.users[user.id].display_name is None


async def test_an_unknown_default_currency_is_rejected_without_committing() -> None:
    uow = FakeUnitOfWork()
    user = _store_user(uow, default_currency="EUR")

    with pytest.raises(RuleViolationError) as caught:
        await UpdateProfile(uow, FakeClock(NOW)).execute(
            user.id, ProfileChanges(default_currency="eur")
        )

    assert [p.field for p in caught.value.problems] == ["default_currency"]
    assert uow.store.users[user.id].default_currency == "EUR"
    assert not uow.committed


async def test_a_display_name_over_100_characters_is_rejected_without_committing() -> None:
    uow = FakeUnitOfWork()
    user = _store_user(uow)

    with pytest.raises(RuleViolationError) as caught:
        await UpdateProfile(uow, FakeClock(NOW)).execute(user.id, ProfileChanges("x" * 101, True))

    assert [p.field for p in caught.value.problems] == ["display_name"]
    assert not uow.committed


async def test_updating_a_missing_user_fails_with_not_found() -> None:
    uow = FakeUnitOfWork()

    with pytest.raises(UserNotFoundError):
        await UpdateProfile(uow, FakeClock(NOW)).execute(
            UserId(UUID(int=1)), ProfileChanges("Ada", True)
        )

    assert not uow.committed


# --- ChangePassword ------------------------------------------------------------------------


async def test_a_wrong_current_password_is_a_violation_on_current_password() -> None:
    uow = FakeUnitOfWork()
    user = _store_user(uow)
    token = _store_token(uow, user, family=1)

    with pytest.raises(RuleViolationError) as caught:
        await ChangePassword(uow, FakeHasher(), FakeClock(NOW), _throttle()).execute(
            user.id, "not my password", NEW_PASSWORD
        )

    assert [p.field for p in caught.value.problems] == ["current_password"]
    assert uow.store.users[user.id].password_hash == f"hashed:{PASSWORD}"
    assert uow.store.refresh_tokens[token.id].revoked_at is None
    assert not uow.committed


async def test_a_new_password_that_breaks_the_policy_is_a_violation_on_new_password() -> None:
    uow = FakeUnitOfWork()
    user = _store_user(uow)

    with pytest.raises(RuleViolationError) as caught:
        await ChangePassword(uow, FakeHasher(), FakeClock(NOW), _throttle()).execute(
            user.id, PASSWORD, "password"
        )

    assert [p.field for p in caught.value.problems] == ["new_password"]
    assert not uow.committed


async def test_changing_the_password_stores_the_new_hash_and_commits() -> None:
    uow = FakeUnitOfWork()
    user = _store_user(uow)

    await ChangePassword(uow, FakeHasher(), FakeClock(NOW), _throttle()).execute(
        user.id, PASSWORD, NEW_PASSWORD
    )

    stored = uow.store.users[user.id]
    assert stored.password_hash == f"hashed:{NEW_PASSWORD}"
    assert stored.updated_at == NOW
    assert uow.committed


async def test_changing_the_password_revokes_every_refresh_token_of_the_user_only() -> None:
    uow = FakeUnitOfWork()
    user, other = _store_user(uow), _store_user(uow)
    for family in (1, 2, 3):
        _store_token(uow, user, family)
    others = _store_token(uow, other, family=4)

    await ChangePassword(uow, FakeHasher(), FakeClock(NOW), _throttle()).execute(
        user.id, PASSWORD, NEW_PASSWORD
    )

    assert [t.revoked_at for t in _tokens_of(uow, user)] == [NOW, NOW, NOW]
    assert uow.store.refresh_tokens[others.id].revoked_at is None


@dataclass
class PasswordChanges:
    """ChangePassword over fakes that outlive one call: the attempts store and the clock."""

    uow: FakeUnitOfWork
    user: User
    attempts: FakeLoginAttemptStore
    hasher: FakeHasher
    clock: FakeClock

    @classmethod
    def start(cls) -> PasswordChanges:
        uow = FakeUnitOfWork()
        return cls(uow, _store_user(uow), FakeLoginAttemptStore(), FakeHasher(), FakeClock(NOW))

    async def change(self, current: str) -> None:
        use_case = ChangePassword(self.uow, self.hasher, self.clock, _throttle(self.attempts))
        await use_case.execute(self.user.id, current, NEW_PASSWORD)

    async def fail(self, times: int) -> None:
        for _ in range(times):
            with pytest.raises(RuleViolationError):
                await self.change("not my password")

    @property
    def failures(self) -> list[datetime]:
        return self.attempts.failures[f"account:{self.user.email}"]


async def test_a_wrong_current_password_counts_as_a_failed_login_of_the_account() -> None:
    changes = PasswordChanges.start()

    await changes.fail(times=1)

    assert changes.failures == [NOW]


async def test_too_many_wrong_current_passwords_are_refused_before_any_is_checked() -> None:
    changes = PasswordChanges.start()
    await changes.fail(times=PER_ACCOUNT)
    changes.clock.advance(minutes=5)

    with pytest.raises(RateLimitedError) as caught:
        await changes.change(PASSWORD)

    assert caught.value.retry_after == 10 * 60 + 1
    assert len(changes.hasher.verified) == PER_ACCOUNT
    assert changes.uow.store.users[changes.user.id].password_hash == f"hashed:{PASSWORD}"
    assert not changes.uow.committed


async def test_failed_logins_and_wrong_current_passwords_share_the_accounts_limit() -> None:
    changes = PasswordChanges.start()
    for _ in range(PER_ACCOUNT - 1):
        await _throttle(changes.attempts).failed(changes.user.email, "203.0.113.7", NOW)
    await changes.fail(times=1)

    with pytest.raises(RateLimitedError):
        await changes.change(PASSWORD)


async def test_changing_the_password_is_allowed_again_once_the_window_has_passed() -> None:
    changes = PasswordChanges.start()
    await changes.fail(times=PER_ACCOUNT)
    changes.clock.advance(minutes=15)

    await changes.change(PASSWORD)

    assert changes.uow.store.users[changes.user.id].password_hash == f"hashed:{NEW_PASSWORD}"


async def test_the_right_current_password_clears_the_accounts_failures() -> None:
    changes = PasswordChanges.start()
    await changes.fail(times=PER_ACCOUNT - 1)

    await changes.change(PASSWORD)

    assert changes.failures == []
    assert changes.uow.committed


# --- DeleteUser -------------------------------------------------------------------------


async def test_deleting_the_account_removes_the_user_and_commits() -> None:
    uow = FakeUnitOfWork()
    user, other = _store_user(uow), _store_user(uow)

    await DeleteUser(uow).execute(user.id)

    assert list(uow.store.users) == [other.id]
    assert uow.committed


async def test_deleting_a_missing_account_fails_with_not_found() -> None:
    uow = FakeUnitOfWork()

    with pytest.raises(UserNotFoundError):
        await DeleteUser(uow).execute(UserId(UUID(int=1)))

    assert not uow.committed


# --- ListUsers -----------------------------------------------------------------------------


async def test_a_non_administrator_may_not_list_users() -> None:
    uow = FakeUnitOfWork()
    caller = _store_user(uow, is_admin=False)

    with pytest.raises(PermissionDeniedError):
        await ListUsers(uow).execute(caller, PageRequest(), Sort("email"))


async def test_an_administrator_lists_users_sorted_and_paginated() -> None:
    uow = FakeUnitOfWork()
    admin = _store_user(uow, email="admin@example.com", is_admin=True)
    _store_user(uow, email="carol@example.com")
    _store_user(uow, email="bob@example.com")

    page = await ListUsers(uow).execute(admin, PageRequest(limit=2, offset=1), Sort("email"))

    assert [u.email for u in page.items] == ["bob@example.com", "carol@example.com"]
    assert (page.total, page.limit, page.offset) == (3, 2, 1)


# --- AdministerUser ------------------------------------------------------------------------


async def test_a_non_administrator_may_not_administer_users() -> None:
    uow = FakeUnitOfWork()
    caller, target = _store_user(uow), _store_user(uow)

    with pytest.raises(PermissionDeniedError):
        await AdministerUser(uow, FakeClock(NOW)).execute(
            caller, target.id, AdminChanges(is_active=False)
        )

    assert uow.store.users[target.id].is_active
    assert not uow.committed


async def test_deactivating_a_user_revokes_their_refresh_tokens_and_commits() -> None:
    uow = FakeUnitOfWork()
    admin, target = _store_user(uow, is_admin=True), _store_user(uow)
    _store_token(uow, target, family=1)
    _store_token(uow, target, family=2)
    admins = _store_token(uow, admin, family=3)

    changed = await AdministerUser(uow, FakeClock(NOW)).execute(
        admin, target.id, AdminChanges(is_active=False)
    )

    assert not changed.is_active
    assert not uow.store.users[target.id].is_active
    assert [t.revoked_at for t in _tokens_of(uow, target)] == [NOW, NOW]
    assert uow.store.refresh_tokens[admins.id].revoked_at is None
    assert uow.store.users[target.id].updated_at == NOW
    assert uow.committed


async def test_granting_admin_leaves_refresh_tokens_alone() -> None:
    uow = FakeUnitOfWork()
    admin, target = _store_user(uow, is_admin=True), _store_user(uow)
    token = _store_token(uow, target, family=1)

    await AdministerUser(uow, FakeClock(NOW)).execute(admin, target.id, AdminChanges(is_admin=True))

    assert uow.store.users[target.id].is_admin
    assert uow.store.users[target.id].is_active
    assert uow.store.refresh_tokens[token.id].revoked_at is None
    assert uow.committed


async def test_reactivating_a_user_makes_them_active_again() -> None:
    uow = FakeUnitOfWork()
    admin, target = _store_user(uow, is_admin=True), _store_user(uow, is_active=False)

    await AdministerUser(uow, FakeClock(NOW)).execute(
        admin, target.id, AdminChanges(is_active=True)
    )

    assert uow.store.users[target.id].is_active


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        (AdminChanges(is_admin=False), ["is_admin"]),
        (AdminChanges(is_active=False), ["is_active"]),
        (AdminChanges(is_active=False, is_admin=False), ["is_admin", "is_active"]),
    ],
)
async def test_an_administrator_cannot_demote_or_deactivate_themselves(
    changes: AdminChanges, fields: list[str]
) -> None:
    uow = FakeUnitOfWork()
    admin = _store_user(uow, is_admin=True)
    token = _store_token(uow, admin, family=1)

    with pytest.raises(RuleViolationError) as caught:
        await AdministerUser(uow, FakeClock(NOW)).execute(admin, admin.id, changes)

    assert [p.field for p in caught.value.problems] == fields
    stored = uow.store.users[admin.id]
    assert (stored.is_admin, stored.is_active) == (True, True)
    assert uow.store.refresh_tokens[token.id].revoked_at is None
    assert not uow.committed


async def test_an_administrator_may_confirm_their_own_rights_and_activity() -> None:
    uow = FakeUnitOfWork()
    admin = _store_user(uow, is_admin=True)

    changed = await AdministerUser(uow, FakeClock(NOW)).execute(
        admin, admin.id, AdminChanges(is_active=True, is_admin=True)
    )

    assert (changed.is_admin, changed.is_active) == (True, True)
    assert uow.committed


async def test_an_administrator_may_demote_and_deactivate_another_administrator() -> None:
    uow = FakeUnitOfWork()
    admin, other = _store_user(uow, is_admin=True), _store_user(uow, is_admin=True)

    await AdministerUser(uow, FakeClock(NOW)).execute(
        admin, other.id, AdminChanges(is_active=False, is_admin=False)
    )

    stored = uow.store.users[other.id]
    assert (stored.is_admin, stored.is_active) == (False, False)
    assert uow.committed


async def test_administering_a_missing_user_fails_with_not_found() -> None:
    uow = FakeUnitOfWork()
    admin = _store_user(uow, is_admin=True)

    with pytest.raises(UserNotFoundError):
        await AdministerUser(uow, FakeClock(NOW)).execute(
            admin, UserId(UUID(int=1)), AdminChanges(is_active=False)
        )

    assert not uow.committed


# --- EnsureAdministrator -------------------------------------------------------------------


async def test_ensuring_an_administrator_registers_a_new_admin_with_default_categories() -> None:
    uow = FakeUnitOfWork()

    admin = await EnsureAdministrator(uow, FakeHasher(), FakeClock(NOW), FakeIds()).execute(
        Registration(" Root@Example.com ", PASSWORD, "Root")
    )

    stored = uow.store.users[admin.id]
    assert stored.email == "root@example.com"
    assert stored.is_admin
    assert stored.is_active
    assert stored.password_hash == f"hashed:{PASSWORD}"
    household = stored.default_household_id
    assert household is not None
    assert len([c for c in uow.store.categories.values() if c.household_id == household]) == len(
        DEFAULT_CATEGORIES
    )
    assert uow.committed


async def test_ensuring_an_existing_user_promotes_and_reactivates_them_keeping_the_password() -> (
    None
):
    uow = FakeUnitOfWork()
    user = _store_user(uow, email="root@example.com", is_admin=False, is_active=False)

    admin = await EnsureAdministrator(uow, FakeHasher(), FakeClock(NOW), FakeIds()).execute(
        Registration("ROOT@example.com", "an entirely different passphrase")
    )

    assert admin.id == user.id
    assert list(uow.store.users) == [user.id]
    stored = uow.store.users[user.id]
    assert stored.is_admin
    assert stored.is_active
    assert stored.password_hash == f"hashed:{PASSWORD}"
    assert stored.updated_at == NOW
    assert uow.commits == 1


async def test_ensuring_an_administrator_with_a_weak_password_creates_nobody() -> None:
    uow = FakeUnitOfWork()

    with pytest.raises(RuleViolationError):
        await EnsureAdministrator(uow, FakeHasher(), FakeClock(NOW), FakeIds()).execute(
            Registration("root@example.com", "password")
        )

    assert uow.store.users == {}
    assert not uow.committed
