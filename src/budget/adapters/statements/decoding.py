"""Text from statement bytes: UTF-8 (with or without a byte order mark) first, then the
charset the file declares, then Windows-1252; never binary junk."""

from __future__ import annotations

import codecs
import io
import re
from decimal import Decimal, InvalidOperation

from budget.domain.model.statement import UnreadableFileError

_DECLARED = (
    re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']"),  # XML declaration
    re.compile(rb"^CHARSET:\s*([A-Za-z0-9._-]{1,40})\s*$", re.MULTILINE),  # OFX 1.x header
)
_OFX_CHARSETS = {"1252": "cp1252", "NONE": "", "ISO-8859-1": "latin-1"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MAX_NUMBER_TEXT = 64


def declared_charset(data: bytes) -> str | None:
    """The charset the file's head declares (an XML declaration, an OFX 1.x header)."""
    head = data[:2048]
    for pattern in _DECLARED:
        found = pattern.search(head)
        if found:
            name = found.group(1).decode("ascii").upper()
            return _OFX_CHARSETS.get(name, name) or None
    return None


def decode(data: bytes) -> str:
    """The file's text (see the module).

    Raises:
        UnreadableFileError: the bytes are empty, or no encoding yields text without
            control characters (NUL bytes, binary junk, UTF-16).
    """
    if not data.strip():
        raise UnreadableFileError("is empty")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    text = _first_decoding(data)
    if text is None or _CONTROL.search(text):
        raise UnreadableFileError(
            "is not a text file in UTF-8, its declared charset or Windows-1252"
        )
    return text


def _first_decoding(data: bytes) -> str | None:
    candidates = ["utf-8"]
    declared = declared_charset(data)
    if declared:
        candidates.append(declared)
    candidates.append("cp1252")
    for name in candidates:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def text_lines(text: str) -> list[str]:
    """The lines of ``text``, ends kept, split at ``\\r\\n``, ``\\r`` or ``\\n`` only (not at
    the other separators ``str.splitlines`` knows, which a cell may hold)."""
    return io.StringIO(text, newline="").readlines()


def parse_number(text: str, decimal_separator: str = ".") -> Decimal | None:
    """A plain decimal as banks print it: an optional sign (or parentheses for a negative),
    thousands separators (the other of ``.``/``,``, spaces, apostrophes); None otherwise."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not cleaned or len(cleaned) > MAX_NUMBER_TEXT:
        return None
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    thousands = "," if decimal_separator == "." else "."
    cleaned = cleaned.replace(thousands, "").replace("'", "")
    if decimal_separator == ",":
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return -value if negative else value
