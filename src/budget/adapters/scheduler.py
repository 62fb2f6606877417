"""Periodic background tasks on APScheduler (docs/adr/0020-background-work.md).

``Scheduler`` is a small registry: ``register(name, interval, task)`` adds an ``async``
function run every ``interval`` seconds, once at start and then on APScheduler's interval
trigger, never two runs of one task at once in a process (``max_instances=1``; missed runs
coalesce into one). A run that fails is logged and the task runs again at its next tick:
a database outage never stops the scheduler.

Several processes may run the same scheduler (every Granian worker of ``budget serve``,
``budget worker`` beside them): tasks must claim their work with row locks
(``FOR UPDATE SKIP LOCKED``), as ``PostDueRecurring`` does, so that each piece of work is
done once whoever runs it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from budget.adapters.metrics import SCHEDULER_RUNS

log = logging.getLogger("budget.scheduler")

Task = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class PeriodicTask:
    name: str
    interval: float
    run: Task


class Scheduler:
    """The process's periodic tasks; ``start`` and ``stop`` in the running event loop."""

    def __init__(self) -> None:
        self._tasks: dict[str, PeriodicTask] = {}
        self._runner: AsyncIOScheduler | None = None
        self.runs: dict[str, int] = {}
        """Completed runs per task (successful or not), for metrics and tests."""
        self.failures: dict[str, int] = {}

    @property
    def tasks(self) -> tuple[PeriodicTask, ...]:
        return tuple(self._tasks.values())

    @property
    def running(self) -> bool:
        return self._runner is not None

    def register(self, name: str, interval: float, task: Task) -> None:
        """Run ``task`` every ``interval`` seconds (and once at start) from ``start`` on.

        Raises:
            ValueError: ``name`` is taken, ``interval`` is not positive, or the scheduler
                has started.
        """
        if name in self._tasks:
            raise ValueError(f"a periodic task named {name!r} is already registered")
        if interval <= 0:
            raise ValueError(f"the interval of {name!r} must be positive")
        if self._runner is not None:
            raise ValueError("register tasks before the scheduler starts")
        self._tasks[name] = PeriodicTask(name, interval, task)

    async def run_once(self, name: str) -> None:
        """Run the task ``name`` now, logging (never raising) a failure."""
        task = self._tasks[name]
        try:
            await task.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            self.failures[name] = self.failures.get(name, 0) + 1
            SCHEDULER_RUNS.labels(job=name, outcome="failed").inc()
            log.exception("periodic task %s failed; it runs again in %ss", name, task.interval)
        else:
            SCHEDULER_RUNS.labels(job=name, outcome="ok").inc()
        finally:
            self.runs[name] = self.runs.get(name, 0) + 1

    async def start(self) -> None:
        """Start every registered task in the running event loop."""
        if self._runner is not None:
            return
        runner = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
        now = datetime.now(UTC)
        for task in self._tasks.values():
            runner.add_job(
                self.run_once,
                "interval",
                args=(task.name,),
                id=task.name,
                seconds=task.interval,
                next_run_time=now,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        runner.start()
        self._runner = runner
        log.info("scheduler started: %s", ", ".join(self._tasks) or "no tasks")

    async def stop(self) -> None:
        """Stop scheduling; a run in progress is not awaited (its unit of work rolls back
        unless it committed)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.shutdown(wait=False)
            log.info("scheduler stopped")

    async def run_until_stopped(self, stop: asyncio.Event) -> None:
        """Start, wait for ``stop``, then stop (``budget worker``)."""
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()
