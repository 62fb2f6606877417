"""Budget periods: calendar-aligned defaults and schedules anchored on a start date."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

_ONE_DAY = timedelta(days=1)
_MONTHS_PER_YEAR = 12
_SHORTEST_MONTH = 28


class PeriodKind(StrEnum):
    """How long one budget period lasts."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


_MONTHS_PER_PERIOD: dict[PeriodKind, int] = {
    PeriodKind.MONTHLY: 1,
    PeriodKind.QUARTERLY: 3,
    PeriodKind.YEARLY: 12,
}


@dataclass(frozen=True, slots=True)
class Period:
    """A run of whole days from ``start`` to ``end``, both inclusive.

    Raises:
        ValueError: when ``end`` is before ``start`` (a programming error, not user input).
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a period cannot end ({self.end}) before it starts ({self.start})")

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls inside the period."""
        return self.start <= day <= self.end


def month_index(day: date) -> int:
    """Months since year 0 for ``day``'s month, so that month arithmetic is plain subtraction."""
    return day.year * _MONTHS_PER_YEAR + day.month - 1


def add_months(day: date, months: int) -> date:
    """The date ``months`` later (earlier when negative) with the day clamped to the month's end.

    ``add_months(date(2024, 1, 31), 1)`` is 2024-02-29; ``add_months(date(2024, 2, 29), 12)``
    is 2025-02-28.
    """
    year, month0 = divmod(month_index(day) + months, _MONTHS_PER_YEAR)
    if day.day <= _SHORTEST_MONTH:
        return date(year, month0 + 1, day.day)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last_day))


def default_start(kind: PeriodKind, today: date) -> date:
    """First day of the calendar period containing ``today``.

    Monday for weekly, the 1st of the month for monthly, the 1st of January, April, July or
    October for quarterly, and January 1 for yearly.
    """
    if kind == PeriodKind.WEEKLY:
        return today - timedelta(days=today.weekday())
    step = _MONTHS_PER_PERIOD[kind]
    return date(today.year, (today.month - 1) // step * step + 1, 1)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Back-to-back periods of one kind, anchored on ``anchor`` (period 0 starts there).

    Period ``n`` starts ``n`` weeks, or ``n`` times 1, 3 or 12 months, after the anchor. Month
    steps keep the anchor's day of month, clamped to shorter months and always computed from
    the original anchor, so a budget from January 31 starts again on March 31 after February
    28. Each period ends the day before the next one starts, so the periods tile the calendar.
    """

    kind: PeriodKind
    anchor: date

    def start_of(self, n: int) -> date:
        """First day of period ``n`` (negative ``n`` counts back before the anchor)."""
        if self.kind == PeriodKind.WEEKLY:
            return self.anchor + timedelta(weeks=n)
        return add_months(self.anchor, n * _MONTHS_PER_PERIOD[self.kind])

    def nth(self, n: int) -> Period:
        """Period ``n``; period 0 is the one starting on the anchor."""
        return _nth_period(self, n)

    def index_of(self, day: date) -> int:
        """Number of the period containing ``day``; negative for days before the anchor.

        Constant time: the month difference gives the index or one too many, never more,
        because clamping can only move a period's start earlier within its own month.
        """
        if self.kind == PeriodKind.WEEKLY:
            return (day - self.anchor).days // 7
        n = (month_index(day) - month_index(self.anchor)) // _MONTHS_PER_PERIOD[self.kind]
        return n - 1 if self.start_of(n) > day else n

    def containing(self, day: date) -> Period:
        """The period that contains ``day``."""
        return self.nth(self.index_of(day))


@lru_cache(maxsize=4096)
def _nth_period(schedule: Schedule, n: int) -> Period:
    """``schedule.nth(n)``, remembered: a status or history request asks for the same
    periods of the same budgets again and again."""
    return Period(schedule.start_of(n), schedule.start_of(n + 1) - _ONE_DAY)
