"""Readers: sums and lists computed by the database straight into small read models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from budget.domain.model.budget import SpendingQuery
from budget.domain.model.category import CategoryKind
from budget.domain.model.ids import (
    AccountId,
    HouseholdId,
)
from budget.domain.model.reports import AccountBalance, CategoryTotal, Interval, SummaryRow


class ReportReader(Protocol):
    """Report sums computed by the database (never by loading transactions into Python).

    Every method sees only ``household``'s data; date bounds are inclusive; amounts are integer
    minor units of the row's currency. Transfers never count as income or expense.
    """

    async def has_account(self, household: HouseholdId, account_id: AccountId) -> bool:
        """Whether the account exists and is in ``household`` (archived or not)."""
        ...

    async def summary(
        self, household: HouseholdId, date_from: date, date_to: date, account_id: AccountId | None
    ) -> list[SummaryRow]:
        """Income, expense, net and count per currency that has any; transfers excluded.

        ``account_id`` keeps only the income and expenses booked on that account (they
        live on ``account_id``; ``to_account_id`` belongs to transfers, which never count).
        """
        ...

    async def category_totals(
        self, household: HouseholdId, kind: CategoryKind, date_from: date, date_to: date
    ) -> list[tuple[str, CategoryTotal]]:
        """``(currency, total)`` per currency and category of the ``kind`` transactions,
        with the category's name; uncategorised ones form the ``None`` bucket."""
        ...

    async def cashflow(
        self, household: HouseholdId, date_from: date, date_to: date, interval: Interval
    ) -> list[tuple[str, date, int, int]]:
        """``(currency, interval start, income, expense)`` for every non-empty bucket of the
        range (weeks start on Monday), counting only days inside the range."""
        ...

    async def balances_as_of(
        self, household: HouseholdId, day: date
    ) -> list[tuple[str, AccountBalance]]:
        """``(currency, balance)`` of every account, archived ones included: the opening
        balance plus the effects of the transactions dated on or before ``day`` (a transfer
        takes ``amount`` from its source and gives ``to_amount`` to its destination)."""
        ...


class BudgetSpendingReader(Protocol):
    """Sums a budget's expenses per span of days, in SQL (no transaction reaches Python)."""

    async def spent_per_period(self, queries: Sequence[SpendingQuery]) -> list[list[int]]:
        """For each query, in order, one total per span (0 for a span without expenses).

        Counts expenses only, of the query's household and currency, in its category or that
        category's subcategories (any expense when the category is None). Costs one round
        trip per batch of queries, never one per query or per span.
        """
        ...
