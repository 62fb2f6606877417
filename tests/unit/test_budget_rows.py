"""The budget row mappers: a budget survives the trip to its row and back unchanged."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from budget.adapters.budgets import budget_from_row, budget_to_row
from budget.domain.model.budget import Budget
from budget.domain.model.currency import Currency
from budget.domain.model.ids import BudgetId, CategoryId, UserId
from budget.domain.model.money import Money
from budget.domain.model.period import PeriodKind

CREATED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
UPDATED = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("category_id", "end_date", "amount"),
    [
        (CategoryId(UUID(int=10)), date(2027, 6, 30), Money(1_250, Currency.of("BHD"))),
        (None, None, Money(40_000, Currency.of("JPY"))),
    ],
)
def test_a_budget_round_trips_through_its_row(
    category_id: CategoryId | None, end_date: date | None, amount: Money
) -> None:
    budget = Budget(
        BudgetId(UUID(int=100)),
        UserId(UUID(int=1)),
        "Groceries",
        category_id,
        amount,
        PeriodKind.QUARTERLY,
        date(2026, 1, 31),
        end_date,
        True,
        65,
        CREATED,
        UPDATED,
    )

    back = budget_from_row(budget_to_row(budget))

    assert asdict(back) == asdict(budget)


def test_writing_back_onto_an_existing_row_changes_it_in_place() -> None:
    budget = budget_from_row(
        budget_to_row(
            Budget(
                BudgetId(UUID(int=100)),
                UserId(UUID(int=1)),
                "Old",
                None,
                Money(100, Currency.of("EUR")),
                PeriodKind.MONTHLY,
                date(2026, 1, 1),
                None,
                False,
                80,
                CREATED,
                CREATED,
            )
        )
    )
    row = budget_to_row(budget)
    budget.name, budget.end_date = "New", date(2026, 12, 31)

    assert budget_to_row(budget, row) is row
    assert (row.name, row.end_date) == ("New", date(2026, 12, 31))
