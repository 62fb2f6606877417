"""Time and new ids."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from uuid import UUID


class Clock(Protocol):
    """Tells the time (UTC) and today's date."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class IdFactory(Protocol):
    """Makes new, time-ordered ids."""

    def new_id(self) -> UUID: ...
