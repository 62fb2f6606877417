"""Rules on imported rows, pure: a row as the rules see it and what they fill in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from budget.domain.model.account import Account, AccountType
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, RuleId
from budget.domain.model.imports import RowDraft
from budget.domain.model.money import Money
from budget.domain.model.rule import (
    AddTags,
    Condition,
    RuleAction,
    RuleBook,
    SetCategory,
    SetPayee,
    new_rule,
)
from budget.domain.model.statement import StatementLine
from budget.domain.model.transaction import TransactionType
from budget.domain.services.import_rules import apply_to_row

HOUSEHOLD = HouseholdId(UUID(int=1))
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
EUR = Currency.of("EUR")
ACCOUNT = Account.open(
    AccountId(UUID(int=2)), HOUSEHOLD, "Checking", AccountType.CHECKING, Money(0, EUR), T0
)
FOOD = Category(
    CategoryId(UUID(int=3)), HOUSEHOLD, "Food", CategoryKind.EXPENSE, None, None, False, T0, T0
)
OTHER = Category(
    CategoryId(UUID(int=4)), HOUSEHOLD, "Other", CategoryKind.EXPENSE, None, None, False, T0, T0
)


def _book(condition: Condition, *actions: RuleAction) -> RuleBook:
    rule = new_rule(RuleId(UUID(int=9)), HOUSEHOLD, "r", [condition], list(actions), T0)
    return RuleBook.of([rule], [FOOD, OTHER])


def _row(amount: str, payee: str = "", category: CategoryId | None = None) -> RowDraft:
    line = StatementLine(2, dt.date(2026, 11, 2), Decimal(amount), payee=payee)
    kind = TransactionType.INCOME if Decimal(amount) > 0 else TransactionType.EXPENSE
    return RowDraft(line, kind, category, payee)


EVERYTHING = (SetCategory(FOOD.id), SetPayee("Shop"), AddTags(("t",)))


def test_a_matching_row_gets_the_rules_category_payee_and_tags() -> None:
    book = _book(Condition.parse("amount", "equals", "12.5", "c"), *EVERYTHING)
    filled = apply_to_row(book, ACCOUNT, _row("-12.50"))
    assert (filled.category_id, filled.payee, filled.tags) == (FOOD.id, "Shop", ("t",))


def test_a_row_with_a_category_and_a_payee_keeps_them_and_still_gets_the_tags() -> None:
    book = _book(Condition.parse("amount", "gte", "1", "c"), *EVERYTHING)
    filled = apply_to_row(book, ACCOUNT, _row("-5", "Baker", OTHER.id))
    assert (filled.category_id, filled.payee, filled.tags) == (OTHER.id, "Baker", ("t",))


def test_a_category_of_another_kind_is_not_given_to_an_income_row() -> None:
    book = _book(Condition.parse("amount", "gte", "1", "c"), SetCategory(FOOD.id))
    assert apply_to_row(book, ACCOUNT, _row("5")).category_id is None


def test_a_row_the_account_cannot_hold_is_left_as_drafted() -> None:
    book = _book(Condition.parse("amount", "gte", "0.001", "c"), *EVERYTHING)
    row = _row("-0.005")
    assert apply_to_row(book, ACCOUNT, row) == row


def test_a_row_in_another_currency_is_left_as_drafted() -> None:
    book = _book(Condition.parse("amount", "gte", "1", "c"), *EVERYTHING)
    line = StatementLine(2, dt.date(2026, 11, 2), Decimal("-5"), currency="USD")
    row = RowDraft(line, TransactionType.EXPENSE)
    assert apply_to_row(book, ACCOUNT, row) == row
