"""Use cases of webhooks (contract section 15): subscriptions, their deliveries, the test
event, the outbox entry point of every write path, and one delivery tick.

Webhooks are owner-only: a member who is not an owner gets 403 on a webhook's routes, a
non-member 404; lists show the webhooks of the households the caller owns. Changing a
household's webhooks recomputes its event mask in the same unit of work, so the next
request of every replica sees it (it is read with the caller's memberships).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from budget.domain.errors import NotFoundError, RuleViolationError
from budget.domain.model.household import Action, Caller, Role
from budget.domain.model.ids import HouseholdId, WebhookId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.model.webhook import (
    BUDGET_EVENTS_MASK,
    Delivery,
    DeliveryStatus,
    DueDelivery,
    EventType,
    UrlPolicy,
    Webhook,
    WebhookFields,
    format_secret,
    listens_to,
    next_attempt_after,
    succeeded,
)
from budget.domain.ports import Clock, IdFactory, UnitOfWork
from budget.domain.ports.webhooks import AddressResolver, WebhookSecrets, WebhookSender

log = logging.getLogger("budget.webhooks")

WEBHOOK_SORTS = ("created_at",)
DEFAULT_WEBHOOK_SORT = "-created_at"


class WebhookNotFoundError(NotFoundError):
    """The webhook does not exist in the caller's households."""

    title = "Webhook not found"


# -- the outbox entry point of every write path ---------------------------------------------


def record_event(
    uow: UnitOfWork,
    household_id: HouseholdId,
    event: EventType,
    data: object,
    now: datetime | None = None,
    *,
    mask: int | None = None,
) -> None:
    """Record ``event`` in the unit of work: written at commit with the change itself, one
    delivery per active webhook of the household listening to it.

    ``mask``: the household's event mask when the caller is known
    (``Caller.webhook_events``); a household listening to nothing then costs nothing.
    Without it (a write made by the service itself) the outbox statement decides.
    ``data``: the domain object as its ``GET`` answers it, or a mapping (``{"id": ...}``).
    """
    if mask is not None and not listens_to(mask, event):
        return
    uow.webhooks.record_event(household_id, event, data, now)


def watch_budgets(
    uow: UnitOfWork, caller: Caller, household_id: HouseholdId, clock: Clock | None = None
) -> None:
    """Have the unit of work fire ``budget.warning`` / ``budget.exceeded`` for what this
    transaction write does to the household's budgets, when anyone listens to them (the
    budgets are read only then). Without ``clock``, the time of the commit."""
    if caller.webhook_events(household_id) & BUDGET_EVENTS_MASK:
        today, now = (None, None) if clock is None else (clock.today(), clock.now())
        uow.webhooks.watch_budgets(household_id, today, now)


def announce(
    uow: UnitOfWork,
    caller: Caller,
    household_id: HouseholdId,
    event: EventType,
    data: object,
    now: datetime | None = None,
) -> None:
    """``record_event`` for a write made by ``caller``: nothing at all when no active
    webhook of the household listens to ``event`` (known from the caller's memberships)."""
    mask = caller.webhook_events(household_id)
    if mask:
        record_event(uow, household_id, event, data, now, mask=mask)


def deleted(entity_id: object) -> Mapping[str, str]:
    """The ``data`` of a ``*.deleted`` event."""
    return {"id": str(entity_id)}


# -- subscriptions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WebhookDraft:
    url: str
    events: tuple[EventType, ...]
    active: bool = True
    description: str = ""
    household_id: HouseholdId | None = None


@dataclass(frozen=True, slots=True)
class WebhookChanges:
    url: str | Unset = UNSET
    events: tuple[EventType, ...] | Unset = UNSET
    active: bool | Unset = UNSET
    description: str | Unset = UNSET


def owned(caller: Caller) -> tuple[HouseholdId, ...]:
    """The households whose webhooks the caller manages (owns)."""
    return tuple(h for h in caller.visible() if caller.role_in(h) is Role.OWNER)


async def _existing(
    uow: UnitOfWork, caller: Caller, webhook_id: WebhookId, *, for_update: bool = False
) -> Webhook:
    webhook = await uow.webhooks.get(caller.visible(), webhook_id, for_update=for_update)
    if webhook is None:
        raise WebhookNotFoundError()
    caller.require(webhook.household_id, Action.MANAGE)
    return webhook


class CheckUrl:
    """The URL policy, applied to the addresses the host resolves to now."""

    def __init__(self, policy: UrlPolicy, resolver: AddressResolver) -> None:
        self._policy = policy
        self._resolver = resolver

    async def __call__(self, url: str) -> None:
        if self._policy.allow_private:
            return
        self._policy.check(await self._resolver.resolve(url))


class CreateWebhook:
    """Subscribe a URL of a household the caller owns; answers the webhook with its secret
    (the only time it is shown).

    Raises:
        RuleViolationError: bad fields; a URL refused by the policy; on ``household_id``, a
            household the caller is not in.
        PermissionDeniedError: the caller is not an owner of the household.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        ids: IdFactory,
        secrets: WebhookSecrets,
        check_url: CheckUrl,
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids
        self._secrets, self._check_url = secrets, check_url

    async def execute(self, caller: Caller, draft: WebhookDraft) -> Webhook:
        fields = WebhookFields(draft.url, draft.events, draft.active, draft.description)
        fields.checked()
        household_id = caller.household_for_new(draft.household_id)
        caller.require(household_id, Action.MANAGE)
        await self._check_url(draft.url)
        webhook = Webhook.create(
            WebhookId(self._ids.new_id()),
            household_id,
            fields,
            format_secret(self._secrets.new_key()),
            self._clock.now(),
        )
        async with self._uow as uow:
            uow.webhooks.add(webhook)
            uow.webhooks.subscriptions_changed(household_id)
            await uow.commit()
        return webhook


class GetWebhook:
    """A webhook of a household the caller owns.

    Raises:
        WebhookNotFoundError: not in the caller's households.
        PermissionDeniedError: the caller is a member but not an owner.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, webhook_id: WebhookId) -> Webhook:
        async with self._uow as uow:
            return await _existing(uow, caller, webhook_id)


