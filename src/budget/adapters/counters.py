"""Counters every replica shares: the API-wide rate limit's and the failed logins'.

Two stores behind the same two small interfaces (``hit`` for fixed-window counters, the
domain's ``LoginAttemptStore`` for failed logins), chosen by the composition root
(docs/adr/0016-operations.md):

- **the database** (default): ``shared_counters`` counted with one adding upsert that
  answers the new count (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, one round trip
  in its own short autocommit transaction), ``login_failures`` one row per failure. On
  PostgreSQL they are the app's database, so every replica sees them. On SQLite, which takes
  one writer at a time for the whole file, counting in the ledger's file would make every
  request (reads too) wait behind any write in progress: the counters live in a file of
  their own beside it (``<database>-counters``), shared by the processes of that host,
  through one connection per process.
- **Redis** (``BUDGET_REDIS_URL``): ``INCR`` and ``EXPIRE`` in one ``MULTI`` pipeline (one
  round trip, atomic), and a sorted set per login-throttle key.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from redis.asyncio import Redis
from sqlalchemy import Table, bindparam, delete, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from budget.adapters.counter_tables import LoginFailureRow, SharedCounterRow
from budget.adapters.dialects import adding_upsert, one_writer_at_a_time

log = logging.getLogger("budget.counters")

COUNTERS = cast("Table", SharedCounterRow.__table__)
FAILURES = cast("Table", LoginFailureRow.__table__)
SQLITE_COUNTERS_SUFFIX = "-counters"

HitCounter = Callable[[str, int, int], Awaitable[int]]
"""``hit(key, window_start, window_seconds)``: count one hit of ``key`` in the window that
starts at ``window_start`` (Unix seconds) and answer the window's count so far."""


class SqlCounters:
    """Fixed-window counters in ``shared_counters``; past windows deleted in the background.

    ``hit`` runs one statement on its own autocommit connection (never a unit of work's),
    so counting adds one round trip and holds no lock beyond the statement.
    """

    def __init__(self, engine: AsyncEngine, *, lock: asyncio.Lock | None = None) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._upsert = adding_upsert(
            engine.dialect.name,
            COUNTERS,
            {"key": bindparam("key"), "window_start": bindparam("window_start"), "hits": 1},
            key=("key", "window_start"),
            add=("hits",),
        ).returning(COUNTERS.c.hits)
        self._sweep = delete(COUNTERS).where(COUNTERS.c.window_start < bindparam("before"))
        # SQLite's counters file: one connection, one statement at a time.
        self._lock = lock
        self._current_window = 0
        self._sweeping: set[asyncio.Task[None]] = set()

    async def hit(self, key: str, window_start: int, window_seconds: int) -> int:
        if window_start > self._current_window:
            self._current_window = window_start
            self._sweep_later(window_start)
        params = {"key": key, "window_start": window_start}
        if self._lock is None:
            return await self._run(params)
        async with self._lock:
            return await self._run(params)

    async def _run(self, params: dict[str, Any]) -> int:
        async with self._engine.connect() as connection:
            return int((await connection.execute(self._upsert, params)).scalar_one())

    async def settle(self) -> None:
        """Wait for the sweeps under way (before the engine is disposed)."""
        await asyncio.gather(*self._sweeping, return_exceptions=True)

    def _sweep_later(self, before: int) -> None:
        """Delete the windows before ``before`` without making a request wait for it: once
        per window and process (each replica sweeps; a sweep finding nothing is cheap)."""
        task = asyncio.get_running_loop().create_task(self._delete_before(before))
        self._sweeping.add(task)
        task.add_done_callback(self._sweeping.discard)

    async def _delete_before(self, before: int) -> None:
        try:
            if self._lock is None:
                await self._run_sweep(before)
            else:
                async with self._lock:
                    await self._run_sweep(before)
        except Exception:  # a sweep is housekeeping: the next window tries again
            log.warning("could not delete past rate-limit windows", exc_info=True)

    async def _run_sweep(self, before: int) -> None:
        async with self._engine.connect() as connection:
            await connection.execute(self._sweep, {"before": before})


