"""Report shaping: ranges, intervals, shares, cash-flow filling and net worth."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain.errors import RuleViolationError
from budget.domain.model.ids import AccountId, CategoryId
from budget.domain.model.reports import (
    AccountBalance,
    CashflowPoint,
    CashflowSeries,
    CategoryShare,
    CategoryTotal,
    Interval,
    NetWorth,
    SummaryRow,
    check_report_range,
    complete_report_range,
    default_report_range,
    fill_cashflow,
    interval_start,
    interval_starts,
    shape_by_category,
    shape_net_worth,
    share_percent,
)

FOOD = CategoryId(UUID(int=1))
RENT = CategoryId(UUID(int=2))
FUN = CategoryId(UUID(int=3))
CHECKING = AccountId(UUID(int=11))
SAVINGS = AccountId(UUID(int=12))
CASH = AccountId(UUID(int=13))


# ranges


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (date(2024, 1, 1), date(2024, 1, 1)),
        (date(2024, 1, 1), date(2034, 1, 1)),
        (date(2020, 2, 29), date(2030, 2, 28)),
    ],
)
def test_a_range_of_up_to_ten_years_is_accepted(date_from: date, date_to: date) -> None:
    check_report_range(date_from, date_to)


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (date(2024, 1, 2), date(2024, 1, 1)),
        (date(2024, 1, 1), date(2034, 1, 2)),
        (date(2020, 2, 29), date(2030, 3, 1)),
    ],
)
def test_an_inverted_or_over_ten_year_range_is_rejected_on_date_to(
    date_from: date, date_to: date
) -> None:
    with pytest.raises(RuleViolationError) as error:
        check_report_range(date_from, date_to)

    assert [(p.field, p.in_query) for p in error.value.problems] == [("date_to", True)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2024, 2, 10), (date(2024, 2, 1), date(2024, 2, 29))),
        (date(2023, 2, 28), (date(2023, 2, 1), date(2023, 2, 28))),
        (date(2024, 12, 1), (date(2024, 12, 1), date(2024, 12, 31))),
    ],
)
def test_the_default_report_range_is_the_current_month(
    today: date, expected: tuple[date, date]
) -> None:
    assert default_report_range(today) == expected


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (None, date(2026, 1, 31), (date(2026, 1, 1), date(2026, 1, 31))),
        (None, date(2024, 2, 1), (date(2024, 2, 1), date(2024, 2, 1))),
        (date(2024, 2, 10), None, (date(2024, 2, 10), date(2024, 2, 29))),
        (date(2025, 12, 31), None, (date(2025, 12, 31), date(2025, 12, 31))),
        (None, None, (date(2026, 11, 1), date(2026, 11, 30))),
        (date(2020, 5, 5), date(2021, 6, 6), (date(2020, 5, 5), date(2021, 6, 6))),
    ],
)
def test_a_missing_report_bound_follows_the_month_of_the_other(
    date_from: date | None, date_to: date | None, expected: tuple[date, date]
) -> None:
    assert complete_report_range(date_from, date_to, today=date(2026, 11, 22)) == expected


# intervals


@pytest.mark.parametrize(
    ("day", "interval", "expected"),
    [
        (date(2024, 3, 13), Interval.DAY, date(2024, 3, 13)),
        (date(2024, 3, 13), Interval.WEEK, date(2024, 3, 11)),
        (date(2024, 3, 11), Interval.WEEK, date(2024, 3, 11)),
        (date(2024, 3, 17), Interval.WEEK, date(2024, 3, 11)),
        (date(2025, 1, 1), Interval.WEEK, date(2024, 12, 30)),
        (date(2024, 2, 29), Interval.MONTH, date(2024, 2, 1)),
    ],
)
def test_interval_start_is_the_day_the_monday_or_the_first_of_the_month(
    day: date, interval: Interval, expected: date
) -> None:
    assert interval_start(day, interval) == expected


@pytest.mark.parametrize(
    ("date_from", "date_to", "interval", "expected"),
    [
        (
            date(2024, 2, 28),
            date(2024, 3, 1),
            Interval.DAY,
            [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)],
        ),
        (
            date(2024, 12, 31),
            date(2025, 1, 6),
            Interval.WEEK,
            [date(2024, 12, 30), date(2025, 1, 6)],
        ),
        (
            date(2024, 11, 30),
            date(2025, 1, 1),
            Interval.MONTH,
            [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)],
        ),
        (date(2024, 3, 5), date(2024, 3, 5), Interval.MONTH, [date(2024, 3, 1)]),
        (date(2024, 3, 5), date(2024, 3, 4), Interval.DAY, []),
    ],
)
def test_interval_starts_cover_the_range_from_the_first_interval_to_the_last(
    date_from: date, date_to: date, interval: Interval, expected: list[date]
) -> None:
    assert interval_starts(date_from, date_to, interval) == expected


# shares


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (2, 3, "66.7"),
        (1, 8, "12.5"),
        (1, 2000, "0.1"),
        (1, 2001, "0.0"),
        (5, 5, "100.0"),
        (0, 5, "0.0"),
        (1, 0, "0.0"),
        (0, 0, "0.0"),
        (-1, 8, "-12.5"),
        (-1, -8, "12.5"),
    ],
)
def test_share_percent_rounds_half_up_to_one_decimal(part: int, whole: int, expected: str) -> None:
    assert share_percent(part, whole) == expected


@given(
    part=st.integers(min_value=-(10**15), max_value=10**15),
    whole=st.integers(min_value=1, max_value=10**15),
)
def test_share_percent_is_the_exact_quotient_rounded_half_away_from_zero(
    part: int, whole: int
) -> None:
    with localcontext() as context:
        context.prec = 100
        expected = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    assert Decimal(share_percent(part, whole)) == expected


def test_summary_row_nets_income_against_expense() -> None:
    assert SummaryRow.of("EUR", 5_000, 3_200, 7) == SummaryRow("EUR", 5_000, 3_200, 1_800, 7)


# by category


def test_categories_are_grouped_by_currency_sorted_by_code() -> None:
    rows = [
        ("USD", CategoryTotal(FOOD, "Food", 100, 1)),
        ("EUR", CategoryTotal(FOOD, "Food", 300, 2)),
    ]

    assert [report.currency for report in shape_by_category(rows)] == ["EUR", "USD"]


def test_category_shares_are_of_the_currency_total() -> None:
    rows = [
        ("EUR", CategoryTotal(FOOD, "Food", 2_000, 4)),
        ("EUR", CategoryTotal(RENT, "Rent", 1_000, 1)),
        ("USD", CategoryTotal(FOOD, "Food", 50, 1)),
    ]

    eur, usd = shape_by_category(rows)

    assert eur.items == [
        CategoryShare(FOOD, "Food", 2_000, "66.7", 4),
        CategoryShare(RENT, "Rent", 1_000, "33.3", 1),
    ]
    assert usd.items == [CategoryShare(FOOD, "Food", 50, "100.0", 1)]


def test_categories_sort_by_total_then_name_with_the_uncategorised_bucket_last() -> None:
    rows = [
        ("EUR", CategoryTotal(None, None, 500, 3)),
        ("EUR", CategoryTotal(RENT, "rent", 500, 1)),
        ("EUR", CategoryTotal(FOOD, "Food", 500, 2)),
        ("EUR", CategoryTotal(FUN, "Fun", 900, 2)),
    ]

    (report,) = shape_by_category(rows)

    assert [item.category_name for item in report.items] == ["Fun", "Food", "rent", None]


def test_no_category_rows_make_no_reports() -> None:
    assert shape_by_category([]) == []


# cash flow


def test_cashflow_fills_empty_intervals_with_zero_points() -> None:
    rows = [("EUR", date(2024, 1, 1), 5_000, 1_000), ("EUR", date(2024, 3, 1), 0, 700)]

    series = fill_cashflow(rows, date(2024, 1, 15), date(2024, 3, 10), Interval.MONTH)

    assert series == [
        CashflowSeries(
            "EUR",
            [
                CashflowPoint(date(2024, 1, 1), 5_000, 1_000, 4_000),
                CashflowPoint(date(2024, 2, 1), 0, 0, 0),
                CashflowPoint(date(2024, 3, 1), 0, 700, -700),
            ],
        )
    ]


def test_cashflow_has_one_series_per_currency_with_data_sorted_by_code() -> None:
    rows = [("USD", date(2024, 1, 2), 1, 0), ("EUR", date(2024, 1, 1), 0, 1)]

    series = fill_cashflow(rows, date(2024, 1, 1), date(2024, 1, 3), Interval.DAY)

    assert [(s.currency, len(s.points)) for s in series] == [("EUR", 3), ("USD", 3)]


def test_cashflow_without_rows_has_no_series() -> None:
    assert fill_cashflow([], date(2024, 1, 1), date(2024, 1, 31), Interval.WEEK) == []


def test_cashflow_adds_rows_that_fall_in_the_same_interval() -> None:
    rows = [("EUR", date(2024, 1, 1), 100, 10), ("EUR", date(2024, 1, 3), 50, 5)]

    (series,) = fill_cashflow(rows, date(2024, 1, 1), date(2024, 1, 7), Interval.WEEK)

    assert series.points == [CashflowPoint(date(2024, 1, 1), 150, 15, 135)]


def test_cashflow_rejects_a_row_outside_the_range() -> None:
    rows = [("EUR", date(2024, 2, 1), 100, 0)]

    with pytest.raises(ValueError, match="outside"):
        fill_cashflow(rows, date(2024, 1, 1), date(2024, 1, 31), Interval.MONTH)


# net worth


def test_net_worth_sums_balances_per_currency_with_accounts_by_name() -> None:
    rows = [
        ("EUR", AccountBalance(SAVINGS, "Savings", 10_000)),
        ("USD", AccountBalance(CASH, "Wallet", 2_500)),
        ("EUR", AccountBalance(CHECKING, "checking", -1_500)),
    ]

    assert shape_net_worth(rows) == [
        NetWorth(
            "EUR",
            8_500,
            [
                AccountBalance(CHECKING, "checking", -1_500),
                AccountBalance(SAVINGS, "Savings", 10_000),
            ],
        ),
        NetWorth("USD", 2_500, [AccountBalance(CASH, "Wallet", 2_500)]),
    ]


def test_no_accounts_make_no_net_worth() -> None:
    assert shape_net_worth([]) == []
