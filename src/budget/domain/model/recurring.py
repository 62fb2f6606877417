"""Recurring transactions: the schedule rules (contract section 14), pure.

A schedule yields occurrences numbered 0, 1, 2, ... Occurrence ``n`` is *planned* on
``start_date`` plus ``n`` times ``interval`` days, weeks, months or years; month and year
steps keep the start's day of month, clamped to shorter months and always computed from
the start (``period.add_months``, like budget periods), so a schedule from January 31
comes back on March 31 after February 28. An occurrence is identified by its planned
date; the weekend rule only moves the day it is *posted* on (Saturday or Sunday to the
Friday before or the Monday after). Moving is monotone, so occurrences stay in order after
the move, and two occurrences moved onto one day stay two occurrences.

A schedule ends after ``count`` occurrences or with the last one planned on or before
``end_date`` (at most one of them), or never.

A template remembers the planned date of the last occurrence it posted. Its next
occurrence is the first one *planned after* that date (the first one at all when none was
posted), so a changed schedule goes on from where the old one stopped and never posts a
date twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from budget.domain.errors import FieldProblem, RuleViolationError
from budget.domain.model.period import add_months, month_index

MIN_INTERVAL = 1
MAX_INTERVAL = 365
MAX_CATCH_UP = 366
"""A schedule may not owe more than this many occurrences at once (422 on ``start_date``)."""

_SATURDAY = 5
_SUNDAY = 6
_MONTHS = {"monthly": 1, "yearly": 12}
_DAYS = {"daily": 1, "weekly": 7}


class Frequency(StrEnum):
    """The unit of a schedule's step."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class WeekendRule(StrEnum):
    """What happens to an occurrence planned on a Saturday or a Sunday."""

    KEEP = "keep"
    BEFORE = "before"
    AFTER = "after"

    def move(self, day: dt.date) -> dt.date:
        """The day an occurrence planned on ``day`` is posted on."""
        weekday = day.weekday()
        if self is WeekendRule.KEEP or weekday < _SATURDAY:
            return day
        if self is WeekendRule.BEFORE:
            return day - dt.timedelta(days=weekday - 4)
        return day + dt.timedelta(days=7 - weekday)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence: its number in the schedule, the day it was planned for (its
    identity) and the day it is posted on (after the weekend move)."""

    index: int
    planned: dt.date
    date: dt.date


@dataclass(frozen=True, slots=True)
class RecurrenceSchedule:
    """When a template's occurrences fall.

    Raises:
        RuleViolationError: ``interval`` outside 1-365 (``#/interval``), ``end_date``
            before ``start_date`` (``#/end_date``), ``count`` below 1 (``#/count``), or
            both ``end_date`` and ``count`` (``#/count``).
    """

    frequency: Frequency
    start_date: dt.date
    interval: int = 1
    end_date: dt.date | None = None
    count: int | None = None
    weekend: WeekendRule = WeekendRule.KEEP

    def __post_init__(self) -> None:
        check_schedule_fields(self.interval, self.start_date, self.end_date, self.count)

    def planned(self, index: int) -> dt.date:
        """The planned date of occurrence ``index`` (0 is ``start_date``)."""
        step = self.interval * index
        months = _MONTHS.get(self.frequency.value)
        if months is not None:
            return add_months(self.start_date, step * months)
        return self.start_date + dt.timedelta(days=step * _DAYS[self.frequency.value])

    def _planned_within_calendar(self, index: int) -> dt.date | None:
        """``planned(index)``, or None past the last day Python dates reach (the schedule
        ends there)."""
        try:
            return self.planned(index)
        except (OverflowError, ValueError):
            return None

    def includes(self, index: int) -> bool:
        """Whether occurrence ``index`` is within the schedule's end (count or end date)."""
        if index < 0 or (self.count is not None and index >= self.count):
            return False
        planned = self._planned_within_calendar(index)
        if planned is None:
            return False
        return self.end_date is None or planned <= self.end_date

    def occurrence(self, index: int) -> Occurrence | None:
        """Occurrence ``index``, or None when the schedule has ended before it."""
        if not self.includes(index):
            return None
        planned = self.planned(index)
        return Occurrence(index, planned, self.weekend.move(planned))

    def first_after(self, day: dt.date | None) -> int:
        """The number of the first occurrence planned after ``day`` (0 for None).

        Constant time: the calendar difference gives the answer or one too few, never
        too many (clamping only moves an occurrence earlier within its own month).
        """
        if day is None or day < self.start_date:
            return 0
        months = _MONTHS.get(self.frequency.value)
        if months is None:
            step = self.interval * _DAYS[self.frequency.value]
            return (day - self.start_date).days // step + 1
        index = (month_index(day) - month_index(self.start_date)) // (self.interval * months)
        while (planned := self._planned_within_calendar(index)) is not None and planned <= day:
            index += 1
        return index

    def following(self, last_planned: dt.date | None) -> Occurrence | None:
        """The next occurrence after the one planned on ``last_planned`` (None: the first);
        None when the schedule has ended."""
        return self.occurrence(self.first_after(last_planned))

    def run_from(self, last_planned: dt.date | None) -> Iterator[Occurrence]:
        """Every occurrence after the one planned on ``last_planned``, in order (endless
        when the schedule has no end)."""
        index = self.first_after(last_planned)
        while (found := self.occurrence(index)) is not None:
            yield found
            index += 1

    def due(self, last_planned: dt.date | None, today: dt.date, limit: int) -> list[Occurrence]:
        """The occurrences after ``last_planned`` posted on ``today`` or earlier, at most
        ``limit`` of them."""
        found: list[Occurrence] = []
        for occurrence in self.run_from(last_planned):
            if occurrence.date > today or len(found) >= limit:
                break
            found.append(occurrence)
        return found

    def between(
        self, last_planned: dt.date | None, first: dt.date, last: dt.date
    ) -> list[Occurrence]:
        """The occurrences after ``last_planned`` posted from ``first`` to ``last``
        (inclusive). Occurrences posted before ``first`` are skipped without walking them:
        a move shifts a day by at most two days."""
        since = max(self.first_after(last_planned), self.first_after(first - dt.timedelta(days=3)))
        found: list[Occurrence] = []
        index = since
        while (occurrence := self.occurrence(index)) is not None and occurrence.date <= last:
            if occurrence.date >= first:
                found.append(occurrence)
            index += 1
        return found

    def check_catch_up(self, last_planned: dt.date | None, today: dt.date) -> None:
        """A schedule may not owe more than ``MAX_CATCH_UP`` occurrences at once.

        Raises:
            RuleViolationError: on ``start_date``.
        """
        if len(self.due(last_planned, today, MAX_CATCH_UP + 1)) > MAX_CATCH_UP:
            raise RuleViolationError.on(
                "start_date",
                f"would post more than {MAX_CATCH_UP} occurrences at once; start later",
            )


def check_schedule_fields(
    interval: int, start_date: dt.date, end_date: dt.date | None, count: int | None
) -> None:
    """The schedule's own fields, every bad one at once.

    Raises:
        RuleViolationError: on ``interval``, ``end_date`` or ``count``.
    """
    problems = []
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        problems.append(("interval", f"must be between {MIN_INTERVAL} and {MAX_INTERVAL}"))
    if end_date is not None and count is not None:
        problems.append(("count", "cannot be combined with end_date: choose one"))
    else:
        if end_date is not None and end_date < start_date:
            problems.append(("end_date", "must not be before start_date"))
        if count is not None and count < 1:
            problems.append(("count", "must be at least 1"))
    if problems:
        raise RuleViolationError(*(FieldProblem(field, detail) for field, detail in problems))
