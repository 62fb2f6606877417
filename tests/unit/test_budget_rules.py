"""Budget rules: validation, status math, rollover, end dates and the history window."""

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain.errors import RuleViolationError
from budget.domain.model.budget_rules import (
    BudgetState,
    BudgetStatus,
    budget_state,
    check_date_in_budget,
    clean_budget_name,
    history_window,
    percent_used,
    spending_window,
    status_history,
    validate_budget_fields,
)
from budget.domain.model.period import Period, PeriodKind, Schedule

JANUARY = Period(date(2024, 1, 1), date(2024, 1, 31))
MONTHLY = Schedule(PeriodKind.MONTHLY, date(2024, 1, 1))


def problem_fields(error: pytest.ExceptionInfo[RuleViolationError]) -> list[str]:
    return [problem.field for problem in error.value.problems]


def status_at(index: int, limit: int, spent: dict[int, int], *, rollover: bool) -> BudgetStatus:
    """The status of monthly period ``index`` alone, priced as a budget's status is."""
    (status,) = status_history(
        MONTHLY, limit, spent, first_index=index, last_index=index, rollover=rollover, threshold=80
    )
    return status


# percent_used


@pytest.mark.parametrize(
    ("spent", "available", "expected"),
    [
        (0, 10_000, "0.0"),
        (7_990, 10_000, "79.9"),
        (8_000, 10_000, "80.0"),
        (10_000, 10_000, "100.0"),
        (10_010, 10_000, "100.1"),
        (2, 3, "66.7"),
        (1, 3, "33.3"),
        (1, 8, "12.5"),
        (1, 2000, "0.1"),
        (1, 2001, "0.0"),
        (1_999, 2_000_000, "0.1"),
        (-1, 8, "-12.5"),
        (-1, 2000, "-0.1"),
        (-1, 2001, "0.0"),
        (3 * 10**20, 7, "4285714285714285714285.7"),
    ],
)
def test_percent_used_rounds_half_away_from_zero_to_one_decimal(
    spent: int, available: int, expected: str
) -> None:
    assert percent_used(spent, available) == expected


@pytest.mark.parametrize("available", [0, -1, -10_000])
def test_percent_used_is_none_when_nothing_is_available(available: int) -> None:
    assert percent_used(500, available) is None


# budget_state


@pytest.mark.parametrize(
    ("spent", "available", "expected"),
    [
        (0, 10_000, BudgetState.OK),
        (7_999, 10_000, BudgetState.OK),
        (8_000, 10_000, BudgetState.WARNING),
        (10_000, 10_000, BudgetState.WARNING),
        (10_001, 10_000, BudgetState.EXCEEDED),
        (-500, 10_000, BudgetState.OK),
    ],
)
def test_state_is_judged_on_exact_values(spent: int, available: int, expected: BudgetState) -> None:
    assert budget_state(spent, available, 80) == expected


def test_a_spend_that_rounds_to_the_threshold_but_is_below_it_is_ok() -> None:
    assert percent_used(79_999, 100_000) == "80.0"
    assert budget_state(79_999, 100_000, 80) == BudgetState.OK


@pytest.mark.parametrize(
    ("spent", "available", "expected"),
    [
        (0, 0, BudgetState.OK),
        (1, 0, BudgetState.EXCEEDED),
        (0, -100, BudgetState.EXCEEDED),
        (-100, -100, BudgetState.OK),
        (-200, -100, BudgetState.OK),
    ],
)
def test_state_is_exceeded_exactly_when_remaining_is_negative(
    spent: int, available: int, expected: BudgetState
) -> None:
    assert budget_state(spent, available, 80) == expected


@pytest.mark.parametrize(
    ("threshold", "spent", "expected"),
    [
        (100, 9_999, BudgetState.OK),
        (100, 10_000, BudgetState.WARNING),
        (1, 99, BudgetState.OK),
        (1, 100, BudgetState.WARNING),
    ],
)
def test_threshold_extremes_warn_from_their_exact_boundary(
    threshold: int, spent: int, expected: BudgetState
) -> None:
    assert budget_state(spent, 10_000, threshold) == expected


# the status of one period and the carry into it


def test_the_carry_sums_limit_minus_spent_over_earlier_periods() -> None:
    status = status_at(3, 100, {0: 50, 1: 130, 2: 100, 3: 70}, rollover=True)

    assert status.carried_over == 50 - 30 + 0


def test_spending_in_the_period_or_later_is_never_carried_into_it() -> None:
    status = status_at(1, 100, {0: 40, 1: 500, 2: 900}, rollover=True)

    assert (status.carried_over, status.spent) == (60, 500)


def test_status_without_rollover_carries_nothing() -> None:
    status = status_at(1, 10_000, {0: 2_000, 1: 9_000}, rollover=False)

    assert (status.carried_over, status.available, status.spent) == (0, 10_000, 9_000)
    assert (status.remaining, status.percent_used, status.state) == (1_000, "90.0", "warning")


