"""The shared counters' tables: what every replica must count together (contract section 16).

Not household-owned (they count requests and failed logins, keyed by user, address or
e-mail), so they have no ``household_id`` and no row-level security policy. Part of the
schema of ``tables.py``, which re-exports them.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from advanced_alchemy.base import DefaultBase
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import BigInteger, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column


class SharedCounterRow(DefaultBase):
    """Hits per key in one fixed window (the API-wide rate limit).

    ``window_start`` is the window's first second (Unix time, a multiple of its length);
    one atomic adding upsert per request counts and answers the new count. Rows of past
    windows are deleted in the background (``adapters/counters.py``).
    """

    __tablename__ = "shared_counters"
    __table_args__ = (
        PrimaryKeyConstraint("key", "window_start"),
        Index("ix_shared_counters_window_start", "window_start"),
    )

    key: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int] = mapped_column(Integer)


class LoginFailureRow(DefaultBase):
    """One failed login (or password proof) per row, per throttle key (``account:<email>``,
    ``client:<address>``): the login throttle's sliding window reads the key's recent ones."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_failed_at", "key", "failed_at"),)

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    key: Mapped[str] = mapped_column(String(400))
    failed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
