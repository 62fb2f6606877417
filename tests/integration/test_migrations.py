"""Migrations: a stairway up, down and up again, and the models agree with the migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from budget.adapters.migrations import alembic_config, downgrade, upgrade
from budget.adapters.tables import metadata
from tests.integration.databases import postgres_database, sqlite_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each kind, for this test alone."""
    manager = sqlite_database(tmp_path) if request.param == "sqlite" else postgres_database()
    async with manager as url:
        yield url


async def _inspect(url: str, look: Any) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(look)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _revisions_base_to_head(url: str) -> list[Any]:
    scripts = ScriptDirectory.from_config(alembic_config(url))
    return list(reversed(list(scripts.walk_revisions("base", "heads"))))


def test_the_migrations_form_one_line_with_a_single_head(tmp_path: Path) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(f"sqlite+aiosqlite:///{tmp_path}/x"))

    assert len(scripts.get_heads()) == 1
    assert len(scripts.get_bases()) == 1


async def test_upgrade_downgrade_and_upgrade_again_works(fresh_database_url: str) -> None:
    url = fresh_database_url
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()

    await upgrade(url)
    tables_at_head = await _inspect(url, _tables)
    await downgrade(url, "base")
    tables_at_base = await _inspect(url, _tables)
    await upgrade(url)

    assert {table.name for table in metadata.sorted_tables} <= tables_at_head
    assert tables_at_base <= {"alembic_version"}
    assert await _inspect(url, _current) == head
    assert await _inspect(url, _tables) == tables_at_head


async def test_every_migration_steps_up_down_and_up_again(fresh_database_url: str) -> None:
    url = fresh_database_url
    revisions = _revisions_base_to_head(url)
    assert revisions

    for revision in revisions:
        await upgrade(url, revision.revision)
        after_up = await _inspect(url, _tables)
        await downgrade(url, revision.down_revision or "base")
        assert await _inspect(url, _current) == revision.down_revision
        await upgrade(url, revision.revision)

        assert await _inspect(url, _current) == revision.revision
        assert await _inspect(url, _tables) == after_up


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    found = list(compare_metadata(context, metadata))
    if connection.dialect.name == "sqlite":
        found = [d for d in found if not _same_declared_sqlite_type(connection, d)]
    return found


def _same_declared_sqlite_type(connection: Connection, difference: Any) -> bool:
    """SQLite reflects an unfamiliar declared type (GUID's ``BINARY(16)``) by its affinity,
    ``NUMERIC``; such a type change is not real when the declared text is exactly what the
    model's type compiles to."""
    if not (isinstance(difference, list) and len(difference) == 1):
        return False
    kind, _, table, column, _, _, model_type = difference[0]
    if kind != "modify_type":
        return False
    declared = {
        row[1]: row[2] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')
    }
    compiled = model_type.compile(dialect=connection.dialect)
    return bool(declared.get(column, "").upper() == compiled.upper())


async def test_the_models_and_the_migrations_agree(fresh_database_url: str) -> None:
    await upgrade(fresh_database_url)

    differences = await _inspect(fresh_database_url, _differences)

    assert differences == []
