"""Alembic environment: runs migrations on the configured database (async engines)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine

from budget.adapters.tables import metadata
from budget.settings import load_settings

config = context.config


def database_url() -> str:
    configured = config.get_main_option("sqlalchemy.url")
    return configured or load_settings().database_url


def run_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Row-level security (migration 0005) is forced, so it binds the tables' owner
            # too: a migration that reads or moves household rows must see them all.
            connection.exec_driver_sql("SELECT set_config('budget.households', '*', true)")
        context.run_migrations()


async def run_online() -> None:
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    async with engine.connect() as async_connection:
        await async_connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
elif config.attributes.get("connection") is not None:
    # Called from budget.adapters.migrations with a connection that is already open.
    _run(config.attributes["connection"])
else:
    asyncio.run(run_online())
