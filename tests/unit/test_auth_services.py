"""Use cases of authentication over in-memory fakes: register, log in, refresh, log out."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from polyfactory import Use
from polyfactory.factories import DataclassFactory

from budget.domain.errors import AuthenticationError, RateLimitedError, RuleViolationError
from budget.domain.model.auth import RefreshToken, TokenPair, TokenType
from budget.domain.model.category import DEFAULT_CATEGORIES
from budget.domain.model.user import User
from budget.domain.services.auth import (
    Authenticate,
    EmailTakenError,
    LogIn,
    LoginLimits,
    LoginThrottle,
    LogOut,
    RefreshTokens,
    RegisterUser,
    Registration,
    TokenIssuer,
    TokenPolicy,
)
from tests.fakes import (
    FakeClock,
    FakeCodec,
    FakeHasher,
    FakeIds,
    FakeLoginAttemptStore,
    FakeUnitOfWork,
)

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 3
PER_CLIENT = 5
CLIENT = "203.0.113.7"
_numbers = itertools.count(1)


class UserFactory(DataclassFactory[User]):
    __model__ = User
    __check_model__ = False

    email = Use(lambda: f"user-{next(_numbers)}@example.com")
    password_hash = f"hashed:{PASSWORD}"
    display_name = None
    default_currency = "EUR"
    is_admin = False
    is_active = True
    created_at = NOW
    updated_at = NOW


@dataclass
class World:
    """The fakes one test works with, and the use cases wired over them."""

    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    hasher: FakeHasher = field(default_factory=FakeHasher)
    clock: FakeClock = field(default_factory=lambda: FakeClock(NOW))
    ids: FakeIds = field(default_factory=FakeIds)
    codec: FakeCodec = field(default_factory=FakeCodec)
    attempts: FakeLoginAttemptStore = field(default_factory=FakeLoginAttemptStore)

    def user(self, **fields: object) -> User:
        user = UserFactory.build(**fields)
        self.uow.store.users[user.id] = user
        return user

    def issuer(self) -> TokenIssuer:
        policy = TokenPolicy(timedelta(minutes=15), timedelta(days=7))
        return TokenIssuer(self.codec, self.ids, policy)

    def register(self) -> RegisterUser:
        return RegisterUser(self.uow, self.hasher, self.clock, self.ids)

    def log_in(self) -> LogIn:
        throttle = LoginThrottle(self.attempts, LoginLimits(PER_ACCOUNT, PER_CLIENT, WINDOW))
        return LogIn(self.uow, self.hasher, self.clock, self.issuer(), throttle)

    def refresh(self) -> RefreshTokens:
        return RefreshTokens(self.uow, self.codec, self.clock, self.issuer())

    def log_out(self) -> LogOut:
        return LogOut(self.uow, self.codec, self.clock)

    def authenticate(self) -> Authenticate:
        return Authenticate(self.uow, self.codec)

    def stored(self, refresh_token: str) -> RefreshToken:
        claims = self.codec.decode(refresh_token, TokenType.REFRESH)
        return self.uow.store.refresh_tokens[claims.token_id]

    async def signed_in(self, user: User, client: str = CLIENT) -> TokenPair:
        return await self.log_in().execute(user.email, PASSWORD, client)

    async def failed_login(self, email: str, client: str = CLIENT) -> None:
        with pytest.raises(AuthenticationError):
            await self.log_in().execute(email, "not the password", client)


# --- RegisterUser --------------------------------------------------------------------------


async def test_registering_creates_a_user_with_the_normalized_email_and_commits() -> None:
    world = World()

    user = await world.register().execute(
        Registration("  Ada@Example.COM ", PASSWORD, " Ada ", "USD")
    )

    assert world.uow.store.users[user.id] is not None
    assert user.email == "ada@example.com"
    assert (user.display_name, user.default_currency) == ("Ada", "USD")
    assert user.is_active
    assert not user.is_admin
    assert (user.created_at, user.updated_at) == (NOW, NOW)
    assert world.uow.commits == 1


async def test_a_new_user_gets_the_default_categories() -> None:
    world = World()

    user = await world.register().execute(Registration("ada@example.com", PASSWORD))

    household = user.default_household_id
    owned = [c for c in world.uow.store.categories.values() if c.household_id == household]
    assert sorted((c.kind, c.name) for c in owned) == sorted(DEFAULT_CATEGORIES)
    assert all(c.parent_id is None and not c.archived for c in owned)


async def test_a_new_user_defaults_to_euro() -> None:
    world = World()

    user = await world.register().execute(Registration("ada@example.com", PASSWORD))

    assert user.default_currency == "EUR"


async def test_the_stored_password_is_the_hash_not_the_plaintext() -> None:
    world = World()

    user = await world.register().execute(Registration("ada@example.com", PASSWORD))

    stored = world.uow.store.users[user.id].password_hash
    assert stored != PASSWORD
    assert stored == await world.hasher.hash(PASSWORD)


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@example.com", "  Ada@Example.com"])
async def test_registering_a_taken_email_in_any_case_fails_without_committing(email: str) -> None:
    world = World()
    world.user(email="ada@example.com")

    with pytest.raises(EmailTakenError):
        await world.register().execute(Registration(email, "another good passphrase"))

    assert world.uow.commits == 0
    assert len(world.uow.store.users) == 1


async def test_registering_with_a_weak_password_fails_without_committing() -> None:
    world = World()

    with pytest.raises(RuleViolationError) as caught:
        await world.register().execute(Registration("ada@example.com", "password"))

    assert [p.field for p in caught.value.problems] == ["password"]
    assert world.uow.commits == 0
    assert world.uow.store.users == {}


async def test_registering_with_an_unknown_currency_fails_on_default_currency() -> None:
    world = World()

    with pytest.raises(RuleViolationError) as caught:
        await world.register().execute(Registration("ada@example.com", PASSWORD, None, "XXY"))

    assert [p.field for p in caught.value.problems] == ["default_currency"]
    assert world.uow.commits == 0


# --- LogIn ---------------------------------------------------------------------------------


async def test_logging_in_returns_a_token_pair_for_the_user_and_commits() -> None:
    world = World()
    user = world.user(email="ada@example.com")

    pair = await world.log_in().execute("ada@example.com", PASSWORD, CLIENT)

    access = world.codec.decode(pair.access_token, TokenType.ACCESS)
    refresh = world.codec.decode(pair.refresh_token, TokenType.REFRESH)
    assert access.subject == user.id == refresh.subject
    assert access.expires_at == NOW + timedelta(minutes=15)
    assert refresh.expires_at == NOW + timedelta(days=7)
    assert pair.expires_in == 900
    assert world.stored(pair.refresh_token).user_id == user.id
    assert world.uow.commits == 1


async def test_logging_in_ignores_case_and_surrounding_spaces_in_the_email() -> None:
    world = World()
    user = world.user(email="ada@example.com")

    pair = await world.log_in().execute("  ADA@Example.com ", PASSWORD, CLIENT)

    assert world.codec.decode(pair.access_token, TokenType.ACCESS).subject == user.id


async def test_an_unknown_email_fails_after_verifying_against_the_dummy_hash() -> None:
    world = World()

    with pytest.raises(AuthenticationError):
        await world.log_in().execute("nobody@example.com", PASSWORD, CLIENT)

    # Timing path choice: a password is still verified, so the answer takes as long.
    assert world.hasher.dummy_verifications == 1
    assert world.uow.commits == 0


async def test_a_known_email_is_verified_against_its_own_hash_not_the_dummy() -> None:
    world = World()
    user = world.user(email="ada@example.com")

    await world.failed_login("ada@example.com")

    assert world.hasher.verified == [user.password_hash]
    assert world.hasher.dummy_verifications == 0


async def _failure_text(world: World, email: str, password: str) -> str:
    with pytest.raises(AuthenticationError) as caught:
        await world.log_in().execute(email, password, CLIENT)
    return str(caught.value)


async def test_a_wrong_password_fails_exactly_like_an_unknown_email() -> None:
    world = World()
    world.user(email="ada@example.com")

    wrong_password = await _failure_text(world, "ada@example.com", "not the password")
    unknown_email = await _failure_text(world, "nobody@example.com", PASSWORD)

    assert wrong_password == unknown_email
    assert world.uow.commits == 0


async def test_a_deactivated_user_fails_exactly_like_an_unknown_email() -> None:
    world = World()
    world.user(email="ada@example.com", is_active=False)

    deactivated = await _failure_text(world, "ada@example.com", PASSWORD)
    unknown_email = await _failure_text(world, "nobody@example.com", PASSWORD)

    assert deactivated == unknown_email
    assert world.uow.store.refresh_tokens == {}
    assert world.uow.commits == 0


async def test_too_many_failures_for_an_account_are_rate_limited_even_with_the_right_password() -> (
    None
):
    world = World()
    user = world.user(email="ada@example.com")
    for _ in range(PER_ACCOUNT):
        await world.failed_login(user.email)

    with pytest.raises(RateLimitedError) as caught:
        await world.signed_in(user)

    assert 0 < caught.value.retry_after <= WINDOW.total_seconds() + 1
    assert world.uow.commits == 0


async def test_the_account_limit_is_not_reached_one_failure_earlier() -> None:
    world = World()
    user = world.user(email="ada@example.com")
    for _ in range(PER_ACCOUNT - 1):
        await world.failed_login(user.email)

    pair = await world.signed_in(user)

    assert pair.access_token
    assert world.uow.commits == 1


async def test_retry_after_counts_down_to_when_the_oldest_failure_leaves_the_window() -> None:
    world = World()
    user = world.user(email="ada@example.com")
    for _ in range(PER_ACCOUNT):
        await world.failed_login(user.email)
    world.clock.advance(minutes=10)

    with pytest.raises(RateLimitedError) as caught:
        await world.signed_in(user)

    assert caught.value.retry_after == pytest.approx(5 * 60, abs=1)


async def test_the_account_limit_counts_the_email_in_any_case() -> None:
    world = World()
    user = world.user(email="ada@example.com")
    for variant in ("ada@example.com", "ADA@example.com", " Ada@Example.com "):
        await world.failed_login(variant)

    with pytest.raises(RateLimitedError):
        await world.signed_in(user)


async def test_too_many_failures_from_one_client_are_rate_limited_for_any_account() -> None:
    world = World()
    user = world.user(email="ada@example.com")
    for n in range(PER_CLIENT):
        await world.failed_login(f"stranger-{n}@example.com", client=CLIENT)

    with pytest.raises(RateLimitedError):
        await world.signed_in(user, client=CLIENT)


async def test_the_client_limit_does_not_affect_other_clients() -> None:
    world = World()
    user = world.user(email="ada@example.com")
    for n in range(PER_CLIENT):
        await world.failed_login(f"stranger-{n}@example.com", client=CLIENT)

    pair = await world.signed_in(user, client="198.51.100.1")

    assert pair.access_token


async def test_a_successful_login_clears_the_accounts_failure_count() -> None:
    world = World()
    user = world.user(email="ada@example.com")
    for _ in range(PER_ACCOUNT - 1):
        await world.failed_login(user.email)
    await world.signed_in(user)
    for _ in range(PER_ACCOUNT - 1):
        await world.failed_login(user.email)

    pair = await world.signed_in(user)  # 4 failures in the window, but 2 since the success

    assert pair.access_token


async def test_failures_that_left_the_window_do_not_count() -> None:
    world = World()
    user = world.user(email="ada@example.com")
    for _ in range(PER_ACCOUNT):
        await world.failed_login(user.email)
    world.clock.advance(seconds=WINDOW.total_seconds() + 1)

    pair = await world.signed_in(user)

    assert pair.access_token


# --- RefreshTokens -------------------------------------------------------------------------


async def test_refreshing_rotates_the_token_within_the_same_family_and_commits() -> None:
    world = World()
    user = world.user()
    first = await world.signed_in(user)
    world.clock.advance(minutes=1)
    commits = world.uow.commits

    second = await world.refresh().execute(first.refresh_token)

    old, new = world.stored(first.refresh_token), world.stored(second.refresh_token)
    assert old.used_at == NOW + timedelta(minutes=1)
    assert new.id != old.id
    assert new.family_id == old.family_id
    assert new.used_at is None
    assert new.revoked_at is None
    assert world.codec.decode(second.access_token, TokenType.ACCESS).subject == user.id
    assert world.uow.commits == commits + 1


async def test_reusing_a_rotated_refresh_token_fails_and_revokes_its_whole_family() -> None:
    world = World()
    user = world.user()
    first = await world.signed_in(user)
    second = await world.refresh().execute(first.refresh_token)
    commits = world.uow.commits

    with pytest.raises(AuthenticationError):
        await world.refresh().execute(first.refresh_token)

    assert world.uow.commits == commits + 1  # the revocation is kept despite the error
    family = world.stored(first.refresh_token).family_id
    tokens = [t for t in world.uow.store.refresh_tokens.values() if t.family_id == family]
    assert len(tokens) == 2
    assert all(t.revoked_at == NOW for t in tokens)
    with pytest.raises(AuthenticationError):
        await world.refresh().execute(second.refresh_token)


async def test_reuse_detection_leaves_the_users_other_logins_alone() -> None:
    world = World()
    user = world.user()
    stolen = await world.signed_in(user)
    other_login = await world.signed_in(user)
    await world.refresh().execute(stolen.refresh_token)

    with pytest.raises(AuthenticationError):
        await world.refresh().execute(stolen.refresh_token)

    assert world.stored(other_login.refresh_token).revoked_at is None
    assert await world.refresh().execute(other_login.refresh_token)


async def test_an_expired_refresh_token_fails_without_committing() -> None:
    world = World()
    pair = await world.signed_in(world.user())
    world.clock.advance(days=7)
    commits = world.uow.commits

    with pytest.raises(AuthenticationError):
        await world.refresh().execute(pair.refresh_token)

    assert world.uow.commits == commits
    assert world.stored(pair.refresh_token).used_at is None


async def test_a_refresh_token_one_second_before_expiry_still_works() -> None:
    world = World()
    pair = await world.signed_in(world.user())
    world.clock.advance(days=7, seconds=-1)

    assert await world.refresh().execute(pair.refresh_token)


async def test_a_revoked_refresh_token_fails() -> None:
    world = World()
    user = world.user()
    pair = await world.signed_in(user)
    await world.log_out().execute(user, pair.refresh_token)
    commits = world.uow.commits

    with pytest.raises(AuthenticationError):
        await world.refresh().execute(pair.refresh_token)

    assert world.uow.commits == commits


async def test_a_refresh_token_of_a_deactivated_user_fails_and_stays_unused() -> None:
    world = World()
    user = world.user()
    pair = await world.signed_in(user)
    world.uow.store.users[user.id].is_active = False
    commits = world.uow.commits

    with pytest.raises(AuthenticationError):
        await world.refresh().execute(pair.refresh_token)

    assert world.uow.commits == commits
    assert world.stored(pair.refresh_token).used_at is None


async def test_a_refresh_token_of_a_deleted_user_fails() -> None:
    world = World()
    user = world.user()
    pair = await world.signed_in(user)
    del world.uow.store.users[user.id]

    with pytest.raises(AuthenticationError):
        await world.refresh().execute(pair.refresh_token)


async def test_an_access_token_cannot_be_used_to_refresh() -> None:
    world = World()
    pair = await world.signed_in(world.user())

    with pytest.raises(AuthenticationError):
        await world.refresh().execute(pair.access_token)


async def test_a_well_signed_refresh_token_that_was_never_stored_fails() -> None:
    world = World()
    pair = await world.signed_in(world.user())
    world.uow.store.refresh_tokens.clear()

    with pytest.raises(AuthenticationError):
        await world.refresh().execute(pair.refresh_token)


# --- LogOut --------------------------------------------------------------------------------


async def test_logging_out_revokes_every_token_of_that_login_and_commits() -> None:
    world = World()
    user = world.user()
    first = await world.signed_in(user)
    second = await world.refresh().execute(first.refresh_token)
    commits = world.uow.commits

    await world.log_out().execute(user, second.refresh_token)

    family = world.stored(first.refresh_token).family_id
    tokens = [t for t in world.uow.store.refresh_tokens.values() if t.family_id == family]
    assert len(tokens) == 2
    assert all(t.is_revoked for t in tokens)
    assert world.uow.commits == commits + 1


async def test_logging_out_leaves_the_users_other_logins_alone() -> None:
    world = World()
    user = world.user()
    phone = await world.signed_in(user)
    laptop = await world.signed_in(user)

    await world.log_out().execute(user, phone.refresh_token)

    assert not world.stored(laptop.refresh_token).is_revoked


async def test_logging_out_with_another_users_refresh_token_fails_and_revokes_nothing() -> None:
    world = World()
    ada, grace = world.user(), world.user()
    await world.signed_in(ada)
    graces = await world.signed_in(grace)
    commits = world.uow.commits

    with pytest.raises(AuthenticationError):
        await world.log_out().execute(ada, graces.refresh_token)

    assert not world.stored(graces.refresh_token).is_revoked
    assert world.uow.commits == commits


async def test_logging_out_with_an_access_token_fails() -> None:
    world = World()
    user = world.user()
    pair = await world.signed_in(user)

    with pytest.raises(AuthenticationError):
        await world.log_out().execute(user, pair.access_token)


# --- Authenticate --------------------------------------------------------------------------


async def test_an_access_token_of_an_active_user_authenticates_that_user() -> None:
    world = World()
    user = world.user()
    pair = await world.signed_in(user)

    caller = await world.authenticate().execute(pair.access_token)

    assert caller.user == user


async def test_an_access_token_of_a_deactivated_user_no_longer_authenticates() -> None:
    world = World()
    user = world.user()
    pair = await world.signed_in(user)
    world.uow.store.users[user.id].is_active = False

    with pytest.raises(AuthenticationError):
        await world.authenticate().execute(pair.access_token)


async def test_an_access_token_of_a_deleted_user_no_longer_authenticates() -> None:
    world = World()
    user = world.user()
    pair = await world.signed_in(user)
    del world.uow.store.users[user.id]

    with pytest.raises(AuthenticationError):
        await world.authenticate().execute(pair.access_token)


async def test_a_refresh_token_cannot_be_used_as_an_access_token() -> None:
    world = World()
    pair = await world.signed_in(world.user())

    with pytest.raises(AuthenticationError):
        await world.authenticate().execute(pair.refresh_token)


async def test_an_unknown_token_does_not_authenticate() -> None:
    world = World()

    with pytest.raises(AuthenticationError):
        await world.authenticate().execute("access.not-a-token")
