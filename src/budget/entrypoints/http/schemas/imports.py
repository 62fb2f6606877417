"""Wire shapes of statement imports (contract section 12)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar.datastructures import UploadFile
from litestar.params import KwargDefinition, Parameter

from budget.domain.errors import FieldProblem, RuleViolationError
from budget.domain.model.backup import BACKUP_FORMAT
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.imports import ImportStatus
from budget.domain.model.statement import CsvMapping, StatementFormat
from budget.domain.services.imports import ImportOutcome, ImportRequest
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.schemas.transactions import TransactionRead
from budget.entrypoints.http.sorts import sort_keys

IMPORT_SORTS = ("created_at",)
ImportSort = StrEnum("ImportSort", sort_keys(IMPORT_SORTS))  # type: ignore[misc]
IMPORTS_BY_DEFAULT = ImportSort("-created_at")
FORMATS = [*(f.value for f in StatementFormat), BACKUP_FORMAT]
_FORMATS = set(FORMATS)
_MAPPING_FIELDS = {
    "date",
    "amount",
    "inflow",
    "outflow",
    "payee",
    "description",
    "category",
    "date_format",
    "decimal_separator",
    "delimiter",
    "skip_rows",
}


@dataclass
class ImportForm:
    """``multipart/form-data``: the file and how to read it."""

    file: Annotated[UploadFile, Parameter(description="The statement file, at most 10 MiB")]
    format: Annotated[
        str,
        Parameter(
            description="csv, ofx (OFX 1.x, 2.x and QFX), qif, camt053, or budget-backup",
            schema_extra={"enum": FORMATS},
        ),
    ]
    account_id: Annotated[
        str,
        Parameter(
            description="The account to import into (every format but budget-backup)",
            schema_extra={"format": "uuid"},
        ),
    ] = ""
    household_id: Annotated[
        str,
        Parameter(
            description="budget-backup only: the empty household to restore into"
            " (default: your default household)",
            schema_extra={"format": "uuid"},
        ),
    ] = ""
    dry_run: Annotated[
        str,
        Parameter(
            description="true: check everything, answer 200 and keep nothing",
            schema_extra={"enum": ["true", "false"]},
        ),
    ] = "false"
    mapping: Annotated[
        str,
        Parameter(
            description='CSV only (required there), a JSON object: {"date": COL, "amount": COL}'
            ' or {"date": COL, "inflow": COL, "outflow": COL}, plus optional payee,'
            " description, category, date_format (strftime, default %Y-%m-%d),"
            " decimal_separator (. or ,), delimiter (default ,), skip_rows (default 0);"
            " COL is a header name"
        ),
    ] = ""

    @property
    def is_backup(self) -> bool:
        return self.format == BACKUP_FORMAT

    def restore(self) -> tuple[HouseholdId | None, bool]:
        """The household to restore into and whether it is a dry run (422 on each bad one)."""
        problems: list[FieldProblem] = []
        household_id = _uuid(self.household_id) if self.household_id.strip() else None
        if self.household_id.strip() and household_id is None:
            problems.append(FieldProblem("household_id", "must be a household id (a UUID)"))
        if self.account_id.strip():
            problems.append(FieldProblem("account_id", "is not for a budget-backup"))
        if self.mapping.strip():
            problems.append(FieldProblem("mapping", "is only for CSV files"))
        dry_run = _dry_run(self.dry_run, problems)
        if problems:
            raise RuleViolationError(*problems)
        return (None if household_id is None else HouseholdId(household_id)), dry_run

    def request(self, data: bytes) -> ImportRequest:
        """The use case's input; every invalid field at once (422 ``#/<field>``)."""
        problems: list[FieldProblem] = []
        file_format = (
            StatementFormat(self.format) if self.format in _FORMATS - {BACKUP_FORMAT} else None
        )
        if file_format is None:
            problems.append(FieldProblem("format", f"must be one of {', '.join(sorted(_FORMATS))}"))
        account_id = _uuid(self.account_id)
        if account_id is None:
            problems.append(FieldProblem("account_id", "must be an account id (a UUID)"))
        dry_run = _dry_run(self.dry_run, problems)
        mapping = None
        try:
            mapping = _mapping(self.mapping, file_format)
        except RuleViolationError as error:
            problems += error.problems
        if problems or file_format is None or account_id is None:
            raise RuleViolationError(*problems)
        return ImportRequest(
            AccountId(account_id),
            file_format,
            data,
            file_name=file_name(self.file),
            dry_run=dry_run,
            mapping=mapping,
        )


