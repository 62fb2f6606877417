"""Budget periods: calendar defaults, anchored schedules and their tiling of the calendar."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain.model.budget_rules import history_window
from budget.domain.model.period import Period, PeriodKind, Schedule, add_months, default_start

ONE_DAY = timedelta(days=1)
reasonable_days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        (PeriodKind.WEEKLY, date(2025, 1, 1), date(2024, 12, 30)),
        (PeriodKind.WEEKLY, date(2025, 1, 5), date(2024, 12, 30)),
        (PeriodKind.WEEKLY, date(2025, 1, 6), date(2025, 1, 6)),
        (PeriodKind.MONTHLY, date(2024, 2, 29), date(2024, 2, 1)),
        (PeriodKind.MONTHLY, date(2024, 3, 1), date(2024, 3, 1)),
        (PeriodKind.QUARTERLY, date(2024, 3, 31), date(2024, 1, 1)),
        (PeriodKind.QUARTERLY, date(2024, 4, 1), date(2024, 4, 1)),
        (PeriodKind.QUARTERLY, date(2024, 9, 30), date(2024, 7, 1)),
        (PeriodKind.QUARTERLY, date(2024, 12, 31), date(2024, 10, 1)),
        (PeriodKind.YEARLY, date(2024, 12, 31), date(2024, 1, 1)),
        (PeriodKind.YEARLY, date(2025, 1, 1), date(2025, 1, 1)),
    ],
)
def test_default_start_is_the_first_day_of_the_current_calendar_period(
    kind: PeriodKind, today: date, expected: date
) -> None:
    assert default_start(kind, today) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 15), -13, date(2022, 12, 15)),
    ],
)
def test_adding_months_clamps_the_day_to_the_month_length(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2024, 1, 2), date(2024, 1, 1))


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2023, 12, 31), False),
        (date(2024, 1, 1), True),
        (date(2024, 1, 31), True),
        (date(2024, 2, 1), False),
    ],
)
def test_a_period_contains_its_first_and_last_day_and_nothing_outside(
    day: date, inside: bool
) -> None:
    assert Period(date(2024, 1, 1), date(2024, 1, 31)).contains(day) is inside


@pytest.mark.parametrize(
    ("kind", "anchor", "n", "start", "end"),
    [
        (PeriodKind.WEEKLY, date(2024, 12, 30), 0, date(2024, 12, 30), date(2025, 1, 5)),
        (PeriodKind.MONTHLY, date(2024, 1, 1), 1, date(2024, 2, 1), date(2024, 2, 29)),
        (PeriodKind.MONTHLY, date(2023, 1, 1), 1, date(2023, 2, 1), date(2023, 2, 28)),
        (PeriodKind.MONTHLY, date(2024, 1, 1), 11, date(2024, 12, 1), date(2024, 12, 31)),
        (PeriodKind.QUARTERLY, date(2024, 1, 1), 0, date(2024, 1, 1), date(2024, 3, 31)),
        (PeriodKind.QUARTERLY, date(2024, 1, 1), 3, date(2024, 10, 1), date(2024, 12, 31)),
        (PeriodKind.YEARLY, date(2024, 1, 1), 0, date(2024, 1, 1), date(2024, 12, 31)),
        (PeriodKind.YEARLY, date(2024, 1, 1), -1, date(2023, 1, 1), date(2023, 12, 31)),
    ],
)
def test_calendar_aligned_periods_end_on_the_calendar_boundary(
    kind: PeriodKind, anchor: date, n: int, start: date, end: date
) -> None:
    assert Schedule(kind, anchor).nth(n) == Period(start, end)


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        (
            date(2023, 1, 31),
            [
                (date(2023, 1, 31), date(2023, 2, 27)),
                (date(2023, 2, 28), date(2023, 3, 30)),
                (date(2023, 3, 31), date(2023, 4, 29)),
                (date(2023, 4, 30), date(2023, 5, 30)),
                (date(2023, 5, 31), date(2023, 6, 29)),
            ],
        ),
        (
            date(2024, 1, 31),
            [
                (date(2024, 1, 31), date(2024, 2, 28)),
                (date(2024, 2, 29), date(2024, 3, 30)),
                (date(2024, 3, 31), date(2024, 4, 29)),
                (date(2024, 4, 30), date(2024, 5, 30)),
                (date(2024, 5, 31), date(2024, 6, 29)),
            ],
        ),
    ],
    ids=["non-leap year", "leap year"],
)
def test_monthly_from_the_31st_clamps_short_months_without_drifting(
    anchor: date, expected: list[tuple[date, date]]
) -> None:
    schedule = Schedule(PeriodKind.MONTHLY, anchor)

    assert [schedule.nth(n) for n in range(5)] == [Period(s, e) for s, e in expected]


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2024, 1, 15), date(2024, 1, 15), date(2024, 2, 14)),
        (date(2024, 2, 14), date(2024, 1, 15), date(2024, 2, 14)),
        (date(2024, 2, 15), date(2024, 2, 15), date(2024, 3, 14)),
        (date(2024, 12, 31), date(2024, 12, 15), date(2025, 1, 14)),
    ],
)
def test_monthly_from_the_15th_runs_to_the_14th_of_the_next_month(
    day: date, start: date, end: date
) -> None:
    assert Schedule(PeriodKind.MONTHLY, date(2024, 1, 15)).containing(day) == Period(start, end)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2024, 1, 3), date(2024, 1, 3), date(2024, 1, 9)),
        (date(2024, 1, 9), date(2024, 1, 3), date(2024, 1, 9)),
        (date(2024, 1, 10), date(2024, 1, 10), date(2024, 1, 16)),
        (date(2024, 2, 29), date(2024, 2, 28), date(2024, 3, 5)),
    ],
)
def test_weekly_from_a_wednesday_runs_wednesday_to_tuesday(
    day: date, start: date, end: date
) -> None:
    assert Schedule(PeriodKind.WEEKLY, date(2024, 1, 3)).containing(day) == Period(start, end)


@pytest.mark.parametrize(
    ("n", "start", "end"),
    [
        (0, date(2024, 2, 29), date(2025, 2, 27)),
        (1, date(2025, 2, 28), date(2026, 2, 27)),
        (3, date(2027, 2, 28), date(2028, 2, 28)),
        (4, date(2028, 2, 29), date(2029, 2, 27)),
    ],
)
def test_yearly_from_february_29_starts_on_february_28_in_non_leap_years(
    n: int, start: date, end: date
) -> None:
    assert Schedule(PeriodKind.YEARLY, date(2024, 2, 29)).nth(n) == Period(start, end)


@pytest.mark.parametrize(
    ("n", "start", "end"),
    [
        (0, date(2024, 11, 30), date(2025, 2, 27)),
        (1, date(2025, 2, 28), date(2025, 5, 29)),
        (2, date(2025, 5, 30), date(2025, 8, 29)),
        (5, date(2026, 2, 28), date(2026, 5, 29)),
        (-1, date(2024, 8, 30), date(2024, 11, 29)),
    ],
)
def test_quarterly_from_november_30_clamps_february(n: int, start: date, end: date) -> None:
    assert Schedule(PeriodKind.QUARTERLY, date(2024, 11, 30)).nth(n) == Period(start, end)


@pytest.mark.parametrize(
    ("kind", "anchor", "day", "expected"),
    [
        (PeriodKind.WEEKLY, date(2024, 1, 3), date(2024, 1, 2), -1),
        (PeriodKind.WEEKLY, date(2024, 1, 3), date(2023, 12, 27), -1),
        (PeriodKind.WEEKLY, date(2024, 1, 3), date(2023, 12, 26), -2),
        (PeriodKind.MONTHLY, date(2024, 1, 15), date(2024, 1, 14), -1),
        (PeriodKind.MONTHLY, date(2024, 1, 15), date(2023, 12, 15), -1),
        (PeriodKind.MONTHLY, date(2024, 1, 15), date(2023, 12, 14), -2),
        (PeriodKind.MONTHLY, date(2024, 3, 31), date(2024, 3, 30), -1),
        (PeriodKind.MONTHLY, date(2024, 3, 31), date(2024, 2, 29), -1),
        (PeriodKind.MONTHLY, date(2024, 3, 31), date(2024, 2, 28), -2),
        (PeriodKind.QUARTERLY, date(2024, 1, 1), date(2023, 12, 31), -1),
        (PeriodKind.YEARLY, date(2024, 2, 29), date(2024, 2, 28), -1),
        (PeriodKind.YEARLY, date(2024, 2, 29), date(2023, 2, 27), -2),
    ],
)
def test_index_of_a_day_before_the_anchor_is_negative(
    kind: PeriodKind, anchor: date, day: date, expected: int
) -> None:
    assert Schedule(kind, anchor).index_of(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 1, 31), 0),
        (date(2024, 2, 28), 0),
        (date(2024, 2, 29), 1),
        (date(2024, 3, 30), 1),
        (date(2024, 3, 31), 2),
        (date(2025, 1, 30), 11),
        (date(2025, 1, 31), 12),
    ],
)
def test_index_of_follows_the_clamped_starts(day: date, expected: int) -> None:
    assert Schedule(PeriodKind.MONTHLY, date(2024, 1, 31)).index_of(day) == expected


def test_a_history_lists_every_period_up_to_today_oldest_first() -> None:
    schedule = Schedule(PeriodKind.MONTHLY, date(2024, 1, 15))

    window = history_window(schedule, date(2024, 1, 15), None, date(2024, 3, 20), 3)

    assert [schedule.nth(n) for n in window] == [
        Period(date(2024, 1, 15), date(2024, 2, 14)),
        Period(date(2024, 2, 15), date(2024, 3, 14)),
        Period(date(2024, 3, 15), date(2024, 4, 14)),
    ]


def test_a_history_that_ends_before_its_schedule_starts_is_empty() -> None:
    schedule = Schedule(PeriodKind.WEEKLY, date(2024, 2, 1))

    assert list(history_window(schedule, date(2024, 2, 1), None, date(2024, 1, 1), 12)) == []


@given(
    kind=st.sampled_from(PeriodKind),
    anchor=reasonable_days,
    n=st.integers(min_value=-120, max_value=120),
)
def test_consecutive_periods_tile_the_calendar(kind: PeriodKind, anchor: date, n: int) -> None:
    schedule = Schedule(kind, anchor)

    assert schedule.nth(n + 1).start == schedule.nth(n).end + ONE_DAY


@given(kind=st.sampled_from(PeriodKind), anchor=reasonable_days, day=reasonable_days)
def test_the_period_containing_a_day_contains_it(kind: PeriodKind, anchor: date, day: date) -> None:
    schedule = Schedule(kind, anchor)

    assert schedule.containing(day).contains(day)
    assert schedule.nth(schedule.index_of(day)) == schedule.containing(day)


@given(kind=st.sampled_from(PeriodKind), anchor=reasonable_days)
def test_period_zero_starts_on_the_anchor(kind: PeriodKind, anchor: date) -> None:
    assert Schedule(kind, anchor).nth(0).start == anchor
