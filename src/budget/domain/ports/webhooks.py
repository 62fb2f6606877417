"""Ports of webhooks: the subscriptions and their outbox, and the way out to receivers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from budget.domain.model.ids import HouseholdId, WebhookId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.webhook import Delivery, DeliveryStatus, DueDelivery, EventType, Webhook


class DeliveryQueue(Protocol):
    """Due deliveries of every household, claimed for one attempt at a time."""

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> Sequence[DueDelivery]:
        """Up to ``limit`` pending deliveries due at ``now``, each counted as attempted and
        hidden from other claims for ``lease`` (a crashed attempt is made again then).
        Concurrent claims never return the same attempt."""
        ...

    async def settle(
        self,
        delivery: DueDelivery,
        status: DeliveryStatus,
        response_status: int | None,
        next_attempt_at: datetime | None,
    ) -> None: ...


class WebhookRepository(DeliveryQueue, Protocol):
    """Webhooks of the caller's households and their deliveries (the outbox).

    Recorded events are written at commit with the change that caused them, one delivery
    per active webhook of the household listening to the event type: a rollback sends
    nothing.
    """

    def add(self, webhook: Webhook) -> None: ...

    async def get(
        self, scope: Sequence[HouseholdId], webhook_id: WebhookId, *, for_update: bool = False
    ) -> Webhook | None: ...

    async def list(
        self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort
    ) -> Page[Webhook]: ...

    async def delete(self, webhook: Webhook) -> None: ...

    async def deliveries(self, webhook: Webhook, page: PageRequest) -> Page[Delivery]: ...

    def subscriptions_changed(self, household_id: HouseholdId) -> None:
        """Recompute, at commit, the household's event mask (what its active webhooks
        listen to), which every request reads with the caller's memberships."""
        ...

    def record_event(
        self, household_id: HouseholdId, event: EventType, data: object, now: datetime | None
    ) -> None:
        """An event for every active webhook of the household listening to ``event``;
        ``data`` is a domain object (printed as its ``GET`` answers it) or a mapping;
        ``now`` the event's time (None: the time it is recorded)."""
        ...

    def record_test(self, webhook: Webhook, now: datetime) -> None:
        """A ``webhook.test`` event for ``webhook`` alone, active or not."""
        ...

    def watch_budgets(
        self, household_id: HouseholdId, today: date | None, now: datetime | None
    ) -> None:
        """Compare, at commit, the state of the current period of every budget of the
        household active today before and after this unit of work's totals, and record
        the ``budget.warning`` / ``budget.exceeded`` events that the rule of
        ``budget_alerts`` fires (None: today and now at commit)."""
        ...


class WebhookSender(Protocol):
    """Sends one attempt, signed as Standard Webhooks prescribes (headers ``webhook-id``,
    ``webhook-timestamp``, ``webhook-signature``); answers the receiver's status, or None
    without an answer (timeout, refused, unreachable)."""

    async def send(
        self, url: str, secret: str, message_id: str, timestamp: datetime, body: str
    ) -> int | None: ...


class AddressResolver(Protocol):
    """The addresses a URL's host resolves to now (none when it does not resolve)."""

    async def resolve(self, url: str) -> Sequence[str]: ...


class WebhookSecrets(Protocol):
    """Random bytes for a new signing secret."""

    def new_key(self) -> bytes: ...
