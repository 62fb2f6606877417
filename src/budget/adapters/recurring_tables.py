"""The rows of recurring templates and of the occurrences they posted (contract section 14).

``recurring`` holds a template: a transaction's fields (amounts in minor units of the
account's currency, ``to_currency`` the destination's; ``splits`` as a JSON list of
``{category_id, amount, description}``), its schedule, the planned date of the last
occurrence posted and, derived from them at every write, ``next_date`` (after the weekend
move; NULL when finished) and ``next_planned``. Its accounts must be in its household
(composite foreign keys, which also refuse to let an account a template uses be deleted);
a deleted category is set NULL.

``recurring_occurrences`` holds one row per posted occurrence; its primary key
``(recurring_id, planned_date)`` is what makes posting idempotent per (template, date).

Indexes lead with ``household_id`` except ``ix_recurring_due``, which serves the scheduler's
claim across every household (partial: ``auto_post`` templates not finished).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from advanced_alchemy.base import DefaultBase, UUIDv7AuditBase
from advanced_alchemy.types import GUID
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from budget.adapters.errors import (
    FK_RECURRING_ACCOUNT,
    FK_RECURRING_CATEGORY,
    FK_RECURRING_TO_ACCOUNT,
    PK_RECURRING_OCCURRENCES,
)

DUE = "auto_post AND next_date IS NOT NULL"
RECURRING_INDEXES: dict[str, tuple[str, ...]] = {
    "ix_recurring_household_next_date": ("household_id", "next_date", "id"),
    "ix_recurring_household_created": ("household_id", "created_at", "id"),
    "ix_recurring_household_account": ("household_id", "account_id"),
    "ix_recurring_household_to_account": ("household_id", "to_account_id"),
    "ix_recurring_household_category": ("household_id", "category_id"),
}
DUE_INDEX = "ix_recurring_due"
RECURRING_TRANSACTIONS_INDEX = "ix_transactions_household_recurring"
"""On ``transactions``: the ones a template posted (partial), for a template's deletion."""
POSTED_ONLY = "recurring_id IS NOT NULL"

_JSON: Any = JSON().with_variant(JSONB(), "postgresql")


class RecurringRow(UUIDv7AuditBase):
    __tablename__ = "recurring"
    __table_args__ = (
        ForeignKeyConstraint(
            ["household_id", "account_id"],
            ["accounts.household_id", "accounts.id"],
            name=FK_RECURRING_ACCOUNT,
        ),
        ForeignKeyConstraint(
            ["household_id", "to_account_id"],
            ["accounts.household_id", "accounts.id"],
            name=FK_RECURRING_TO_ACCOUNT,
        ),
        *(Index(name, *columns) for name, columns in RECURRING_INDEXES.items()),
        Index(
            DUE_INDEX,
            "next_date",
            sqlite_where=text(DUE),
            postgresql_where=text(DUE),
        ),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[UUID] = mapped_column(GUID)
    to_account_id: Mapped[UUID | None] = mapped_column(GUID)
    amount: Mapped[int] = mapped_column(BigInteger)
    to_amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    to_currency: Mapped[str | None] = mapped_column(String(3))
    category_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("categories.id", ondelete="SET NULL", name=FK_RECURRING_CATEGORY)
    )
    splits: Mapped[list[dict[str, Any]]] = mapped_column(_JSON)
    description: Mapped[str] = mapped_column(String(500))
    payee: Mapped[str] = mapped_column(String(200))
    tags: Mapped[list[str]] = mapped_column(_JSON)
    frequency: Mapped[str] = mapped_column(String(10))
    interval: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    weekend: Mapped[str] = mapped_column(String(10))
    auto_post: Mapped[bool] = mapped_column(Boolean)
    last_planned: Mapped[date | None] = mapped_column(Date)
    posted_count: Mapped[int] = mapped_column(Integer)
    next_planned: Mapped[date | None] = mapped_column(Date)
    next_date: Mapped[date | None] = mapped_column(Date)


class RecurringOccurrenceRow(DefaultBase):
    """One occurrence a template posted: its planned date (the occurrence's identity) and
    the date it was posted on (after the weekend move)."""

    __tablename__ = "recurring_occurrences"
    __table_args__ = (
        PrimaryKeyConstraint("recurring_id", "planned_date", name=PK_RECURRING_OCCURRENCES),
    )

    recurring_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("recurring.id", ondelete="CASCADE"))
    planned_date: Mapped[date] = mapped_column(Date)
    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    posted_on: Mapped[date] = mapped_column(Date)
