"""The tables of safe retries, the change feed and the audit trail (contract section 11;
docs/adr/0017). Part of the schema of ``tables.py``, which re-exports them.

- ``change_counters``: per household, the last change position handed out. A writing
  transaction moves it with one atomic upsert at the very end of its commit, which holds
  the row's lock until ``COMMIT``: positions of one household are committed in order.
- ``changes``: one row per entity that ever changed (its latest position and operation,
  a tombstone for a delete), keyed ``(household_id, entity, entity_id)``; the feed reads
  the ``(household_id, position)`` index.
- ``audit_entries``: actor, time and the changed fields (JSON text, wire format) of every
  create and update of the four audited resources, read by ``(household_id, entity_id)``.
- ``idempotency_keys``: per user and key, the request's fingerprint, the claim token of
  the request that runs it, and, once done, its answer.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.base import DefaultBase
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column


class ChangeCounterRow(DefaultBase):
    __tablename__ = "change_counters"

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(BigInteger)


class ChangeRow(DefaultBase):
    __tablename__ = "changes"
    __table_args__ = (
        PrimaryKeyConstraint("household_id", "entity", "entity_id"),
        Index("ix_changes_household_id_position", "household_id", "position"),
    )

    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[UUID] = mapped_column(GUID)
    op: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class AuditEntryRow(DefaultBase):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_household_id_entity_id", "household_id", "entity_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    household_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("households.id", ondelete="CASCADE")
    )
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[UUID] = mapped_column(GUID)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    actor_id: Mapped[UUID | None] = mapped_column(GUID, nullable=True)
    action: Mapped[str] = mapped_column(String(8))
    changes: Mapped[str] = mapped_column(Text)


class IdempotencyKeyRow(DefaultBase):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    user_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    token: Mapped[UUID] = mapped_column(GUID)
    done: Mapped[bool] = mapped_column(default=False)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    location: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
