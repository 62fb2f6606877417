"""Reconciliation against a bank statement: the pure rules (with property tests) and the
use case on the in-memory fakes (contract section 10)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budget.domain.errors import PermissionDeniedError, RuleViolationError
from budget.domain.model.currency import Currency
from budget.domain.model.household import Role
from budget.domain.model.ids import AccountId, HouseholdId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.reconciliation import (
    ADJUSTMENT_PAYEE,
    Reconciliation,
    StatementMismatchError,
    adjustment_for,
    cleared_as_of,
)
from budget.domain.model.transaction import Transaction, TransactionStatus, TransactionType
from budget.domain.services.accounts import AccountNotFoundError
from budget.domain.services.reconciliation import ReconcileAccount
from tests.fakes import personal_caller
from tests.unit.test_ledger_services import ALICE, DAY, EXPENSE, INCOME, TRANSFER, Ledger

EUR = Currency.of("EUR")
ACCOUNT = AccountId(UUID(int=7))
OTHER = AccountId(UUID(int=8))
CLEARED = TransactionStatus.CLEARED
RECONCILED = TransactionStatus.RECONCILED
UNCLEARED = TransactionStatus.UNCLEARED
T0_TIME = datetime(2026, 11, 1, tzinfo=UTC)


def _txn(
    number: int, kind: TransactionType, minor: int, status: TransactionStatus, day: date
) -> Transaction:
    to_account = OTHER if kind is TransactionType.TRANSFER else None
    return Transaction(
        TransactionId(UUID(int=100 + number)),
        HouseholdId(UUID(int=1)),
        kind,
        ACCOUNT,
        to_account,
        Money(minor, EUR),
        Money(minor, EUR) if to_account else None,
        None,
        day,
        "",
        "",
        (),
        T0_TIME,
        T0_TIME,
        status=status,
    )


_ledgers = st.lists(
    st.tuples(
        st.sampled_from(
            [TransactionType.INCOME, TransactionType.EXPENSE, TransactionType.TRANSFER]
        ),
        st.integers(min_value=1, max_value=10**9),
        st.sampled_from(list(TransactionStatus)),
        st.integers(min_value=-30, max_value=30),
    ),
    max_size=30,
)


def _build(rows: list[tuple[TransactionType, int, TransactionStatus, int]]) -> list[Transaction]:
    return [
        _txn(number, kind, minor, status, DAY + timedelta(days=offset))
        for number, (kind, minor, status, offset) in enumerate(rows)
    ]


@settings(max_examples=200)
@given(_ledgers, st.integers(min_value=-(10**9), max_value=10**9))
def test_a_statement_reconciles_exactly_when_it_equals_the_opening_plus_the_cleared_effects(
    rows: list[tuple[TransactionType, int, TransactionStatus, int]], opening: int
) -> None:
    transactions = _build(rows)
    signed = {TransactionType.INCOME: 1, TransactionType.EXPENSE: -1, TransactionType.TRANSFER: -1}
    expected = opening + sum(
        signed[t.type] * t.amount.minor
        for t in transactions
        if t.status is not UNCLEARED and t.date <= DAY
    )

    cleared = cleared_as_of(Money(opening, EUR), ACCOUNT, transactions, DAY)

    assert cleared == Money(expected, EUR)


@settings(max_examples=200)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_an_adjustment_always_closes_the_difference_exactly(difference: int) -> None:
    adjustment = adjustment_for(Money(difference, EUR))

    if difference == 0:
        assert adjustment is None
    else:
        assert adjustment is not None
        kind, amount = adjustment
        sign = 1 if kind is TransactionType.INCOME else -1
        assert amount.is_positive()
        assert sign * amount.minor == difference


def test_the_destination_of_a_transfer_counts_what_it_receives() -> None:
    transfer = _txn(1, TransactionType.TRANSFER, 500, CLEARED, DAY)

    assert cleared_as_of(Money(0, EUR), OTHER, [transfer], DAY) == Money(500, EUR)


def test_transactions_after_the_statement_date_do_not_count() -> None:
    later = _txn(1, TransactionType.INCOME, 500, CLEARED, DAY + timedelta(days=1))

    assert cleared_as_of(Money(100, EUR), ACCOUNT, [later], DAY) == Money(100, EUR)


# -- the use case ---------------------------------------------------------------------------


async def _reconcile(ledger: Ledger, account: Any, balance: str, **kw: Any) -> Reconciliation:
    owner = kw.pop("owner", ALICE)
    day = kw.pop("day", DAY)
    return await ReconcileAccount(ledger.uow, ledger.clock, ledger.ids).execute(
        owner, account.id, day, balance, **kw
    )


async def _account_with_history(ledger: Ledger) -> Any:
    account = await ledger.account(opening="100")
    await ledger.record(INCOME, account, "50", status=CLEARED)
    await ledger.record(EXPENSE, account, "20", status=CLEARED)
    await ledger.record(EXPENSE, account, "5")
    await ledger.record(EXPENSE, account, "1", status=CLEARED, date=DAY + timedelta(days=1))
    return account


async def test_an_equal_statement_reconciles_the_cleared_transactions_up_to_its_date() -> None:
    ledger = Ledger.empty()
    account = await _account_with_history(ledger)

    result = await _reconcile(ledger, account, "130")

    statuses = sorted(t.status.value for t in ledger.transactions().values())
    assert (result.reconciled_count, result.difference.format(), statuses) == (
        2,
        "0.00",
        ["cleared", "reconciled", "reconciled", "uncleared"],
    )


async def test_a_reconciliation_records_the_statement_date_on_the_account() -> None:
    ledger = Ledger.empty()
    account = await _account_with_history(ledger)

    await _reconcile(ledger, account, "130")

    assert ledger.uow.store.accounts[account.id].last_reconciled_on == DAY


async def test_an_earlier_statement_never_moves_last_reconciled_on_back() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(opening="100")
    await _reconcile(ledger, account, "100")

    await _reconcile(ledger, account, "100", day=DAY - timedelta(days=10))

    assert ledger.uow.store.accounts[account.id].last_reconciled_on == DAY


async def test_a_different_statement_without_adjust_changes_nothing() -> None:
    ledger = Ledger.empty()
    account = await _account_with_history(ledger)

    error = await ledger.refused(_reconcile(ledger, account, "131.25"), StatementMismatchError)

    assert isinstance(error, StatementMismatchError)
    assert error.difference.format() == "1.25"
    assert ledger.uow.store.accounts[account.id].last_reconciled_on is None


async def test_adjusting_records_one_reconciled_income_of_the_difference() -> None:
    ledger = Ledger.empty()
    account = await _account_with_history(ledger)

    result = await _reconcile(ledger, account, "131.25", adjust=True)

    adjustment = ledger.transactions()[result.adjustment_transaction_id]  # type: ignore[index]
    assert (
        adjustment.type,
        adjustment.amount.format(),
        adjustment.payee,
        adjustment.status,
        adjustment.date,
        adjustment.category_id,
    ) == (INCOME, "1.25", ADJUSTMENT_PAYEE, RECONCILED, DAY, None)


async def test_adjusting_a_negative_difference_records_an_expense() -> None:
    ledger = Ledger.empty()
    account = await _account_with_history(ledger)

    result = await _reconcile(ledger, account, "129", adjust=True)

    adjustment = ledger.transactions()[result.adjustment_transaction_id]  # type: ignore[index]
    assert (adjustment.type, adjustment.amount.format()) == (EXPENSE, "1.00")


async def test_an_adjusted_reconciliation_reports_the_figures_before_the_adjustment() -> None:
    ledger = Ledger.empty()
    account = await _account_with_history(ledger)

    result = await _reconcile(ledger, account, "131.25", adjust=True)

    assert (
        result.cleared_balance.format(),
        result.difference.format(),
        result.reconciled_count,
    ) == ("130.00", "1.25", 2)


async def test_after_an_adjustment_the_cleared_balance_as_of_the_statement_equals_it() -> None:
    ledger = Ledger.empty()
    account = await _account_with_history(ledger)

    await _reconcile(ledger, account, "131.25", adjust=True)

    stored = ledger.uow.store.accounts[account.id]
    as_of = cleared_as_of(stored.opening_balance, account.id, ledger.transactions().values(), DAY)
    assert as_of.format() == "131.25"


async def test_an_adjustment_moves_the_balance_and_the_cleared_balance_alike() -> None:
    ledger = Ledger.empty()
    account = await _account_with_history(ledger)

    await _reconcile(ledger, account, "131.25", adjust=True)

    stored = ledger.uow.store.accounts[account.id]
    assert (stored.cleared.format(), stored.balance.format()) == ("130.25", "125.25")


async def test_a_second_identical_reconciliation_adjusts_nothing() -> None:
    ledger = Ledger.empty()
    account = await _account_with_history(ledger)
    await _reconcile(ledger, account, "131.25", adjust=True)

    again = await _reconcile(ledger, account, "131.25", adjust=True)

    assert (again.adjustment_transaction_id, again.reconciled_count) == (None, 0)


async def test_a_statement_dated_after_today_is_refused() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    tomorrow = ledger.clock.today() + timedelta(days=1)

    error = await ledger.refused(_reconcile(ledger, account, "0", day=tomorrow), RuleViolationError)

    assert isinstance(error, RuleViolationError)
    assert error.problems[0].field == "statement_date"


async def test_a_statement_balance_with_too_many_decimals_is_refused() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()

    error = await ledger.refused(_reconcile(ledger, account, "1.001"), RuleViolationError)

    assert isinstance(error, RuleViolationError)
    assert error.problems[0].field == "statement_balance"


async def test_a_viewer_cannot_reconcile() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    viewer = personal_caller(3, h1=Role.VIEWER)

    await ledger.refused(_reconcile(ledger, account, "0", owner=viewer), PermissionDeniedError)


async def test_a_stranger_does_not_see_the_account() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()

    await ledger.refused(
        _reconcile(ledger, account, "0", owner=personal_caller(2)), AccountNotFoundError
    )


@pytest.mark.parametrize("side", ["source", "destination"])
async def test_a_cleared_transfer_is_reconciled_from_either_side(side: str) -> None:
    ledger = Ledger.empty()
    checking = await ledger.account("Checking", opening="100")
    savings = await ledger.account("Savings")
    await ledger.record(TRANSFER, checking, "40", to_account_id=savings.id, status=CLEARED)

    account, balance = (checking, "60") if side == "source" else (savings, "40")
    result = await _reconcile(ledger, account, balance)

    assert result.reconciled_count == 1
