"""Webhook delivery: the tick the scheduler runs (``entrypoints/background.py``).

``deliver_due_webhooks(container, now)`` is one delivery tick (``DeliverDueWebhooks``):
claim the due deliveries of every household, send them, record the outcomes. Any number
of processes may run it at once.
"""

from __future__ import annotations

import logging
from datetime import datetime

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
