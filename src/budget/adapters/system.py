"""The system clock and UUIDv7 ids."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import uuid_utils


class SystemClock:
    """UTC wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()


class UuidV7Factory:
    """Time-ordered UUIDv7 ids, so new rows land at the end of their indexes."""

    def new_id(self) -> UUID:
        return UUID(bytes=uuid_utils.uuid7().bytes)
