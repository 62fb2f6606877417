"""The tables of webhooks (contract section 15), part of the schema of ``tables.py``, which
re-exports them; kept apart so that each module stays one role.

- ``webhooks``: a household's subscriptions; ``events`` as sent (a JSON list), and the
  same as a bit mask (``event_mask``) that the outbox statement tests.
- ``webhook_deliveries``: the outbox, one row per (webhook, event), written in the
  database transaction of the change that caused the event; ``id`` is the event's id
  (the ``webhook-id`` of every attempt); ``payload`` the exact body sent.
- ``webhook_budget_alerts``: the budget states a period has passed (``budget_alerts``):
  unique, so concurrent writers crossing a line together fire once.
- ``webhook_subscriptions``: per household, the event mask of its active webhooks, read
  with the caller's memberships on every request so a write knows without a query
  whether anyone listens. It holds no data of the household and has no row-level
  security (authentication reads it before any household is named, like memberships).

``webhook_deliveries`` has one index that does not lead with ``household_id``: the
due-deliveries index the delivery tick claims from, which spans every household by design.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from advanced_alchemy.base import DefaultBase, UUIDv7AuditBase
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

PENDING_ONLY = "status = 'pending'"


class WebhookRow(UUIDv7AuditBase):
    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_household_created", "household_id", "created_at"),)

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    event_mask: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))


class WebhookDeliveryRow(DefaultBase):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        PrimaryKeyConstraint("webhook_id", "id"),
        Index(
            "ix_webhook_deliveries_household_webhook_created",
            "household_id",
            "webhook_id",
            "created_at",
        ),
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            sqlite_where=text(PENDING_ONLY),
            postgresql_where=text(PENDING_ONLY),
        ),
    )

    webhook_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("webhooks.id", ondelete="CASCADE"))
    id: Mapped[UUID] = mapped_column(GUID)
    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(SmallInteger)
    response_status: Mapped[int | None] = mapped_column(SmallInteger)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class WebhookBudgetAlertRow(DefaultBase):
    __tablename__ = "webhook_budget_alerts"
    __table_args__ = (PrimaryKeyConstraint("household_id", "budget_id", "period_start", "state"),)

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    budget_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("budgets.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10))


class WebhookSubscriptionRow(DefaultBase):
    __tablename__ = "webhook_subscriptions"

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    event_mask: Mapped[int] = mapped_column(Integer)
