"""The schedule rules of recurring transactions: steps, clamping, ends, weekend moves,
the next occurrence after a posted one, catch-up and upcoming windows."""

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain.errors import RuleViolationError
from budget.domain.model.recurring import (
    MAX_CATCH_UP,
    Frequency,
    RecurrenceSchedule,
    WeekendRule,
)

FRIDAY, SATURDAY, SUNDAY, MONDAY = (
    date(2026, 12, 4),
    date(2026, 12, 5),
    date(2026, 12, 6),
    date(2026, 12, 7),
)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
frequencies = st.sampled_from(list(Frequency))
weekends = st.sampled_from(list(WeekendRule))
intervals = st.integers(min_value=1, max_value=365)


def planned(schedule: RecurrenceSchedule, n: int) -> list[date]:
    return [schedule.planned(i) for i in range(n)]


def problems_of(error: pytest.ExceptionInfo[RuleViolationError]) -> list[str]:
    return [problem.field for problem in error.value.problems]


@pytest.mark.parametrize(
    ("frequency", "interval", "expected"),
    [
        (Frequency.DAILY, 1, [date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1)]),
        (Frequency.DAILY, 3, [date(2026, 1, 30), date(2026, 2, 2), date(2026, 2, 5)]),
        (Frequency.WEEKLY, 1, [date(2026, 1, 30), date(2026, 2, 6), date(2026, 2, 13)]),
        (Frequency.WEEKLY, 2, [date(2026, 1, 30), date(2026, 2, 13), date(2026, 2, 27)]),
        (Frequency.MONTHLY, 1, [date(2026, 1, 30), date(2026, 2, 28), date(2026, 3, 30)]),
        (Frequency.MONTHLY, 3, [date(2026, 1, 30), date(2026, 4, 30), date(2026, 7, 30)]),
        (Frequency.YEARLY, 1, [date(2026, 1, 30), date(2027, 1, 30), date(2028, 1, 30)]),
    ],
)
def test_occurrences_step_by_the_frequency_times_the_interval(
    frequency: Frequency, interval: int, expected: list[date]
) -> None:
    schedule = RecurrenceSchedule(frequency, date(2026, 1, 30), interval)

    assert planned(schedule, 3) == expected


def test_the_31st_clamps_to_shorter_months_and_comes_back() -> None:
    schedule = RecurrenceSchedule(Frequency.MONTHLY, date(2024, 1, 31))

    assert planned(schedule, 4) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
    ]


def test_february_29_clamps_to_the_28th_in_common_years() -> None:
    schedule = RecurrenceSchedule(Frequency.YEARLY, date(2024, 2, 29))

    assert planned(schedule, 5) == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]


@pytest.mark.parametrize(
    ("rule", "day", "expected"),
    [
        (WeekendRule.KEEP, SATURDAY, SATURDAY),
        (WeekendRule.KEEP, SUNDAY, SUNDAY),
        (WeekendRule.BEFORE, SATURDAY, FRIDAY),
        (WeekendRule.BEFORE, SUNDAY, FRIDAY),
        (WeekendRule.AFTER, SATURDAY, MONDAY),
        (WeekendRule.AFTER, SUNDAY, MONDAY),
        (WeekendRule.BEFORE, FRIDAY, FRIDAY),
        (WeekendRule.AFTER, MONDAY, MONDAY),
    ],
)
def test_the_weekend_rule_moves_saturdays_and_sundays_only(
    rule: WeekendRule, day: date, expected: date
) -> None:
    assert rule.move(day) == expected


def test_a_count_ends_the_schedule_after_that_many_occurrences() -> None:
    schedule = RecurrenceSchedule(Frequency.DAILY, FRIDAY, count=2)

    assert [schedule.includes(i) for i in range(3)] == [True, True, False]
    assert schedule.following(FRIDAY + timedelta(days=1)) is None


def test_an_end_date_is_inclusive_on_the_planned_date() -> None:
    schedule = RecurrenceSchedule(Frequency.WEEKLY, FRIDAY, end_date=FRIDAY + timedelta(days=7))

    assert [o.planned for o in schedule.run_from(None)] == [FRIDAY, FRIDAY + timedelta(days=7)]


def test_a_schedule_ends_where_the_calendar_does() -> None:
    schedule = RecurrenceSchedule(Frequency.YEARLY, date(9999, 1, 4), interval=365)

    assert schedule.following(date(9999, 1, 4)) is None


def test_a_schedule_without_end_never_finishes() -> None:
    schedule = RecurrenceSchedule(Frequency.YEARLY, FRIDAY)

    assert schedule.following(date(2999, 1, 1)) is not None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"interval": 0}, ["interval"]),
        ({"interval": 366}, ["interval"]),
        ({"count": 0}, ["count"]),
        ({"end_date": FRIDAY - timedelta(days=1)}, ["end_date"]),
        ({"end_date": FRIDAY, "count": 1}, ["count"]),
        ({"interval": 0, "count": 0}, ["interval", "count"]),
    ],
)
def test_bad_schedule_fields_are_refused_all_at_once(
    fields: dict[str, object], expected: list[str]
) -> None:
    with pytest.raises(RuleViolationError) as error:
        RecurrenceSchedule(Frequency.DAILY, FRIDAY, **fields)  # type: ignore[arg-type]

    assert problems_of(error) == expected


