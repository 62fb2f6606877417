"""The periodic tasks of the service, wired on the app's container: what runs inside every
``budget serve`` worker (the app's lifespan) and in ``budget worker``.

Add a task with one ``scheduler.register(name, interval, async_fn)`` line in
``build_scheduler``; the task claims its work with row locks (several processes run it).
"""

from __future__ import annotations

from datetime import timedelta

from budget.adapters.change_reader import purge_tombstones
from budget.adapters.database import ALL_HOUSEHOLDS
from budget.adapters.idempotency import purge_expired
from budget.adapters.metrics import WEBHOOK_DELIVERIES_PENDING_NAME, register_gauge_callback
from budget.adapters.scheduler import Scheduler
from budget.adapters.webhooks import pending_deliveries
from budget.domain.services.recurring_posting import PostDueRecurring
from budget.entrypoints.container import Container
from budget.entrypoints.webhooks import deliver_due_webhooks

POST_DUE_RECURRING = "recurring.post_due"
DELIVER_WEBHOOKS = "webhooks.deliver"
PURGE_IDEMPOTENCY_KEYS = "idempotency.purge"
PURGE_TOMBSTONES = "changes.purge"

RETRY_TICK_SECONDS = 5.0
"""Webhook deliveries are looked for at least this often: a first retry is due 5 s after a
failed attempt and must be made within 30 s (contract section 15)."""


def build_scheduler(container: Container) -> Scheduler:
    """Every periodic task, each ticking every ``BUDGET_SCHEDULER_INTERVAL_SECONDS``."""
    interval = container.settings.scheduler_interval_seconds
    scheduler = Scheduler()

    async def post_due_recurring() -> None:
        # The service posts for every household: row-level security lets it see them all.
        use_case = PostDueRecurring(container.uow(ALL_HOUSEHOLDS), container.clock, container.ids)
        await use_case.execute()

    async def deliver_webhooks() -> None:
        await deliver_due_webhooks(container)

    async def purge_idempotency_keys() -> None:
        await purge_expired(container.engine, container.clock.now(), writers=container.writers)

    async def purge_old_tombstones() -> None:
        retention = timedelta(days=container.settings.change_retention_days)
        await purge_tombstones(
            container.engine, container.clock.now(), retention, writers=container.writers
        )

    scheduler.register(POST_DUE_RECURRING, interval, post_due_recurring)
    scheduler.register(DELIVER_WEBHOOKS, min(interval, RETRY_TICK_SECONDS), deliver_webhooks)
    scheduler.register(PURGE_IDEMPOTENCY_KEYS, interval, purge_idempotency_keys)
    scheduler.register(PURGE_TOMBSTONES, interval, purge_old_tombstones)
    register_gauge_callback(
        WEBHOOK_DELIVERIES_PENDING_NAME,
        "Webhook deliveries recorded and not yet delivered (or given up)",
        lambda: pending_deliveries(container.engine),
    )
    return scheduler
