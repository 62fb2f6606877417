"""Every function of ``budget.adapters.dialects`` does what it says, on SQLite and PostgreSQL.

Each test works on probe tables of its own, created inside a transaction that is rolled
back at the end, so nothing is left in the shared database.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from advanced_alchemy.types import GUID
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    column,
    exc,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from budget.adapters.database import create_engine, read_only_engine, writer_queue
from budget.adapters.dialects import (
    POSTGRESQL,
    adding_upsert,
    locks_rows,
    month_of,
    one_writer_at_a_time,
    parameter_rows,
    replacing_upsert,
    rows_table,
    tag_contains,
    week_of,
)
from budget.adapters.tables import UserRow

PROBES = MetaData()
COUNTERS = Table(
    "probe_counters",
    PROBES,
    Column("k", Integer, primary_key=True),
    Column("amount", Integer, nullable=False),
    Column("count", Integer, nullable=False),
)
TAGGED = Table(
    "probe_tagged",
    PROBES,
    Column("id", Integer, primary_key=True),
    Column("tags", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
)


@pytest.fixture
async def owner_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine acting as the login itself: on PostgreSQL the app's role (``engine``'s)
    may not create tables, which the probes need."""
    own = create_engine(database_url, tenant_role=False)
    yield own
    await own.dispose()


