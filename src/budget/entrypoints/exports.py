"""What exports look like on the wire (contract section 12), shared by the HTTP routes and
the ``budget export`` command: the CSV of transactions and the JSON backup, both produced as
a stream of byte chunks, one chunk per page of transactions (constant memory).

**CSV.** UTF-8, a header row, RFC 4180 quoting (``csv`` module, ``\\r\\n`` line ends);
columns ``CSV_COLUMNS``; ``tags`` joined by ``|``; amounts unsigned as on the wire; a split
transaction is one row per part (the part's amount, category and description). A cell that
begins with ``=``, ``+``, ``-`` or ``@`` and is not a number gets a leading ``'`` so that
no spreadsheet runs it as a formula.

**Backup.** ``{format: "budget-backup", version: 1, exported_at, household, <sections>}``:
each section a list of records exactly as their ``GET`` answers them. The sections come
from ``backup_sections``, one ``BackupSection`` per key in order; a feature adds its own
there.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from budget.domain.model.ids import HouseholdId
from budget.domain.model.transaction import Transaction
from budget.domain.services.exports import (
    ExportHousehold,
    HouseholdSnapshot,
    TransactionExport,
)
from budget.entrypoints.http.schemas.accounts import AccountRead
from budget.entrypoints.http.schemas.budgets import BudgetRead
from budget.entrypoints.http.schemas.categories import CategoryRead
from budget.entrypoints.http.schemas.exchange_rates import ExchangeRateRead
from budget.entrypoints.http.schemas.households import HouseholdRead
from budget.entrypoints.http.schemas.recurring import RecurringRead
from budget.entrypoints.http.schemas.rules import RuleRead
from budget.entrypoints.http.schemas.transactions import TransactionRead

CSV_COLUMNS = (
    "id",
    "date",
    "type",
    "status",
    "account_id",
    "account",
    "to_account_id",
    "to_account",
    "amount",
    "to_amount",
    "currency",
    "category_id",
    "category",
    "payee",
    "description",
    "tags",
    "import_id",
)
BACKUP_FORMAT = "budget-backup"
BACKUP_VERSION = 1

_FORMULA_STARTS = ("=", "+", "-", "@")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def safe_cell(value: str) -> str:
    """``value``, with a leading ``'`` when a spreadsheet would read it as a formula."""
    if value.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def transaction_rows(txn: Transaction, export: TransactionExport) -> list[list[str]]:
    """The CSV rows of one transaction (one per part when it is split)."""
    account = export.accounts.get(txn.account_id)
    to_account = None if txn.to_account_id is None else export.accounts.get(txn.to_account_id)

    def category_name(category_id: Any) -> str:
        found = None if category_id is None else export.categories.get(category_id)
        return "" if found is None else found.name

    lines = (
        [(txn.category_id, txn.amount.format(), txn.description)]
        if not txn.splits
        else [(p.category_id, p.amount.format(), p.description) for p in txn.splits]
    )
    rows = []
    for category_id, amount, description in lines:
        row = [
            str(txn.id),
            txn.date.isoformat(),
            txn.type.value,
            txn.status.value,
            str(txn.account_id),
            "" if account is None else account.name,
            "" if txn.to_account_id is None else str(txn.to_account_id),
            "" if to_account is None else to_account.name,
            amount,
            "" if txn.to_amount is None else txn.to_amount.format(),
            txn.currency.code,
            "" if category_id is None else str(category_id),
            category_name(category_id),
            txn.payee,
            description,
            "|".join(txn.tags),
            txn.import_id or "",
        ]
        rows.append([safe_cell(cell) for cell in row])
    return rows


def _csv_text(rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


async def csv_chunks(
    export: TransactionExport,
    pages: AsyncIterator[Sequence[Transaction]],
    progress: Callable[[int], None] | None = None,
) -> AsyncIterator[bytes]:
    """The CSV, header first, then one chunk per page of transactions; ``progress`` is told
    how many transactions each chunk held."""
    yield _csv_text([CSV_COLUMNS])
    async for page in pages:
        yield _csv_text(row for txn in page for row in transaction_rows(txn, export))
        if progress is not None:
            progress(len(page))


# --- the backup ----------------------------------------------------------------------------


SectionItems = Callable[[], AsyncIterator[Sequence[Any]]]
"""A section's records, a batch at a time, each encodable by msgspec (its ``*Read``)."""


@dataclass(frozen=True, slots=True)
class BackupSection:
    """One key of the backup and where its records come from."""

    name: str
    items: SectionItems


def _ready(items: Sequence[Any]) -> SectionItems:
    async def once() -> AsyncIterator[Sequence[Any]]:
        if items:
            yield items

    return once


def backup_sections(
    snapshot: HouseholdSnapshot, export: ExportHousehold, household_id: HouseholdId
) -> list[BackupSection]:
    """The sections of a household's backup, in the order the contract lists them."""

    async def transactions() -> AsyncIterator[Sequence[Any]]:
        async for page in export.transactions(household_id):
            yield [TransactionRead.of(txn) for txn in page]

    async def exchange_rates() -> AsyncIterator[Sequence[Any]]:
        async for page in export.exchange_rates(household_id):
            yield [ExchangeRateRead.of(rate) for rate in page]

    return [
        BackupSection("accounts", _ready([AccountRead.of(a) for a in snapshot.accounts])),
        BackupSection("categories", _ready([CategoryRead.of(c) for c in snapshot.categories])),
        BackupSection("transactions", transactions),
        BackupSection("budgets", _ready([BudgetRead.of(b) for b in snapshot.budgets])),
        BackupSection("rules", _ready([RuleRead.of(r) for r in snapshot.rules])),
        BackupSection("recurring", _ready([RecurringRead.of(t) for t in snapshot.recurring])),
        BackupSection("exchange_rates", exchange_rates),
    ]


class _Head(msgspec.Struct):
    format: str
    version: int
    exported_at: Any
    household: HouseholdRead


async def backup_chunks(
    snapshot: HouseholdSnapshot,
    sections: Sequence[BackupSection],
    progress: Callable[[str, int], None] | None = None,
) -> AsyncIterator[bytes]:
    """The backup document as byte chunks: the head, then each section's records as they
    are read; ``progress`` is told each batch's section and size."""
    head = _Head(
        BACKUP_FORMAT,
        BACKUP_VERSION,
        snapshot.exported_at,
        HouseholdRead.of((snapshot.household, snapshot.role)),
    )
    encoder = msgspec.json.Encoder()
    yield encoder.encode(head)[:-1]  # the closing brace comes at the end
    for section in sections:
        yield b',"' + section.name.encode() + b'":['
        first = True
        async for batch in section.items():
            if not batch:
                continue
            body = b",".join(encoder.encode(item) for item in batch)
            yield body if first else b"," + body
            first = False
            if progress is not None:
                progress(section.name, len(batch))
        yield b"]"
    yield b"}"
