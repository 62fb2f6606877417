"""Keyset cursors: the opaque, signed tokens that carry a list's position between pages.

A cursor is ``base64url(json payload) "." base64url(HMAC-SHA256)``. The payload holds the
last item's sort value and id, and a fingerprint of the user, the sort, the filters and the
household, so a cursor only works for the list that issued it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from uuid import UUID

from budget.domain.errors import RuleViolationError
from budget.domain.model.ids import HouseholdId, TransactionId, UserId
from budget.domain.model.ledger_queries import (
    Keyset,
    TransactionFilters,
    parse_sort_value,
    sort_value,
)
from budget.domain.model.paging import Sort
from budget.domain.model.transaction import Transaction

MAX_CURSOR_LENGTH = 1024
MIN_CURSOR_KEY_BYTES = 16
INVALID_CURSOR = "is not a valid cursor"
FOREIGN_CURSOR = "was issued for another list: reuse it only with the same sort and filters"


@dataclass(frozen=True, slots=True)
class Cursor:
    """The content of an opaque cursor: last sort value (as text), last id, list fingerprint."""

    key: str
    last_id: UUID
    fingerprint: str

    @classmethod
    def after(cls, txn: Transaction, sort: Sort, fingerprint: str) -> Cursor:
        """The cursor of the page that follows ``txn``."""
        value = sort_value(txn, sort.field)
        key = str(value) if isinstance(value, int) else value.isoformat()
        return cls(key, txn.id, fingerprint)

    def keyset(self, sort: Sort) -> Keyset:
        """The typed position for ``sort``.

        Raises:
            RuleViolationError: on ``cursor`` when the key does not fit the sort field.
        """
        try:
            return Keyset(parse_sort_value(self.key, sort.field), TransactionId(self.last_id))
        except ValueError:
            raise RuleViolationError.on_query("cursor", INVALID_CURSOR) from None


def fingerprint(
    user_id: UserId,
    sort: Sort,
    filters: TransactionFilters,
    household_id: HouseholdId | None = None,
) -> str:
    """A short digest naming one list: who asked, its sort, its filters and its household
    (None: all of the caller's)."""
    described = {
        "owner": str(user_id),
        "household": None if household_id is None else str(household_id),
        "sort": [sort.field, sort.descending],
        "filters": asdict(filters),
    }
    text = json.dumps(described, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def encode_cursor(cursor: Cursor, key: bytes) -> str:
    """Sign and encode ``cursor`` with ``key`` (HMAC-SHA256)."""
    _check_key(key)
    payload = json.dumps(
        [cursor.key, str(cursor.last_id), cursor.fingerprint], separators=(",", ":")
    ).encode()
    mac = hmac.new(key, payload, hashlib.sha256).digest()
    return f"{_b64encode(payload)}.{_b64encode(mac)}"


def decode_cursor(text: str, key: bytes, expected_fingerprint: str) -> Cursor:
    """Verify and read a cursor issued for the list named by ``expected_fingerprint``.

    Raises:
        RuleViolationError: on ``cursor`` when it is malformed, forged, or was issued for
            another user, sort or set of filters.
    """
    _check_key(key)
    cursor = _read_payload(_verified_payload(text, key))
    if cursor.fingerprint != expected_fingerprint:
        raise RuleViolationError.on_query("cursor", FOREIGN_CURSOR)
    return cursor


def _read_payload(payload: bytes) -> Cursor:
    try:
        parts = json.loads(payload)
    except ValueError:
        raise RuleViolationError.on_query("cursor", INVALID_CURSOR) from None
    if not (isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts)):
        raise RuleViolationError.on_query("cursor", INVALID_CURSOR)
    try:
        return Cursor(parts[0], UUID(parts[1]), parts[2])
    except ValueError:
        raise RuleViolationError.on_query("cursor", INVALID_CURSOR) from None


def _verified_payload(text: str, key: bytes) -> bytes:
    if not isinstance(text, str) or len(text) > MAX_CURSOR_LENGTH or text.count(".") != 1:
        raise RuleViolationError.on_query("cursor", INVALID_CURSOR)
    body, signature = text.split(".")
    try:
        payload, mac = _b64decode(body), _b64decode(signature)
    except (ValueError, binascii.Error):
        raise RuleViolationError.on_query("cursor", INVALID_CURSOR) from None
    expected = hmac.new(key, payload, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        raise RuleViolationError.on_query("cursor", INVALID_CURSOR)
    return payload


def _check_key(key: bytes) -> None:
    if len(key) < MIN_CURSOR_KEY_BYTES:
        raise ValueError(f"the cursor key must be at least {MIN_CURSOR_KEY_BYTES} bytes")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