class SqlLoginAttemptStore:
    """Failed logins as rows of ``login_failures`` (``LoginAttemptStore``); a key's rows
    older than ``keep`` are deleted when it fails again, all of its rows when it succeeds."""

    def __init__(
        self, engine: AsyncEngine, keep: timedelta, *, lock: asyncio.Lock | None = None
    ) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._keep = keep
        self._lock = lock

    async def recent_failures(self, key: str, since: datetime) -> list[datetime]:
        statement = (
            select(FAILURES.c.failed_at)
            .where(FAILURES.c.key == key, FAILURES.c.failed_at > since)
            .order_by(FAILURES.c.failed_at)
        )
        rows = await self._execute(statement, fetch=True)
        return [_utc(at) for (at,) in rows]

    async def record_failure(self, key: str, at: datetime) -> None:
        await self._execute(
            delete(FAILURES).where(FAILURES.c.key == key, FAILURES.c.failed_at <= at - self._keep)
        )
        await self._execute(FAILURES.insert().values(id=uuid.uuid4(), key=key, failed_at=at))

    async def clear(self, key: str) -> None:
        await self._execute(delete(FAILURES).where(FAILURES.c.key == key))

    async def _execute(self, statement: Any, *, fetch: bool = False) -> list[Any]:
        if self._lock is None:
            return await self._run(statement, fetch)
        async with self._lock:
            return await self._run(statement, fetch)

    async def _run(self, statement: Any, fetch: bool) -> list[Any]:
        async with self._engine.connect() as connection:
            result = await connection.execute(statement)
            return list(result.all()) if fetch else []


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


class RedisCounters:
    """Fixed-window counters in Redis: ``INCR`` then ``EXPIRE`` in one ``MULTI`` pipeline."""

    def __init__(self, redis: Redis, prefix: str = "budget:rate:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, key: str, window_start: int, window_seconds: int) -> int:
        name = f"{self._prefix}{key}:{window_start}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            # A second window's grace: a replica whose clock runs a little behind still
            # finds the count.
            pipe.expire(name, window_seconds * 2)
            hits, _ = await pipe.execute()
        return int(hits)


class RedisLoginAttemptStore:
    """Failed logins as a sorted set per key (score: the failure's Unix time)."""

    def __init__(self, redis: Redis, keep: timedelta, prefix: str = "budget:login:") -> None:
        self._redis = redis
        self._keep = keep
        self._prefix = prefix

    async def recent_failures(self, key: str, since: datetime) -> list[datetime]:
        name = self._prefix + key
        scores = await self._redis.zrangebyscore(
            name, f"({since.timestamp()}", "+inf", withscores=True
        )
        return [datetime.fromtimestamp(float(entry[1]), UTC) for entry in scores]

    async def record_failure(self, key: str, at: datetime) -> None:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", (at - self._keep).timestamp())
            pipe.zadd(name, {uuid.uuid4().hex: at.timestamp()})
            pipe.expire(name, int(self._keep.total_seconds()) + 1)
            await pipe.execute()

    async def clear(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)


def counters_engine(
    engine: AsyncEngine, database_url: str
) -> tuple[AsyncEngine, asyncio.Lock | None]:
    """The engine the database store counts on, and the lock its users share when it must
    run one statement at a time: the app's own pool on PostgreSQL (no lock); on SQLite a
    file of its own beside the ledger's (``<database>-counters``; in memory for an in-memory
    database) through one connection, hence one lock."""
    if not one_writer_at_a_time(engine.dialect.name):
        return engine, None
    url = _sqlite_counters_url(database_url)
    own = create_async_engine(
        url, poolclass=StaticPool, connect_args={"timeout": 15, "check_same_thread": False}
    )
    event.listen(own.sync_engine, "connect", _tune_counters_file)
    return own, asyncio.Lock()


def _tune_counters_file(dbapi_connection: Any, _record: Any) -> None:
    # Readers never wait for a writer (WAL); counts are not worth an fsync each.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _sqlite_counters_url(database_url: str) -> str:
    prefix, _, rest = database_url.partition(":///")
    path = rest.split("?", 1)[0]
    if not path or path == ":memory:":
        return "sqlite+aiosqlite://"
    return f"{prefix}:///{Path(path).with_name(Path(path).name + SQLITE_COUNTERS_SUFFIX)}"


async def prepare_counters(engine: AsyncEngine) -> None:
    """Create the counters' tables in SQLite's counters file if missing (PostgreSQL gets
    them from migration 0010)."""
    if engine.dialect.name == "postgresql":
        return
    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync: COUNTERS.metadata.create_all(sync, tables=[COUNTERS, FAILURES])
        )
