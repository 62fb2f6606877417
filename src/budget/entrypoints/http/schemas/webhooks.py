"""Wire shapes of webhooks and their deliveries (msgspec), and ``event_data``: how an
event's domain object is printed in a delivery (as its own ``GET`` answers it).

``secret`` is in the create answer alone (``WebhookCreated``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account
from budget.domain.model.budget import BudgetStanding
from budget.domain.model.transaction import Transaction
from budget.domain.model.webhook import (
    MAX_DESCRIPTION_LENGTH,
    MAX_URL_LENGTH,
    SUBSCRIBABLE,
    Delivery,
    DeliveryStatus,
    EventType,
    Webhook,
    events_problems,
    url_problems,
)
from budget.domain.services.imports import ImportOutcome
from budget.domain.services.webhooks import WebhookChanges, WebhookDraft
from budget.entrypoints.http.schemas.accounts import AccountRead
from budget.entrypoints.http.schemas.budgets import BudgetStatusRead
from budget.entrypoints.http.schemas.common import (
    BodyRule,
    HouseholdOut,
    Strict,
    Text,
    Timestamp,
    household_ref,
    unset,
)
from budget.entrypoints.http.schemas.imports import ImportRead
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.schemas.transactions import TransactionRead

# mypy cannot list members made from a table; it still checks the type as a StrEnum (a str).
WebhookEvent = StrEnum(  # type: ignore[misc]
    "WebhookEvent", {event.value: event.value for event in EventType if event in SUBSCRIBABLE}
)
"""The event types a webhook can subscribe to (``webhook.test`` is sent by ``/test``)."""

Url = Annotated[
    Text,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        description=(
            "An absolute http or https URL; in production, one whose host resolves to no"
            " loopback, private, link-local or multicast address"
        ),
        examples=["https://example.com/hooks/budget"],
    ),
]
Events = Annotated[
    list[WebhookEvent],
    msgspec.Meta(
        min_length=1,
        description="The event types delivered: one or more, no repeats",
    ),
]
Description = Annotated[Text, msgspec.Meta(max_length=MAX_DESCRIPTION_LENGTH)]
Active = Annotated[
    bool, msgspec.Meta(description="false: deliver nothing but the /test event (default true)")
]


def _events(values: list[WebhookEvent]) -> tuple[EventType, ...]:
    return tuple(EventType(value) for value in values)


def _url_shape(url: str | msgspec.UnsetType) -> None:
    if not isinstance(url, msgspec.UnsetType) and (problems := url_problems(url)):
        raise RuleViolationError(*problems)


def _events_shape(events: list[WebhookEvent] | msgspec.UnsetType) -> None:
    if not isinstance(events, msgspec.UnsetType) and (problems := events_problems(_events(events))):
        raise RuleViolationError(*problems)


UNIQUE_LISTS = {"WebhookCreate": ("events",), "WebhookUpdate": ("events",)}
"""Body lists whose items must differ: ``uniqueItems`` in the OpenAPI document."""

WEBHOOK_RULES = (BodyRule(("url",), _url_shape), BodyRule(("events",), _events_shape))
"""What a webhook body alone tells (create and PATCH alike): checked before any lookup."""


class WebhookCreate(Strict):
    RULES = WEBHOOK_RULES

    url: Url
    events: Events
    active: Active = True
    description: Description = ""
    household_id: (
        Annotated[
            UUID,
            msgspec.Meta(
                description=(
                    "The household it goes to (default: your default_household_id): one you are a"
                    " member of (else 422), as its owner (else 403)"
                )
            ),
        ]
        | None
    ) = None

    def draft(self) -> WebhookDraft:
        return WebhookDraft(
            self.url,
            _events(self.events),
            self.active,
            self.description,
            household_ref(self.household_id),
        )


class WebhookUpdate(Strict):
    RULES = WEBHOOK_RULES

    url: Url | msgspec.UnsetType = msgspec.UNSET
    events: Events | msgspec.UnsetType = msgspec.UNSET
    active: Active | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> WebhookChanges:
        events = self.events
        return WebhookChanges(
            url=unset(self.url),
            events=unset(events if isinstance(events, msgspec.UnsetType) else _events(events)),
            active=unset(self.active),
            description=unset(self.description),
        )


class WebhookRead(msgspec.Struct):
    id: UUID
    household_id: HouseholdOut
    url: str
    events: list[WebhookEvent]
    active: bool
    description: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookRead:
        return cls(
            webhook.id,
            webhook.household_id,
            webhook.url,
            [WebhookEvent(event.value) for event in webhook.events],
            webhook.active,
            webhook.description,
            webhook.created_at,
            webhook.updated_at,
        )


class WebhookCreated(msgspec.Struct):
    """The create answer: the webhook with its signing secret, shown this once."""

    id: UUID
    household_id: HouseholdOut
    url: str
    events: list[WebhookEvent]
    active: bool
    description: str
    secret: Annotated[
        str,
        msgspec.Meta(
            description=(
                "whsec_ + base64 of 32 random bytes: the key of the webhook-signature HMAC"
                " (the bytes the base64 decodes to). Shown in this answer only."
            )
        ),
    ]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookCreated:
        read = WebhookRead.of(webhook)
        return cls(
            read.id,
            read.household_id,
            read.url,
            read.events,
            read.active,
            read.description,
            webhook.secret,
            read.created_at,
            read.updated_at,
        )


class DeliveryRead(msgspec.Struct):
    id: Annotated[UUID, msgspec.Meta(description="The event's id: the webhook-id header")]
    event_type: str
    status: DeliveryStatus
    response_status: int | None
    attempts: int
    next_attempt_at: Timestamp | None
    created_at: Timestamp

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryRead:
        return cls(
            delivery.id,
            delivery.event_type,
            delivery.status,
            delivery.response_status,
            delivery.attempts,
            delivery.next_attempt_at,
            delivery.created_at,
        )


WebhookPage = Annotated[Page[WebhookRead], KwargDefinition(schema_component_key="WebhookPage")]
DeliveryPage = Annotated[Page[DeliveryRead], KwargDefinition(schema_component_key="DeliveryPage")]


def event_data(data: object) -> object:
    """An event's ``data`` as the resource's ``GET`` answers it; a mapping as it is."""
    if isinstance(data, Transaction):
        return TransactionRead.of(data)
    if isinstance(data, Account):
        return AccountRead.of(data)
    if isinstance(data, BudgetStanding):
        return BudgetStatusRead.of(data)
    if isinstance(data, ImportOutcome):
        return ImportRead.of(data)
    if isinstance(data, Mapping | msgspec.Struct):
        return data
    raise TypeError(f"no wire shape for an event's {type(data).__name__}")
