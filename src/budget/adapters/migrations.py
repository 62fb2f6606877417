"""Apply and inspect Alembic migrations from code (the CLI and tests use this)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def migrations_dir() -> Path:
    """The shipped migrations (inside the wheel) or the source tree's ``migrations/``."""
    packaged = Path(__file__).resolve().parent.parent / "migrations"
    if (packaged / "env.py").is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(database_url: str, revision: str = "head") -> None:
    await _run(database_url, lambda config: command.upgrade(config, revision))


async def downgrade(database_url: str, revision: str) -> None:
    await _run(database_url, lambda config: command.downgrade(config, revision))


async def _run(database_url: str, action: object) -> None:
    engine = create_async_engine(database_url)
    config = alembic_config(database_url)

    def in_sync(connection: Connection) -> None:
        config.attributes["connection"] = connection
        action(config)  # type: ignore[operator]

    try:
        async with engine.begin() as connection:
            await connection.run_sync(in_sync)
    finally:
        await engine.dispose()


def upgrade_blocking(database_url: str, revision: str = "head") -> None:
    asyncio.run(upgrade(database_url, revision))
