"""Use cases of authentication: register, log in, refresh, log out, authenticate a request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from budget.domain.errors import AuthenticationError, ConflictError, RateLimitedError
from budget.domain.model.auth import (
    RefreshToken,
    TokenClaims,
    TokenPair,
    TokenType,
    hash_token,
)
from budget.domain.model.currency import Currency
from budget.domain.model.household import PERSONAL_HOUSEHOLD_NAME, Caller
from budget.domain.model.ids import TokenFamilyId, TokenId, UserId
from budget.domain.model.user import (
    User,
    check_password_policy,
    clean_display_name,
    normalize_email,
)
from budget.domain.ports import (
    Clock,
    IdFactory,
    LoginAttemptStore,
    PasswordHasher,
    TokenCodec,
    UnitOfWork,
)
from budget.domain.services.households import start_household

INVALID_CREDENTIALS = "The e-mail address or password is incorrect."
INVALID_REFRESH_TOKEN = "The refresh token is invalid, expired or revoked."


class EmailTakenError(ConflictError):
    title = "E-mail address already registered"


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """Lifetimes of the two kinds of token."""

    access_ttl: timedelta
    refresh_ttl: timedelta


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """How many failed logins a window allows, per account and per client address."""

    per_account: int
    per_client: int
    window: timedelta


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    display_name: str | None = None
    default_currency: str | None = None


class TokenIssuer:
    """Issues access/refresh pairs and records the refresh token's hash in its family."""

    def __init__(self, codec: TokenCodec, ids: IdFactory, policy: TokenPolicy) -> None:
        self._codec = codec
        self._ids = ids
        self._policy = policy

    def issue(
        self, uow: UnitOfWork, user_id: UserId, family_id: TokenFamilyId, now: datetime
    ) -> TokenPair:
        access = TokenClaims(
            user_id, TokenType.ACCESS, self._ids.new_id(), now, now + self._policy.access_ttl
        )
        refresh_id = TokenId(self._ids.new_id())
        refresh = TokenClaims(
            user_id, TokenType.REFRESH, refresh_id, now, now + self._policy.refresh_ttl
        )
        refresh_token = self._codec.encode(refresh)
        uow.refresh_tokens.add(
            RefreshToken(
                refresh_id, family_id, user_id, hash_token(refresh_token), now, refresh.expires_at
            )
        )
        return TokenPair(
            self._codec.encode(access),
            refresh_token,
            int(self._policy.access_ttl.total_seconds()),
        )

    def new_family(self) -> TokenFamilyId:
        return TokenFamilyId(self._ids.new_id())


