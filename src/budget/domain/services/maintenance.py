"""Operator tasks: check that every stored balance, and every daily total, equals what the
transactions say."""

from __future__ import annotations

from collections.abc import Sequence

from budget.domain.model.verification import BalanceDrift, TotalsDrift
from budget.domain.ports import BalanceVerifier, TotalsVerifier


class VerifyBalances:
    """Find (and optionally repair) every account whose balance drifted from its ledger."""

    def __init__(self, verifier: BalanceVerifier) -> None:
        self._verifier = verifier

    async def execute(self, *, fix: bool = False) -> Sequence[BalanceDrift]:
        drifts = await self._verifier.drifted()
        if fix and drifts:
            await self._verifier.correct(drifts)
        return drifts


class VerifyDailyTotals:
    """Find every daily totals cell that drifted from its transactions, and optionally
    rebuild the totals of the households concerned from their transactions."""

    def __init__(self, verifier: TotalsVerifier) -> None:
        self._verifier = verifier

    async def execute(self, *, fix: bool = False) -> Sequence[TotalsDrift]:
        drifts = await self._verifier.drifted_totals()
        if fix and drifts:
            households = sorted({drift.key.household_id for drift in drifts})
            await self._verifier.rebuild_totals(households)
        return drifts
