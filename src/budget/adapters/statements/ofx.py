"""OFX statements (1.x SGML, 2.x XML, and Quicken's QFX) with ``ofxtools``.

ofxtools' ``TreeBuilder`` turns the body into elements with a tag regex (no XML parser, so
no entities and no external references to resolve), and each ``STMTTRN`` is converted and
validated on its own (``Aggregate.from_etree``), so a bad entry is a bad row, not a bad
file. Entries are numbered from 1 in document order. ``DTPOSTED``'s own calendar day is
the date (ofxtools would shift it to UTC); the statement's ``CURDEF`` is the currency;
``FITID`` the import id; ``NAME`` (or ``PAYEE/NAME``) the payee; ``MEMO`` the description.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from functools import cache
from typing import Any
from xml.etree.ElementTree import Element

from budget.domain.model.statement import (
    RowProblem,
    Statement,
    StatementLine,
    UnreadableFileError,
)

from .decoding import decode

_START = re.compile(r"\s*(OFXHEADER|<\?xml|<\?OFX|<OFX>)", re.IGNORECASE)
_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")
_STATEMENTS = ("STMTRS", "CCSTMTRS")


def read_ofx(data: bytes) -> Statement:
    text = decode(data)
    if not _START.match(text):
        raise UnreadableFileError("is not OFX: it has no OFX header")
    body_at = text.find("<OFX>")
    if body_at < 0:
        raise UnreadableFileError("is not OFX: it has no <OFX> element")
    root = _tree(text[body_at:])
    lines: list[StatementLine] = []
    problems: list[RowProblem] = []
    position = 0
    for statement in (s for s in root.iter() if s.tag in _STATEMENTS):
        currency = (statement.findtext("CURDEF") or "").strip() or None
        for entry in statement.iter("STMTTRN"):
            position += 1
            line = _line(position, entry, currency)
            if isinstance(line, RowProblem):
                problems.append(line)
            else:
                lines.append(line)
    return Statement(tuple(lines), tuple(problems))


@cache
def _builder_class() -> type[Any]:
    """ofxtools' builder, refusing an end tag that closes another element than the last
    one opened (ElementTree's builder does not check). ofxtools is imported here, on the
    first OFX file: importing its models costs a server worker seconds at start."""
    from ofxtools.Parser import TreeBuilder

    class NestingTreeBuilder(TreeBuilder):
        def __init__(self) -> None:
            super().__init__()
            self._open: list[str] = []

        def start(self, tag: str, attrs: dict[str, str]) -> Element:
            self._open.append(tag)
            return super().start(tag, attrs)

        def end(self, tag: str) -> Element:
            if not self._open or self._open.pop() != tag:
                raise ValueError(f"</{tag}> does not close the element open there")
            return super().end(tag)

    return NestingTreeBuilder


def _tree(body: str) -> Element:
    builder = _builder_class()()
    try:
        builder.feed(body)
        root: Element | None = builder.close()
    except Exception as error:  # ofxtools raises ParseError, IndexError, AssertionError ...
        raise UnreadableFileError(f"is not valid OFX markup: {_short(error)}") from None
    if root is None or root.tag != "OFX":
        raise UnreadableFileError("is not valid OFX markup")
    return root


def _line(position: int, entry: Element, currency: str | None) -> StatementLine | RowProblem:
    posted = (entry.findtext("DTPOSTED") or "").strip()
    day = _day(posted)
    if day is None:
        return RowProblem(position, f"DTPOSTED {posted[:40]!r} is not a date")
    from ofxtools.models.base import Aggregate

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # private tags (INTU.*) are skipped with a warning
            converted = Aggregate.from_etree(entry)
    except Exception as error:  # ofxtools validation errors come in many types
        return RowProblem(position, f"is not a valid STMTTRN: {_short(error)}")
    payee = converted.name or (converted.payee.name if converted.payee is not None else "")
    return StatementLine(
        position,
        day,
        converted.trnamt,
        payee=payee or "",
        description=converted.memo or "",
        currency=currency,
        import_id=(converted.fitid or "").strip() or None,
    )


def _day(text: str) -> dt.date | None:
    found = _DAY.match(text)
    if found is None:
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def _short(error: Exception) -> str:
    return (str(error) or type(error).__name__)[:200]
