"""Write units of work queue in the process on SQLite, and only there."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from budget.entrypoints.container import Container, build_container
from tests.integration.conftest import make_settings


@pytest.fixture
async def container(database_url: str) -> AsyncIterator[Container]:
    """A container of the test's own (the app's pool belongs to the app's event loop)."""
    own = build_container(make_settings(database_url))
    yield own
    await own.engine.dispose()


def _needs_sqlite(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("only SQLite takes one writer at a time")


async def test_on_sqlite_a_writer_enters_once_the_unit_of_work_ahead_has_ended(
    container: Container, database_url: str
) -> None:
    _needs_sqlite(database_url)
    second_entered = asyncio.Event()

    async def second_writer() -> None:
        async with container.uow():
            second_entered.set()

    async with container.uow() as first:
        await first.users.get_by_email("nobody@example.com")
        waiting = asyncio.create_task(second_writer())
        await asyncio.sleep(0.05)
        assert not second_entered.is_set()

    await asyncio.wait_for(waiting, timeout=5)
    assert second_entered.is_set()


async def test_on_sqlite_readers_do_not_wait_behind_a_writer(
    container: Container, database_url: str
) -> None:
    _needs_sqlite(database_url)

    async with container.uow() as writer:
        await writer.users.get_by_email("nobody@example.com")
        async with asyncio.timeout(5), container.read_uow() as reader:
            assert await reader.users.get_by_email("nobody@example.com") is None


async def test_on_postgresql_two_writers_are_open_at_once(
    container: Container, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL writers wait only for the rows they share")

    async with container.uow() as first:
        await first.users.get_by_email("nobody@example.com")
        async with asyncio.timeout(5), container.uow() as second:
            assert await second.users.get_by_email("nobody@example.com") is None
