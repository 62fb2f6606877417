"""A household backup (``GET /exports/household.json``, contract section 12) as a restore
reads it: every record with its old id and its wire values, before any rule applies.
Timestamps (``created_at``, ``updated_at``) are kept only where they decide an order or a
record's own history (rules run oldest first at equal priorities; templates and rates keep
theirs); None when the file has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
    recurring_id: UUID | None = None


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
class BackupCondition:
    field: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class BackupAction:
    """``{set, value}`` or ``{add_tags}``, as the file holds it."""

    set: str | None = None
    value: str | None = None
    add_tags: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class BackupRule:
    id: UUID
    name: str
    conditions: tuple[BackupCondition, ...]
    actions: tuple[BackupAction, ...]
    priority: int = 100
    active: bool = True
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class BackupRecurring:
    """A template with its schedule; ``next_date`` is its progress (null: finished)."""

    id: UUID
    type: str
    account_id: UUID
    amount: str
    frequency: str
    start_date: dt.date
    to_account_id: UUID | None = None
    to_amount: str | None = None
    category_id: UUID | None = None
    splits: tuple[BackupSplit, ...] = ()
    payee: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    interval: int = 1
    end_date: dt.date | None = None
    count: int | None = None
    weekend: str = "keep"
    auto_post: bool = True
    next_date: dt.date | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class BackupRate:
    id: UUID
    base: str
    quote: str
    date: dt.date
    rate: str
    created_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Backup:
    """Every record of a backup file."""

    categories: tuple[BackupCategory, ...] = ()
    accounts: tuple[BackupAccount, ...] = ()
    transactions: tuple[BackupTransaction, ...] = ()
    budgets: tuple[BackupBudget, ...] = ()
    rules: tuple[BackupRule, ...] = ()
    recurring: tuple[BackupRecurring, ...] = ()
    exchange_rates: tuple[BackupRate, ...] = ()
