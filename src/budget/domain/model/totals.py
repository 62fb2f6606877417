"""The totals rule: how a transaction moves the daily totals that reports and budgets read.

Reports and budget statuses sum income and expenses over ranges of days. Summing the raw
ledger costs a scan of every transaction in the range, so the ledger keeps a read model
beside it: per household, type, day, currency, category and account, the sum of the amounts
and the number of transactions. Every write of a transaction hands
``totals_change(old, new)`` to the totals port in the same unit of work, exactly as it
hands ``balance_change`` to the accounts, so the read model never drifts from the ledger.

Transfers are in it only to be counted: one cell per source account and day of type
``transfer`` (uncategorised), which reports and budgets never read (they name the types
they sum); so the unfiltered transaction list counts every transaction from the monthly
totals instead of counting transfers row by row. A split transaction puts
each part's amount in its part's category cell; it counts as one transaction (``count``) in
the cell of its first part's category, and each part as one entry (``entries``) in its
category's cell; a whole transaction is one entry. So the summary counts transactions, the
by-category report counts entries (whole transactions and parts) per category, and merging
one category's cells into the uncategorised ones (a category deleted) stays exact.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId
from budget.domain.model.transaction import Transaction, TransactionType

Totals = tuple[int, int, int]
"""``(amount, count, entries)``: a sum of amounts in minor units, a number of transactions
(each counted in one cell), and a number of entries (whole transactions and split parts)."""

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
    def of(cls, txn: Transaction, category_id: CategoryId | None) -> TotalsKey:
        """The cell of ``txn``'s amount (or of its part) in ``category_id``."""
        return cls(txn.household_id, txn.type, txn.date, txn.currency, category_id, txn.account_id)


def totals_effects(txn: Transaction) -> dict[TotalsKey, Totals]:
    """What ``txn`` adds to the daily totals: for income and expenses its amount, one
    transaction and one entry in its cell, or, split, each part's amount and one entry in
    its part's cell (the transaction counted in its first part's cell); for a transfer its
    amount and one transaction in its source account's uncategorised transfer cell, which
    reports and budgets never read (they name the types they sum) but which lets the
    unfiltered list count every transaction from the monthly totals."""
    if not txn.splits:
        return {TotalsKey.of(txn, txn.category_id): (txn.amount.minor, 1, 1)}
    effects: dict[TotalsKey, list[int]] = {}
    for index, part in enumerate(txn.splits):
        cell = effects.setdefault(TotalsKey.of(txn, part.category_id), [0, 0, 0])
        cell[0] += part.amount.minor
        cell[1] += 1 if index == 0 else 0
        cell[2] += 1
    return {key: (amount, count, entries) for key, (amount, count, entries) in effects.items()}


def totals_change(old: Transaction | None, new: Transaction | None) -> dict[TotalsKey, Totals]:
    """The changes that take the daily totals from ``old``'s effects to ``new``'s.

    ``old`` None is a creation, ``new`` None a deletion; otherwise an update, where ``old``
    must be a snapshot taken before the change. Cells that do not move are left out, so an
    update of the description alone yields ``{}``.
    """
    changes: defaultdict[TotalsKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    for txn, sign in ((old, -1), (new, 1)):
        if txn is None:
            continue
        for key, totals in totals_effects(txn).items():
            for position, value in enumerate(totals):
                changes[key][position] += sign * value
    return {
        key: (amount, count, entries)
        for key, (amount, count, entries) in changes.items()
        if amount or count or entries
    }
