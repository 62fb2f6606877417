"""The in-process line of SQLite writers: one at a time, first come first served."""

from __future__ import annotations

import asyncio
import threading

import pytest

from budget.adapters.database import WriterQueue
from budget.domain.errors import StorageUnavailableError


async def test_writers_take_their_turns_in_order_of_arrival() -> None:
    queue, entered = WriterQueue(), []
    end_first = await queue.wait_turn()

    async def writer(name: str) -> None:
        end = await queue.wait_turn()
        entered.append(name)
        await asyncio.sleep(0)  # let the others run: none may pass while this one writes
        end()

    waiting = [asyncio.create_task(writer(name)) for name in ("b", "c", "d")]
    await asyncio.sleep(0.01)
    assert entered == []

    end_first()
    await asyncio.gather(*waiting)

    assert entered == ["b", "c", "d"]


async def test_a_writer_that_waits_past_the_timeout_gets_storage_unavailable() -> None:
    queue = WriterQueue(timeout=0.05)
    end_first = await queue.wait_turn()

    with pytest.raises(StorageUnavailableError):
        await queue.wait_turn()

    end_first()
    (await queue.wait_turn())()  # the line still works after a writer gave up


async def test_each_event_loop_has_a_line_of_its_own() -> None:
    queue = WriterQueue(timeout=1)
    end_here = await queue.wait_turn()
    took_turn_there = threading.Event()

    def writer_on_another_loop() -> None:
        async def take_turn() -> None:
            (await queue.wait_turn())()
            took_turn_there.set()

        asyncio.run(take_turn())

    await asyncio.to_thread(writer_on_another_loop)
    end_here()

    assert took_turn_there.is_set()
