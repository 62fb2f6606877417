"""The scheduler posts due occurrences exactly once (contract section 14): with several
runners at once, after downtime, and inside the served app.

The tick runs against the test session's shared database and posts every due template in
it; the other recurring tests only make templates that are not due, and these tests assert
on their own templates only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from collections import Counter
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from budget.adapters.database import ALL_HOUSEHOLDS
from budget.adapters.scheduler import Scheduler
from budget.domain.services.recurring_posting import PostDueRecurring
from budget.entrypoints.background import POST_DUE_RECURRING, build_scheduler
from budget.entrypoints.container import build_container
from tests.integration.conftest import SECRET, make_app, make_settings, sign_up
from tests.integration.ledger import ACCOUNTS, Client, NewUser, body, open_account

RECURRING = "/api/v1/recurring"
TRANSACTIONS = "/api/v1/transactions"
TODAY = dt.datetime.now(dt.UTC).date()


async def due_template(client: Client, user: Any, account: str, days_ago: int) -> str:
    fields = {
        "type": "expense",
        "account_id": account,
        "amount": "1",
        "frequency": "daily",
        "start_date": (TODAY - dt.timedelta(days=days_ago)).isoformat(),
    }
    made = body(await client.post(RECURRING, json=fields, headers=user.headers), 201)
    return str(made["id"])


async def posted_dates(client: Client, user: Any, account: str) -> list[str]:
    page = await client.get(
        TRANSACTIONS, params={"account_id": account, "limit": 500}, headers=user.headers
    )
    return sorted(item["date"] for item in body(page)["items"])


def tick(database_url: str) -> tuple[PostDueRecurring, Any]:
    """A scheduler's task with a pool of its own, as in another process."""
    container = build_container(make_settings(database_url))
    task = PostDueRecurring(container.uow(ALL_HOUSEHOLDS), container.clock, container.ids)
    return task, container.engine


async def test_a_tick_catches_up_every_missed_occurrence_once(
    client: Client, new_user: NewUser, database_url: str
) -> None:
    alice = await new_user()
    account = await open_account(client, alice, opening_balance="100")
    recurring_id = await due_template(client, alice, account, days_ago=20)
    task, engine = tick(database_url)

    try:
        await task.execute()
        await task.execute()
    finally:
        await engine.dispose()

    expected = [(TODAY - dt.timedelta(days=n)).isoformat() for n in range(20, -1, -1)]
    assert await posted_dates(client, alice, account) == expected
    read = body(await client.get(f"{RECURRING}/{recurring_id}", headers=alice.headers))
    assert read["next_date"] == (TODAY + dt.timedelta(days=1)).isoformat()
    balance = body(await client.get(f"{ACCOUNTS}/{account}", headers=alice.headers))["balance"]
    assert balance == "79.00"


async def test_two_runners_at_once_post_each_occurrence_once(
    client: Client, new_user: NewUser, database_url: str
) -> None:
    alice = await new_user()
    accounts = [await open_account(client, alice) for _ in range(3)]
    for account in accounts:
        await due_template(client, alice, account, days_ago=5)
    runners = [tick(database_url) for _ in range(3)]

    try:
        await asyncio.gather(*(task.execute() for task, _ in runners))
    finally:
        for _, engine in runners:
            await engine.dispose()

    for account in accounts:
        dates = await posted_dates(client, alice, account)
        assert Counter(dates) == Counter(
            (TODAY - dt.timedelta(days=n)).isoformat() for n in range(6)
        )


async def test_a_template_without_auto_post_is_left_alone(
    client: Client, new_user: NewUser, database_url: str
) -> None:
    alice = await new_user()
    account = await open_account(client, alice)
    recurring_id = await due_template(client, alice, account, days_ago=2)
    await client.patch(
        f"{RECURRING}/{recurring_id}", json={"auto_post": False}, headers=alice.headers
    )
    task, engine = tick(database_url)

    try:
        await task.execute()
    finally:
        await engine.dispose()

    assert await posted_dates(client, alice, account) == []


async def test_a_failing_task_is_logged_and_runs_again() -> None:
    scheduler = Scheduler()
    calls: list[int] = []

    async def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database down")

    scheduler.register("flaky", 0.05, flaky)
    await scheduler.start()
    try:
        for _ in range(100):
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await scheduler.stop()

    assert len(calls) >= 2
    assert scheduler.failures["flaky"] == 1


async def test_a_scheduler_over_an_unreachable_database_keeps_running() -> None:
    container = build_container(
        make_settings(
            "postgresql+asyncpg://nobody@127.0.0.1:1/none",
            database_connect_timeout_seconds=0.5,
        )
    )
    scheduler = build_scheduler(container)

    try:
        await scheduler.run_once(POST_DUE_RECURRING)
        await scheduler.run_once(POST_DUE_RECURRING)
    finally:
        await container.engine.dispose()

    assert scheduler.failures[POST_DUE_RECURRING] == 2


async def test_the_served_app_runs_the_scheduler(database_url: str) -> None:
    app: Litestar = make_app(database_url, scheduler_enabled=True, scheduler_interval_seconds=0.2)

    async with AsyncTestClient(app) as served:
        alice = await sign_up(served)
        account = await open_account(served, alice)
        await due_template(served, alice, account, days_ago=0)
        for _ in range(100):
            if await posted_dates(served, alice, account):
                break
            await asyncio.sleep(0.1)
        dates = await posted_dates(served, alice, account)

    assert dates == [TODAY.isoformat()]
    assert app.state.scheduler.runs[POST_DUE_RECURRING] >= 1


async def test_budget_worker_posts_due_occurrences_until_stopped(
    client: Client, new_user: NewUser, database_url: str
) -> None:
    alice = await new_user()
    account = await open_account(client, alice)
    await due_template(client, alice, account, days_ago=1)
    environment = {
        **os.environ,
        "BUDGET_ENV": "test",
        "BUDGET_DATABASE_URL": database_url,
        "BUDGET_SECRET_KEY": SECRET,
        "BUDGET_SCHEDULER_INTERVAL_SECONDS": "0.2",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "budget.entrypoints.cli", "worker", env=environment
    )
    try:
        for _ in range(150):
            if len(await posted_dates(client, alice, account)) == 2:
                break
            await asyncio.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(worker.wait(), timeout=20)

    assert await posted_dates(client, alice, account) == [
        (TODAY - dt.timedelta(days=1)).isoformat(),
        TODAY.isoformat(),
    ]
    assert code == 0
