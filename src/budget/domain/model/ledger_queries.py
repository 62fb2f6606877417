"""Read-side queries of the ledger: list filters, sort allow-lists and keyset cursors.

A cursor is opaque to clients: ``base64url(json payload) "." base64url(HMAC-SHA256)``.
The payload holds the last item's sort value and id, and a fingerprint of the owner, the
sort and the filters, so a cursor only works for the list that issued it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from uuid import UUID

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import AccountType
from budget.domain.model.category import CategoryKind
from budget.domain.model.currency import UNKNOWN_CURRENCY_DETAIL, is_known_currency
from budget.domain.model.ids import AccountId, CategoryId, TransactionId, UserId
from budget.domain.model.money import parse_decimal, scale_to_minor_ceil, scale_to_minor_floor
from budget.domain.model.paging import DEFAULT_LIMIT, PageRequest, Sort
from budget.domain.model.transaction import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TAG_LENGTH,
    Transaction,
    TransactionType,
    is_valid_tag,
)

ACCOUNT_SORTS = ("name", "created_at", "balance")
CATEGORY_SORTS = ("name", "created_at")
TRANSACTION_SORTS = ("date", "amount", "created_at")
DEFAULT_ACCOUNT_SORT = "name"
DEFAULT_CATEGORY_SORT = "name"
DEFAULT_TRANSACTION_SORT = "-date"

MAX_CURSOR_LENGTH = 1024
MIN_CURSOR_KEY_BYTES = 16
INVALID_CURSOR = "is not a valid cursor"
FOREIGN_CURSOR = "was issued for another list: reuse it only with the same sort and filters"

AmountBound = tuple[int, int]
"""An amount filter as ``parse_decimal`` reads it: ``(unscaled, decimals)``."""

SortValue = dt.date | dt.datetime | int
"""A transaction's value for a sort key: its date, its creation time or its amount."""


@dataclass(frozen=True, slots=True)
class AccountFilters:
    """Account list filters; None means "any".

    Raises:
        RuleViolationError: on the query parameter ``currency`` for an unknown code.
    """

    archived: bool | None = None
    type: AccountType | None = None
    currency: str | None = None

    def __post_init__(self) -> None:
        if self.currency is not None and not is_known_currency(self.currency):
            raise RuleViolationError.on_query("currency", UNKNOWN_CURRENCY_DETAIL)


@dataclass(frozen=True, slots=True)
class CategoryFilters:
    """Category list filters; None means "any" (``parent_id`` lists one parent's children)."""

    kind: CategoryKind | None = None
    parent_id: CategoryId | None = None
    archived: bool | None = None


def parse_amount_bound(text: str, parameter: str) -> AmountBound:
    """Read ``min_amount`` or ``max_amount``: a plain decimal, any number of decimals.

    Raises:
        RuleViolationError: on the query parameter for a malformed or out-of-range value.
    """
    try:
        return parse_decimal(text, field=parameter)
    except RuleViolationError as error:
        raise RuleViolationError.on_query(parameter, error.problems[0].detail) from None


