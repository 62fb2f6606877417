"""A household backup (``GET /exports/household.json``, contract section 12) as a restore
reads it: every record with its old id and its wire values, before any rule applies.

``rules``, ``recurring`` and ``exchange_rates`` are kept as the raw JSON objects the file
holds: their restore belongs to the features that own those records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

BACKUP_FORMAT = "budget-backup"
BACKUP_VERSION = 1


@dataclass(frozen=True, slots=True)
class BackupCategory:
    id: UUID
    name: str
    kind: str
    parent_id: UUID | None = None
    color: str | None = None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class BackupAccount:
    id: UUID
    name: str
    type: str
    currency: str
    opening_balance: str
    archived: bool = False
    last_reconciled_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class BackupSplit:
    amount: str
    category_id: UUID | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class BackupTransaction:
    id: UUID
    type: str
    account_id: UUID
    amount: str
    date: dt.date
    to_account_id: UUID | None = None
    to_amount: str | None = None
    category_id: UUID | None = None
    description: str = ""
    payee: str = ""
    tags: tuple[str, ...] = ()
    splits: tuple[BackupSplit, ...] = ()
    status: str = "uncleared"
    import_id: str | None = None


@dataclass(frozen=True, slots=True)
class BackupBudget:
    id: UUID
    name: str
    amount: str
    currency: str
    period: str
    start_date: dt.date
    category_id: UUID | None = None
    end_date: dt.date | None = None
    rollover: bool = False
    alert_threshold: int = 80


@dataclass(frozen=True, slots=True)
class Backup:
    """Every record of a backup file."""

    categories: tuple[BackupCategory, ...] = ()
    accounts: tuple[BackupAccount, ...] = ()
    transactions: tuple[BackupTransaction, ...] = ()
    budgets: tuple[BackupBudget, ...] = ()
    rules: tuple[Mapping[str, Any], ...] = ()
    recurring: tuple[Mapping[str, Any], ...] = ()
    exchange_rates: tuple[Mapping[str, Any], ...] = ()
