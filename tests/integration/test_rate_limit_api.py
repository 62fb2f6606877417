"""The API-wide rate limit (contract section 16): RateLimit-* headers, 429, shared counts."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fakeredis import FakeAsyncRedis, FakeServer
from litestar import Litestar
from litestar.testing import AsyncTestClient

from budget.adapters.counters import RedisCounters, RedisLoginAttemptStore
from budget.adapters.passwords import Argon2PasswordHasher
from budget.entrypoints.app import create_app
from budget.entrypoints.container import build_container
from tests.integration.conftest import SignedIn, make_app, make_settings

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
ME = "/api/v1/users/me"
RATE_HEADERS = {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}
HASHER = Argon2PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@asynccontextmanager
async def limited_client(database_url: str, limit: int, **overrides: Any) -> AsyncIterator[Client]:
    """A client of an app with the limit on; addresses come from ``X-Forwarded-For`` so
    each test counts under addresses of its own (the counters live in the shared database)."""
    app = make_app(database_url, rate_limit_per_minute=limit, trust_forwarded_for=True, **overrides)
    async with AsyncTestClient(app) as client:
        await away_from_the_window_end()
        yield client


async def away_from_the_window_end(margin: float = 5.0) -> None:
    """Windows are fixed minutes: a test whose requests straddle two would see its count
    start again, so it starts at least ``margin`` seconds before the minute ends."""
    left = 60 - time.time() % 60
    if left < margin:
        await asyncio.sleep(left + 0.1)


def an_address() -> dict[str, str]:
    return {"X-Forwarded-For": f"client-{uuid.uuid4().hex}"}


def _rate(response: Any) -> tuple[int, int, int]:
    headers = response.headers
    return (
        int(headers["ratelimit-limit"]),
        int(headers["ratelimit-remaining"]),
        int(headers["ratelimit-reset"]),
    )


async def test_an_authenticated_answer_carries_the_limit_the_remaining_and_the_reset(
    database_url: str, new_user: NewUser
) -> None:
    user = await new_user()
    async with limited_client(database_url, 50) as client:
        first = await client.get(ME, headers=user.headers)
        second = await client.get(ME, headers=user.headers)

    assert first.status_code == 200
    limit, remaining, reset = _rate(first)
    assert (limit, remaining) == (50, 49)
    assert 1 <= reset <= 60
    assert _rate(second)[:2] == (50, 48)


async def test_each_user_has_a_count_of_their_own(database_url: str, new_user: NewUser) -> None:
    alice, bob = await new_user(), await new_user()
    address = an_address()
    async with limited_client(database_url, 50) as client:
        for _ in range(3):
            await client.get(ME, headers={**alice.headers, **address})
        response = await client.get(ME, headers={**bob.headers, **address})

    assert _rate(response)[1] == 49


async def test_requests_without_a_token_are_counted_by_address(database_url: str) -> None:
    address = an_address()
    body = {"email": "nobody@example.com", "password": "not the password"}
    async with limited_client(database_url, 50) as client:
        await client.post("/api/v1/auth/login", json=body, headers=address)
        response = await client.post("/api/v1/auth/login", json=body, headers=address)
        elsewhere = await client.post("/api/v1/auth/login", json=body, headers=an_address())

    assert _rate(response)[1] == 48
    assert _rate(elsewhere)[1] == 49


async def test_a_401_and_an_unknown_route_under_the_api_carry_the_headers_too(
    database_url: str,
) -> None:
    address = an_address()
    async with limited_client(database_url, 50) as client:
        unauthenticated = await client.get(ME, headers=address)
        unknown = await client.get("/api/v1/no-such-thing", headers=address)

    assert unauthenticated.status_code == 401
    assert unknown.status_code == 404
    assert _rate(unauthenticated)[1] == 49
    assert _rate(unknown)[1] == 48


async def test_past_the_limit_the_answer_is_a_429_problem_with_retry_after(
    database_url: str, new_user: NewUser
) -> None:
    user = await new_user()
    async with limited_client(database_url, 3) as client:
        allowed = [(await client.get(ME, headers=user.headers)).status_code for _ in range(3)]
        refused = await client.get(ME, headers=user.headers)

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    retry_after = refused.headers["retry-after"]
    assert retry_after.isdigit()
    assert 1 <= int(retry_after) <= 60
    assert _rate(refused) == (3, 0, int(retry_after))


async def test_two_apps_on_one_database_count_together(
    database_url: str, new_user: NewUser
) -> None:
    user = await new_user()
    async with (
        limited_client(database_url, 4) as one,
        limited_client(database_url, 4) as other,
    ):
        answers = [
            (await replica.get(ME, headers=user.headers)).status_code
            for replica in (one, other, one, other, one)
        ]

    assert answers == [200, 200, 200, 200, 429]


async def test_with_the_limit_off_no_answer_carries_the_headers(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(ME, headers=user.headers)

    assert response.status_code == 200
    assert RATE_HEADERS.isdisjoint(response.headers)


async def test_answers_outside_the_api_carry_no_headers(database_url: str) -> None:
    async with limited_client(database_url, 50) as client:
        answers = [await client.get(path) for path in ("/up", "/ready", "/schema/openapi.json")]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(RATE_HEADERS.isdisjoint(a.headers) for a in answers)


def redis_app(database_url: str, server: FakeServer, limit: int) -> Litestar:
    """The app with ``BUDGET_REDIS_URL`` set, its Redis client swapped for a fake one."""
    settings = make_settings(
        database_url,
        rate_limit_per_minute=limit,
        trust_forwarded_for=True,
        redis_url="redis://redis.invalid:6379/0",
    )
    container = build_container(settings, hasher=HASHER)
    assert isinstance(container.counters, RedisCounters)
    container.redis = FakeAsyncRedis(server=server)
    container.counters = RedisCounters(container.redis)
    container.hits = container.counters.hit
    container.login_attempts = RedisLoginAttemptStore(container.redis, timedelta(minutes=15))
    return create_app(settings, container=container)


async def test_two_apps_on_one_redis_count_together(database_url: str, new_user: NewUser) -> None:
    user = await new_user()
    server = FakeServer()
    async with (
        AsyncTestClient(redis_app(database_url, server, 3)) as one,
        AsyncTestClient(redis_app(database_url, server, 3)) as other,
    ):
        await away_from_the_window_end()
        answers = [
            (await replica.get(ME, headers=user.headers)).status_code
            for replica in (one, other, one, other)
        ]

    assert answers == [200, 200, 200, 429]


async def test_failed_logins_on_one_redis_app_count_on_the_other(database_url: str) -> None:
    server = FakeServer()
    body = {"email": f"{uuid.uuid4().hex}@example.com", "password": "wrong password"}
    limits = {"login_max_failures_per_account": 2}
    async with (
        AsyncTestClient(redis_app(database_url, server, 0)) as one,
        AsyncTestClient(redis_app(database_url, server, 0)) as other,
    ):
        one.app.state.container.settings = make_settings(database_url, **limits)
        other.app.state.container.settings = make_settings(database_url, **limits)
        first = await one.post("/api/v1/auth/login", json=body, headers=an_address())
        second = await other.post("/api/v1/auth/login", json=body, headers=an_address())
        third = await one.post("/api/v1/auth/login", json=body, headers=an_address())

    assert [first.status_code, second.status_code, third.status_code] == [401, 401, 429]


async def test_every_api_operation_documents_the_429_and_the_rate_limit_headers(
    client: Client,
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1")
        for method, operation in item.items()
    ]

    assert operations
    for path, method, operation in operations:
        refused = operation["responses"]["429"]
        assert "Retry-After" in refused["headers"], (method, path)
        for response in operation["responses"].values():
            assert {name.lower() for name in response["headers"]} >= RATE_HEADERS, (method, path)
