"""QIF statements, read with the standard library.

A record is the lines up to ``^``; its position is the 1-based line of its first field.
``D`` is the date (month/day/year: ``MM/DD/YYYY``, ``M/D/YY`` for 19YY, ``M/D'YY`` for
20YY; Quicken pads with spaces), ``T`` or ``U`` the amount (thousands separators allowed),
``P`` the payee, ``M`` the memo, ``L`` the category (``[Account]`` is a transfer, not a
category). Only bank-like sections (``!Type:Bank``, ``Cash``, ``CCard``, ``Oth A``, ``Oth L``)
hold transactions; account lists, categories and memorised transactions are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from budget.domain.model.statement import (
    RowProblem,
    Statement,
    StatementLine,
    UnreadableFileError,
)

from .decoding import decode, parse_number, text_lines

_BANK_TYPES = {"bank", "cash", "ccard", "oth a", "oth l"}
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})(['/])(\d{4}|\d{2})")


@dataclass
class _Record:
    position: int
    fields: dict[str, str] = field(default_factory=dict)


def read_qif(data: bytes) -> Statement:
    text = decode(data)
    records = _records(text)
    lines: list[StatementLine] = []
    problems: list[RowProblem] = []
    for record in records:
        line = _line(record)
        if isinstance(line, RowProblem):
            problems.append(line)
        else:
            lines.append(line)
    return Statement(tuple(lines), tuple(problems))


def _records(text: str) -> list[_Record]:
    records: list[_Record] = []
    section: str | None = None
    current: _Record | None = None
    for number, raw in enumerate(text_lines(text), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("!"):
            section = _section(line, section)
            current = None
            continue
        if section is None:
            raise UnreadableFileError(f"is not QIF: line {number} comes before any !Type header")
        if section not in _BANK_TYPES:
            continue
        if line.startswith("^"):
            if current is not None:
                records.append(current)
            current = None
            continue
        if current is None:
            current = _Record(number)
        code, value = line[0], line[1:].strip()
        current.fields.setdefault(code, value)
    if current is not None and current.fields:
        records.append(current)
    return records


def _section(line: str, section: str | None) -> str | None:
    header = line[1:].strip().lower()
    if header.startswith("type:"):
        kind = header[5:].strip()
        if kind == "invst":
            raise UnreadableFileError("is an investment QIF: only bank accounts are imported")
        return kind
    if header.startswith("option") or header.startswith("clear"):
        return section
    return header  # !Account and friends: their records are not transactions


def _line(record: _Record) -> StatementLine | RowProblem:
    fields = record.fields
    raw_date = fields.get("D")
    if raw_date is None:
        return RowProblem(record.position, "has no date (D)")
    day = parse_qif_date(raw_date)
    if day is None:
        return RowProblem(record.position, f"date {raw_date[:40]!r} is not MM/DD/YYYY or M/D'YY")
    raw_amount = fields.get("T", fields.get("U"))
    if raw_amount is None:
        return RowProblem(record.position, "has no amount (T or U)")
    amount = parse_number(raw_amount)
    if amount is None:
        return RowProblem(record.position, f"amount {raw_amount[:40]!r} is not a number")
    category = fields.get("L", "")
    if category.startswith("["):
        category = ""
    return StatementLine(
        record.position,
        day,
        amount,
        payee=fields.get("P", ""),
        description=fields.get("M", ""),
        category=category.split(":")[-1].strip() or None,
    )


def parse_qif_date(text: str) -> dt.date | None:
    """``MM/DD/YYYY``, ``M/D/YY`` (19YY) or ``M/D'YY`` (20YY); None when it is none of them
    or no such day exists."""
    found = _DATE.fullmatch(text.replace(" ", ""))
    if found is None:
        return None
    month, day, separator, year_text = found.groups()
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000 if separator == "'" else 1900
    try:
        return dt.date(year, int(month), int(day))
    except ValueError:
        return None
