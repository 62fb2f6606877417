"""The totals rule: effects of each type, the changes of every kind of update, and the
test helpers (``tests.fakes``) that recompute and merge daily totals as the SQL does."""

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.totals import TotalsKey, totals_change, totals_effects
from budget.domain.model.transaction import Transaction, TransactionType
from tests.fakes import merge_totals, sum_totals

EUR = Currency.of("EUR")
USD = Currency.of("USD")
NOW = datetime(2026, 11, 22, tzinfo=UTC)
DAY = date(2026, 11, 20)
HOUSEHOLD = HouseholdId(UUID(int=7))
A = AccountId(UUID(int=1))
B = AccountId(UUID(int=2))
C = AccountId(UUID(int=3))
FOOD = CategoryId(UUID(int=11))
RENT = CategoryId(UUID(int=12))
INCOME = TransactionType.INCOME
EXPENSE = TransactionType.EXPENSE
TRANSFER = TransactionType.TRANSFER


def _txn(
    kind: TransactionType,
    account: AccountId,
    amount: Money,
    *,
    category: CategoryId | None = None,
    to_account: AccountId | None = None,
    to_amount: Money | None = None,
    day: date = DAY,
    number: int = 99,
) -> Transaction:
    return Transaction(
        TransactionId(UUID(int=number)),
        HOUSEHOLD,
        kind,
        account,
        to_account,
        amount,
        to_amount,
        category,
        day,
        "",
        "",
        (),
        NOW,
        NOW,
    )


def _key(
    kind: TransactionType,
    account: AccountId = A,
    category: CategoryId | None = None,
    currency: Currency = EUR,
    day: date = DAY,
) -> TotalsKey:
    return TotalsKey(HOUSEHOLD, kind, day, currency, category, account)


# --- effects --------------------------------------------------------------------------------


def test_income_counts_its_amount_once_in_its_cell() -> None:
    txn = _txn(INCOME, A, Money(1250, EUR), category=FOOD)

    assert totals_effects(txn) == {_key(INCOME, A, FOOD): (1250, 1, 1)}


def test_an_expense_counts_its_amount_as_a_positive_sum() -> None:
    txn = _txn(EXPENSE, B, Money(300, USD))

    assert totals_effects(txn) == {_key(EXPENSE, B, None, USD): (300, 1, 1)}


def test_a_transfer_counts_once_in_its_source_accounts_transfer_cell() -> None:
    txn = _txn(TRANSFER, A, Money(500, EUR), to_account=B, to_amount=Money(500, EUR))

    assert totals_effects(txn) == {_key(TRANSFER, A): (500, 1, 1)}


def test_keys_sort_with_uncategorised_first_and_never_compare_none_with_an_id() -> None:
    keys = [_key(EXPENSE, B, RENT), _key(EXPENSE, A, FOOD), _key(EXPENSE, B), _key(INCOME, A)]

    assert sorted(keys) == [
        _key(EXPENSE, B),
        _key(EXPENSE, A, FOOD),
        _key(EXPENSE, B, RENT),
        _key(INCOME, A),
    ]


def test_keys_sort_by_household_type_day_currency_category_then_account() -> None:
    later = _key(EXPENSE, A, day=date(2026, 11, 21))
    dollars = _key(EXPENSE, A, currency=USD)

    assert sorted([later, dollars, _key(EXPENSE, A)]) == [_key(EXPENSE, A), dollars, later]


# --- changes ------------------------------------------------------------------------------


def test_creating_adds_one_transaction_and_its_amount() -> None:
    txn = _txn(EXPENSE, A, Money(300, EUR), category=FOOD)

    assert totals_change(None, txn) == {_key(EXPENSE, A, FOOD): (300, 1, 1)}


def test_deleting_takes_one_transaction_and_its_amount_off() -> None:
    txn = _txn(INCOME, A, Money(300, EUR))

    assert totals_change(txn, None) == {_key(INCOME): (-300, -1, -1)}


def test_nothing_before_and_after_changes_nothing() -> None:
    assert totals_change(None, None) == {}


def test_changing_the_amount_moves_the_sum_but_not_the_count() -> None:
    old = _txn(EXPENSE, A, Money(300, EUR), category=FOOD)
    new = replace(old, amount=Money(450, EUR))

    assert totals_change(old, new) == {_key(EXPENSE, A, FOOD): (150, 0, 0)}


def test_changing_the_type_moves_the_transaction_from_expense_to_income() -> None:
    old = _txn(EXPENSE, A, Money(300, EUR))
    new = replace(old, type=INCOME)

    assert totals_change(old, new) == {_key(EXPENSE): (-300, -1, -1), _key(INCOME): (300, 1, 1)}


def test_moving_to_another_account_moves_the_cell() -> None:
    old = _txn(INCOME, A, Money(300, EUR))
    new = replace(old, account_id=B)

    assert totals_change(old, new) == {
        _key(INCOME, A): (-300, -1, -1),
        _key(INCOME, B): (300, 1, 1),
    }


