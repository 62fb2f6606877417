"""Webhooks (contract section 15): subscriptions, event types, signing, retries, URL policy.

A webhook is a household's subscription of one URL to some event types. Each event that a
committed write causes becomes one delivery per subscribed webhook (the outbox), sent as
Standard Webhooks prescribes and retried on a growing schedule until it succeeds or a day
has passed. Everything here is pure: the secret's random bytes, "now", the resolved
addresses and the jitter come in as arguments.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit
from uuid import UUID

from budget.domain.errors import FieldProblem, RuleViolationError
from budget.domain.model.ids import HouseholdId, WebhookId

MAX_URL_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 500
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
DELIVERY_TIMEOUT = timedelta(seconds=10)


class EventType(StrEnum):
    """What a webhook can subscribe to; ``webhook.test`` is sent by ``/test`` alone."""

    TRANSACTION_CREATED = "transaction.created"
    TRANSACTION_UPDATED = "transaction.updated"
    TRANSACTION_DELETED = "transaction.deleted"
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_UPDATED = "account.updated"
    ACCOUNT_DELETED = "account.deleted"
    BUDGET_WARNING = "budget.warning"
    BUDGET_EXCEEDED = "budget.exceeded"
    IMPORT_COMPLETED = "import.completed"
    RECURRING_POSTED = "recurring.posted"
    WEBHOOK_TEST = "webhook.test"

    @property
    def bit(self) -> int:
        """This type's bit in an event mask (stable: the order of the members)."""
        return 1 << _ORDER.index(self)


_ORDER: tuple[EventType, ...] = tuple(EventType)
SUBSCRIBABLE: frozenset[EventType] = frozenset(EventType) - {EventType.WEBHOOK_TEST}
BUDGET_EVENTS_MASK = EventType.BUDGET_WARNING.bit | EventType.BUDGET_EXCEEDED.bit


def event_mask(events: Iterable[EventType]) -> int:
    """The bits of ``events``: what a household's active webhooks listen to, in one int."""
    mask = 0
    for event in events:
        mask |= event.bit
    return mask


def listens_to(mask: int, event: EventType) -> bool:
    return bool(mask & event.bit)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class WebhookFields:
    """What a client sets on a webhook, checked: every bad field reported at once."""

    url: str
    events: tuple[EventType, ...]
    active: bool = True
    description: str = ""

    def checked(self) -> WebhookFields:
        problems = [*url_problems(self.url), *events_problems(self.events)]
        if len(self.description) > MAX_DESCRIPTION_LENGTH:
            problems.append(
                FieldProblem("description", f"at most {MAX_DESCRIPTION_LENGTH} characters")
            )
        if problems:
            raise RuleViolationError(*problems)
        return self


def url_problems(url: str) -> list[FieldProblem]:
    """The URL's own shape: an absolute ``http`` or ``https`` URL with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return [FieldProblem("url", "must be an absolute http or https URL")]
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [FieldProblem("url", "must be an absolute http or https URL")]
    if len(url) > MAX_URL_LENGTH:
        return [FieldProblem("url", f"at most {MAX_URL_LENGTH} characters")]
    return []


def events_problems(events: Sequence[EventType]) -> list[FieldProblem]:
    if not events:
        return [FieldProblem("events", "must name at least one event type")]
    if len(set(events)) != len(events):
        return [FieldProblem("events", "must not repeat an event type")]
    if EventType.WEBHOOK_TEST in events:
        return [FieldProblem("events", "webhook.test is sent by the test route only")]
    return []


@dataclass(eq=False, slots=True)
class Webhook:
    """A household's subscription of ``url`` to ``events``; ``secret`` signs deliveries.

    An inactive webhook receives nothing but ``webhook.test``.
    """

    id: WebhookId
    household_id: HouseholdId
    url: str
    events: tuple[EventType, ...]
    active: bool
    description: str
    secret: str
    created_at: datetime
    updated_at: datetime

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Webhook) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @classmethod
    def create(
        cls,
        webhook_id: WebhookId,
        household_id: HouseholdId,
        fields: WebhookFields,
        secret: str,
        now: datetime,
    ) -> Webhook:
        f = fields.checked()
        return cls(
            webhook_id, household_id, f.url, f.events, f.active, f.description, secret, now, now
        )

    @property
    def fields(self) -> WebhookFields:
        return WebhookFields(self.url, self.events, self.active, self.description)

    def revise(self, fields: WebhookFields, now: datetime) -> None:
        f = fields.checked()
        self.url, self.events, self.active, self.description = (
            f.url,
            f.events,
            f.active,
            f.description,
        )
        self.updated_at = now

    @property
    def mask(self) -> int:
        """The events it is delivered: none while inactive."""
        return event_mask(self.events) if self.active else 0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one webhook, as the deliveries list shows it."""

    id: UUID
    webhook_id: WebhookId
    event_type: str
    status: DeliveryStatus
    response_status: int | None
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A delivery claimed for one attempt: where it goes, what it sends, and how to sign it.

    ``attempts`` counts this attempt."""

    id: UUID
    webhook_id: WebhookId
    url: str
    secret: str
    payload: str
    attempts: int
    created_at: datetime


# -- signing (Standard Webhooks) -------------------------------------------------------------


def format_secret(raw: bytes) -> str:
    """``whsec_`` + base64 of the key bytes: how a secret is shown (once) and stored."""
    return SECRET_PREFIX + base64.b64encode(raw).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key: the bytes the base64 after ``whsec_`` decodes to."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


# -- retries ---------------------------------------------------------------------------------

RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
"""The wait after the 1st, 2nd, ... failed attempt (Standard Webhooks' suggested schedule):
growing, the first retry within 30 s, the last attempt more than 24 h after the first.
After the last one the delivery has failed."""

MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def next_attempt_after(attempts: int, failed_at: datetime, jitter: float = 0.0) -> datetime | None:
    """When to try again after ``attempts`` failed attempts, or None: give up.

    ``jitter`` in [0, 1) stretches the delay by up to 10 % so that receivers coming back
    from an outage are not hit by every retry at once.
    """
    if attempts < 1:
        raise ValueError("a retry follows at least one attempt")
    if attempts > len(RETRY_DELAYS):
        return None
    delay = RETRY_DELAYS[attempts - 1]
    return failed_at + delay * (1 + 0.1 * min(max(jitter, 0.0), 0.999))


def succeeded(status: int | None) -> bool:
    """A 2xx answer; None (no answer: timeout, refused, unreachable) is a failure."""
    return status is not None and 200 <= status < 300


# -- where deliveries may go -----------------------------------------------------------------


def refused_address(address: str) -> bool:
    """Loopback, private, link-local, multicast (and unspecified or reserved) addresses:
    the service's own network, which a webhook must not reach (SSRF)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
    )


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    """Whether deliveries may go to private networks (outside production, or when allowed)."""

    allow_private: bool

    def check(self, addresses: Sequence[str]) -> None:
        """Refuse a host that resolves to nothing or to any refused address.

        Raises:
            RuleViolationError: on ``url``.
        """
        if self.allow_private:
            return
        if not addresses:
            raise RuleViolationError.on("url", "the host does not resolve")
        if any(refused_address(address) for address in addresses):
            raise RuleViolationError.on(
                "url", "must not point at a loopback, private, link-local or multicast address"
            )
