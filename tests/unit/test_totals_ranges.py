"""Which days a range reads from the monthly totals and which from the daily ones, the
ranges a budget's spans become, and the monthly rollup of daily changes."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from budget.adapters.spending import spending_ranges
from budget.adapters.totals import roll_up
from budget.adapters.totals_ranges import split_by_months
from budget.domain.model.budget import SpendingQuery
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId
from budget.domain.model.period import Period
from budget.domain.model.totals import TotalsKey
from budget.domain.model.transaction import TransactionType


def _days(ranges: tuple[tuple[date, date], ...]) -> list[date]:
    return [
        start + timedelta(days=n) for start, end in ranges for n in range((end - start).days + 1)
    ]


def test_a_range_inside_one_month_is_read_day_by_day() -> None:
    split = split_by_months(date(2026, 3, 5), date(2026, 3, 20))

    assert split.days == ((date(2026, 3, 5), date(2026, 3, 20)),)
    assert split.months == ()


def test_whole_months_are_read_whole_and_the_ragged_ends_day_by_day() -> None:
    split = split_by_months(date(2025, 11, 22), date(2026, 11, 22))

    assert split.days == (
        (date(2025, 11, 22), date(2025, 11, 30)),
        (date(2026, 11, 1), date(2026, 11, 22)),
    )
    assert split.months == ((date(2025, 12, 1), date(2026, 10, 31)),)


def test_a_range_of_whole_months_reads_no_day() -> None:
    split = split_by_months(date(2024, 1, 1), date(2024, 12, 31))

    assert split.days == ()
    assert split.months == ((date(2024, 1, 1), date(2024, 12, 31)),)


def test_the_last_month_of_the_calendar_does_not_overflow() -> None:
    split = split_by_months(date(9999, 11, 15), date.max)

    assert split.days == ((date(9999, 11, 15), date(9999, 11, 30)),)
    assert split.months == ((date(9999, 12, 1), date.max),)


days = st.dates(date(2023, 1, 1), date(2026, 12, 31))


@given(st.one_of(days, st.dates()), st.integers(0, 900))
def test_the_split_covers_every_day_once_in_whole_months_and_ragged_ends(
    first: date, length: int
) -> None:
    last = first + timedelta(days=min(length, (date.max - first).days))

    split = split_by_months(first, last)

    covered = _days(split.days) + _days(split.months)
    assert sorted(covered) == _days(((first, last),))
    for start, end in split.months:
        assert start.day == 1
        assert end == date.max or (end + timedelta(days=1)).day == 1


def test_each_span_of_each_query_becomes_its_own_ranges_of_days_and_months() -> None:
    household, eur = HouseholdId(UUID(int=1)), Currency.of("EUR")
    food = CategoryId(UUID(int=2))
    by_pay_cycle = SpendingQuery(
        household,
        eur,
        food,
        (
            Period(date(2026, 1, 15), date(2026, 3, 14)),
            Period(date(2026, 3, 15), date(2026, 4, 14)),
        ),
    )
    february = SpendingQuery(household, eur, None, (Period(date(2026, 2, 1), date(2026, 2, 28)),))

    ranges = spending_ranges([by_pay_cycle, february])

    assert [(r.query, r.span, r.monthly, r.first_day, r.last_day) for r in ranges] == [
        (0, 0, False, date(2026, 1, 15), date(2026, 1, 31)),
        (0, 0, False, date(2026, 3, 1), date(2026, 3, 14)),
        (0, 0, True, date(2026, 2, 1), date(2026, 2, 28)),
        (0, 1, False, date(2026, 3, 15), date(2026, 4, 14)),
        (1, 0, True, date(2026, 2, 1), date(2026, 2, 28)),
    ]
    assert {(r.household_id, r.category, r.currency) for r in ranges[:4]} == {
        (household, food, "EUR")
    }
    assert (ranges[4].household_id, ranges[4].category) == (household, None)


def test_the_monthly_rollup_dates_changes_on_their_months_first_day() -> None:
    def key(day: date) -> TotalsKey:
        household, account = HouseholdId(UUID(int=1)), AccountId(UUID(int=2))
        return TotalsKey(household, TransactionType.EXPENSE, day, Currency.of("EUR"), None, account)

    changes = {
        key(date(2026, 3, 5)): (-300, -1, -1),
        key(date(2026, 3, 9)): (300, 1, 1),
        key(date(2026, 4, 2)): (50, 1, 1),
        key(date(2026, 4, 3)): (20, 0, 1),
    }

    assert roll_up(changes) == {key(date(2026, 4, 1)): (70, 1, 2)}


def test_a_monthly_cell_whose_entries_alone_move_is_kept_in_the_rollup() -> None:
    # Two parts of one category replaced by one part of their sum: the same amount and
    # transaction, one entry fewer.
    def key(day: date) -> TotalsKey:
        household, account = HouseholdId(UUID(int=1)), AccountId(UUID(int=2))
        return TotalsKey(household, TransactionType.EXPENSE, day, Currency.of("EUR"), None, account)

    assert roll_up({key(date(2026, 5, 3)): (0, 0, -1)}) == {key(date(2026, 5, 1)): (0, 0, -1)}
