"""Where a transaction stands against the bank (contract section 10): its status, the lock
on reconciled transactions, and the rule of import ids."""

from __future__ import annotations

from enum import StrEnum

from budget.domain.errors import ConflictError, RuleViolationError

MAX_IMPORT_ID_LENGTH = 100


class TransactionStatus(StrEnum):
    """Where a transaction stands against the bank: not yet seen on a statement, seen
    (cleared), or checked against a statement and locked (reconciled)."""

    UNCLEARED = "uncleared"
    CLEARED = "cleared"
    RECONCILED = "reconciled"

    @property
    def is_cleared(self) -> bool:
        """Whether the transaction counts in its accounts' cleared balances."""
        return self is not TransactionStatus.UNCLEARED


LOCKED_FIELDS = ("type", "amount", "to_amount", "date", "account_id", "to_account_id", "splits")
"""What a reconciled transaction may not change (the contract, section 10)."""


class TransactionLockedError(ConflictError):
    """A reconciled transaction's locked fields cannot change, nor can it be deleted."""

    title = "Transaction is reconciled"


def check_import_id(import_id: str | None) -> None:
    """An import id is 1-100 characters.

    Raises:
        RuleViolationError: on ``import_id``.
    """
    if import_id is not None and not 1 <= len(import_id) <= MAX_IMPORT_ID_LENGTH:
        raise RuleViolationError.on("import_id", f"must be 1 to {MAX_IMPORT_ID_LENGTH} characters")
