"""The repository of webhooks and their outbox (contract section 15; ADR 0021).

- **Subscriptions** are rows of ``webhooks`` written like every table (``TableWrites``).
  Any change recomputes the household's event mask in ``webhook_subscriptions`` at
  commit, under that row's lock (PostgreSQL), so two concurrent changes never lose one.
- **The outbox**: a recorded event becomes, at commit, one statement ranked after the
  totals (an ``EffectWriter``: on PostgreSQL it joins the balances' and totals' ``WITH``
  statement, no round trip of its own): ``INSERT INTO webhook_deliveries ... SELECT`` one
  row per active webhook of the household whose mask has the event's bit. The payload is
  printed when recorded, with the serialiser the composition root gives (the resource as
  its ``GET`` answers it), and sent byte for byte on every attempt.
- **Budget alerts**: ``watch_budgets`` reads the current period of every budget of the
  household active today before the unit of work writes anything and again right after
  its totals (on the same connection, in the same transaction), applies
  ``budget_alerts``, takes the marks with ``ON CONFLICT DO NOTHING`` and records the event
  whose mark this unit of work took.
- **Claims**: due deliveries are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
  (the writer lock on SQLite), counted as attempted and leased until a later time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from uuid import UUID

import msgspec
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import (
    Date,
    Integer,
    String,
    Table,
    bindparam,
    column,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from budget.adapters.budgets import BUDGETS, budget_from_row
from budget.adapters.database import (
    ALL_HOUSEHOLDS,
    RowValues,
    UnitSession,
    plain_row,
    restrict,
)
from budget.adapters.dialects import locks_rows
from budget.adapters.paging import ordered, page_of
from budget.adapters.scoping import in_households
from budget.adapters.spending import spent_on
from budget.adapters.system import UuidV7Factory
from budget.adapters.webhook_tables import (
    WebhookDeliveryRow,
    WebhookRow,
    WebhookSubscriptionRow,
)
from budget.adapters.writes import (
    TOTALS_RANK,
    Effect,
    EffectShape,
    EffectWriter,
    PendingWrites,
    TableWrites,
)
from budget.domain.model.budget import Budget, BudgetStanding
from budget.domain.model.budget_alerts import crossed, to_fire
from budget.domain.model.budget_rules import BudgetState
from budget.domain.model.ids import HouseholdId, WebhookId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.webhook import (
    Delivery,
    DeliveryStatus,
    DueDelivery,
    EventType,
    Webhook,
    event_mask,
)

WEBHOOKS = cast("Table", WebhookRow.__table__)
DELIVERIES = cast("Table", WebhookDeliveryRow.__table__)
SUBSCRIPTIONS = cast("Table", WebhookSubscriptionRow.__table__)
_webhooks = WEBHOOKS.c
_deliveries = DELIVERIES.c

EventData = Callable[[object], object]
"""Turns an event's domain object into what msgspec prints (the ``GET`` answer's struct)."""

OUTBOX_RANK = TOTALS_RANK + 2
"""Deliveries: after the totals (derived rows, last)."""
WATCH_AFTER_RANK = TOTALS_RANK + 1
"""The budgets' state after the write: once the totals are written, before the outbox."""
SUBSCRIPTIONS_RANK = TOTALS_RANK + 3
"""The event mask: after the webhooks' rows."""


def webhook_from_row(row: RowValues) -> Webhook:
    return Webhook(
        WebhookId(row["id"]),
        HouseholdId(row["household_id"]),
        row["url"],
        tuple(EventType(event) for event in row["events"]),
        bool(row["active"]),
        row["description"],
        row["secret"],
        row["created_at"],
        row["updated_at"],
    )


def webhook_columns(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "household_id": webhook.household_id,
        "url": webhook.url,
        "events": [event.value for event in webhook.events],
        "event_mask": event_mask(webhook.events),
        "active": webhook.active,
        "description": webhook.description,
        "secret": webhook.secret,
        "created_at": webhook.created_at,
        "updated_at": webhook.updated_at,
    }


def delivery_from_row(row: RowValues) -> Delivery:
    return Delivery(
        row["id"],
        WebhookId(row["webhook_id"]),
        row["event_type"],
        DeliveryStatus(row["status"]),
        row["response_status"],
        row["attempts"],
        row["next_attempt_at"],
        row["created_at"],
    )


