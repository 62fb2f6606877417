"""Operator tasks: check that every stored balance equals what the transactions say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from budget.domain.model.ids import AccountId, UserId


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
