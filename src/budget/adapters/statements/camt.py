"""CAMT.053 bank statements (ISO 20022 ``BkToCstmrStmt``, any version) with ``defusedxml``:
a document type declaration, entities or external references are refused (no XXE, no
billion laughs).

Entries (``Ntry``) are numbered from 1 in document order. ``BookgDt/Dt`` (or ``DtTm``) is
the date, ``Amt`` with its ``Ccy`` the amount, signed by ``CdtDbtInd`` (``DBIT``
negative); the counterparty's name (``Cdtr`` for debits, ``Dbtr`` for credits) the payee;
``RmtInf/Ustrd`` the description; ``AcctSvcrRef``, else ``NtryRef``, else ``EndToEndId``
the import id. Elements are matched by local name, whatever the namespace version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from budget.domain.model.statement import (
    RowProblem,
    Statement,
    StatementLine,
    UnreadableFileError,
)

from .decoding import decode, parse_number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _local(child.tag) == name)


def _find(element: Element | None, *path: str) -> Element | None:
    for name in path:
        if element is None:
            return None
        element = next(_children(element, name), None)
    return element


def _text(element: Element | None, *path: str) -> str:
    found = _find(element, *path)
    return "" if found is None or found.text is None else found.text.strip()


def _descendants(element: Element, name: str) -> Iterator[Element]:
    return (e for e in element.iter() if _local(e.tag) == name)


def read_camt(data: bytes) -> Statement:
    text = decode(data)
    try:
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UnreadableFileError("declares a document type or entities: refused") from None
    except (ParseError, ValueError) as error:
        raise UnreadableFileError(f"is not well-formed XML: {str(error)[:200]}") from None
    statements = list(_descendants(root, "Stmt"))
    if _local(root.tag) != "Document" or not statements:
        raise UnreadableFileError("is not a CAMT.053 statement (no Document/BkToCstmrStmt/Stmt)")
    lines: list[StatementLine] = []
    problems: list[RowProblem] = []
    position = 0
    for statement in statements:
        account_currency = _text(statement, "Acct", "Ccy") or None
        for entry in _children(statement, "Ntry"):
            position += 1
            line = _line(position, entry, account_currency)
            if isinstance(line, RowProblem):
                problems.append(line)
            else:
                lines.append(line)
    return Statement(tuple(lines), tuple(problems))


def _line(
    position: int, entry: Element, account_currency: str | None
) -> StatementLine | RowProblem:
    amount_element = _find(entry, "Amt")
    raw_amount = "" if amount_element is None else (amount_element.text or "").strip()
    amount = parse_number(raw_amount) if "," not in raw_amount else None
    if amount is None:
        return RowProblem(position, f"Amt {raw_amount[:40]!r} is not a number")
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in {"CRDT", "DBIT"}:
        return RowProblem(position, "CdtDbtInd must be CRDT or DBIT")
    debit = indicator == "DBIT"
    raw_day = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")[:10]
    try:
        day = dt.date.fromisoformat(raw_day[:10])
    except ValueError:
        return RowProblem(position, f"BookgDt {raw_day[:40]!r} is not a date")
    currency = None if amount_element is None else amount_element.get("Ccy")
    details = _find(entry, "NtryDtls", "TxDtls")
    return StatementLine(
        position,
        day,
        -abs(amount) if debit else abs(amount),
        payee=_party(details, "Cdtr" if debit else "Dbtr"),
        description=" ".join(
            (e.text or "").strip() for e in _descendants(entry, "Ustrd") if e.text
        ),
        currency=currency or account_currency,
        import_id=_import_id(entry, details),
    )


def _party(details: Element | None, role: str) -> str:
    parties = _find(details, "RltdPties")
    return _text(parties, role, "Nm") or _text(parties, role, "Pty", "Nm")


def _import_id(entry: Element, details: Element | None) -> str | None:
    for value in (
        _text(entry, "AcctSvcrRef"),
        _text(entry, "NtryRef"),
        _text(details, "Refs", "EndToEndId"),
    ):
        if value and value.upper() != "NOTPROVIDED":
            return value
    return None
