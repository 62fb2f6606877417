"""The database engine: timeouts everywhere, health pings, and failure translation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal
from uuid import UUID
from weakref import WeakKeyDictionary

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Executable, Row, event, exc, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from budget.adapters.dialects import (
    READ_ONLY_OPTION,
    one_writer_at_a_time,
    read_only_options,
    register_fx_function,
)
from budget.domain.errors import StorageUnavailableError

POOL_TIMEOUT_SECONDS = 5
SQLITE_BUSY_TIMEOUT_SECONDS = 15

TENANT_ROLE: Final = "budget_app"
"""The PostgreSQL role the app's connections act as (``SET ROLE`` when a connection is made,
if the role exists): not a superuser, not the tables' owner, so the row-level security
policies of migration 0005 apply to it (see ``restrict``)."""
HOUSEHOLDS_SETTING: Final = "budget.households"
"""The per-connection setting the row-level security policies read: the households whose
rows the current work may see and write, comma-separated, or ``*`` for all of them."""
ALL_HOUSEHOLDS: Final = "*"
UNSCOPED: Final = "unscoped"
"""The scope of the per-request caller lookup, which reads users and memberships and never
a household-owned table: it leaves the pooled connection's setting as it is, so that the
lookup and the request's own work (which names the caller's households) do not reset it
back and forth with a round trip each."""

Scope = Sequence[UUID] | Literal["*", "unscoped"] | None
"""What a piece of work may touch of the household-owned tables on PostgreSQL: these
households, all of them (``ALL_HOUSEHOLDS``: registration, household management,
maintenance), or none (None: work on users, tokens and memberships only; ``UNSCOPED``:
the same, leaving the connection's setting alone)."""


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    connect_timeout: float = 5.0,
    statement_timeout: float = 15.0,
    tenant_role: bool = True,
) -> AsyncEngine:
    """An async engine for ``postgresql+asyncpg`` or ``sqlite+aiosqlite`` URLs.

    ``tenant_role``: on PostgreSQL, each new connection switches to ``TENANT_ROLE`` when
    that role exists and the login may use it, so that row-level security applies to
    everything the app does (migrations use engines of their own, as the tables' owner).
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    engine = create_async_engine(
        url,
        # A fixed pool: requests beyond it wait for a connection (up to the pool timeout).
        # Overflow connections would be opened under load and closed as soon as they are
        # returned, so each one paid a connection's setup and ran its first statements
        # with fresh plans: a burst of 32 clients opened ~30 connections a second.
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        # No pre-ping round trip on every checkout: a connection lost in an outage fails
        # its request with 503 and SQLAlchemy then invalidates the whole pool, so the
        # service reconnects by itself once the database is back.
        pool_pre_ping=False,
        pool_recycle=1800,
        # Errors never carry the statement's parameters (password hashes, token hashes) into
        # a log line.
        hide_parameters=True,
        connect_args={
            "timeout": connect_timeout,
            "command_timeout": statement_timeout,
            "server_settings": {
                "application_name": "budget",
                "statement_timeout": str(int(statement_timeout * 1000)),
                "idle_in_transaction_session_timeout": str(int(statement_timeout * 2000)),
                # Every statement here is short: starting parallel workers costs more than
                # they save, and under concurrent requests they only take the cores away
                # from other requests (a report statement ran 5x slower with them).
                "max_parallel_workers_per_gather": "0",
            },
        },
    )
    if tenant_role:
        event.listen(engine.sync_engine, "connect", _act_as_tenant)
    return engine


_SWITCH_TO_TENANT = (
    "SELECT set_config('role', rolname, false) FROM pg_roles WHERE rolname = 'budget_app'"
    " AND pg_has_role(session_user, oid, 'MEMBER')"
)


def _act_as_tenant(dbapi_connection: Any, _record: Any) -> None:
    # Once per connection. Without the role (a database migrated by a login that could
    # not create it), the connection keeps the login's own rights and the policies apply
    # only if that login is not the tables' owner or a superuser: see docs/architecture.md.
    cursor = dbapi_connection.cursor()
    cursor.execute(_SWITCH_TO_TENANT)
    cursor.close()
    # The driver began a transaction for the statement: commit it, or the first rollback
    # of the connection would undo the switch.
    dbapi_connection.commit()


def _sqlite_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(
        url,
        # A connection to a local file never goes stale: a ping on every checkout would
        # only add a round trip through the driver's thread.
        pool_pre_ping=False,
        hide_parameters=True,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN IMMEDIATE (below) is used:
        # a write lock taken up front waits on busy_timeout instead of failing at upgrade.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        # Every read here is planned for the schema's indexes. An automatic index is built
        # anew on every run of a statement, over a whole table: with one "all expenses"
        # budget, the status of 20 took 18 ms instead of 2.6 because SQLite preferred one
        # over the primary key's date range.
        cursor.execute("PRAGMA automatic_index=OFF")
        cursor.close()
        register_fx_function(dbapi_connection)  # reports in one currency (ADR 0015)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Readers share the database (deferred BEGIN); writers queue for it up front.
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class WriterQueue:
    """Lets one writer of an event loop at a time reach the database, in order of arrival.

    SQLite takes one writer at a time: writers that meet at ``BEGIN IMMEDIATE`` poll with
    ever longer sleeps (up to 100 ms) until the busy timeout, so under a burst of writes
    one of them can lose every round and wait seconds while later ones pass. Queueing in
    the process first keeps waits fair and as short as the writes ahead; the busy timeout
    still arbitrates between processes (and between event loops of one process, each of
    which has its own line). A writer that waits longer than ``timeout`` seconds gets
    ``StorageUnavailableError``, as it would from SQLite.
    """

    def __init__(self, timeout: float = SQLITE_BUSY_TIMEOUT_SECONDS) -> None:
        self._lines: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            WeakKeyDictionary()
        )
        self._timeout = timeout

    async def wait_turn(self) -> Callable[[], None]:
        """Wait until every writer ahead is done; call what this returns when done too."""
        loop = asyncio.get_running_loop()
        line = self._lines.get(loop)
        if line is None:
            line = self._lines[loop] = asyncio.Lock()
        try:
            async with asyncio.timeout(self._timeout):
                await line.acquire()
        except TimeoutError:
            raise StorageUnavailableError() from None
        return line.release


def writer_queue(engine: AsyncEngine) -> WriterQueue | None:
    """A ``WriterQueue`` for SQLite (which takes one writer at a time); None for
    PostgreSQL, whose writers only wait for the rows they share."""
    return WriterQueue() if one_writer_at_a_time(engine.dialect.name) else None


def scope_setting(scope: Scope) -> str:
    """The value of ``HOUSEHOLDS_SETTING`` for ``scope``."""
    if scope is None:
        return ""
    if scope == UNSCOPED:
        raise ValueError("UNSCOPED work names no households")
    if isinstance(scope, str):
        return ALL_HOUSEHOLDS
    return ",".join(sorted(str(household) for household in scope))


async def restrict(connection: AsyncConnection, scope: Scope) -> None:
    """Tell PostgreSQL's row-level security which households' rows ``connection`` may see
    and write from now on (SQLite has no row-level security: a no-op there).

    Every query also filters by household itself; the policies (migration 0005) are the
    second line, so that a query that forgot its filter sees nothing of anyone else's.
    The setting is made at session level, outside any transaction (a rollback would undo
    it), right after checkout and before the unit of work's first statement, and only
    when it differs from what the connection already has: a pooled connection serving the
    same household again costs no round trip.
    """
    if connection.dialect.name != "postgresql" or scope == UNSCOPED:
        return
    value = scope_setting(scope)
    info = connection.info
    if info.get(HOUSEHOLDS_SETTING) == value:
        return
    driver = (await connection.get_raw_connection()).driver_connection
    try:
        await driver.execute("SELECT set_config('budget.households', $1, false)", value)  # type: ignore[union-attr]
    except Exception as error:
        # Straight on the driver, so SQLAlchemy has not seen the error: a connection lost
        # since checkout must leave the pool, and the caller must get an outage (503).
        if is_unavailable(error):
            await connection.invalidate(error)
        raise
    # Inside a transaction (not expected here), a rollback would undo the setting: then
    # it is made again next time rather than remembered.
    if not driver.is_in_transaction():  # type: ignore[union-attr]
        info[HOUSEHOLDS_SETTING] = value
    else:
        info.pop(HOUSEHOLDS_SETTING, None)


class UnitSession:
    """The database session of one unit of work: one connection, checked out on first use.

    All a repository needs of a session is its connection (rows are read and written with
    Core, see ``uow.py``), so there is no ORM ``Session`` in between: no identity map, no
    session transaction bookkeeping, nothing to expire. The connection autobegins on its
    first statement (on an ``AUTOCOMMIT`` engine it never begins); ``close`` rolls back
    whatever was not committed and returns the connection to the pool.
    """

    __slots__ = ("_connection", "_engine", "_scope")

    def __init__(self, engine: AsyncEngine, scope: Scope = None) -> None:
        self._engine = engine
        self._scope = scope
        self._connection: AsyncConnection | None = None

    @property
    def dialect_name(self) -> str:
        return self._engine.dialect.name

    async def connection(self) -> AsyncConnection:
        if self._connection is None:
            connection = self._connection = await self._engine.connect()
            await restrict(connection, self._scope)
        return self._connection

    async def commit(self) -> None:
        if self._connection is not None:
            await self._connection.commit()

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()


RowValues = Mapping[Any, Any]
"""A row's values by column name: a plain row's ``_mapping`` (what the ``*_from_row``
mappers read), or a dict of columns."""


async def plain_rows(
    session: UnitSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Sequence[Row[Any]]:
    """Run ``statement`` on the session's connection and return plain rows.

    No ORM objects and no identity map: a fraction of the CPU of ``session.scalars`` (what a
    unit of work writes back goes through ``writes.TableWrites``). ``select(table)`` gives
    rows whose ``_mapping`` keys are the names of the table's columns.
    """
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()


async def plain_row(
    session: UnitSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Row[Any] | None:
    """The first row of ``statement`` (None without rows), as ``plain_rows`` runs it."""
    connection = await session.connection()
    return (await connection.execute(statement, params)).first()


async def plain_value(
    session: UnitSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Any:
    """The first column of the first row of ``statement`` (None without rows), as
    ``plain_rows`` runs it."""
    connection = await session.connection()
    return (await connection.execute(statement, params)).scalar()


def connections_in_use(engine: AsyncEngine) -> int:
    """How many of the pool's connections are checked out right now (0 for a pool that
    does not count, such as an in-memory SQLite database's)."""
    checked_out = getattr(engine.pool, "checkedout", None)
    return int(checked_out()) if callable(checked_out) else 0


def read_only_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, for work that only reads (``dialects.read_only_options``)."""
    return engine.execution_options(**read_only_options(engine.dialect.name))


def is_unavailable(error: BaseException) -> bool:
    """Whether an error means the database cannot be reached (rather than a bug)."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, asyncpg.InterfaceError | asyncpg.PostgresConnectionError):
        return True  # the driver's own, where a statement went straight to it (``restrict``)
    return isinstance(
        error,
        exc.OperationalError
        | exc.InterfaceError
        | exc.DisconnectionError
        | exc.TimeoutError
        | OSError
        | TimeoutError
        | asyncio.TimeoutError,
    )


async def ping(engine: AsyncEngine, within_seconds: float = 2.0) -> bool:
    """True when the database answers ``SELECT 1`` within ``within_seconds``."""
    try:
        async with asyncio.timeout(within_seconds):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        return True
    except Exception as error:
        if is_unavailable(error) or isinstance(error, exc.DBAPIError):
            return False
        raise


def translate_unavailable(error: BaseException) -> StorageUnavailableError | None:
    """``StorageUnavailableError`` for an outage, else None: the composition root's last
    resort for an error that escaped the adapters (which translate with ``errors.translate``)."""
    return StorageUnavailableError() if is_unavailable(error) else None