def file_name(file: UploadFile) -> str:
    """The upload's name as the import keeps it: printable characters, at most 255."""
    return "".join(c for c in (file.filename or "") if c.isprintable())[:255]


def _dry_run(text: str, problems: list[FieldProblem]) -> bool:
    found = {"true": True, "false": False, "": False}.get(text.strip().lower())
    if found is None:
        problems.append(FieldProblem("dry_run", "must be true or false"))
    return bool(found)


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text.strip())
    except ValueError:
        return None


def _mapping(text: str, file_format: StatementFormat | None) -> CsvMapping | None:
    if file_format is not StatementFormat.CSV:
        if text.strip():
            raise RuleViolationError.on("mapping", "is only for CSV files")
        return None
    if not text.strip():
        raise RuleViolationError.on("mapping", "is required for CSV files")
    try:
        raw: Any = json.loads(text)
    except ValueError:
        raise RuleViolationError.on("mapping", "must be a JSON object") from None
    if not isinstance(raw, dict):
        raise RuleViolationError.on("mapping", "must be a JSON object")
    unknown = sorted(set(raw) - _MAPPING_FIELDS)
    if unknown:
        raise RuleViolationError.on("mapping", f"has unknown keys: {', '.join(unknown)}")
    for key, value in raw.items():
        wanted = int if key == "skip_rows" else str
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise RuleViolationError.on("mapping", f"{key} must be a {wanted.__name__}")
    if not isinstance(raw.get("date"), str):
        raise RuleViolationError.on("mapping", "date is required")
    return CsvMapping(**raw)


class ImportCountsRead(msgspec.Struct):
    rows: int
    created: int
    duplicates: int


class ImportRead(msgspec.Struct):
    """An import as ``GET`` shows it."""

    id: UUID
    household_id: Annotated[UUID, msgspec.Meta(description="Its account's household (read-only)")]
    status: ImportStatus
    account_id: Annotated[UUID | None, msgspec.Meta(description="null for a budget-backup")]
    format: str
    created_at: datetime
    counts: ImportCountsRead

    @classmethod
    def of(cls, outcome: ImportOutcome) -> ImportRead:
        assert outcome.id is not None
        return cls(
            outcome.id,
            outcome.household_id,
            outcome.status,
            outcome.account_id,
            outcome.format,
            outcome.created_at,
            _counts(outcome),
        )


class ImportResult(msgspec.Struct):
    """What an import did: ``id`` null and ``status`` ``dry_run`` for a dry run, with the
    transactions it created (or would create) as ``GET /transactions/{id}`` shows them."""

    id: UUID | None
    household_id: UUID
    status: ImportStatus
    account_id: Annotated[UUID | None, msgspec.Meta(description="null for a budget-backup")]
    format: str
    created_at: datetime
    counts: ImportCountsRead
    transactions: list[TransactionRead]

    @classmethod
    def of(cls, outcome: ImportOutcome) -> ImportResult:
        return cls(
            outcome.id,
            outcome.household_id,
            outcome.status,
            outcome.account_id,
            outcome.format,
            outcome.created_at,
            _counts(outcome),
            [TransactionRead.of(t) for t in outcome.transactions],
        )


def _counts(outcome: ImportOutcome) -> ImportCountsRead:
    counts = outcome.counts
    return ImportCountsRead(counts.rows, counts.created, counts.duplicates)


ImportPage = Annotated[Page[ImportRead], KwargDefinition(schema_component_key="ImportPage")]
