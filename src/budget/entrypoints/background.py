"""The periodic tasks of the service, wired on the app's container: what runs inside every
``budget serve`` worker (the app's lifespan) and in ``budget worker``.

Add a task with one ``scheduler.register(name, interval, async_fn)`` line in
``build_scheduler``; the task claims its work with row locks (several processes run it).
"""

from __future__ import annotations

from budget.adapters.database import ALL_HOUSEHOLDS
from budget.adapters.scheduler import Scheduler
from budget.domain.services.recurring_posting import PostDueRecurring
from budget.entrypoints.container import Container

POST_DUE_RECURRING = "recurring.post_due"


def build_scheduler(container: Container) -> Scheduler:
    """Every periodic task, each ticking every ``BUDGET_SCHEDULER_INTERVAL_SECONDS``."""
    interval = container.settings.scheduler_interval_seconds
    scheduler = Scheduler()

    async def post_due_recurring() -> None:
        # The service posts for every household: row-level security lets it see them all.
        use_case = PostDueRecurring(container.uow(ALL_HOUSEHOLDS), container.clock, container.ids)
        await use_case.execute()

    scheduler.register(POST_DUE_RECURRING, interval, post_due_recurring)
    return scheduler