def test_status_with_rollover_carries_under_and_overspending_across_periods() -> None:
    spent = {0: 6_000, 1: 13_000, 2: 10_000, 3: 2_500}

    status = status_at(3, 10_000, spent, rollover=True)

    assert status == BudgetStatus(
        period=Period(date(2024, 4, 1), date(2024, 4, 30)),
        limit=10_000,
        carried_over=4_000 - 3_000 + 0,
        available=11_000,
        spent=2_500,
        remaining=8_500,
        percent_used="22.7",
        state=BudgetState.OK,
    )


def test_rollover_counts_periods_without_spending_as_fully_unspent() -> None:
    status = status_at(3, 10_000, {1: 5_000}, rollover=True)

    assert status.carried_over == 10_000 + 5_000 + 10_000


def test_rollover_after_heavy_overspending_leaves_nothing_available() -> None:
    status = status_at(1, 10_000, {0: 25_000}, rollover=True)

    assert (status.carried_over, status.available, status.remaining) == (-15_000, -5_000, -5_000)
    assert (status.percent_used, status.state) == (None, BudgetState.EXCEEDED)


def test_the_first_period_never_carries_anything() -> None:
    status = status_at(0, 10_000, {0: 3_000}, rollover=True)

    assert status.carried_over == 0


def test_a_zero_limit_without_spending_is_ok_with_no_percentage() -> None:
    status = status_at(0, 0, {}, rollover=False)

    assert (status.available, status.remaining, status.percent_used, status.state) == (
        0,
        0,
        None,
        BudgetState.OK,
    )


def test_a_zero_limit_with_any_spending_is_exceeded() -> None:
    status = status_at(0, 0, {0: 1}, rollover=False)

    assert (status.remaining, status.percent_used, status.state) == (-1, None, "exceeded")


@given(
    limit=st.integers(min_value=0, max_value=10**12),
    spent=st.lists(st.integers(min_value=-(10**12), max_value=10**12), max_size=40),
)
def test_rollover_of_n_periods_equals_n_limits_minus_total_spent(
    limit: int, spent: list[int]
) -> None:
    spent_by_index = dict(enumerate(spent))

    status = status_at(len(spent), limit, spent_by_index, rollover=True)

    assert status.carried_over == len(spent) * limit - sum(spent)


# status_history


def test_history_runs_the_carry_from_the_first_period_even_when_not_reported() -> None:
    spent = {0: 6_000, 1: 13_000, 2: 10_000, 3: 2_500}

    history = status_history(
        MONTHLY, 10_000, spent, first_index=2, last_index=3, rollover=True, threshold=80
    )

    assert [(s.period.start, s.carried_over, s.spent) for s in history] == [
        (date(2024, 3, 1), 1_000, 10_000),
        (date(2024, 4, 1), 1_000, 2_500),
    ]


def test_history_carries_each_periods_leftover_into_the_next() -> None:
    spent = {0: 6_000, 1: 13_000, 3: 2_500}

    history = status_history(
        MONTHLY, 10_000, spent, first_index=0, last_index=4, rollover=True, threshold=80
    )

    assert [(s.period, s.carried_over, s.spent, s.remaining) for s in history] == [
        (MONTHLY.nth(0), 0, 6_000, 4_000),
        (MONTHLY.nth(1), 4_000, 13_000, 1_000),
        (MONTHLY.nth(2), 1_000, 0, 11_000),
        (MONTHLY.nth(3), 11_000, 2_500, 18_500),
        (MONTHLY.nth(4), 18_500, 0, 28_500),
    ]
    assert history == [status_at(n, 10_000, spent, rollover=True) for n in range(5)]


@given(
    spent=st.dictionaries(st.integers(0, 40), st.integers(0, 50_000), max_size=20),
    first=st.integers(0, 40),
    length=st.integers(1, 12),
    rollover=st.booleans(),
)
def test_a_window_of_the_history_equals_that_part_of_the_whole_history(
    spent: dict[int, int], first: int, length: int, rollover: bool
) -> None:
    last = first + length - 1
    window = status_history(
        MONTHLY, 10_000, spent, first_index=first, last_index=last, rollover=rollover, threshold=80
    )
    whole = status_history(
        MONTHLY, 10_000, spent, first_index=0, last_index=last, rollover=rollover, threshold=80
    )

    assert window == whole[first:]


def test_history_without_rollover_carries_nothing() -> None:
    history = status_history(
        MONTHLY, 100, {0: 10, 1: 500}, first_index=0, last_index=2, rollover=False, threshold=80
    )

    assert [s.carried_over for s in history] == [0, 0, 0]


def test_history_clips_the_last_period_to_the_end_date() -> None:
    history = status_history(
        MONTHLY,
        100,
        {},
        first_index=1,
        last_index=2,
        rollover=False,
        threshold=80,
        end_date=date(2024, 3, 10),
    )

    assert [s.period for s in history] == [
        Period(date(2024, 2, 1), date(2024, 2, 29)),
        Period(date(2024, 3, 1), date(2024, 3, 10)),
    ]
    assert history[-1].limit == 100


