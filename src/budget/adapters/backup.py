"""Reading a household backup file (``budget-backup`` version 1) with msgspec: the records
as ``GET`` shows them; fields a restore does not need (``balance``, ``currency`` ...) are
ignored."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from uuid import UUID

import anyio.to_thread
import msgspec

from budget.domain.model.backup import (
    Backup,
    BackupAccount,
    BackupAction,
    BackupBudget,
    BackupCategory,
    BackupCondition,
    BackupRate,
    BackupRecurring,
    BackupRule,
    BackupSplit,
    BackupTransaction,
)
from budget.domain.model.statement import UnreadableFileError


class _Category(msgspec.Struct):
    id: UUID
    name: str
    kind: str
    parent_id: UUID | None = None
    color: str | None = None
    archived: bool = False


class _Account(msgspec.Struct):
    id: UUID
    name: str
    type: str
    currency: str
    opening_balance: str = "0"
    archived: bool = False
    last_reconciled_on: dt.date | None = None


class _Split(msgspec.Struct):
    amount: str
    category_id: UUID | None = None
    description: str = ""


class _Transaction(msgspec.Struct):
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
    tags: list[str] = msgspec.field(default_factory=list)
    splits: list[_Split] = msgspec.field(default_factory=list)
    status: str = "uncleared"
    import_id: str | None = None
    recurring_id: UUID | None = None


class _Budget(msgspec.Struct):
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


class _Condition(msgspec.Struct):
    field: str
    op: str
    value: str


class _Action(msgspec.Struct):
    set: str | None = None
    value: str | None = None
    add_tags: list[str] | None = None


class _Rule(msgspec.Struct):
    id: UUID
    name: str
    conditions: list[_Condition]
    actions: list[_Action]
    priority: int = 100
    active: bool = True
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class _Recurring(msgspec.Struct):
    id: UUID
    type: str
    account_id: UUID
    amount: str
    frequency: str
    start_date: dt.date
    to_account_id: UUID | None = None
    to_amount: str | None = None
    category_id: UUID | None = None
    splits: list[_Split] = msgspec.field(default_factory=list)
    payee: str = ""
    description: str = ""
    tags: list[str] = msgspec.field(default_factory=list)
    interval: int = 1
    end_date: dt.date | None = None
    count: int | None = None
    weekend: str = "keep"
    auto_post: bool = True
    next_date: dt.date | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class _Rate(msgspec.Struct):
    id: UUID
    base: str
    quote: str
    date: dt.date
    rate: str
    created_at: dt.datetime | None = None


class _Backup(msgspec.Struct):
    format: Literal["budget-backup"]
    version: Literal[1]
    categories: list[_Category] = msgspec.field(default_factory=list)
    accounts: list[_Account] = msgspec.field(default_factory=list)
    transactions: list[_Transaction] = msgspec.field(default_factory=list)
    budgets: list[_Budget] = msgspec.field(default_factory=list)
    rules: list[_Rule] = msgspec.field(default_factory=list)
    recurring: list[_Recurring] = msgspec.field(default_factory=list)
    exchange_rates: list[_Rate] = msgspec.field(default_factory=list)


_DECODER = msgspec.json.Decoder(_Backup)
_NUL = re.compile(rb"\\u0000", re.IGNORECASE)


def read_backup(data: bytes) -> Backup:
    """Raises ``UnreadableFileError`` (``#/file``) when ``data`` is not a version 1 backup."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if _NUL.search(data):
        raise UnreadableFileError("holds a NUL character, which no text field may hold")
    try:
        found = _DECODER.decode(data)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as error:
        raise UnreadableFileError(f"is not a budget-backup version 1 file: {error}") from None
    return Backup(
        tuple(BackupCategory(**msgspec.structs.asdict(c)) for c in found.categories),
        tuple(BackupAccount(**msgspec.structs.asdict(a)) for a in found.accounts),
        tuple(_transaction(t) for t in found.transactions),
        tuple(BackupBudget(**msgspec.structs.asdict(b)) for b in found.budgets),
        tuple(_rule(r) for r in found.rules),
        tuple(_recurring(t) for t in found.recurring),
        tuple(BackupRate(**msgspec.structs.asdict(r)) for r in found.exchange_rates),
    )


def _splits(found: list[_Split]) -> tuple[BackupSplit, ...]:
    return tuple(BackupSplit(**msgspec.structs.asdict(s)) for s in found)


def _rule(found: _Rule) -> BackupRule:
    fields = msgspec.structs.asdict(found)
    fields["conditions"] = tuple(
        BackupCondition(**msgspec.structs.asdict(c)) for c in found.conditions
    )
    fields["actions"] = tuple(
        BackupAction(a.set, a.value, None if a.add_tags is None else tuple(a.add_tags))
        for a in found.actions
    )
    return BackupRule(**fields)


def _recurring(found: _Recurring) -> BackupRecurring:
    fields = msgspec.structs.asdict(found)
    fields["tags"] = tuple(found.tags)
    fields["splits"] = _splits(found.splits)
    return BackupRecurring(**fields)


def _transaction(found: _Transaction) -> BackupTransaction:
    fields = msgspec.structs.asdict(found)
    fields["tags"] = tuple(found.tags)
    fields["splits"] = _splits(found.splits)
    return BackupTransaction(**fields)


class JsonBackupReader:
    """The ``BackupReader`` of backup files, off the event loop."""

    async def read(self, data: bytes) -> Backup:
        return await anyio.to_thread.run_sync(read_backup, data)