_COLUMNS = (
    "webhook_id, id, household_id, event_type, payload, status, attempts,"
    " response_status, next_attempt_at, created_at"
)
_VALUES = (
    "w.id, :{p}event_id, w.household_id, :{p}event_type, :{p}payload, 'pending', 0,"
    " NULL, :{p}now, :{p}now"
)
_TYPES: dict[str, Any] = {
    "event_id": GUID(),
    "event_type": String(),
    "payload": String(),
    "now": DateTimeUTC(timezone=True),
}
_EVENT = EffectShape(
    f"INSERT INTO webhook_deliveries ({_COLUMNS}) SELECT {_VALUES} FROM webhooks AS w"  # noqa: S608
    " WHERE w.household_id = :{p}household_id AND w.active AND (w.event_mask & :{p}bit) <> 0"
    " RETURNING 1 AS v",
    {**_TYPES, "household_id": GUID(), "bit": Integer()},
)
"""One delivery per active webhook of the household listening to the event."""
_TEST = EffectShape(
    f"INSERT INTO webhook_deliveries ({_COLUMNS}) SELECT {_VALUES} FROM webhooks AS w"  # noqa: S608
    " WHERE w.id = :{p}webhook_id RETURNING 1 AS v",
    {**_TYPES, "webhook_id": GUID()},
)
"""The test event: to one webhook, active or not."""


_CLAIM = (
    "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = :lease"
    " WHERE (webhook_id, id) IN ("
    " SELECT webhook_id, id FROM webhook_deliveries"
    " WHERE status = 'pending' AND next_attempt_at <= :now"
    " ORDER BY next_attempt_at LIMIT :limit SKIP)"
    " RETURNING webhook_id, id, payload, attempts, created_at"
)
"""Claims the due deliveries and leases them; ``SKIP``: ``FOR UPDATE SKIP LOCKED`` where
rows lock (PostgreSQL), so concurrent claims pass each other's rows by; SQLite's writer
lock makes claims take turns."""


def _claim(dialect: str) -> Any:
    sql = _CLAIM.replace("SKIP", "FOR UPDATE SKIP LOCKED" if locks_rows(dialect) else "")
    return (
        text(sql)
        .bindparams(
            bindparam("lease", type_=DateTimeUTC(timezone=True)),
            bindparam("now", type_=DateTimeUTC(timezone=True)),
            bindparam("limit", type_=Integer()),
        )
        .columns(
            column("webhook_id", GUID()),
            column("id", GUID()),
            column("payload", String()),
            column("attempts", Integer()),
            column("created_at", DateTimeUTC(timezone=True)),
        )
    )


class Outbox(EffectWriter):
    """The events recorded in this unit of work, inserted at commit (see the module)."""

    rank = OUTBOX_RANK

    def __init__(self) -> None:
        self._effects: list[Effect] = []

    def add(self, shape: EffectShape, params: dict[str, Any]) -> None:
        self._effects.append(Effect(shape, params))

    def effects(self, dialect: str) -> list[Effect]:
        effects, self._effects = self._effects, []
        return effects


