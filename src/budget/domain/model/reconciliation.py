"""Reconciliation against a bank statement, as pure rules.

An account's cleared balance as of a day is its opening balance plus the balance effects
of its ``cleared`` and ``reconciled`` transactions dated on or before that day (both sides
of a transfer). A statement reconciles when its balance equals that cleared balance; then
every ``cleared`` transaction of the account dated on or before the statement date becomes
``reconciled``. A difference (statement minus cleared) is either refused or closed by one
adjustment: income of the difference when positive, an expense of its absolute value when
negative, dated on the statement date, already reconciled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from budget.domain.errors import ConflictError, RuleViolationError
from budget.domain.model.balance import balance_effects
from budget.domain.model.ids import AccountId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.transaction import Transaction, TransactionStatus, TransactionType

ADJUSTMENT_PAYEE = "Reconciliation adjustment"


class StatementMismatchError(ConflictError):
    """The statement's balance differs from the cleared balance and no adjustment was
    asked for; ``difference`` is statement minus cleared."""

    title = "Statement does not match the cleared balance"

    def __init__(self, difference: Money) -> None:
        self.difference = difference
        super().__init__(
            f"The statement balance differs from the cleared balance by {difference.format()};"
            " send adjust: true to record an adjustment."
        )


def check_statement_date(statement_date: dt.date, today: dt.date) -> None:
    """A statement cannot be dated after today.

    Raises:
        RuleViolationError: on ``statement_date``.
    """
    if statement_date > today:
        raise RuleViolationError.on("statement_date", "must not be after today")


def cleared_as_of(
    opening: Money, account_id: AccountId, transactions: Iterable[Transaction], day: dt.date
) -> Money:
    """The account's cleared balance at the end of ``day`` (see the module docstring)."""
    total = opening.minor
    for txn in transactions:
        if txn.status.is_cleared and txn.date <= day:
            total += balance_effects(txn).get(account_id, 0)
    return Money(total, opening.currency)


def adjustment_for(difference: Money) -> tuple[TransactionType, Money] | None:
    """The type and amount of the transaction that closes ``difference`` (statement minus
    cleared); None when there is nothing to close."""
    if difference.minor == 0:
        return None
    kind = TransactionType.INCOME if difference.minor > 0 else TransactionType.EXPENSE
    return kind, difference.absolute()


def to_reconcile(
    account_id: AccountId, transactions: Iterable[Transaction], day: dt.date
) -> list[Transaction]:
    """The ``cleared`` transactions of the account (either side) dated on or before
    ``day``: those a reconciliation moves to ``reconciled``."""
    return [
        txn
        for txn in transactions
        if txn.status is TransactionStatus.CLEARED
        and txn.date <= day
        and account_id in (txn.account_id, txn.to_account_id)
    ]


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """What a reconciliation did: ``cleared_balance`` and ``difference`` as they were
    before any adjustment; ``reconciled_count`` excludes the adjustment."""

    account_id: AccountId
    statement_date: dt.date
    statement_balance: Money
    cleared_balance: Money
    difference: Money
    reconciled_count: int
    adjustment_transaction_id: TransactionId | None
