"""The webhooks' storage under concurrent writers (PostgreSQL: SQLite takes one writer)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from budget.adapters.database import ALL_HOUSEHOLDS, restrict
from budget.adapters.webhooks import SUBSCRIPTIONS, WEBHOOKS, _recompute_mask, webhook_columns
from budget.domain.model.ids import HouseholdId, WebhookId
from budget.domain.model.webhook import EventType, Webhook, WebhookFields, event_mask
from tests.integration.conftest import sign_up

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def webhook(household: HouseholdId, event: EventType) -> Webhook:
    fields = WebhookFields("https://example.com/hook", (event,))
    return Webhook.create(WebhookId(uuid4()), household, fields, "whsec_AAAA", NOW)


async def subscribe(connection: AsyncConnection, household: HouseholdId, event: EventType) -> None:
    await connection.execute(WEBHOOKS.insert(), [webhook_columns(webhook(household, event))])


async def household_of(client: AsyncTestClient[Litestar]) -> HouseholdId:
    user = await sign_up(client)
    me = (await client.get("/api/v1/users/me", headers=user.headers)).json()
    return HouseholdId(UUID(me["default_household_id"]))


async def test_concurrent_webhook_changes_keep_every_event_in_the_mask(
    database_url: str, engine: AsyncEngine, client: AsyncTestClient[Litestar]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes one writer at a time")
    household = await household_of(client)
    async with engine.begin() as setup:
        await restrict(setup, ALL_HOUSEHOLDS)
        await _recompute_mask(setup, household)  # the household's mask row exists
    async with engine.connect() as first, engine.connect() as second:
        for connection in (first, second):
            await connection.begin()
            await restrict(connection, ALL_HOUSEHOLDS)
        await subscribe(first, household, EventType.ACCOUNT_CREATED)
        await subscribe(second, household, EventType.TRANSACTION_CREATED)
        await _recompute_mask(first, household)
        later = asyncio.create_task(_recompute_mask(second, household))
        await asyncio.sleep(0.3)  # the second one is waiting for the first one's lock
        await first.commit()
        await later
        await second.commit()
    async with engine.connect() as reader:
        await restrict(reader, ALL_HOUSEHOLDS)
        mask = (
            await reader.execute(
                select(SUBSCRIPTIONS.c.event_mask).where(SUBSCRIPTIONS.c.household_id == household)
            )
        ).scalar_one()
    assert mask == event_mask([EventType.ACCOUNT_CREATED, EventType.TRANSACTION_CREATED])
