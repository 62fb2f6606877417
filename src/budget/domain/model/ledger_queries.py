"""Read-side queries of the ledger: list filters, sort allow-lists and keyset positions.

The opaque cursors that carry a keyset position between pages are in ``cursor.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import AccountType
from budget.domain.model.category import CategoryKind
from budget.domain.model.currency import UNKNOWN_CURRENCY_DETAIL, is_known_currency
from budget.domain.model.ids import AccountId, CategoryId, TransactionId
from budget.domain.model.money import parse_decimal, scale_to_minor_ceil, scale_to_minor_floor
from budget.domain.model.paging import DEFAULT_LIMIT, PageRequest
from budget.domain.model.transaction import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TAG_LENGTH,
    Transaction,
    TransactionType,
    is_valid_tag,
)

ACCOUNT_SORTS = ("name", "created_at", "balance")
CATEGORY_SORTS = ("name", "created_at")
DEFAULT_ACCOUNT_SORT = "name"
DEFAULT_CATEGORY_SORT = "name"
DEFAULT_TRANSACTION_SORT = "-date"

AmountBound = tuple[int, int]
"""An amount filter as ``parse_decimal`` reads it: ``(unscaled, decimals)``."""

SortValue = dt.date | dt.datetime | int
"""A transaction's value for a sort key: its date, its creation time or its amount."""


@dataclass(frozen=True, slots=True)
class _SortField:
    """One transaction sort key: the value compared (amounts in minor units), and how the
    text of that value in a cursor reads back."""

    value: Callable[[Transaction], SortValue]
    parse: Callable[[str], SortValue]


_TRANSACTION_SORT_FIELDS: dict[str, _SortField] = {
    "date": _SortField(lambda txn: txn.date, dt.date.fromisoformat),
    "amount": _SortField(lambda txn: txn.amount.minor, int),
    "created_at": _SortField(lambda txn: txn.created_at, dt.datetime.fromisoformat),
}
TRANSACTION_SORTS = tuple(_TRANSACTION_SORT_FIELDS)


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
        # A split transaction counts under each part's category (section 10).
        if self.category_id is not None and self.category_id not in txn.categories:
            return False
        if self.uncategorized and (None not in txn.categories or txn.to_account_id is not None):
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
    return _sort_field(field).value(txn)


def parse_sort_value(text: str, field: str) -> SortValue:
    """Read back the text of a ``field`` sort value.

    Raises:
        ValueError: when ``text`` does not fit ``field``, or ``field`` is no sort key.
    """
    return _sort_field(field).parse(text)


def _sort_field(field: str) -> _SortField:
    try:
        return _TRANSACTION_SORT_FIELDS[field]
    except KeyError:
        raise ValueError(f"not a transaction sort field: {field}") from None


@dataclass(frozen=True, slots=True)
class Keyset:
    """Where the previous page ended; the next page starts strictly after it in sort order."""

    value: SortValue
    last_id: TransactionId
