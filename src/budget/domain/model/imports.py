"""The rules of a statement import (contract section 12), pure: sign and type, the
``import_id`` of every row, which rows are invalid, and which are duplicates.

A line becomes a ``RowDraft`` (type by sign, category by name, payee and description); the
drafts are final once the import rules have had their say (``ImportRowRules``); then
``check_rows`` turns them into ``ImportRow``s or ``RowProblem``s, and ``mark_duplicates``
decides which rows an import skips.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from budget.domain.errors import FieldProblem, NotFoundError, RuleViolationError
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, UserId
from budget.domain.model.money import Money
from budget.domain.model.note import MAX_DESCRIPTION_LENGTH, MAX_PAYEE_LENGTH
from budget.domain.model.statement import RowProblem, StatementLine
from budget.domain.model.transaction import TransactionType
from budget.domain.model.transaction_status import MAX_IMPORT_ID_LENGTH

EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)
"""Dates outside these bounds are not a bank's: the row is invalid."""

ImportId = UUID
_LARGEST = Decimal(10**12)


class ImportStatus(StrEnum):
    COMPLETED = "completed"
    DRY_RUN = "dry_run"


class ImportNotFoundError(NotFoundError):
    """The import does not exist in the caller's households."""

    title = "Import not found"


class RowsInvalidError(RuleViolationError):
    """Some rows of the file are invalid: nothing is imported (one problem per row,
    pointing at ``rows/<position>``)."""

    def __init__(self, rows: Sequence[RowProblem]) -> None:
        ordered = sorted(rows, key=lambda p: p.position)
        super().__init__(
            *(FieldProblem(p.pointer, p.detail) for p in ordered),
            detail=f"{len(ordered)} invalid row(s): nothing was imported",
        )


@dataclass(frozen=True, slots=True)
class RowDraft:
    """A line as the import will record it, before its amount and id are checked: what
    the import rules may still change (category, payee, description, tags)."""

    line: StatementLine
    type: TransactionType
    category_id: CategoryId | None = None
    payee: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A valid row: a strictly positive amount in the account's currency, its type and
    its ``import_id``; ``duplicate`` rows are skipped."""

    draft: RowDraft
    amount: Money
    import_id: str
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class ImportCounts:
    rows: int
    created: int
    duplicates: int


@dataclass(eq=False, slots=True)
class ImportBatch:
    """One import kept for undo: who made it, when, from which file, and what it counted
    (``account_id`` None: a backup restore, into a whole household)."""

    id: ImportId
    household_id: HouseholdId
    account_id: AccountId | None
    user_id: UserId | None
    file_name: str
    format: str
    counts: ImportCounts
    created_at: dt.datetime

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImportBatch) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


def type_of(amount: Decimal) -> TransactionType:
    """Money in is income, money out an expense."""
    return TransactionType.INCOME if amount > 0 else TransactionType.EXPENSE


def match_category(
    name: str | None, kind: TransactionType, categories: Iterable[Category]
) -> CategoryId | None:
    """The household's category called ``name`` (case-insensitively) of the row's kind,
    top-level ones first; None when there is no name or no match."""
    if not name or not name.strip():
        return None
    wanted = name.strip().casefold()
    category_kind = CategoryKind(kind.value)
    found = [c for c in categories if c.kind is category_kind and c.name.casefold() == wanted]
    if not found:
        return None
    found.sort(key=lambda c: (c.parent_id is not None, c.archived, c.created_at, c.id))
    return found[0].id


def draft_rows(lines: Sequence[StatementLine], categories: Sequence[Category]) -> list[RowDraft]:
    """Every line as a draft: its type by sign, its category by name, and its texts cut to
    what a transaction holds (a bank's memo is not the user's to shorten)."""
    drafts = []
    for line in lines:
        kind = type_of(line.amount)
        drafts.append(
            RowDraft(
                line,
                kind,
                match_category(line.category, kind, categories),
                _clean(line.payee, MAX_PAYEE_LENGTH),
                _clean(line.description, MAX_DESCRIPTION_LENGTH),
            )
        )
    return drafts


def _clean(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def derived_ids(lines: Sequence[StatementLine], currency: Currency) -> list[str | None]:
    """The id of each line: the file's own, else ``<date>:<signed minor units>:<n>`` with
    ``n`` counting the lines of equal date and amount within the file (1, 2, ...); None
    for a line whose amount is not representable in ``currency`` (an invalid row)."""
    seen: Counter[tuple[dt.date, int]] = Counter()
    ids: list[str | None] = []
    for line in lines:
        minor = _minor(line.amount, currency)
        if minor is None:
            ids.append(line.import_id or None)
            continue
        seen[line.date, minor] += 1
        own = (line.import_id or "").strip()
        ids.append(own or f"{line.date.isoformat()}:{minor}:{seen[line.date, minor]}")
    return ids


def _minor(amount: Decimal, currency: Currency) -> int | None:
    if not amount.is_finite() or abs(amount) > _LARGEST:
        return None
    scaled = amount.scaleb(currency.exponent)
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)


def check_rows(
    drafts: Sequence[RowDraft], currency: Currency
) -> tuple[list[ImportRow], list[RowProblem]]:
    """The valid rows and one problem for each invalid one: a zero amount, another
    currency than the account's, more decimals than it has, an amount beyond the
    contract's bound, a date no bank would give, or an ``import_id`` too long."""
    ids = derived_ids([d.line for d in drafts], currency)
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    for draft, import_id in zip(drafts, ids, strict=True):
        detail = _problem(draft.line, currency, import_id)
        if detail is not None or import_id is None:
            problems.append(RowProblem(draft.line.position, detail or "has no import id"))
            continue
        minor = abs(_minor(draft.line.amount, currency) or 0)
        rows.append(ImportRow(draft, Money(minor, currency), import_id))
    return rows, problems


def _problem(line: StatementLine, currency: Currency, import_id: str | None) -> str | None:
    if line.currency is not None and line.currency.strip().upper() != currency.code:
        return f"is in {line.currency}, not in the account's currency {currency.code}"
    if not line.amount.is_finite() or line.amount == 0:
        return "amount must not be zero"
    if abs(line.amount) > _LARGEST:
        return "amount must be between -1000000000000 and 1000000000000"
    if _minor(line.amount, currency) is None:
        return f"amount has more decimals than {currency.code} allows ({currency.exponent})"
    if not EARLIEST_DAY <= line.date <= LATEST_DAY:
        return f"date {line.date.isoformat()} is out of range"
    if import_id is None or len(import_id) > MAX_IMPORT_ID_LENGTH:
        return f"import id must be 1-{MAX_IMPORT_ID_LENGTH} characters"
    return None


def mark_duplicates(rows: Sequence[ImportRow], existing: Iterable[str]) -> list[ImportRow]:
    """Rows whose ``import_id`` the account already has, or that an earlier row of the file
    has, become duplicates."""
    taken = set(existing)
    marked = []
    for row in rows:
        duplicate = row.import_id in taken
        taken.add(row.import_id)
        marked.append(ImportRow(row.draft, row.amount, row.import_id, duplicate))
    return marked


def count(rows: Sequence[ImportRow]) -> ImportCounts:
    duplicates = sum(1 for row in rows if row.duplicate)
    return ImportCounts(len(rows), len(rows) - duplicates, duplicates)
