"""The balance rule: effects of each type, and the deltas of every kind of change."""

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from budget.domain.model.balance import balance_change, balance_effects
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, TransactionId, UserId
from budget.domain.model.money import Money
from budget.domain.model.transaction import Transaction, TransactionType

EUR = Currency.of("EUR")
USD = Currency.of("USD")
NOW = datetime(2026, 11, 22, tzinfo=UTC)
A = AccountId(UUID(int=1))
B = AccountId(UUID(int=2))
C = AccountId(UUID(int=3))
INCOME = TransactionType.INCOME
EXPENSE = TransactionType.EXPENSE
TRANSFER = TransactionType.TRANSFER


def _txn(
    kind: TransactionType,
    account: AccountId,
    amount: Money,
    to_account: AccountId | None = None,
    to_amount: Money | None = None,
) -> Transaction:
    return Transaction(
        TransactionId(UUID(int=99)),
        UserId(UUID(int=7)),
        kind,
        account,
        to_account,
        amount,
        to_amount,
        None,
        date(2026, 11, 20),
        "",
        "",
        (),
        NOW,
        NOW,
    )


def test_income_adds_its_amount_to_its_account() -> None:
    assert balance_effects(_txn(INCOME, A, Money(1250, EUR))) == {A: 1250}


def test_an_expense_subtracts_its_amount_from_its_account() -> None:
    assert balance_effects(_txn(EXPENSE, A, Money(1250, EUR))) == {A: -1250}


def test_a_transfer_moves_the_amount_from_source_to_destination() -> None:
    txn = _txn(TRANSFER, A, Money(500, EUR), B, Money(500, EUR))

    assert balance_effects(txn) == {A: -500, B: 500}


def test_a_cross_currency_transfer_credits_the_to_amount_to_the_destination() -> None:
    txn = _txn(TRANSFER, A, Money(500, EUR), C, Money(545, USD))

    assert balance_effects(txn) == {A: -500, C: 545}


def test_a_transfer_without_a_destination_is_a_bug() -> None:
    with pytest.raises(ValueError, match="no destination"):
        balance_effects(_txn(TRANSFER, A, Money(500, EUR)))


def test_creating_applies_the_new_effects() -> None:
    assert balance_change(None, _txn(EXPENSE, A, Money(300, EUR))) == {A: -300}


def test_deleting_reverses_the_old_effects() -> None:
    old = _txn(TRANSFER, A, Money(500, EUR), C, Money(545, USD))

    assert balance_change(old, None) == {A: 500, C: -545}


def test_nothing_before_and_after_changes_nothing() -> None:
    assert balance_change(None, None) == {}


def test_changing_the_amount_moves_the_balance_by_the_difference() -> None:
    old = _txn(EXPENSE, A, Money(300, EUR))
    new = replace(old, amount=Money(450, EUR))

    assert balance_change(old, new) == {A: -150}


def test_changing_the_type_from_expense_to_income_moves_twice_the_amount() -> None:
    old = _txn(EXPENSE, A, Money(300, EUR))
    new = replace(old, type=INCOME)

    assert balance_change(old, new) == {A: 600}


def test_moving_to_another_account_takes_the_effect_off_the_old_one() -> None:
    old = _txn(INCOME, A, Money(300, EUR))
    new = replace(old, account_id=B)

    assert balance_change(old, new) == {A: -300, B: 300}


def test_swapping_the_sides_of_a_transfer_reverses_it_twice() -> None:
    old = _txn(TRANSFER, A, Money(500, EUR), B, Money(500, EUR))
    new = replace(old, account_id=B, to_account_id=A)

    assert balance_change(old, new) == {A: 1000, B: -1000}


def test_moving_the_destination_of_a_transfer_leaves_the_source_alone() -> None:
    old = _txn(TRANSFER, A, Money(500, EUR), B, Money(500, EUR))
    new = replace(old, to_account_id=C, to_amount=Money(545, USD))

    assert balance_change(old, new) == {B: -500, C: 545}


def test_changing_only_the_to_amount_moves_only_the_destination() -> None:
    old = _txn(TRANSFER, A, Money(500, EUR), C, Money(545, USD))
    new = replace(old, to_amount=Money(550, USD))

    assert balance_change(old, new) == {C: 5}


def test_turning_a_transfer_into_an_expense_gives_back_to_the_destination() -> None:
    old = _txn(TRANSFER, A, Money(500, EUR), B, Money(500, EUR))
    new = replace(old, type=EXPENSE, to_account_id=None, to_amount=None)

    assert balance_change(old, new) == {B: -500}


def test_turning_income_into_a_transfer_to_its_own_former_account() -> None:
    old = _txn(INCOME, B, Money(200, EUR))
    new = replace(old, type=TRANSFER, account_id=A, to_account_id=B, to_amount=Money(200, EUR))

    assert balance_change(old, new) == {A: -200}


def test_a_change_that_touches_no_money_yields_no_deltas() -> None:
    old = _txn(EXPENSE, A, Money(300, EUR))
    new = replace(old, description="lunch", date=date(2026, 1, 1))

    assert balance_change(old, new) == {}