@pytest.fixture
async def connection(owner_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that holds the probe tables and is rolled back."""
    async with owner_engine.connect() as open_connection:
        await open_connection.begin()
        await open_connection.run_sync(PROBES.create_all)
        yield open_connection
        await open_connection.rollback()


def _dialect(connection: AsyncConnection) -> str:
    return connection.dialect.name


async def _counters(connection: AsyncConnection) -> dict[int, tuple[int, int]]:
    rows = await connection.execute(select(COUNTERS).order_by(COUNTERS.c.k))
    return {k: (amount, count) for k, amount, count in rows}


async def test_an_adding_upsert_inserts_new_keys_and_adds_to_taken_ones(
    connection: AsyncConnection,
) -> None:
    await connection.execute(COUNTERS.insert(), [{"k": 1, "amount": 10, "count": 1}])

    for values in ({"k": 1, "amount": 5, "count": 2}, {"k": 2, "amount": 7, "count": 1}):
        await connection.execute(
            adding_upsert(
                _dialect(connection), COUNTERS, values, key=("k",), add=("amount", "count")
            )
        )

    assert await _counters(connection) == {1: (15, 3), 2: (7, 1)}


async def test_a_replacing_upsert_from_a_select_overwrites_taken_keys(
    connection: AsyncConnection,
) -> None:
    await connection.execute(COUNTERS.insert(), [{"k": 1, "amount": 10, "count": 1}])
    rows = select(
        literal(1, Integer).label("k"), literal(4, Integer), literal(9, Integer)
    ).union_all(select(literal(3, Integer), literal(6, Integer), literal(2, Integer)))

    await connection.execute(
        replacing_upsert(
            _dialect(connection),
            COUNTERS,
            select(rows.subquery()),
            key=("k",),
            replace=("amount", "count"),
            columns=("k", "amount", "count"),
        )
    )

    assert await _counters(connection) == {1: (4, 9), 3: (6, 2)}


async def test_tag_contains_finds_exactly_the_rows_holding_the_whole_tag(
    connection: AsyncConnection,
) -> None:
    await connection.execute(
        TAGGED.insert(),
        [
            {"id": 1, "tags": ["home", "shared"]},
            {"id": 2, "tags": ["homework"]},
            {"id": 3, "tags": []},
            {"id": 4, "tags": ["shared"]},
        ],
    )

    found = await connection.execute(
        select(TAGGED.c.id)
        .where(tag_contains(_dialect(connection), TAGGED.c.tags, "shared"))
        .order_by(TAGGED.c.id)
    )

    assert found.scalars().all() == [1, 4]


@pytest.mark.parametrize(
    ("day", "month", "week"),
    [
        (date(2026, 2, 18), date(2026, 2, 1), date(2026, 2, 16)),  # a Wednesday
        (date(2026, 2, 22), date(2026, 2, 1), date(2026, 2, 16)),  # a Sunday
        (date(2026, 3, 2), date(2026, 3, 1), date(2026, 3, 2)),  # a Monday
        (date(2027, 1, 1), date(2027, 1, 1), date(2026, 12, 28)),  # a week across years
    ],
)
async def test_month_of_and_week_of_give_the_first_day_of_the_month_and_the_monday(
    connection: AsyncConnection, day: date, month: date, week: date
) -> None:
    dialect, bound = _dialect(connection), literal(day, Date())

    found = (
        await connection.execute(select(month_of(dialect, bound), week_of(dialect, bound)))
    ).one()

    assert tuple(found) == (month, week)


RANGE_COLUMNS = (
    column("number", Integer()),
    column("flag", Boolean()),
    column("owner", GUID()),
    column("code", String()),
    column("day", Date()),
)


async def test_parameter_rows_come_back_as_the_rows_of_the_table_they_fill(
    connection: AsyncConnection,
) -> None:
    rows = [(n, n % 2 == 0, uuid.UUID(int=n + 1), f"C{n}", date(2026, 1, 1 + n)) for n in range(5)]
    batches = parameter_rows(_dialect(connection), RANGE_COLUMNS, rows, per_statement=2)

    found: list[tuple[Any, ...]] = []
    for shape, params in batches:
        table = rows_table(shape, RANGE_COLUMNS, "probe_rows")
        found += [tuple(row) for row in await connection.execute(select(table), params)]

    assert sorted(found) == rows
    assert len(batches) == (1 if _dialect(connection) == POSTGRESQL else 3)


async def test_no_rows_make_no_statement(connection: AsyncConnection) -> None:
    assert parameter_rows(_dialect(connection), RANGE_COLUMNS, [], per_statement=2) == []


async def _a_user(engine: AsyncEngine) -> uuid.UUID:
    user_id, now = uuid.uuid4(), datetime(2026, 1, 1, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(
            UserRow.__table__.insert(),
            [
                {
                    "id": user_id,
                    "email": f"lock-{user_id.hex[:10]}@example.com",
                    "password_hash": "x",
                    "default_currency": "EUR",
                    "is_admin": False,
                    "is_active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    return user_id


async def test_locks_rows_says_whether_a_locked_row_keeps_another_writer_out(
    engine: AsyncEngine,
) -> None:
    users = UserRow.__table__
    locking = select(users.c.id).where(users.c.id == bindparam("id")).with_for_update()
    if not locks_rows(engine.dialect.name):
        # No row locks: the clause is dropped, so a statement run for its locks is useless.
        assert "FOR UPDATE" not in str(locking.compile(dialect=engine.dialect))
        return
    user_id = await _a_user(engine)
    async with engine.connect() as holder, engine.connect() as other:
        await holder.execute(locking, {"id": user_id})
        with pytest.raises(exc.DBAPIError):
            await other.execute(locking.with_for_update(nowait=True), {"id": user_id})
        await other.rollback()
        await holder.rollback()


async def test_one_writer_at_a_time_is_what_makes_writers_queue_in_the_process(
    engine: AsyncEngine,
) -> None:
    queue = writer_queue(engine)

    assert (queue is not None) is one_writer_at_a_time(engine.dialect.name)


async def test_read_only_options_let_a_reader_in_beside_an_open_writer(
    engine: AsyncEngine,
) -> None:
    readers = read_only_engine(engine)
    async with engine.connect() as writer:
        await writer.execute(select(literal(1)))  # the writer's transaction is open
        async with asyncio.timeout(5), readers.connect() as reader:
            found = (await reader.execute(select(literal(1)))).scalar()
        await writer.rollback()

    assert found == 1