class SqlAlchemyWebhookRepository:
    """``WebhookRepository`` in the unit of work's session (see the module)."""

    def __init__(
        self,
        session: UnitSession,
        writes: PendingWrites,
        *,
        event_data: EventData | None = None,
        read_only: bool = False,
    ) -> None:
        self._session = session
        self._writes = writes
        self._read_only = read_only
        self._event_data = event_data or _as_is
        self._ids = UuidV7Factory()
        self._rows = writes.register(TableWrites(WEBHOOKS, webhook_columns))
        self._outbox: Outbox | None = None
        self._changed: set[HouseholdId] = set()

    # -- subscriptions --

    def add(self, webhook: Webhook) -> None:
        self._rows.add(webhook)

    async def get(
        self, scope: Sequence[HouseholdId], webhook_id: WebhookId, *, for_update: bool = False
    ) -> Webhook | None:
        statement = select(WEBHOOKS).where(
            _webhooks.id == webhook_id, in_households(_webhooks.household_id, scope)
        )
        if for_update:
            statement = statement.with_for_update()
        found = await plain_row(self._session, statement)
        if found is None:
            return None
        webhook = webhook_from_row(found._mapping)
        return webhook if self._read_only else self._rows.seen(webhook)

    async def list(
        self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort
    ) -> Page[Webhook]:
        conditions = [in_households(_webhooks.household_id, scope)]
        statement = ordered(
            select(WEBHOOKS).where(*conditions), _webhooks[sort.field], _webhooks.id, sort
        )
        rows, total = await page_of(self._session, WEBHOOKS, statement, conditions, page)
        return Page([webhook_from_row(r._mapping) for r in rows], total, page.limit, page.offset)

    async def delete(self, webhook: Webhook) -> None:
        if self._rows.forget(webhook):
            return
        connection = await self._session.connection()
        await connection.execute(delete(WEBHOOKS).where(_webhooks.id == webhook.id))

    async def deliveries(self, webhook: Webhook, page: PageRequest) -> Page[Delivery]:
        conditions = [
            _deliveries.household_id == webhook.household_id,
            _deliveries.webhook_id == webhook.id,
        ]
        statement = (
            select(DELIVERIES)
            .where(*conditions)
            .order_by(_deliveries.created_at.desc(), _deliveries.id.desc())
        )
        rows, total = await page_of(self._session, DELIVERIES, statement, conditions, page)
        items = [delivery_from_row(r._mapping) for r in rows]
        return Page(items, total, page.limit, page.offset)

    def subscriptions_changed(self, household_id: HouseholdId) -> None:
        if not self._changed:
            self._writes.register(_MaskWriter(self._changed))
        self._changed.add(household_id)

    # -- the outbox --

    def _out(self) -> Outbox:
        if self._outbox is None:
            self._outbox = self._writes.register(Outbox())
        return self._outbox

    def _payload(self, event: EventType, data: object, now: datetime) -> str:
        body = {"type": event.value, "timestamp": now, "data": self._event_data(data)}
        return msgspec.json.encode(body).decode()

    def record_event(
        self, household_id: HouseholdId, event: EventType, data: object, now: datetime | None
    ) -> None:
        params = self._params(event, data, now or datetime.now(UTC))
        self._out().add(_EVENT, {**params, "household_id": household_id, "bit": event.bit})

    def record_test(self, webhook: Webhook, now: datetime) -> None:
        data = {"webhook_id": str(webhook.id)}
        params = self._params(EventType.WEBHOOK_TEST, data, now)
        self._out().add(_TEST, {**params, "webhook_id": webhook.id})

    def _params(self, event: EventType, data: object, now: datetime) -> dict[str, Any]:
        return {
            "event_id": self._ids.new_id(),
            "event_type": event.value,
            "payload": self._payload(event, data, now),
            "now": now,
        }

    def watch_budgets(
        self, household_id: HouseholdId, today: date | None, now: datetime | None
    ) -> None:
        now = now or datetime.now(UTC)
        watch = _BudgetWatch(self, household_id, today or now.date(), now)
        self._writes.register(watch.before)
        self._writes.register(watch)
        self._out()  # registered now: the watch records its events while the writes run

    # -- delivery --

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> Sequence[DueDelivery]:
        connection = await self._session.connection()
        claimed = (
            await connection.execute(
                _claim(connection.dialect.name), {"lease": now + lease, "now": now, "limit": limit}
            )
        ).all()
        if not claimed:
            return []
        ids = sorted({row.webhook_id for row in claimed})
        targets = {
            row.id: (row.url, row.secret)
            for row in await connection.execute(
                select(_webhooks.id, _webhooks.url, _webhooks.secret).where(_webhooks.id.in_(ids))
            )
        }
        return [
            DueDelivery(
                row.id,
                WebhookId(row.webhook_id),
                *targets[row.webhook_id],
                row.payload,
                row.attempts,
                row.created_at,
            )
            for row in claimed
            if row.webhook_id in targets
        ]

    async def settle(
        self,
        delivery: DueDelivery,
        status: DeliveryStatus,
        response_status: int | None,
        next_attempt_at: datetime | None,
    ) -> None:
        connection = await self._session.connection()
        await connection.execute(
            update(DELIVERIES)
            .where(
                _deliveries.webhook_id == delivery.webhook_id,
                _deliveries.id == delivery.id,
                _deliveries.attempts == delivery.attempts,
            )
            .values(
                status=status.value,
                response_status=response_status,
                next_attempt_at=next_attempt_at,
            )
        )


def _as_is(data: object) -> object:
    return data


class _MaskWriter:
    """Recomputes the event mask of the households whose webhooks changed."""

    rank = SUBSCRIPTIONS_RANK

    def __init__(self, households: set[HouseholdId]) -> None:
        self._households = households

    async def write(self, connection: AsyncConnection) -> None:
        for household_id in sorted(self._households, key=str):
            await _recompute_mask(connection, household_id)
        self._households.clear()


_ENSURE_MASK = text(
    "INSERT INTO webhook_subscriptions (household_id, event_mask) VALUES (:household_id, 0)"
    " ON CONFLICT (household_id) DO NOTHING"
).bindparams(bindparam("household_id", type_=GUID()))


