"""Integration fixtures: the real app over real SQLite and PostgreSQL, schema from migrations."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import create_engine
from budget.adapters.migrations import upgrade
from budget.adapters.passwords import Argon2PasswordHasher
from budget.entrypoints.app import create_app
from budget.entrypoints.container import build_container
from budget.settings import Environment, Settings
from tests.integration.databases import postgres_database, sqlite_database

SECRET = "integration-test-secret-that-is-long-enough-0123456789"
PASSWORD = "correct horse battery staple"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": Environment.TEST,
        "database_url": database_url,
        "secret_key": SECRET,
        "access_log": False,
        # The suite makes many requests per user and address: tests of the API-wide rate
        # limit turn it on themselves.
        "rate_limit_per_minute": 0,
        # The suite builds many apps: only the tests of background work run a scheduler.
        "scheduler_enabled": False,
        **overrides,
    }
    return Settings(**values)


def make_app(database_url: str, **overrides: Any) -> Litestar:
    """The production app, with a cheap Argon2 profile so the suite stays quick."""
    settings = make_settings(database_url, **overrides)
    hasher = Argon2PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return create_app(settings, container=build_container(settings, hasher=hasher))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A migrated database of each kind, shared by the session (tests use their own users)."""
    if request.param == "sqlite":
        manager = sqlite_database(Path(tmp_path_factory.mktemp("sqlite")))
    else:
        manager = postgres_database()
    async with manager as url:
        await upgrade(url)
        yield url


@pytest.fixture(scope="session")
async def app(database_url: str) -> Litestar:
    return make_app(database_url)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app) as test_client:
        yield test_client


@dataclass
class SignedIn:
    """A registered user with a fresh login."""

    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def sign_up(client: AsyncTestClient[Litestar], **fields: Any) -> SignedIn:
    email = fields.pop("email", unique_email())
    password = fields.pop("password", PASSWORD)
    registered = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, **fields}
    )
    assert registered.status_code == 201, registered.text
    tokens = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    return SignedIn(
        registered.json()["id"], email, password, body["access_token"], body["refresh_token"]
    )


@pytest.fixture
def new_user(client: AsyncTestClient[Litestar]) -> Callable[..., Awaitable[SignedIn]]:
    """Registers and signs in a brand-new user: ``alice = await new_user()``."""

    async def make(**fields: Any) -> SignedIn:
        return await sign_up(client, **fields)

    return make


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine of the test's own (the app's pool belongs to the app's event loop)."""
    own = create_engine(database_url)
    yield own
    await own.dispose()
