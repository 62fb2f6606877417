"""The rules' table (contract section 13): part of the schema of ``tables.py``, which
re-exports it; kept apart so that each module stays one role.

``conditions`` and ``actions`` are JSON lists as the wire shows them (``{field, op,
value}``; ``{set, value}`` or ``{add_tags}``), JSONB on PostgreSQL. The index leads with
``household_id`` (tenancy) and serves both the list by priority and the check, made with
every account read for a new transaction, of whether a household has an active rule.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from advanced_alchemy.types import GUID
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column


class RuleRow(UUIDv7AuditBase):
    """A household's categorisation rule."""

    __tablename__ = "rules"
    __table_args__ = (
        Index("ix_rules_household_active_priority", "household_id", "active", "priority"),
        Index("ix_rules_household_created_at", "household_id", "created_at"),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql")
    )
    actions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql")
    )
