"""Shaping reports in one currency: what converted counts, what did not is named."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import Conversion
from budget.domain.model.fx_reports import (
    CategoryGroup,
    DayGroup,
    MissingRate,
    shape_converted_cashflow,
    shape_converted_categories,
    shape_converted_net_worth,
    shape_converted_summary,
)
from budget.domain.model.ids import AccountId, CategoryId
from budget.domain.model.reports import AccountBalance, CategoryTotal, Interval, SummaryRow

MARCH = date(2026, 3, 1)
FOOD = CategoryId(UUID(int=1))


def test_the_summary_adds_converted_groups_to_the_targets_own_amounts() -> None:
    native = SummaryRow.of("EUR", 1000, 200, 3)
    groups = [DayGroup("USD", MARCH, 90, 45, 2), DayGroup("JPY", MARCH, 0, 7, 1)]
    shaped = shape_converted_summary("EUR", native, groups)
    assert shaped.row == SummaryRow.of("EUR", 1090, 252, 6)
    assert shaped.missing_rates == []


def test_a_group_without_a_rate_is_named_and_counted_nowhere() -> None:
    groups = [
        DayGroup("USD", MARCH + timedelta(days=2), None, None, 4),
        DayGroup("JPY", MARCH + timedelta(days=5), None, None, 1),
        DayGroup("USD", MARCH, None, None, 1),
        DayGroup("USD", MARCH + timedelta(days=1), 10, 0, 1),
    ]
    shaped = shape_converted_summary("EUR", None, groups)
    assert shaped.row == SummaryRow.of("EUR", 10, 0, 1)
    assert shaped.missing_rates == [
        MissingRate("JPY", MARCH + timedelta(days=5)),
        MissingRate("USD", MARCH),
        MissingRate("USD", MARCH + timedelta(days=2)),
    ]


day_groups = st.builds(
    DayGroup,
    st.sampled_from(["USD", "JPY", "GBP"]),
    st.dates(min_value=MARCH, max_value=MARCH + timedelta(days=30)),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
    st.integers(1, 100),
)


@given(st.lists(day_groups), st.lists(day_groups, min_size=1))
def test_a_missing_rate_never_changes_a_total(
    converted: list[DayGroup], lost: list[DayGroup]
) -> None:
    missing = [DayGroup(g.currency, g.day, None, None, g.transaction_count) for g in lost]
    without = shape_converted_summary("EUR", None, converted)
    with_missing = shape_converted_summary("EUR", None, [*missing, *converted])
    assert with_missing.row == without.row
    assert with_missing.missing_rates == sorted({MissingRate(g.currency, g.day) for g in lost})


@given(st.lists(day_groups))
def test_the_converted_cash_flow_adds_up_to_the_converted_summary(groups: list[DayGroup]) -> None:
    end = MARCH + timedelta(days=30)
    flow = shape_converted_cashflow("EUR", [], groups, MARCH, end, Interval.WEEK)
    summary = shape_converted_summary("EUR", None, groups)
    assert sum(p.income for p in flow.series.points) == summary.row.income
    assert sum(p.expense for p in flow.series.points) == summary.row.expense
    assert flow.missing_rates == summary.missing_rates


def test_a_cash_flow_without_data_still_has_every_point() -> None:
    flow = shape_converted_cashflow("EUR", [], [], MARCH, date(2026, 5, 31), Interval.MONTH)
    assert flow.series.currency == "EUR"
    assert [(p.period_start.month, p.net) for p in flow.series.points] == [(3, 0), (4, 0), (5, 0)]


def test_converted_categories_join_the_targets_own_totals() -> None:
    native = [CategoryTotal(FOOD, "Food", 500, 2)]
    groups = [
        CategoryGroup(FOOD, "Food", 250, 1),
        CategoryGroup(None, None, 250, 3),
        CategoryGroup(FOOD, "Food", 999, 9, MissingRate("USD", MARCH)),
    ]
    shaped = shape_converted_categories("EUR", native, groups)
    assert [
        (i.category_name, i.total, i.share_percent, i.transaction_count)
        for i in shaped.report.items
    ] == [
        ("Food", 750, "75.0", 3),
        (None, 250, "25.0", 3),
    ]
    assert shaped.missing_rates == [MissingRate("USD", MARCH)]


def test_net_worth_converts_each_balance_and_nulls_one_without_a_rate() -> None:
    balances = [
        ("EUR", AccountBalance(AccountId(UUID(int=1)), "Checking", 100000)),
        ("USD", AccountBalance(AccountId(UUID(int=2)), "Card", -1005)),
        ("JPY", AccountBalance(AccountId(UUID(int=3)), "Cash", 7000)),
    ]
    shaped = shape_converted_net_worth(
        Currency.of("EUR"), MARCH, balances, {"USD": Conversion(Decimal("0.9"))}
    )
    assert [(a.name, a.balance) for a in shaped.accounts] == [
        ("Card", -904),  # -904.5, half to even
        ("Cash", None),
        ("Checking", 100000),
    ]
    assert shaped.total == 99096
    assert shaped.missing_rates == [MissingRate("JPY", MARCH)]