class RegisterUser:
    """Create a user: unique (case-insensitive) e-mail, password policy, Argon2id hash.

    The user gets a personal household ("Personal"): they own it, it gets the default
    categories, and it is their default household.

    Raises:
        RuleViolationError: bad e-mail, password, name or currency.
        EmailTakenError: the address is registered already.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        clock: Clock,
        ids: IdFactory,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._ids = ids

    async def execute(self, registration: Registration, *, is_admin: bool = False) -> User:
        email = normalize_email(registration.email)
        check_password_policy(registration.password, email)
        display_name = clean_display_name(registration.display_name)
        currency = Currency.of(registration.default_currency or "EUR", field="default_currency")
        password_hash = await self._hasher.hash(registration.password)
        async with self._uow as uow:
            if await uow.users.get_by_email(email) is not None:
                raise EmailTakenError(f"{email} is already registered.")
            now = self._clock.now()
            user = User(
                UserId(self._ids.new_id()),
                email,
                password_hash,
                display_name,
                currency.code,
                is_admin,
                True,
                now,
                now,
            )
            household = start_household(uow, self._ids, user.id, PERSONAL_HOUSEHOLD_NAME, now)
            user.default_household_id = household.id
            uow.users.add(user)
            await uow.commit()
        return user


class LoginThrottle:
    """Counts failed logins per account and per client; too many → RateLimitedError.

    ``client`` is None for a password proved without logging in (changing one's password):
    that failure counts against the account only, together with its failed logins.
    """

    def __init__(self, store: LoginAttemptStore, limits: LoginLimits) -> None:
        self._store = store
        self._limits = limits

    def _keys(self, email: str, client: str | None) -> list[tuple[str, int]]:
        keys = [(f"account:{email}", self._limits.per_account)]
        if client is not None:
            keys.append((f"client:{client}", self._limits.per_client))
        return keys

    async def check(self, email: str, client: str | None, now: datetime) -> None:
        since = now - self._limits.window
        for key, limit in self._keys(email, client):
            failures = await self._store.recent_failures(key, since)
            if len(failures) >= limit:
                oldest = min(failures)
                wait = (oldest + self._limits.window - now).total_seconds()
                raise RateLimitedError(int(wait) + 1)

    async def failed(self, email: str, client: str | None, now: datetime) -> None:
        for key, _ in self._keys(email, client):
            await self._store.record_failure(key, now)

    async def succeeded(self, email: str) -> None:
        await self._store.clear(f"account:{email}")


class LogIn:
    """Exchange e-mail and password for a token pair.

    Unknown e-mail, wrong password and deactivated user fail identically and take about the
    same time: a password is always verified, against a dummy hash when there is no user.

    Raises:
        RateLimitedError: too many recent failures for the account or the client.
        AuthenticationError: the credentials are not valid.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        clock: Clock,
        issuer: TokenIssuer,
        throttle: LoginThrottle,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._issuer = issuer
        self._throttle = throttle

    async def execute(self, email: str, password: str, client: str) -> TokenPair:
        email = email.strip().lower()
        await self._throttle.check(email, client, self._clock.now())
        async with self._uow as uow:
            user = await uow.users.get_by_email(email)
            if user is None:
                await self._hasher.verify_dummy(password)
                valid = False
            else:
                valid = await self._hasher.verify(user.password_hash, password)
            if user is None or not valid or not user.is_active:
                await self._throttle.failed(email, client, self._clock.now())
                raise AuthenticationError(INVALID_CREDENTIALS)
            await self._throttle.succeeded(email)
            pair = self._issuer.issue(uow, user.id, self._issuer.new_family(), self._clock.now())
            await uow.commit()
        return pair


class RefreshTokens:
    """Rotate a refresh token: the presented one stops working, a new pair is issued.

    Presenting a token that was already rotated revokes its whole family (reuse detection).

    Raises:
        AuthenticationError: invalid, expired, revoked or reused token; inactive user.
    """

    def __init__(
        self, uow: UnitOfWork, codec: TokenCodec, clock: Clock, issuer: TokenIssuer
    ) -> None:
        self._uow = uow
        self._codec = codec
        self._clock = clock
        self._issuer = issuer

    async def execute(self, refresh_token: str) -> TokenPair:
        claims = self._codec.decode(refresh_token, TokenType.REFRESH)
        now = self._clock.now()
        async with self._uow as uow:
            stored = await _stored_token(uow, claims.token_id, refresh_token)
            if stored.is_revoked or stored.is_expired(now):
                raise AuthenticationError(INVALID_REFRESH_TOKEN)
            if stored.was_used or not await uow.refresh_tokens.mark_used(stored.id, now):
                await uow.refresh_tokens.revoke_family(stored.family_id, now)
                await uow.commit()
                raise AuthenticationError(INVALID_REFRESH_TOKEN)
            user = await uow.users.get(stored.user_id)
            if user is None or not user.is_active:
                raise AuthenticationError(INVALID_REFRESH_TOKEN)
            pair = self._issuer.issue(uow, user.id, stored.family_id, now)
            await uow.commit()
        return pair


async def _stored_token(uow: UnitOfWork, token_id: UUID, token: str) -> RefreshToken:
    stored = await uow.refresh_tokens.get(TokenId(token_id))
    if stored is None or stored.token_hash != hash_token(token):
        raise AuthenticationError(INVALID_REFRESH_TOKEN)
    return stored


class LogOut:
    """Revoke every refresh token of the login that the presented token belongs to.

    Raises:
        AuthenticationError: the token is not a valid refresh token of this user.
    """

    def __init__(self, uow: UnitOfWork, codec: TokenCodec, clock: Clock) -> None:
        self._uow = uow
        self._codec = codec
        self._clock = clock

    async def execute(self, user: User, refresh_token: str) -> None:
        claims = self._codec.decode(refresh_token, TokenType.REFRESH)
        if claims.subject != user.id:
            raise AuthenticationError(INVALID_REFRESH_TOKEN)
        async with self._uow as uow:
            stored = await _stored_token(uow, claims.token_id, refresh_token)
            await uow.refresh_tokens.revoke_family(stored.family_id, self._clock.now())
            await uow.commit()


class Authenticate:
    """Turn an access token into the active user it names, with their role in each of their
    households (read once per request: role changes apply from the next one).

    Raises:
        AuthenticationError: bad token, or the user is gone or deactivated.
    """

    def __init__(self, uow: UnitOfWork, codec: TokenCodec) -> None:
        self._uow = uow
        self._codec = codec

    async def execute(self, access_token: str) -> Caller:
        claims = self._codec.decode(access_token, TokenType.ACCESS)
        async with self._uow as uow:
            caller = await uow.users.get_caller(claims.subject)
        if caller is None or not caller.user.is_active:
            raise AuthenticationError("The access token is no longer valid.")
        return caller
