"""The documented shape of a household backup (contract section 12); the answer itself is
streamed by ``budget.entrypoints.exports.backup_chunks`` in exactly this shape."""

from __future__ import annotations

from typing import Literal

import msgspec

from budget.entrypoints.http.schemas.accounts import AccountRead
from budget.entrypoints.http.schemas.budgets import BudgetRead
from budget.entrypoints.http.schemas.categories import CategoryRead
from budget.entrypoints.http.schemas.common import Timestamp
from budget.entrypoints.http.schemas.exchange_rates import ExchangeRateRead
from budget.entrypoints.http.schemas.households import HouseholdRead
from budget.entrypoints.http.schemas.recurring import RecurringRead
from budget.entrypoints.http.schemas.rules import RuleRead
from budget.entrypoints.http.schemas.transactions import TransactionRead


class HouseholdBackup(msgspec.Struct):
    """Every record of one household, each as its ``GET`` answers it."""

    format: Literal["budget-backup"]
    version: Literal[1]
    exported_at: Timestamp
    household: HouseholdRead
    accounts: list[AccountRead]
    categories: list[CategoryRead]
    transactions: list[TransactionRead]
    budgets: list[BudgetRead]
    rules: list[RuleRead]
    recurring: list[RecurringRead]
    exchange_rates: list[ExchangeRateRead]
