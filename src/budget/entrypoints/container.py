"""The adapters one running app shares: engine, sessions, hasher, token codec, clock."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.change_reader import SqlAlchemyChangeReader, TombstonePurger
from budget.adapters.changes import Recording
from budget.adapters.counters import (
    HitCounter,
    RedisCounters,
    RedisLoginAttemptStore,
    SqlCounters,
    SqlLoginAttemptStore,
    counters_engine,
    prepare_counters,
)
from budget.adapters.database import (
    Scope,
    WriterQueue,
    create_engine,
    read_only_engine,
    writer_queue,
)
from budget.adapters.idempotency import SqlAlchemyIdempotencyStore
from budget.adapters.passwords import Argon2PasswordHasher
from budget.adapters.system import SystemClock, UuidV7Factory
from budget.adapters.tokens import JwtTokenCodec
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.adapters.webhook_http import (
    HttpxWebhookSender,
    RandomWebhookSecrets,
    SystemAddressResolver,
)
from budget.domain.model.ids import HouseholdId
from budget.domain.model.webhook import UrlPolicy
from budget.domain.ports import LoginAttemptStore
from budget.domain.services.auth import LoginLimits, LoginThrottle, TokenIssuer, TokenPolicy
from budget.domain.services.webhooks import CheckUrl
from budget.entrypoints.http.schemas.webhooks import event_data
from budget.settings import JwtAlgorithm, Settings


@dataclass
class Container:
    """Long-lived collaborators, built once per app from the settings."""

    settings: Settings
    engine: AsyncEngine
    read_engine: AsyncEngine
    """The same pool, for work that only reads (``database.read_only_engine``)."""
    hasher: Argon2PasswordHasher
    codec: JwtTokenCodec
    clock: SystemClock = field(default_factory=SystemClock)
    ids: UuidV7Factory = field(default_factory=UuidV7Factory)
    login_attempts: LoginAttemptStore | None = None
    """Failed logins, shared by every replica (``shared_stores``)."""
    counters: SqlCounters | RedisCounters | None = None
    hits: HitCounter | None = None
    """The API-wide rate limit's counter (``counters.hit``), shared by every replica
    (``shared_stores``)."""
    writers: WriterQueue | None = None
    counters_engine: AsyncEngine | None = None
    """SQLite's counters file (``counters.counters_engine``); None when the counters share
    ``engine`` or live in Redis."""
    redis: Redis | None = None
    webhook_sender: HttpxWebhookSender = field(default_factory=HttpxWebhookSender)
    address_resolver: SystemAddressResolver = field(default_factory=SystemAddressResolver)
    webhook_secrets: RandomWebhookSecrets = field(default_factory=RandomWebhookSecrets)
    recording: Recording | None = None
    """What writing units of work record the change feed and audit trail with (set by the
    composition root: the wire renderers come from the HTTP schemas)."""

    def uow(self, scope: Scope = None) -> SqlAlchemyUnitOfWork:
        """``scope``: the households whose rows row-level security lets it touch
        (``database.Scope``; None: none, for work on users and tokens alone)."""
        return SqlAlchemyUnitOfWork(
            self.engine,
            writers=self.writers,
            scope=scope,
            recording=self.recording,
            event_data=event_data,
        )

    def change_reader(self, scope: Sequence[HouseholdId]) -> SqlAlchemyChangeReader:
        self.tombstones.maybe_purge(self.clock.now())
        return SqlAlchemyChangeReader(self.read_engine, scope)

    @cached_property
    def tombstones(self) -> TombstonePurger:
        retention = timedelta(days=self.settings.change_retention_days)
        return TombstonePurger(self.engine, self.writers, retention)

    @cached_property
    def idempotency(self) -> SqlAlchemyIdempotencyStore:
        return SqlAlchemyIdempotencyStore(self.engine, self.writers)

    @cached_property
    def feed_key(self) -> bytes:
        """A key for signing change-feed tokens, derived from (never equal to) the secret."""
        return hashlib.sha256(b"budget-changes:" + self.settings.secret_key.encode()).digest()

    def check_url(self) -> CheckUrl:
        """The webhook URL policy of these settings, over the system resolver."""
        policy = UrlPolicy(allow_private=self.settings.webhooks_reach_private)
        return CheckUrl(policy, self.address_resolver)

    def read_uow(self, scope: Scope = None) -> SqlAlchemyUnitOfWork:
        """For use cases that only read (they never commit)."""
        return SqlAlchemyUnitOfWork(self.read_engine, read_only=True, scope=scope)

    def issuer(self) -> TokenIssuer:
        policy = TokenPolicy(
            timedelta(seconds=self.settings.access_token_ttl_seconds),
            timedelta(seconds=self.settings.refresh_token_ttl_seconds),
        )
        return TokenIssuer(self.codec, self.ids, policy)

    def throttle(self) -> LoginThrottle:
        limits = LoginLimits(
            self.settings.login_max_failures_per_account,
            self.settings.login_max_failures_per_client,
            timedelta(seconds=self.settings.login_failure_window_seconds),
        )
        assert self.login_attempts is not None, "build_container sets the store"
        return LoginThrottle(self.login_attempts, limits)

    async def start(self) -> None:
        """Create what the stores need before the first request (SQLite's counters file)."""
        if self.counters_engine is not None:
            await prepare_counters(self.counters_engine)

    async def close(self) -> None:
        if isinstance(self.counters, SqlCounters):
            await self.counters.settle()
        await self.engine.dispose()
        if self.counters_engine is not None:
            await self.counters_engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()

    @cached_property
    def cursor_key(self) -> bytes:
        """A key for signing list cursors, derived from (never equal to) the token secret."""
        return hashlib.sha256(b"budget-cursor:" + self.settings.secret_key.encode()).digest()


def build_container(settings: Settings, *, hasher: Argon2PasswordHasher | None = None) -> Container:
    engine = create_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        connect_timeout=settings.database_connect_timeout_seconds,
        statement_timeout=settings.database_statement_timeout_seconds,
    )
    container = Container(
        settings=settings,
        engine=engine,
        read_engine=read_only_engine(engine),
        hasher=hasher or Argon2PasswordHasher(),
        codec=build_codec(settings),
        writers=writer_queue(engine),
    )
    shared_stores(container)
    return container


def shared_stores(c: Container) -> None:
    """The rate limit's counters and the failed logins where every replica sees them:
    Redis with ``BUDGET_REDIS_URL``, else the database (docs/adr/0016-operations.md)."""
    keep = timedelta(seconds=c.settings.login_failure_window_seconds)
    if c.settings.redis_url:
        c.redis = Redis.from_url(c.settings.redis_url)
        c.counters = RedisCounters(c.redis)
        c.hits = c.counters.hit
        c.login_attempts = RedisLoginAttemptStore(c.redis, keep)
        return
    engine, lock = counters_engine(c.engine, c.settings.database_url)
    if engine is not c.engine:
        c.counters_engine = engine
    c.counters = SqlCounters(engine, lock=lock)
    c.hits = c.counters.hit
    c.login_attempts = SqlLoginAttemptStore(engine, keep, lock=lock)


def build_codec(settings: Settings) -> JwtTokenCodec:
    if settings.jwt_algorithm is JwtAlgorithm.HS256:
        return JwtTokenCodec(
            algorithm="HS256",
            signing_key=settings.secret_key,
            verifying_key=settings.secret_key,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
    return JwtTokenCodec.from_key_files(
        algorithm=settings.jwt_algorithm.value,
        private_key_file=settings.jwt_private_key_file,
        public_key_file=settings.jwt_public_key_file,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
