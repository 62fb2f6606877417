"""Operator tasks: check that every stored balance, and every daily total, equals what the
transactions say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from budget.domain.model.ids import AccountId, UserId
from budget.domain.model.totals import Totals, TotalsKey


@dataclass(frozen=True, slots=True)
class BalanceDrift:
    """An account whose stored balance differs from opening balance + transaction effects."""

    account_id: AccountId
    owner_id: UserId
    currency: str
    stored: int
    expected: int

    @property
    def drift(self) -> int:
        return self.stored - self.expected


class BalanceAudit(Protocol):
    """Recomputes balances from the ledger (in the database, not in Python)."""

    async def drifted(self) -> Sequence[BalanceDrift]: ...

    async def correct(self, drifts: Sequence[BalanceDrift]) -> None:
        """Remove each drift with an atomic relative update (safe beside live writes)."""
        ...


class VerifyBalances:
    """Find (and optionally repair) every account whose balance drifted from its ledger."""

    def __init__(self, audit: BalanceAudit) -> None:
        self._audit = audit

    async def execute(self, *, fix: bool = False) -> Sequence[BalanceDrift]:
        drifts = await self._audit.drifted()
        if fix and drifts:
            await self._audit.correct(drifts)
        return drifts


@dataclass(frozen=True, slots=True)
class TotalsDrift:
    """A cell of the totals whose stored ``(amount, count)`` differs from the sum of its
    transactions; ``(0, 0)`` stands for a missing cell on either side. ``monthly`` marks a
    cell of the monthly rollup (its key is dated on the first of the month)."""

    key: TotalsKey
    stored: Totals
    expected: Totals
    monthly: bool = False


class TotalsAudit(Protocol):
    """Recomputes the daily totals from the ledger (in the database, not in Python)."""

    async def drifted_totals(self) -> Sequence[TotalsDrift]: ...

    async def rebuild_totals(self, owners: Sequence[UserId] | None = None) -> None:
        """Replace the daily totals of ``owners`` (None: everyone) with what their
        transactions say, in one database transaction."""
        ...


class VerifyDailyTotals:
    """Find every daily totals cell that drifted from its transactions, and optionally
    rebuild the totals of the owners concerned from their transactions."""

    def __init__(self, audit: TotalsAudit) -> None:
        self._audit = audit

    async def execute(self, *, fix: bool = False) -> Sequence[TotalsDrift]:
        drifts = await self._audit.drifted_totals()
        if fix and drifts:
            owners = sorted({drift.key.owner_id for drift in drifts})
            await self._audit.rebuild_totals(owners)
        return drifts