def test_moving_to_an_account_in_another_currency_moves_the_cell_and_the_amount() -> None:
    old = _txn(EXPENSE, A, Money(300, EUR))
    new = replace(old, account_id=C, amount=Money(330, USD))

    assert totals_change(old, new) == {
        _key(EXPENSE, A): (-300, -1, -1),
        _key(EXPENSE, C, None, USD): (330, 1, 1),
    }


@pytest.mark.parametrize(
    ("before", "after"),
    [(None, FOOD), (FOOD, None), (FOOD, RENT)],
    ids=["categorised", "uncategorised", "recategorised"],
)
def test_changing_the_category_moves_the_cell(
    before: CategoryId | None, after: CategoryId | None
) -> None:
    old = _txn(EXPENSE, A, Money(300, EUR), category=before)
    new = replace(old, category_id=after)

    assert totals_change(old, new) == {
        _key(EXPENSE, A, before): (-300, -1, -1),
        _key(EXPENSE, A, after): (300, 1, 1),
    }


def test_changing_the_date_moves_the_cell_to_the_new_day() -> None:
    old = _txn(INCOME, A, Money(300, EUR))
    new = replace(old, date=date(2026, 1, 1), amount=Money(310, EUR))

    assert totals_change(old, new) == {
        _key(INCOME): (-300, -1, -1),
        _key(INCOME, day=date(2026, 1, 1)): (310, 1, 1),
    }


def test_turning_a_transfer_into_an_expense_adds_the_expense() -> None:
    old = _txn(TRANSFER, A, Money(500, EUR), to_account=B, to_amount=Money(500, EUR))
    new = replace(old, type=EXPENSE, to_account_id=None, to_amount=None, category_id=FOOD)

    assert totals_change(old, new) == {
        _key(TRANSFER, A): (-500, -1, -1),
        _key(EXPENSE, A, FOOD): (500, 1, 1),
    }


def test_turning_an_expense_into_a_transfer_takes_the_expense_off() -> None:
    old = _txn(EXPENSE, A, Money(500, EUR), category=FOOD)
    new = replace(old, type=TRANSFER, category_id=None, to_account_id=B, to_amount=Money(500, EUR))

    assert totals_change(old, new) == {
        _key(EXPENSE, A, FOOD): (-500, -1, -1),
        _key(TRANSFER, A): (500, 1, 1),
    }


def test_changing_a_transfer_moves_its_transfer_cell_alone() -> None:
    old = _txn(TRANSFER, A, Money(500, EUR), to_account=C, to_amount=Money(545, USD))
    new = replace(old, amount=Money(600, EUR), to_amount=Money(650, USD), date=date(2026, 1, 1))

    assert totals_change(old, new) == {
        _key(TRANSFER, A): (-500, -1, -1),
        _key(TRANSFER, A, day=date(2026, 1, 1)): (600, 1, 1),
    }


def test_a_change_that_touches_no_cell_yields_no_changes() -> None:
    old = _txn(EXPENSE, A, Money(300, EUR), category=FOOD)
    new = replace(old, description="lunch", payee="Cafe", tags=("work",))

    assert totals_change(old, new) == {}


# --- recomputing and merging ------------------------------------------------------------------


def test_recording_a_ledger_groups_every_type_per_cell() -> None:
    ledger = [
        _txn(EXPENSE, A, Money(300, EUR), category=FOOD, number=1),
        _txn(EXPENSE, A, Money(200, EUR), category=FOOD, number=2),
        _txn(EXPENSE, A, Money(50, EUR), number=3),
        _txn(INCOME, B, Money(1000, EUR), number=4),
        _txn(TRANSFER, A, Money(70, EUR), to_account=B, to_amount=Money(70, EUR), number=5),
    ]
    totals: dict[TotalsKey, tuple[int, int, int]] = {}
    for txn in ledger:
        totals = merge_totals(totals, totals_change(None, txn))

    assert totals == {
        _key(EXPENSE, A, FOOD): (500, 2, 2),
        _key(EXPENSE, A): (50, 1, 1),
        _key(INCOME, B): (1000, 1, 1),
        _key(TRANSFER, A): (70, 1, 1),
    }
    assert sum_totals(ledger) == totals


def test_merging_adds_cell_by_cell_and_drops_cells_left_without_transactions() -> None:
    totals = {_key(EXPENSE): (300, 1, 1), _key(INCOME): (100, 2, 2)}
    changes = {_key(EXPENSE): (-300, -1, -1), _key(INCOME): (50, 1, 1), _key(INCOME, B): (7, 1, 1)}

    assert merge_totals(totals, changes) == {_key(INCOME): (150, 3, 3), _key(INCOME, B): (7, 1, 1)}


def test_replaying_every_change_equals_summing_what_remains() -> None:
    first = _txn(EXPENSE, A, Money(300, EUR), category=FOOD, number=1)
    second = _txn(INCOME, B, Money(900, EUR), number=2)
    moved = replace(first, account_id=C, amount=Money(330, USD), category_id=None)
    totals: dict[TotalsKey, tuple[int, int, int]] = {}
    for old, new in [(None, first), (None, second), (first, moved), (second, None)]:
        totals = merge_totals(totals, totals_change(old, new))

    assert totals == sum_totals([moved])
