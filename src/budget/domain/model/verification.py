"""What a verification of the stored balances and totals against the ledger found."""

from __future__ import annotations

from dataclasses import dataclass

from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.totals import Totals, TotalsKey


@dataclass(frozen=True, slots=True)
class BalanceDrift:
    """An account whose stored balance differs from opening balance + transaction effects,
    or whose stored cleared balance differs from opening balance + the effects of its
    cleared and reconciled transactions (``stored_cleared``, ``expected_cleared``)."""

    account_id: AccountId
    household_id: HouseholdId
    currency: str
    stored: int
    expected: int
    stored_cleared: int = 0
    expected_cleared: int = 0

    @property
    def drift(self) -> int:
        return self.stored - self.expected

    @property
    def cleared_drift(self) -> int:
        return self.stored_cleared - self.expected_cleared


@dataclass(frozen=True, slots=True)
class TotalsDrift:
    """A cell of the totals whose stored ``(amount, count, entries)`` differs from the sum of
    its transactions and split parts; ``(0, 0, 0)`` stands for a missing cell on either side.
    ``monthly`` marks a cell of the monthly rollup (its key is dated on the first of the
    month)."""

    key: TotalsKey
    stored: Totals
    expected: Totals
    monthly: bool = False
