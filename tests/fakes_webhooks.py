"""An in-memory stand-in for the webhook outbox: what the unit of work was asked to record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from budget.domain.model.ids import HouseholdId
from budget.domain.model.webhook import EventType


@dataclass
class FakeWebhookOutbox:
    """Keeps the events and budget watches asked for (the real outbox writes them at
    commit)."""

    events: list[tuple[HouseholdId, EventType, object]] = field(default_factory=list)
    watched: list[HouseholdId] = field(default_factory=list)

    def record_event(
        self, household_id: HouseholdId, event: EventType, data: object, now: datetime | None
    ) -> None:
        self.events.append((household_id, event, data))

    def watch_budgets(
        self, household_id: HouseholdId, today: date | None, now: datetime | None
    ) -> None:
        self.watched.append(household_id)

    def subscriptions_changed(self, household_id: HouseholdId) -> None:
        """Nothing to recompute in memory."""
