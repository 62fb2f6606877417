"""Operator checks: recompute the stored balances and totals from the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from budget.domain.model.ids import HouseholdId
from budget.domain.model.verification import BalanceDrift, TotalsDrift


class BalanceVerifier(Protocol):
    """Recomputes balances from the ledger (in the database, not in Python)."""

    async def drifted(self) -> Sequence[BalanceDrift]: ...

    async def correct(self, drifts: Sequence[BalanceDrift]) -> None:
        """Remove each drift with an atomic relative update (safe beside live writes)."""
        ...


class TotalsVerifier(Protocol):
    """Recomputes the daily totals from the ledger (in the database, not in Python)."""

    async def drifted_totals(self) -> Sequence[TotalsDrift]: ...

    async def rebuild_totals(self, households: Sequence[HouseholdId] | None = None) -> None:
        """Replace the daily totals of ``households`` (None: all) with what their
        transactions say, in one database transaction."""
        ...
