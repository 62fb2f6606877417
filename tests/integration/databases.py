"""Throw-away databases for the integration suite: SQLite files and PostgreSQL databases.

Each PostgreSQL database is a fresh one, dropped afterwards: created next to the database
``BUDGET_TEST_POSTGRES_URL`` names (and named after it, the pytest-xdist worker and a random
suffix) or, when that is unset, next to ``postgres`` on 127.0.0.1:5432. Without a
reachable server the PostgreSQL half is skipped, except with
``CI=true``, where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def postgres_required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("BUDGET_TEST_REQUIRE_POSTGRES") == "1"


async def _reachable(url: str) -> bool:
    engine = create_async_engine(url, connect_args={"timeout": 3})
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    given = os.environ.get("BUDGET_TEST_POSTGRES_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if given:
        if not await _reachable(given):
            pytest.fail(f"BUDGET_TEST_POSTGRES_URL is set but unreachable: {given}")
        # No fixture may share (and wipe) another's database, across parallel workers or
        # within one: each gets a sibling of the given one on the same server, named after
        # it, the worker and a random suffix, and dropped afterwards.
        server = given
        name = f"{given.rsplit('/', 1)[1]}_{worker or 'main'}_{uuid.uuid4().hex[:8]}"
    else:
        if not await _reachable(DEFAULT_SERVER):
            message = "PostgreSQL is not reachable on 127.0.0.1:5432"
            if postgres_required():
                pytest.fail(message)
            pytest.skip(message)
        server, name = DEFAULT_SERVER, f"budget_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@asynccontextmanager
async def sqlite_database(directory: Path) -> AsyncIterator[str]:
    yield f"sqlite+aiosqlite:///{directory / f'budget-{uuid.uuid4().hex[:8]}.sqlite3'}"
    await asyncio.sleep(0)