def test_an_end_date_on_the_start_date_is_allowed() -> None:
    schedule = RecurrenceSchedule(Frequency.DAILY, FRIDAY, end_date=FRIDAY)

    assert [o.planned for o in schedule.run_from(None)] == [FRIDAY]


def test_two_occurrences_moved_onto_one_monday_stay_two() -> None:
    schedule = RecurrenceSchedule(Frequency.DAILY, SATURDAY, weekend=WeekendRule.AFTER)

    due = schedule.due(None, MONDAY, 10)

    assert [(o.planned, o.date) for o in due] == [
        (SATURDAY, MONDAY),
        (SUNDAY, MONDAY),
        (MONDAY, MONDAY),
    ]


def test_the_next_occurrence_follows_the_last_posted_planned_date() -> None:
    schedule = RecurrenceSchedule(Frequency.DAILY, SATURDAY, weekend=WeekendRule.AFTER)

    following = schedule.following(SATURDAY)

    assert following is not None
    assert (following.planned, following.date) == (SUNDAY, MONDAY)


def test_a_changed_schedule_goes_on_after_the_last_posted_date() -> None:
    changed = RecurrenceSchedule(Frequency.DAILY, FRIDAY - timedelta(days=30))

    following = changed.following(FRIDAY)

    assert following is not None
    assert following.planned == FRIDAY + timedelta(days=1)


def test_due_occurrences_are_those_posted_today_or_earlier() -> None:
    schedule = RecurrenceSchedule(Frequency.DAILY, FRIDAY, weekend=WeekendRule.AFTER)

    assert [o.planned for o in schedule.due(None, SUNDAY, 10)] == [FRIDAY]


def test_a_sunday_moved_to_friday_is_due_on_friday() -> None:
    schedule = RecurrenceSchedule(Frequency.WEEKLY, SUNDAY, weekend=WeekendRule.BEFORE)

    assert [o.date for o in schedule.due(None, FRIDAY, 10)] == [FRIDAY]


def test_a_catch_up_of_366_occurrences_is_allowed() -> None:
    today = FRIDAY + timedelta(days=MAX_CATCH_UP - 1)
    schedule = RecurrenceSchedule(Frequency.DAILY, FRIDAY)

    schedule.check_catch_up(None, today)


def test_a_catch_up_of_367_occurrences_is_refused_on_start_date() -> None:
    today = FRIDAY + timedelta(days=MAX_CATCH_UP)
    schedule = RecurrenceSchedule(Frequency.DAILY, FRIDAY)

    with pytest.raises(RuleViolationError) as error:
        schedule.check_catch_up(None, today)

    assert problems_of(error) == ["start_date"]


def test_the_catch_up_counts_only_what_is_not_posted_yet() -> None:
    schedule = RecurrenceSchedule(Frequency.DAILY, FRIDAY)
    today = FRIDAY + timedelta(days=MAX_CATCH_UP + 10)

    schedule.check_catch_up(FRIDAY + timedelta(days=20), today)


def test_between_lists_the_window_by_posted_date() -> None:
    schedule = RecurrenceSchedule(Frequency.WEEKLY, FRIDAY - timedelta(days=70))

    found = schedule.between(None, FRIDAY, FRIDAY + timedelta(days=14))

    assert [o.date for o in found] == [FRIDAY + timedelta(days=n) for n in (0, 7, 14)]


@given(frequencies, intervals, days, days)
def test_first_after_is_the_first_occurrence_planned_after_the_day(
    frequency: Frequency, interval: int, start: date, day: date
) -> None:
    schedule = RecurrenceSchedule(frequency, start, interval)

    index = schedule.first_after(day)

    assert schedule.includes(index) is False or schedule.planned(index) > day
    assert index == 0 or schedule.planned(index - 1) <= day


@given(frequencies, intervals, days, weekends)
def test_posted_dates_never_go_backwards(
    frequency: Frequency, interval: int, start: date, weekend: WeekendRule
) -> None:
    schedule = RecurrenceSchedule(frequency, start, interval, weekend=weekend)

    occurrences = [schedule.occurrence(i) for i in range(12)]

    dates = [o.date for o in occurrences if o is not None]
    assert dates == sorted(dates)
    assert all(d.weekday() < 5 for d in dates) or weekend is WeekendRule.KEEP


@given(frequencies, intervals, days, weekends, st.integers(min_value=0, max_value=40))
def test_walking_by_following_visits_every_occurrence_once(
    frequency: Frequency, interval: int, start: date, weekend: WeekendRule, steps: int
) -> None:
    schedule = RecurrenceSchedule(frequency, start, interval, count=30, weekend=weekend)
    seen: list[date] = []
    last = None

    for _ in range(steps):
        following = schedule.following(last)
        if following is None:
            break
        seen.append(following.planned)
        last = following.planned

    expected = [o.planned for o in itertools.islice(schedule.run_from(None), steps)]
    assert seen == expected


@given(frequencies, intervals, days, weekends, days)
def test_due_and_between_agree_on_what_lies_before_today(
    frequency: Frequency, interval: int, start: date, weekend: WeekendRule, today: date
) -> None:
    schedule = RecurrenceSchedule(frequency, start, interval, weekend=weekend)

    due = schedule.due(None, today, 50)

    assert all(o.date <= today for o in due)
    window = schedule.between(None, start - timedelta(days=3), today)
    assert [o.planned for o in window[: len(due)]] == [o.planned for o in due]
