"""Migrations: a stairway up, down and up again, the models agree with the migrations, and
data migrations fill what they add."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import create_async_engine

from budget.adapters.migrations import alembic_config, downgrade, upgrade
from budget.adapters.tables import AccountRow, TransactionRow, metadata
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


def _plain_table(
    name: str, guids: tuple[str, ...], others: tuple[str, ...], *typed: sa.ColumnClause[Any]
) -> sa.TableClause:
    """A table as plain SQL writes it: UUID columns, the audit stamps, ``others`` and the
    ``typed`` columns."""
    stamp = DateTimeUTC(timezone=True)
    return sa.table(
        name,
        *(sa.column(column, GUID(length=16)) for column in guids),
        *(sa.column(column) for column in others),
        *typed,
        sa.column("created_at", stamp),
        sa.column("updated_at", stamp),
    )


async def _seed_at_0006(url: str) -> dict[str, uuid.UUID]:
    """A household with an account (opening 50.00) and an expense of 10.00, written with
    plain SQL at revision 0006."""
    ids = {name: uuid.uuid4() for name in ("household", "account", "transaction")}
    at = datetime(2026, 1, 1, tzinfo=UTC)
    stamps = {"created_at": at, "updated_at": at}
    rows = [
        (
            _plain_table("households", ("id",), ("name",)),
            {"id": ids["household"], "name": "Personal"},
        ),
        (
            _plain_table(
                "accounts",
                ("id", "household_id"),
                ("name", "type", "currency", "opening_balance", "balance", "archived"),
            ),
            {
                "id": ids["account"],
                "household_id": ids["household"],
                "name": "Bank",
                "type": "checking",
                "currency": "EUR",
                "opening_balance": 5000,
                "balance": 4000,
                "archived": False,
            },
        ),
        (
            _plain_table(
                "transactions",
                ("id", "household_id", "account_id"),
                ("type", "amount", "currency", "description", "payee", "search_text"),
                sa.column("tags", sa.JSON().with_variant(JSONB(), "postgresql")),
                sa.column("date", sa.Date()),
            ),
            {
                "id": ids["transaction"],
                "household_id": ids["household"],
                "account_id": ids["account"],
                "type": "expense",
                "amount": 1000,
                "currency": "EUR",
                "description": "",
                "payee": "",
                "search_text": "",
                "tags": [],
                "date": date(2026, 1, 2),
            },
        ),
    ]
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for table, values in rows:
                await connection.execute(table.insert(), [values | stamps])
    finally:
        await engine.dispose()
    return ids


def _after_0007(ids: dict[str, uuid.UUID]) -> Any:
    def look(connection: Connection) -> tuple[Any, ...]:
        account = connection.execute(
            sa.select(AccountRow.cleared_balance, AccountRow.last_reconciled_on).where(
                AccountRow.id == ids["account"]
            )
        ).one()
        txn = connection.execute(
            sa.select(
                TransactionRow.status,
                TransactionRow.split_count,
                TransactionRow.import_id,
                TransactionRow.recurring_id,
            ).where(TransactionRow.id == ids["transaction"])
        ).one()
        return tuple(account), tuple(txn)

    return look


async def test_0007_starts_every_account_and_transaction_uncleared(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    await upgrade(url, "0006")
    ids = await _seed_at_0006(url)

    await upgrade(url, "0007")

    account, txn = await _inspect(url, _after_0007(ids))
    assert account == (5000, None)
    assert txn == ("uncleared", 0, None, None)
