"""The totals rule: how a transaction moves the daily totals that reports and budgets read.

Reports and budget statuses sum income and expenses over ranges of days. Summing the raw
ledger costs a scan of every transaction in the range, so the ledger keeps a read model
beside it: per household, type, day, currency, category and account, the sum of the amounts
and the number of transactions. Every write of a transaction hands
``totals_change(old, new)`` to the totals port in the same unit of work, exactly as it
hands ``balance_change`` to the accounts, so the read model never drifts from the ledger.

Transfers are not in it: reports and budgets never count them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId
from budget.domain.model.transaction import Transaction, TransactionType

Totals = tuple[int, int]
"""``(amount, count)``: a sum of amounts in minor units and a number of transactions."""

_NO_CATEGORY = UUID(int=0)


@dataclass(frozen=True, slots=True)
class TotalsKey:
    """One cell of the daily totals: income or expenses of one household, day, currency,
    category (None: uncategorised) and account.

    Keys sort in one fixed order (household, type, day, currency, category with uncategorised
    first, account), the order in which adapters lock them.
    """

    household_id: HouseholdId
    type: TransactionType
    date: dt.date
    currency: Currency
    category_id: CategoryId | None
    account_id: AccountId

    def __post_init__(self) -> None:
        if self.type is TransactionType.TRANSFER:
            raise ValueError("transfers have no daily totals")

    def _rank(self) -> tuple[UUID, str, dt.date, str, UUID, UUID]:
        category = _NO_CATEGORY if self.category_id is None else self.category_id
        return (
            self.household_id,
            self.type.value,
            self.date,
            self.currency.code,
            category,
            self.account_id,
        )

    def __lt__(self, other: TotalsKey) -> bool:
        return self._rank() < other._rank()

    @classmethod
    def of(cls, txn: Transaction) -> TotalsKey:
        """The cell income or an expense counts in.

        Raises:
            ValueError: for a transfer, which counts in none.
        """
        return cls(
            txn.household_id, txn.type, txn.date, txn.currency, txn.category_id, txn.account_id
        )


def totals_effects(txn: Transaction) -> dict[TotalsKey, Totals]:
    """What ``txn`` adds to the daily totals: its amount and one transaction in its cell
    for income and expenses, nothing for a transfer."""
    if txn.type is TransactionType.TRANSFER:
        return {}
    return {TotalsKey.of(txn): (txn.amount.minor, 1)}


def totals_change(old: Transaction | None, new: Transaction | None) -> dict[TotalsKey, Totals]:
    """The changes that take the daily totals from ``old``'s effects to ``new``'s.

    ``old`` None is a creation, ``new`` None a deletion; otherwise an update, where ``old``
    must be a snapshot taken before the change. Cells that do not move are left out, so an
    update of the description alone yields ``{}``.
    """
    changes: defaultdict[TotalsKey, list[int]] = defaultdict(lambda: [0, 0])
    if old is not None:
        for key, (amount, count) in totals_effects(old).items():
            changes[key][0] -= amount
            changes[key][1] -= count
    if new is not None:
        for key, (amount, count) in totals_effects(new).items():
            changes[key][0] += amount
            changes[key][1] += count
    return {key: (amount, count) for key, (amount, count) in changes.items() if amount or count}
