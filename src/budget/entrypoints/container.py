"""The adapters one running app shares: engine, sessions, hasher, token codec, clock."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import (
    Scope,
    WriterQueue,
    create_engine,
    read_only_engine,
    writer_queue,
)
from budget.adapters.passwords import Argon2PasswordHasher
from budget.adapters.system import SystemClock, UuidV7Factory
from budget.adapters.throttle import InMemoryLoginAttemptStore
from budget.adapters.tokens import JwtTokenCodec
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.adapters.webhook_http import (
    HttpxWebhookSender,
    RandomWebhookSecrets,
    SystemAddressResolver,
)
from budget.domain.model.webhook import UrlPolicy
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
    login_attempts: InMemoryLoginAttemptStore = field(default_factory=InMemoryLoginAttemptStore)
    writers: WriterQueue | None = None
    webhook_sender: HttpxWebhookSender = field(default_factory=HttpxWebhookSender)
    address_resolver: SystemAddressResolver = field(default_factory=SystemAddressResolver)
    webhook_secrets: RandomWebhookSecrets = field(default_factory=RandomWebhookSecrets)

    def uow(self, scope: Scope = None) -> SqlAlchemyUnitOfWork:
        """``scope``: the households whose rows row-level security lets it touch
        (``database.Scope``; None: none, for work on users and tokens alone). Webhook
        events it records print their data as the resources' ``GET`` answers."""
        return SqlAlchemyUnitOfWork(
            self.engine, writers=self.writers, scope=scope, event_data=event_data
        )

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
        return LoginThrottle(self.login_attempts, limits)

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
    return Container(
        settings=settings,
        engine=engine,
        read_engine=read_only_engine(engine),
        hasher=hasher or Argon2PasswordHasher(),
        codec=build_codec(settings),
        writers=writer_queue(engine),
    )


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
