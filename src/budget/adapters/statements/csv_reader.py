"""CSV statements with the standard ``csv`` module and the request's ``mapping``.

Positions are the 1-based line where a row starts, counting the skipped lines and the
header line (a quoted cell may span lines)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from budget.domain.errors import RuleViolationError
from budget.domain.model.statement import (
    CsvMapping,
    RowProblem,
    Statement,
    StatementLine,
    UnreadableFileError,
)

from .decoding import decode, parse_number, text_lines

MAX_COLUMNS = 1000
MAX_CELL = 10_000


def read_csv(data: bytes, mapping: CsvMapping) -> Statement:
    """Raises ``UnreadableFileError`` (``#/file``) or ``RuleViolationError`` (``#/mapping``:
    a column the header does not have)."""
    lines = text_lines(decode(data))
    reader = csv.reader(_lines(lines[mapping.skip_rows :]), delimiter=mapping.delimiter)
    offset = mapping.skip_rows
    try:
        header = next(reader, None)
        if header is None:
            raise UnreadableFileError("has no header row")
        columns = _columns(header, mapping)
        parsed: list[StatementLine] = []
        problems: list[RowProblem] = []
        start = reader.line_num + 1
        for cells in reader:
            position, start = offset + start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            line = _line(position, cells, columns, mapping)
            if isinstance(line, RowProblem):
                problems.append(line)
            else:
                parsed.append(line)
    except csv.Error as error:
        raise UnreadableFileError(
            f"is not valid CSV near line {offset + reader.line_num}: {error}"
        ) from None
    return Statement(tuple(parsed), tuple(problems))


def _lines(lines: list[str]) -> Iterator[str]:
    for line in lines:
        if len(line) > MAX_CELL * 10:
            raise csv.Error("the line is too long")
        yield line


def _columns(header: list[str], mapping: CsvMapping) -> dict[str, int]:
    if len(header) > MAX_COLUMNS:
        raise UnreadableFileError(f"has more than {MAX_COLUMNS} columns")
    names = [cell.strip().lstrip("\ufeff") for cell in header]
    wanted = {
        role: getattr(mapping, role)
        for role in ("date", "amount", "inflow", "outflow", "payee", "description", "category")
        if getattr(mapping, role) is not None
    }
    missing = sorted(column for column in wanted.values() if column.strip() not in names)
    if missing:
        raise RuleViolationError.on(
            "mapping", f"the header row has no column {', '.join(map(repr, missing))}"
        )
    return {role: names.index(column.strip()) for role, column in wanted.items()}


def _cell(cells: list[str], columns: dict[str, int], role: str) -> str:
    index = columns.get(role)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _line(
    position: int, cells: list[str], columns: dict[str, int], mapping: CsvMapping
) -> StatementLine | RowProblem:
    if len(cells) <= max(columns.values()):
        return RowProblem(position, f"has {len(cells)} cells, fewer than the mapping needs")
    if any(len(cell) > MAX_CELL for cell in cells):
        return RowProblem(position, f"has a cell longer than {MAX_CELL} characters")
    raw_date = _cell(cells, columns, "date")
    try:
        day = dt.datetime.strptime(raw_date, mapping.date_format).date()  # noqa: DTZ007 - a calendar day
    except ValueError:
        return RowProblem(position, f"date {raw_date[:40]!r} does not match {mapping.date_format}")
    amount = _amount(cells, columns, mapping)
    if isinstance(amount, str):
        return RowProblem(position, amount)
    return StatementLine(
        position,
        day,
        amount,
        payee=_cell(cells, columns, "payee"),
        description=_cell(cells, columns, "description"),
        category=_cell(cells, columns, "category") or None,
    )


def _amount(cells: list[str], columns: dict[str, int], mapping: CsvMapping) -> Decimal | str:
    if mapping.amount is not None:
        return _number(_cell(cells, columns, "amount"), "amount", mapping)
    inflow = _number(_cell(cells, columns, "inflow") or "0", "inflow", mapping)
    outflow = _number(_cell(cells, columns, "outflow") or "0", "outflow", mapping)
    if isinstance(inflow, str):
        return inflow
    if isinstance(outflow, str):
        return outflow
    return inflow - abs(outflow)


def _number(text: str, role: str, mapping: CsvMapping) -> Decimal | str:
    value = parse_number(text, mapping.decimal_separator)
    if value is None:
        return f"{role} {text[:40]!r} is not a number"
    return value