class ListWebhooks:
    """The webhooks of the households the caller owns (or of ``household_id`` alone)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self,
        caller: Caller,
        page: PageRequest,
        sort: Sort,
        household_id: HouseholdId | None = None,
    ) -> Page[Webhook]:
        scope = tuple(h for h in owned(caller) if household_id in (None, h))
        if not scope:
            return Page([], 0, page.limit, page.offset)
        async with self._uow as uow:
            return await uow.webhooks.list(scope, page, sort)


class UpdateWebhook:
    """Change the sent fields of a webhook (PATCH).

    Raises:
        WebhookNotFoundError, PermissionDeniedError: as ``GetWebhook``.
        RuleViolationError: bad fields, or a URL refused by the policy.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, check_url: CheckUrl) -> None:
        self._uow, self._clock, self._check_url = uow, clock, check_url

    async def execute(
        self, caller: Caller, webhook_id: WebhookId, changes: WebhookChanges
    ) -> Webhook:
        async with self._uow as uow:
            webhook = await _existing(uow, caller, webhook_id, for_update=True)
            current = webhook.fields
            fields = WebhookFields(
                pick(changes.url, current.url),
                pick(changes.events, current.events),
                pick(changes.active, current.active),
                pick(changes.description, current.description),
            ).checked()
            if not isinstance(changes.url, Unset):
                await self._check_url(fields.url)
            webhook.revise(fields, self._clock.now())
            uow.webhooks.subscriptions_changed(webhook.household_id)
            await uow.commit()
        return webhook


class DeleteWebhook:
    """Delete a webhook and its deliveries.

    Raises:
        WebhookNotFoundError, PermissionDeniedError: as ``GetWebhook``.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, webhook_id: WebhookId) -> None:
        async with self._uow as uow:
            webhook = await _existing(uow, caller, webhook_id, for_update=True)
            await uow.webhooks.delete(webhook)
            uow.webhooks.subscriptions_changed(webhook.household_id)
            await uow.commit()


class ListDeliveries:
    """A webhook's deliveries, newest first.

    Raises:
        WebhookNotFoundError, PermissionDeniedError: as ``GetWebhook``.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, caller: Caller, webhook_id: WebhookId, page: PageRequest
    ) -> Page[Delivery]:
        async with self._uow as uow:
            webhook = await _existing(uow, caller, webhook_id)
            return await uow.webhooks.deliveries(webhook, page)


class SendTestEvent:
    """Queue a ``webhook.test`` event for one webhook, active or not.

    Raises:
        WebhookNotFoundError, PermissionDeniedError: as ``GetWebhook``.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def execute(self, caller: Caller, webhook_id: WebhookId) -> None:
        async with self._uow as uow:
            webhook = await _existing(uow, caller, webhook_id)
            uow.webhooks.record_test(webhook, self._clock.now())
            await uow.commit()


# -- delivery --------------------------------------------------------------------------------

CLAIM_BATCH = 100
LEASE = timedelta(seconds=60)
"""A claimed attempt is hidden this long: longer than an attempt can take (the 10 s
timeout), so a crashed process's attempt is made again by another one afterwards."""
PARALLEL_SENDS = 10


class DeliverDueWebhooks:
    """One delivery tick: claim the due deliveries (no two ticks claim the same attempt),
    send each one signed, record the outcome and schedule the retry; answers how many
    attempts it made. A URL refused by the policy at delivery time (DNS can change) is a
    failed attempt without a request.
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        sender: WebhookSender,
        check_url: CheckUrl,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._uow, self._sender, self._check_url, self._jitter = uow, sender, check_url, jitter

    async def execute(self, now: datetime) -> int:
        async with self._uow() as uow:
            claimed = await uow.webhooks.claim_due(now, CLAIM_BATCH, LEASE)
            await uow.commit()
        if not claimed:
            return 0
        gate = asyncio.Semaphore(PARALLEL_SENDS)

        async def attempt(delivery: DueDelivery) -> int | None:
            async with gate:
                return await self._attempt(delivery, now)

        answers = await asyncio.gather(*(attempt(delivery) for delivery in claimed))
        async with self._uow() as uow:
            for delivery, answer in zip(claimed, answers, strict=True):
                await uow.webhooks.settle(delivery, *outcome(delivery, answer, now, self._jitter()))
            await uow.commit()
        return len(claimed)

    async def _attempt(self, delivery: DueDelivery, now: datetime) -> int | None:
        try:
            await self._check_url(delivery.url)
        except RuleViolationError:
            log.warning("webhook %s: url refused at delivery time", delivery.webhook_id)
            return None
        return await self._sender.send(
            delivery.url, delivery.secret, str(delivery.id), now, delivery.payload
        )


def outcome(
    delivery: DueDelivery, answer: int | None, now: datetime, jitter: float
) -> tuple[DeliveryStatus, int | None, datetime | None]:
    """Status, response status and next attempt after an attempt that got ``answer``."""
    if succeeded(answer):
        return DeliveryStatus.SUCCEEDED, answer, None
    retry = next_attempt_after(delivery.attempts, now, jitter)
    status = DeliveryStatus.FAILED if retry is None else DeliveryStatus.PENDING
    return status, answer, retry