async def _recompute_mask(connection: AsyncConnection, household_id: HouseholdId) -> None:
    """The OR of the masks of the household's active webhooks, read under the lock of the
    household's row (PostgreSQL): a concurrent change waits, then reads this one's rows."""
    subscriptions = SUBSCRIPTIONS.c
    await connection.execute(_ENSURE_MASK, {"household_id": household_id})
    if locks_rows(connection.dialect.name):
        await connection.execute(
            select(subscriptions.household_id)
            .where(subscriptions.household_id == household_id)
            .with_for_update()
        )
    rows = await connection.execute(
        select(_webhooks.event_mask).where(
            _webhooks.household_id == household_id, _webhooks.active.is_(True)
        )
    )
    mask = 0
    for (bits,) in rows:
        mask |= bits
    await connection.execute(
        update(SUBSCRIPTIONS)
        .where(subscriptions.household_id == household_id)
        .values(event_mask=mask)
    )


_BUDGETS_ACTIVE = (
    select(BUDGETS)
    .where(
        BUDGETS.c.household_id == bindparam("household_id"),
        BUDGETS.c.start_date <= bindparam("day", type_=Date()),
        (BUDGETS.c.end_date.is_(None)) | (BUDGETS.c.end_date >= bindparam("day", type_=Date())),
    )
    .order_by(BUDGETS.c.id)
)


async def _current_standings(
    connection: AsyncConnection, household_id: HouseholdId, today: date
) -> dict[UUID, tuple[Budget, BudgetStanding]]:
    rows = await connection.execute(_BUDGETS_ACTIVE, {"household_id": household_id, "day": today})
    budgets = [budget_from_row(row._mapping) for row in rows]
    if not budgets:
        return {}
    indices = [budget.status_index(today) for budget in budgets]
    queries = [b.spending_query(n, n) for b, n in zip(budgets, indices, strict=True)]
    sums = await spent_on(connection, queries)
    return {
        budget.id: (budget, BudgetStanding(budget.id, budget.currency, budget.statuses(n, n, s)[0]))
        for budget, n, s in zip(budgets, indices, sums, strict=True)
    }


_MARK = text(
    "INSERT INTO webhook_budget_alerts (household_id, budget_id, period_start, state)"
    " VALUES (:household_id, :budget_id, :period_start, :state)"
    " ON CONFLICT DO NOTHING RETURNING state"
).bindparams(
    bindparam("household_id", type_=GUID()),
    bindparam("budget_id", type_=GUID()),
    bindparam("period_start", type_=Date()),
    bindparam("state", type_=String()),
)


class _BudgetWatch:
    """Reads the household's budgets' current states before the unit of work writes and
    after its totals, and records the alerts the rule fires (see the module)."""

    rank = WATCH_AFTER_RANK

    def __init__(
        self,
        repository: SqlAlchemyWebhookRepository,
        household: HouseholdId,
        today: date,
        now: datetime,
    ) -> None:
        self._repository, self._household, self._today, self._now = (
            repository,
            household,
            today,
            now,
        )
        self._before: dict[UUID, BudgetState] = {}
        self.before = _Before(self)

    async def read_before(self, connection: AsyncConnection) -> None:
        standings = await _current_standings(connection, self._household, self._today)
        self._before = {key: standing.status.state for key, (_, standing) in standings.items()}

    async def write(self, connection: AsyncConnection) -> None:
        standings = await _current_standings(connection, self._household, self._today)
        for key, (budget, standing) in standings.items():
            before = self._before.get(key, BudgetState.OK)
            passed = crossed(before, standing.status.state)
            if not passed:
                continue
            marked = set()
            for state in passed:
                params = {
                    "household_id": self._household,
                    "budget_id": budget.id,
                    "period_start": standing.status.period.start,
                    "state": state.value,
                }
                if (await connection.execute(_MARK, params)).first() is not None:
                    marked.add(state)
            fired = to_fire(passed, marked)
            if fired is not None:
                event = EventType(f"budget.{fired.value}")
                self._repository.record_event(self._household, event, standing, self._now)


class _Before:
    rank = -1
    """First: before the unit of work writes any row."""

    def __init__(self, watch: _BudgetWatch) -> None:
        self._watch = watch

    async def write(self, connection: AsyncConnection) -> None:
        await self._watch.read_before(connection)


async def pending_deliveries(engine: AsyncEngine) -> int:
    """How many webhook deliveries of every household wait to be made (``/metrics``)."""
    async with engine.connect() as connection:
        await restrict(connection, ALL_HOUSEHOLDS)
        statement = (
            select(func.count())
            .select_from(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.status == "pending")
        )
        return int((await connection.execute(statement)).scalar_one())
