"""Webhook delivery: the tick a scheduler runs, and the minimal loop that runs it for now.

``deliver_due_webhooks(container, now)`` is one delivery tick (``DeliverDueWebhooks``):
claim the due deliveries of every household, send them, record the outcomes. Any number
of processes may run it at once. ``delivery_loop`` is the stand-in scheduler started in
the app's lifespan: every ``BUDGET_SCHEDULER_INTERVAL_SECONDS`` it runs one tick; a job
runner replaces it by registering ``deliver_due_webhooks`` as a periodic job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime

from litestar import Litestar

from budget.adapters.database import ALL_HOUSEHOLDS
from budget.domain.services.webhooks import DeliverDueWebhooks
from budget.entrypoints.container import Container

log = logging.getLogger("budget.webhooks")


async def deliver_due_webhooks(container: Container, now: datetime | None = None) -> int:
    """One delivery tick at ``now`` (default: the clock's); answers the attempts made."""
    tick = DeliverDueWebhooks(
        lambda: container.uow(ALL_HOUSEHOLDS), container.webhook_sender, container.check_url()
    )
    return await tick.execute(now or container.clock.now())


def delivery_loop(container: Container) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A lifespan running a delivery tick every scheduler interval while the app runs."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        task = asyncio.create_task(_every_interval(container), name="webhook-deliveries")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


async def _every_interval(container: Container) -> None:
    while True:
        await asyncio.sleep(container.settings.scheduler_interval_seconds)
        try:
            await deliver_due_webhooks(container)
        except Exception:
            log.exception("webhook delivery tick failed")
