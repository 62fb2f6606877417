"""Bank statements as the parsers read them: the lines of one file, before any rule of the
ledger applies (contract section 12).

A parser turns a file into a ``Statement``: its ``StatementLine``s, each with the
``position`` that error pointers name (``#/rows/<position>``: the 1-based line where a CSV
row or QIF record starts, the header line counting; the 1-based entry number in OFX and
CAMT), and the ``RowProblem``s of the rows it could not read. A file it cannot read at all
raises ``UnreadableFileError`` (``#/file``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from budget.domain.errors import FieldProblem, RuleViolationError

MAX_FILE_BYTES = 10 * 1024 * 1024
"""The largest statement file accepted (10 MiB)."""


class StatementFormat(StrEnum):
    """The file formats ``POST /imports`` reads."""

    CSV = "csv"
    OFX = "ofx"
    QIF = "qif"
    CAMT053 = "camt053"


class UnreadableFileError(RuleViolationError):
    """The file cannot be read as its format at all (``#/file``)."""

    def __init__(self, detail: str) -> None:
        super().__init__(FieldProblem("file", detail))


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One transaction of a statement as the file states it.

    ``amount`` is signed as the bank sees the account (money in positive); ``currency`` is
    the file's currency code when it names one; ``import_id`` the file's own id (OFX
    ``FITID``, CAMT ``AcctSvcrRef`` ...) when it has one; ``category`` a category name
    (CSV ``mapping.category``, QIF ``L``) to look up in the household.
    """

    position: int
    date: dt.date
    amount: Decimal
    payee: str = ""
    description: str = ""
    currency: str | None = None
    import_id: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row the parser or a rule rejected: its position and why."""

    position: int
    detail: str

    @property
    def pointer(self) -> str:
        return f"rows/{self.position}"


@dataclass(frozen=True, slots=True)
class Statement:
    """What a parser read: the lines, and the rows it could not read."""

    lines: tuple[StatementLine, ...] = ()
    problems: tuple[RowProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """How the columns of a CSV file map to statement lines (contract section 12).

    Either ``amount`` (signed) or both ``inflow`` and ``outflow`` (positive numbers;
    an outflow becomes an expense). Column names are header names.

    Raises:
        RuleViolationError: on ``mapping`` when the combination of columns is wrong.
    """

    date: str
    amount: str | None = None
    inflow: str | None = None
    outflow: str | None = None
    payee: str | None = None
    description: str | None = None
    category: str | None = None
    date_format: str = "%Y-%m-%d"
    decimal_separator: str = "."
    delimiter: str = ","
    skip_rows: int = 0

    def __post_init__(self) -> None:
        by_amount = self.amount is not None
        by_flows = self.inflow is not None or self.outflow is not None
        if by_amount == by_flows or (by_flows and (self.inflow is None or self.outflow is None)):
            raise RuleViolationError.on(
                "mapping", "must name either amount, or both inflow and outflow"
            )
        if self.decimal_separator not in {".", ","}:
            raise RuleViolationError.on("mapping", "decimal_separator must be '.' or ','")
        if len(self.delimiter) != 1 or self.delimiter in {'"', "\n", "\r"}:
            raise RuleViolationError.on("mapping", "delimiter must be one character")
        if not 0 <= self.skip_rows <= 1000:
            raise RuleViolationError.on("mapping", "skip_rows must be between 0 and 1000")
        if "%" not in self.date_format:
            raise RuleViolationError.on("mapping", "date_format must be a strftime format")
