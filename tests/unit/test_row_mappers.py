"""The row mappers: every aggregate survives the trip to its row's columns and back
unchanged (one ``*_columns`` and one ``*_from_row`` per table).

The budget cases moved here from ``test_budget_rows.py`` when the ORM write-back
(``budget_to_row``) gave way to ``budget_columns``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from budget.adapters.accounts import account_columns, account_from_row
from budget.adapters.budgets import budget_columns, budget_from_row
from budget.adapters.categories import category_columns, category_from_row
from budget.adapters.splits import split_columns, split_from_row
from budget.adapters.tables import (
    AccountRow,
    BudgetRow,
    CategoryRow,
    RefreshTokenRow,
    TransactionRow,
    TransactionSplitRow,
    UserRow,
)
from budget.adapters.transactions import transaction_columns, transaction_from_row
from budget.adapters.users import token_columns, token_from_row, user_columns, user_from_row
from budget.domain.model.account import Account, AccountType
from budget.domain.model.auth import RefreshToken
from budget.domain.model.budget import Budget
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.ids import (
    AccountId,
    BudgetId,
    CategoryId,
    HouseholdId,
    TokenFamilyId,
    TokenId,
    TransactionId,
    UserId,
)
from budget.domain.model.money import Money
from budget.domain.model.period import PeriodKind
from budget.domain.model.splits import Split
from budget.domain.model.transaction import Transaction, TransactionStatus, TransactionType
from budget.domain.model.user import User

CREATED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
UPDATED = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
OWNER = UserId(UUID(int=1))
HOUSEHOLD = HouseholdId(UUID(int=9))
EUR, JPY = Currency.of("EUR"), Currency.of("JPY")


def _budget(category_id: CategoryId | None, end_date: date | None, amount: Money) -> Budget:
    return Budget(
        BudgetId(UUID(int=100)),
        HOUSEHOLD,
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


def _stored_columns(row_class: Any) -> set[str]:
    """The columns a mapper must fill: all of the table's but the ORM's sentinel."""
    return {c.name for c in row_class.__table__.columns} - {"sa_orm_sentinel"}


@pytest.mark.parametrize(
    ("category_id", "end_date", "amount"),
    [
        (CategoryId(UUID(int=10)), date(2027, 6, 30), Money(1_250, Currency.of("BHD"))),
        (None, None, Money(40_000, JPY)),
    ],
)
def test_a_budget_round_trips_through_its_row(
    category_id: CategoryId | None, end_date: date | None, amount: Money
) -> None:
    budget = _budget(category_id, end_date, amount)

    back = budget_from_row(budget_columns(budget))

    assert asdict(back) == asdict(budget)


def test_the_columns_of_a_changed_budget_carry_the_change() -> None:
    budget = budget_from_row(budget_columns(_budget(None, None, Money(100, EUR))))
    before = budget_columns(budget)
    budget.name, budget.end_date = "New", date(2026, 12, 31)

    after = budget_columns(budget)

    assert {k for k in after if after[k] != before[k]} == {"name", "end_date"}
    assert (after["name"], after["end_date"]) == ("New", date(2026, 12, 31))


def _user() -> User:
    return User(
        OWNER, "ada@example.com", "hash", None, "EUR", True, False, CREATED, UPDATED, HOUSEHOLD
    )


def _token() -> RefreshToken:
    return RefreshToken(
        TokenId(UUID(int=7)),
        TokenFamilyId(UUID(int=8)),
        OWNER,
        "f" * 64,
        CREATED,
        UPDATED,
        UPDATED,
        None,
    )


def _account() -> Account:
    return Account(
        AccountId(UUID(int=2)),
        HOUSEHOLD,
        "Savings",
        AccountType.SAVINGS,
        JPY,
        Money(-12_345, JPY),
        Money(99_000, JPY),
        True,
        CREATED,
        UPDATED,
        Money(-2_000, JPY),
        date(2026, 10, 31),
    )


def _category() -> Category:
    return Category(
        CategoryId(UUID(int=3)),
        HOUSEHOLD,
        "Rent",
        CategoryKind.EXPENSE,
        CategoryId(UUID(int=4)),
        "#aabbcc",
        False,
        CREATED,
        UPDATED,
    )


def _transfer() -> Transaction:
    return Transaction(
        TransactionId(UUID(int=5)),
        HOUSEHOLD,
        TransactionType.TRANSFER,
        AccountId(UUID(int=2)),
        AccountId(UUID(int=6)),
        Money(250_075, EUR),
        Money(41_000, JPY),
        None,
        date(2026, 2, 28),
        "Rent share",
        "Landlord & Co",
        ("home", "shared"),
        CREATED,
        UPDATED,
    )


def _split_income() -> Transaction:
    """Reconciled, imported and posted by a recurring template, in three parts."""
    parts = (
        Split(CategoryId(UUID(int=20)), Money(1_000, EUR), "salary"),
        Split(None, Money(250, EUR)),
        Split(CategoryId(UUID(int=21)), Money(5, EUR), "bonus \u00e9t\u00e9"),
    )
    return Transaction(
        TransactionId(UUID(int=12)),
        HOUSEHOLD,
        TransactionType.INCOME,
        AccountId(UUID(int=2)),
        None,
        Money(1_255, EUR),
        None,
        None,
        date(2026, 3, 1),
        "",
        "",
        (),
        CREATED,
        UPDATED,
        parts,
        TransactionStatus.RECONCILED,
        "bank-2026-03-01-7",
        UUID(int=13),
    )


MAPPERS: list[tuple[str, Any, Any, Any, Any]] = [
    ("user", _user, user_columns, user_from_row, UserRow),
    ("refresh token", _token, token_columns, token_from_row, RefreshTokenRow),
    ("account", _account, account_columns, account_from_row, AccountRow),
    ("category", _category, category_columns, category_from_row, CategoryRow),
    ("transfer", _transfer, transaction_columns, transaction_from_row, TransactionRow),
    (
        "budget",
        lambda: _budget(None, None, Money(1, EUR)),
        budget_columns,
        budget_from_row,
        BudgetRow,
    ),
]


@pytest.mark.parametrize(("what", "make", "columns", "from_row", "row_class"), MAPPERS)
def test_every_aggregate_round_trips_through_the_columns_of_its_row(
    what: str, make: Any, columns: Any, from_row: Any, row_class: Any
) -> None:
    entity = make()

    back = from_row(columns(entity))

    assert asdict(back) == asdict(entity), what


@pytest.mark.parametrize(("what", "make", "columns", "from_row", "row_class"), MAPPERS)
def test_every_mapper_fills_exactly_the_columns_of_its_table(
    what: str, make: Any, columns: Any, from_row: Any, row_class: Any
) -> None:
    assert set(columns(make())) == _stored_columns(row_class), what


def test_a_split_transaction_round_trips_through_its_row_and_the_rows_of_its_parts() -> None:
    txn = _split_income()
    part_rows = [split_columns(txn, n, part) for n, part in enumerate(txn.splits)]

    back = transaction_from_row(
        transaction_columns(txn), tuple(split_from_row(row, EUR) for row in part_rows)
    )

    assert asdict(back) == asdict(txn)
    assert [row["position"] for row in part_rows] == [0, 1, 2]
    assert transaction_columns(txn)["split_count"] == 3


def test_the_part_mapper_fills_exactly_the_columns_of_its_table() -> None:
    txn = _split_income()

    assert set(split_columns(txn, 0, txn.splits[0])) == _stored_columns(TransactionSplitRow)
