"""The budget entity: its fields, category rule, clash rule, and how it plans its sums.

The period and status arithmetic itself is tested in test_period.py and
test_budget_rules.py; here only what ``Budget`` adds on top of it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.budget import (
    Budget,
    BudgetFields,
    BudgetFilters,
)
from budget.domain.model.budget_rules import BudgetState
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.ids import BudgetId, CategoryId, HouseholdId
from budget.domain.model.money import Money, same_value_in
from budget.domain.model.period import Period, PeriodKind

ALICE = HouseholdId(UUID(int=1))  # Alice's household
BOB = HouseholdId(UUID(int=2))  # Bob's household
FOOD = CategoryId(UUID(int=10))
EUR = Currency.of("EUR")
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 22)


def fields(**changes: Any) -> BudgetFields:
    base = BudgetFields(
        name="Groceries",
        category_id=FOOD,
        amount=Money(40_000, EUR),
        period=PeriodKind.MONTHLY,
        start_date=date(2026, 1, 1),
        end_date=None,
        rollover=False,
        alert_threshold=80,
    )
    return replace(base, **changes)


def budget(number: int = 1, owner: HouseholdId = ALICE, **changes: Any) -> Budget:
    return Budget.create(BudgetId(UUID(int=100 + number)), owner, fields(**changes), NOW)


def category(kind: CategoryKind = CategoryKind.EXPENSE, owner: HouseholdId = ALICE) -> Category:
    return Category(FOOD, owner, "Food", kind, None, None, False, NOW, NOW)


def fields_of(error: pytest.ExceptionInfo[RuleViolationError]) -> list[str]:
    return [problem.field for problem in error.value.problems]


# -- fields ---------------------------------------------------------------------------------


def test_a_new_budget_has_a_trimmed_name_and_its_creation_time_twice() -> None:
    created = budget(name="  Groceries  ")

    assert created.name == "Groceries"
    assert created.created_at == created.updated_at == NOW


def test_every_invalid_field_of_a_new_budget_is_reported_at_once() -> None:
    with pytest.raises(RuleViolationError) as error:
        budget(
            name=" ",
            amount=Money(0, EUR),
            end_date=date(2025, 12, 31),
            alert_threshold=0,
        )

    assert fields_of(error) == ["name", "amount", "end_date", "alert_threshold"]


def test_revising_replaces_every_field_and_records_the_time() -> None:
    created = budget()
    later = datetime(2026, 11, 23, tzinfo=UTC)

    created.revise(fields(name="Food", rollover=True, end_date=date(2026, 12, 31)), later)

    assert (created.name, created.rollover, created.end_date) == ("Food", True, date(2026, 12, 31))
    assert created.updated_at == later
    assert created.created_at == NOW


def test_a_refused_revision_changes_nothing() -> None:
    created = budget()

    with pytest.raises(RuleViolationError):
        created.revise(fields(name="Food", amount=Money(-1, EUR)), NOW)

    assert created.name == "Groceries"
    assert created.amount == Money(40_000, EUR)


def test_the_schedule_is_anchored_on_the_start_date() -> None:
    created = budget(start_date=date(2026, 1, 15))

    assert created.schedule.nth(1) == Period(date(2026, 2, 15), date(2026, 3, 14))


# -- category -------------------------------------------------------------------------------


def test_an_own_expense_category_fits() -> None:
    budget().check_category(category())


def test_a_budget_of_all_expenses_needs_no_category() -> None:
    budget(category_id=None).check_category(None)


@pytest.mark.parametrize(
    "found",
    [
        None,
        category(CategoryKind.INCOME),
        category(owner=BOB),
    ],
    ids=["missing", "income", "another household's"],
)
def test_any_other_category_is_refused_on_category_id(found: Category | None) -> None:
    with pytest.raises(RuleViolationError) as error:
        budget().check_category(found)

    assert fields_of(error) == ["category_id"]


# -- the one-active-budget rule -------------------------------------------------------------


def test_two_open_budgets_of_the_same_category_period_and_currency_clash() -> None:
    assert budget(1).clashes_with(budget(2), TODAY)


def test_a_budget_never_clashes_with_itself() -> None:
    one = budget(1)

    assert not one.clashes_with(one, TODAY)


@pytest.mark.parametrize(
    "other",
    [
        {"category_id": None},
        {"category_id": CategoryId(UUID(int=11))},
        {"period": PeriodKind.WEEKLY},
        {"amount": Money(40_000, Currency.of("USD"))},
        {"owner": BOB},
    ],
    ids=["all expenses", "another category", "another period", "another currency", "Bob's"],
)
def test_budgets_that_differ_in_scope_do_not_clash(other: dict[str, Any]) -> None:
    assert not budget(1).clashes_with(budget(2, **other), TODAY)


def test_a_budget_that_ended_before_today_never_clashes() -> None:
    ended = budget(2, end_date=date(2026, 11, 21))

    assert not budget(1).clashes_with(ended, TODAY)
    assert not ended.clashes_with(budget(1), TODAY)


def test_a_budget_ending_today_is_still_active() -> None:
    assert budget(1).clashes_with(budget(2, end_date=TODAY), TODAY)


def test_a_budget_may_follow_one_that_ends_before_it_starts() -> None:
    current = budget(1, end_date=date(2026, 12, 31))
    successor = budget(2, start_date=date(2027, 1, 1))

    assert not successor.clashes_with(current, TODAY)
    assert successor.clashes_with(budget(3, end_date=date(2027, 1, 1)), TODAY)


def test_a_future_budget_clashes_with_an_open_ended_one() -> None:
    assert budget(2, start_date=date(2027, 1, 1)).clashes_with(budget(1), TODAY)


@pytest.mark.parametrize(
    ("day", "active"),
    [
        (date(2025, 12, 31), False),
        (date(2026, 1, 1), True),
        (date(2026, 6, 30), True),
        (date(2026, 7, 1), False),
    ],
)
def test_a_budget_is_active_from_its_start_to_its_end_date(day: date, active: bool) -> None:
    assert budget(end_date=date(2026, 6, 30)).is_active_on(day) is active


# -- planning the sums ----------------------------------------------------------------------


def test_a_status_without_rollover_sums_only_its_period() -> None:
    query = budget().spending_query(3, 3)

    assert query.spans == (Period(date(2026, 4, 1), date(2026, 4, 30)),)
    assert (query.household_id, query.currency, query.category_id) == (ALICE, EUR, FOOD)


def test_a_status_with_rollover_also_sums_everything_before_its_period() -> None:
    query = budget(rollover=True).spending_query(3, 3)

    assert query.spans == (
        Period(date(2026, 1, 1), date(2026, 3, 31)),
        Period(date(2026, 4, 1), date(2026, 4, 30)),
    )


def test_the_first_period_with_rollover_has_nothing_before_it() -> None:
    assert budget(rollover=True).spending_query(0, 1).spans == (
        Period(date(2026, 1, 1), date(2026, 1, 31)),
        Period(date(2026, 2, 1), date(2026, 2, 28)),
    )


def test_the_last_span_stops_at_the_end_date() -> None:
    query = budget(end_date=date(2026, 2, 10)).spending_query(0, 1)

    assert query.spans[-1] == Period(date(2026, 2, 1), date(2026, 2, 10))


def test_statuses_carry_the_total_spent_before_the_window() -> None:
    rolling = budget(rollover=True)  # limit 400.00 a month from January

    # Before April: 3 periods, 1000.00 spent (so 200.00 carried); April: 300.00.
    [april] = rolling.statuses(3, 3, [100_000, 30_000])

    assert april.period == Period(date(2026, 4, 1), date(2026, 4, 30))
    assert (april.carried_over, april.available, april.spent) == (20_000, 60_000, 30_000)
    assert april.state is BudgetState.OK


def test_statuses_without_rollover_take_one_sum_per_period() -> None:
    statuses = budget().statuses(1, 2, [50_000, 32_000])

    assert [(s.spent, s.carried_over, s.remaining) for s in statuses] == [
        (50_000, 0, -10_000),
        (32_000, 0, 8_000),
    ]
    assert [s.state for s in statuses] == [BudgetState.EXCEEDED, BudgetState.WARNING]


def test_statuses_report_the_last_period_cut_at_the_end_date() -> None:
    [cut] = budget(end_date=date(2026, 2, 10)).statuses(1, 1, [1_000])

    assert cut.period == Period(date(2026, 2, 1), date(2026, 2, 10))
    assert cut.limit == 40_000


def test_the_status_date_must_be_inside_the_budget() -> None:
    with pytest.raises(RuleViolationError) as error:
        budget(end_date=date(2026, 6, 30)).status_index(date(2026, 7, 1))

    assert error.value.problems[0].in_query
    assert fields_of(error) == ["date"]


@pytest.mark.parametrize("period", list(PeriodKind))
def test_a_status_in_a_period_past_the_calendars_end_is_refused_on_date(
    period: PeriodKind,
) -> None:
    with pytest.raises(RuleViolationError) as error:
        budget(period=period, start_date=date(2026, 1, 5)).status_index(date(9999, 12, 31))

    assert fields_of(error) == ["date"]


def test_a_history_of_an_ended_budget_ends_with_its_last_period() -> None:
    assert budget(end_date=date(2026, 3, 15)).history_indices(TODAY, 12) == range(0, 3)


# -- currency changes and filters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "code", "expected"),
    [(1250, "USD", 1250), (1250, "BHD", 12_500), (1200, "JPY", 12), (5, "EUR", 5)],
)
def test_an_amount_keeps_its_value_in_another_currency(
    minor: int, code: str, expected: int
) -> None:
    assert same_value_in(Money(minor, EUR), Currency.of(code)) == Money(expected, Currency.of(code))


def test_an_amount_with_cents_is_no_yen_amount() -> None:
    with pytest.raises(RuleViolationError) as error:
        same_value_in(Money(1250, EUR), Currency.of("JPY"))

    assert fields_of(error) == ["amount"]


def test_filters_select_by_category_period_currency_and_active_day() -> None:
    groceries = budget(end_date=date(2026, 6, 30))

    assert BudgetFilters().matches(groceries)
    assert BudgetFilters(FOOD, PeriodKind.MONTHLY, "EUR", date(2026, 6, 30)).matches(groceries)
    assert not BudgetFilters(category_id=CategoryId(UUID(int=11))).matches(groceries)
    assert not BudgetFilters(period=PeriodKind.YEARLY).matches(groceries)
    assert not BudgetFilters(currency="USD").matches(groceries)
    assert not BudgetFilters(active_on=date(2026, 7, 1)).matches(groceries)


def test_an_unknown_currency_filter_is_refused_on_the_query_parameter() -> None:
    with pytest.raises(RuleViolationError) as error:
        BudgetFilters(currency="eur")

    assert error.value.problems[0].in_query
    assert fields_of(error) == ["currency"]
