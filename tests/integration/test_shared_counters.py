"""The shared counters' stores over real SQLite and PostgreSQL, and over Redis (fakeredis)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from fakeredis import FakeAsyncRedis, FakeServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.counters import (
    COUNTERS,
    RedisCounters,
    RedisLoginAttemptStore,
    SqlCounters,
    SqlLoginAttemptStore,
    counters_engine,
    prepare_counters,
)

WINDOW = 60
KEEP = timedelta(minutes=15)
T0 = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
Store = tuple[AsyncEngine, asyncio.Lock | None]
MADE: list[SqlCounters] = []


def sql_counters(store: Store) -> SqlCounters:
    """Counters whose background sweeps the fixture waits for before disposing."""
    counters = SqlCounters(store[0], lock=store[1])
    MADE.append(counters)
    return counters


def a_key() -> str:
    return f"test:{uuid.uuid4().hex}"


@pytest.fixture
async def store_engine(database_url: str, engine: AsyncEngine) -> AsyncIterator[Store]:
    """The engine the database store counts on (SQLite: its counters file), ready."""
    own, lock = counters_engine(engine, database_url)
    await prepare_counters(own)
    yield own, lock
    for counters in MADE:
        await counters.settle()
    MADE.clear()
    if own is not engine:
        await own.dispose()


async def test_each_hit_answers_the_windows_count_so_far(
    store_engine: Store,
) -> None:
    counters = sql_counters(store_engine)
    key = a_key()

    counts = [await counters.hit(key, 6000, WINDOW) for _ in range(3)]

    assert counts == [1, 2, 3]


async def test_another_window_or_key_counts_from_one(
    store_engine: Store,
) -> None:
    counters = sql_counters(store_engine)
    key = a_key()
    await counters.hit(key, 6000, WINDOW)

    assert await counters.hit(key, 6060, WINDOW) == 1
    assert await counters.hit(a_key(), 6060, WINDOW) == 1


async def test_concurrent_hits_are_all_counted(store_engine: Store) -> None:
    one = sql_counters(store_engine)
    other = sql_counters(store_engine)
    key = a_key()

    counts = await asyncio.gather(
        *(counter.hit(key, 6000, WINDOW) for counter in [one, other] * 10)
    )

    assert sorted(counts) == list(range(1, 21))


async def test_a_new_window_deletes_the_past_ones_in_the_background(
    store_engine: Store,
) -> None:
    engine = store_engine[0]
    counters = SqlCounters(engine, lock=store_engine[1])
    key = a_key()
    await counters.hit(key, 1_000_000_000, WINDOW)

    await counters.hit(key, 1_000_000_060, WINDOW)
    await asyncio.sleep(0.2)

    async with engine.connect() as connection:
        left = await connection.scalar(
            select(func.count()).select_from(COUNTERS).where(COUNTERS.c.key == key)
        )
    assert left == 1


async def test_failed_logins_are_read_back_in_order_within_the_window(
    store_engine: Store,
) -> None:
    store = SqlLoginAttemptStore(store_engine[0], KEEP, lock=store_engine[1])
    key = a_key()
    for minutes in (0, 5, 10):
        await store.record_failure(key, T0 + timedelta(minutes=minutes))

    recent = await store.recent_failures(key, since=T0 + timedelta(minutes=1))

    assert recent == [T0 + timedelta(minutes=5), T0 + timedelta(minutes=10)]


async def test_two_stores_on_one_database_see_the_same_failures(
    store_engine: Store,
) -> None:
    one = SqlLoginAttemptStore(store_engine[0], KEEP, lock=store_engine[1])
    other = SqlLoginAttemptStore(store_engine[0], KEEP, lock=store_engine[1])
    key = a_key()
    await one.record_failure(key, T0)

    assert await other.recent_failures(key, since=T0 - KEEP) == [T0]


async def test_clearing_a_key_forgets_its_failures(
    store_engine: Store,
) -> None:
    store = SqlLoginAttemptStore(store_engine[0], KEEP, lock=store_engine[1])
    key = a_key()
    await store.record_failure(key, T0)

    await store.clear(key)

    assert await store.recent_failures(key, since=T0 - KEEP) == []


# --- Redis ----------------------------------------------------------------------------------


@pytest.fixture
def redis_server() -> FakeServer:
    return FakeServer()


async def test_redis_hits_answer_the_count_and_expire_with_the_window(
    redis_server: FakeServer,
) -> None:
    redis = FakeAsyncRedis(server=redis_server)
    counters = RedisCounters(redis)
    key = a_key()

    counts = [await counters.hit(key, 6000, WINDOW) for _ in range(3)]

    assert counts == [1, 2, 3]
    assert 0 < await redis.ttl(f"budget:rate:{key}:6000") <= 2 * WINDOW


async def test_two_redis_clients_count_together(redis_server: FakeServer) -> None:
    one = RedisCounters(FakeAsyncRedis(server=redis_server))
    other = RedisCounters(FakeAsyncRedis(server=redis_server))
    key = a_key()

    counts = await asyncio.gather(*(c.hit(key, 6000, WINDOW) for c in [one, other] * 5))

    assert sorted(counts) == list(range(1, 11))


async def test_redis_failed_logins_are_read_within_the_window_and_cleared(
    redis_server: FakeServer,
) -> None:
    store = RedisLoginAttemptStore(FakeAsyncRedis(server=redis_server), KEEP)
    key = a_key()
    for minutes in (0, 5, 10):
        await store.record_failure(key, T0 + timedelta(minutes=minutes))

    recent = await store.recent_failures(key, since=T0 + timedelta(minutes=1))
    await store.clear(key)

    assert recent == [T0 + timedelta(minutes=5), T0 + timedelta(minutes=10)]
    assert await store.recent_failures(key, since=T0 - KEEP) == []