def test_history_of_an_empty_window_is_empty() -> None:
    history = status_history(
        MONTHLY, 100, {}, first_index=0, last_index=-1, rollover=True, threshold=80
    )

    assert history == []


# history_window


def test_history_window_holds_the_last_n_periods_up_to_today() -> None:
    window = history_window(MONTHLY, date(2024, 1, 1), None, date(2025, 6, 15), 12)

    assert window == range(6, 18)
    assert MONTHLY.nth(window[-1]).contains(date(2025, 6, 15))


def test_history_window_is_shorter_when_the_budget_started_later() -> None:
    window = history_window(MONTHLY, date(2024, 1, 1), None, date(2024, 3, 15), 12)

    assert window == range(0, 3)


@pytest.mark.parametrize("today", [date(2023, 12, 31), date(2020, 1, 1)])
def test_history_window_is_empty_before_the_budget_starts(today: date) -> None:
    assert len(history_window(MONTHLY, date(2024, 1, 1), None, today, 12)) == 0


def test_history_window_of_an_ended_budget_stops_at_its_last_period() -> None:
    window = history_window(MONTHLY, date(2024, 1, 1), date(2024, 8, 10), date(2025, 6, 15), 3)

    assert window == range(5, 8)
    assert MONTHLY.nth(window[-1]).contains(date(2024, 8, 10))


def test_history_window_of_a_budget_ending_later_reaches_today() -> None:
    window = history_window(MONTHLY, date(2024, 1, 1), date(2030, 1, 1), date(2024, 2, 5), 12)

    assert window == range(0, 2)


def test_history_window_starts_on_the_first_day() -> None:
    assert history_window(MONTHLY, date(2024, 1, 1), None, date(2024, 1, 1), 12) == range(0, 1)


@pytest.mark.parametrize("periods", [0, 37, -1])
def test_history_window_rejects_a_period_count_outside_1_to_36(periods: int) -> None:
    with pytest.raises(RuleViolationError) as error:
        history_window(MONTHLY, date(2024, 1, 1), None, date(2024, 6, 1), periods)

    assert problem_fields(error) == ["periods"]
    assert error.value.problems[0].in_query


# end dates


def test_spending_window_clips_a_period_that_the_end_date_cuts_short() -> None:
    assert spending_window(JANUARY, date(2024, 1, 20)) == Period(
        date(2024, 1, 1), date(2024, 1, 20)
    )


@pytest.mark.parametrize("end_date", [None, date(2024, 1, 31), date(2024, 6, 1)])
def test_spending_window_keeps_a_period_the_end_date_does_not_cut(end_date: date | None) -> None:
    assert spending_window(JANUARY, end_date) == JANUARY


@pytest.mark.parametrize(
    ("day", "end_date"),
    [
        (date(2024, 1, 1), None),
        (date(2099, 1, 1), None),
        (date(2024, 3, 31), date(2024, 3, 31)),
    ],
)
def test_a_date_inside_the_budget_is_accepted(day: date, end_date: date | None) -> None:
    check_date_in_budget(day, date(2024, 1, 1), end_date)


@pytest.mark.parametrize(
    ("day", "end_date"),
    [
        (date(2023, 12, 31), None),
        (date(2024, 4, 1), date(2024, 3, 31)),
    ],
)
def test_a_date_outside_the_budget_is_rejected_on_the_date_parameter(
    day: date, end_date: date | None
) -> None:
    with pytest.raises(RuleViolationError) as error:
        check_date_in_budget(day, date(2024, 1, 1), end_date)

    assert problem_fields(error) == ["date"]
    assert error.value.problems[0].in_query


# validation


VALID: dict[str, Any] = {
    "name": "Groceries",
    "amount_minor": 40_000,
    "start_date": date(2024, 1, 1),
    "end_date": None,
    "alert_threshold": 80,
}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"name": "x"},
        {"name": "x" * 100},
        {"name": "  padded  "},
        {"amount_minor": 1},
        {"end_date": date(2024, 1, 1)},
        {"alert_threshold": 1},
        {"alert_threshold": 100},
    ],
)
def test_valid_budget_fields_pass(changes: dict[str, Any]) -> None:
    validate_budget_fields(**{**VALID, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"amount_minor": 0}, "amount"),
        ({"amount_minor": -1}, "amount"),
        ({"end_date": date(2023, 12, 31)}, "end_date"),
        ({"alert_threshold": 0}, "alert_threshold"),
        ({"alert_threshold": 101}, "alert_threshold"),
    ],
)
def test_an_invalid_budget_field_is_rejected_by_name(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleViolationError) as error:
        validate_budget_fields(**{**VALID, **changes})

    assert problem_fields(error) == [field]


def test_every_invalid_budget_field_is_reported_at_once() -> None:
    with pytest.raises(RuleViolationError) as error:
        validate_budget_fields("", 0, date(2024, 1, 2), date(2024, 1, 1), 0)

    assert problem_fields(error) == ["name", "amount", "end_date", "alert_threshold"]


def test_a_budget_name_is_trimmed() -> None:
    assert clean_budget_name("  Rent  ") == "Rent"
