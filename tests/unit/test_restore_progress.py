"""A restored template's progress from its ``next_date``, pure."""

from __future__ import annotations

import datetime as dt

import pytest

from budget.domain.model.recurring import Frequency, RecurrenceSchedule, WeekendRule
from budget.domain.model.statement import UnreadableFileError
from budget.domain.services.restore import progress

MONTHLY = RecurrenceSchedule(Frequency.MONTHLY, dt.date(2026, 1, 31))


def test_a_template_whose_next_date_is_its_start_has_posted_nothing() -> None:
    assert progress(MONTHLY, dt.date(2026, 1, 31)) == (None, 0)


def test_the_occurrence_before_next_date_is_the_last_one_posted() -> None:
    assert progress(MONTHLY, dt.date(2026, 3, 31)) == (dt.date(2026, 2, 28), 2)


def test_a_weekend_move_is_undone_to_find_the_planned_date() -> None:
    schedule = RecurrenceSchedule(
        Frequency.MONTHLY, dt.date(2026, 1, 31), weekend=WeekendRule.AFTER
    )
    # 2026-02-28 is a Saturday, posted on Monday 2026-03-02.
    assert progress(schedule, dt.date(2026, 3, 2)) == (dt.date(2026, 1, 31), 1)


def test_when_two_occurrences_share_next_date_the_first_is_next() -> None:
    daily = RecurrenceSchedule(Frequency.DAILY, dt.date(2026, 11, 6), weekend=WeekendRule.AFTER)
    # Saturday 7 and Sunday 8 both post on Monday 9: the Saturday's comes next.
    assert progress(daily, dt.date(2026, 11, 9)) == (dt.date(2026, 11, 6), 1)


def test_a_finished_template_has_posted_every_occurrence() -> None:
    counted = RecurrenceSchedule(Frequency.WEEKLY, dt.date(2026, 1, 5), count=3)
    ending = RecurrenceSchedule(Frequency.DAILY, dt.date(2026, 1, 1), end_date=dt.date(2026, 1, 10))
    assert progress(counted, None) == (dt.date(2026, 1, 19), 3)
    assert progress(ending, None) == (dt.date(2026, 1, 10), 10)


def test_a_next_date_outside_the_schedule_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError):
        progress(MONTHLY, dt.date(2026, 3, 15))


def test_a_finished_template_without_an_end_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError):
        progress(MONTHLY, None)