@dataclass(frozen=True, slots=True)
class TransactionFilters:
    """Transaction list filters, all combinable; contradictory ones simply match nothing.

    ``account_id`` matches either side of a transfer; ``uncategorized`` keeps income and
    expenses without a category; dates and amounts are inclusive; ``q`` is a
    case-insensitive substring of description or payee; ``tag`` an exact tag.

    Raises:
        RuleViolationError: on query parameters ``date_to``, ``max_amount``, ``q``, ``tag``.
    """

    account_id: AccountId | None = None
    category_id: CategoryId | None = None
    uncategorized: bool = False
    type: TransactionType | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    min_amount: AmountBound | None = None
    max_amount: AmountBound | None = None
    q: str | None = None
    tag: str | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise RuleViolationError.on_query("date_to", "must not be before date_from")
        if self.min_amount and self.max_amount and _above(self.min_amount, self.max_amount):
            raise RuleViolationError.on_query("max_amount", "must not be below min_amount")
        if self.q is not None and len(self.q) > MAX_DESCRIPTION_LENGTH:
            raise RuleViolationError.on_query(
                "q", f"must be at most {MAX_DESCRIPTION_LENGTH} characters"
            )
        if self.tag is not None and not is_valid_tag(self.tag):
            raise RuleViolationError.on_query("tag", f"must be 1 to {MAX_TAG_LENGTH} characters")

    def min_minor(self, exponent: int) -> int | None:
        """``min_amount`` in minor units of a currency with ``exponent`` decimals (rounded up)."""
        return None if self.min_amount is None else scale_to_minor_ceil(*self.min_amount, exponent)

    def max_minor(self, exponent: int) -> int | None:
        """``max_amount`` in minor units of a currency with ``exponent`` decimals (rounded down)."""
        return None if self.max_amount is None else scale_to_minor_floor(*self.max_amount, exponent)

    def matches(self, txn: Transaction) -> bool:
        """Whether ``txn`` passes every filter (the reference the SQL adapter must agree with)."""
        return self._matches_links(txn) and self._matches_values(txn) and self._matches_text(txn)

    def _matches_links(self, txn: Transaction) -> bool:
        if self.account_id is not None and self.account_id not in (
            txn.account_id,
            txn.to_account_id,
        ):
            return False
        if self.category_id is not None and txn.category_id != self.category_id:
            return False
        if self.uncategorized and (txn.category_id is not None or txn.to_account_id is not None):
            return False
        return self.type is None or txn.type is self.type

    def _matches_values(self, txn: Transaction) -> bool:
        low, high = self.min_minor(txn.currency.exponent), self.max_minor(txn.currency.exponent)
        return not (
            (self.date_from is not None and txn.date < self.date_from)
            or (self.date_to is not None and txn.date > self.date_to)
            or (low is not None and txn.amount.minor < low)
            or (high is not None and txn.amount.minor > high)
        )

    def _matches_text(self, txn: Transaction) -> bool:
        if self.tag is not None and self.tag not in txn.tags:
            return False
        if not self.q:
            return True
        needle = self.q.lower()
        return needle in txn.description.lower() or needle in txn.payee.lower()


def _above(left: AmountBound, right: AmountBound) -> bool:
    scale = max(left[1], right[1])
    return _rescaled(left, scale) > _rescaled(right, scale)


def _rescaled(bound: AmountBound, decimals: int) -> int:
    unscaled, own = bound
    return unscaled * int(10 ** (decimals - own))


@dataclass(frozen=True, slots=True)
class TransactionPaging:
    """How a transaction list is paged: by ``offset``, or by a ``cursor`` from a previous page.

    Raises:
        RuleViolationError: on ``cursor`` when combined with ``offset``; on ``limit`` or
            ``offset`` when out of range.
    """

    limit: int = DEFAULT_LIMIT
    offset: int | None = None
    cursor: str | None = None

    def __post_init__(self) -> None:
        if self.cursor is not None and self.offset is not None:
            raise RuleViolationError.on_query("cursor", "cannot be combined with offset")
        self.page_request()

    def page_request(self) -> PageRequest:
        """The offset page (offset 0 when none was given)."""
        return PageRequest(self.limit, self.offset or 0)


def sort_value(txn: Transaction, field: str) -> SortValue:
    """The value ``txn`` is sorted by under ``field`` (amounts compare in minor units)."""
    if field == "date":
        return txn.date
    if field == "amount":
        return txn.amount.minor
    if field == "created_at":
        return txn.created_at
    raise ValueError(f"not a transaction sort field: {field}")


def _parse_sort_value(text: str, field: str) -> SortValue:
    if field == "date":
        return dt.date.fromisoformat(text)
    if field == "amount":
        return int(text)
    if field == "created_at":
        return dt.datetime.fromisoformat(text)
    raise ValueError(f"not a transaction sort field: {field}")


@dataclass(frozen=True, slots=True)
class Keyset:
    """Where the previous page ended; the next page starts strictly after it in sort order."""

    value: SortValue
    last_id: TransactionId


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
            return Keyset(_parse_sort_value(self.key, sort.field), TransactionId(self.last_id))
        except ValueError:
            raise RuleViolationError.on_query("cursor", INVALID_CURSOR) from None


def fingerprint(owner_id: UserId, sort: Sort, filters: TransactionFilters) -> str:
    """A short digest naming one list: its owner, its sort and its filters."""
    described = {
        "owner": str(owner_id),
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
