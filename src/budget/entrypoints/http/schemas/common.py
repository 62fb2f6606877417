"""Pieces the wire shapes share: the strict request base, "not sent" handling, money text.

Every string a request carries is at least ``Text``: no NUL character (PostgreSQL cannot
store one, so it must be a 422 here rather than a 500 in the database). The patterns are
JSON Schema (ECMA-262) and Python regular expressions at once, so msgspec enforces exactly
what the OpenAPI document states.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypeVar
from uuid import UUID

import msgspec

from budget.domain.model.ids import CategoryId
from budget.domain.model.patch import UNSET, Unset

T = TypeVar("T")

NO_NUL_PATTERN = r"^[^\x00]*$"
MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"

PATTERN_DETAILS: dict[str, str] = {
    NO_NUL_PATTERN: "must not contain the NUL character (\\u0000)",
    MONEY_PATTERN: (
        'must be a plain decimal number such as "12.50": an optional leading "-", digits, '
        'and optionally "." followed by digits'
    ),
    CURRENCY_PATTERN: "must be an ISO 4217 currency code such as EUR",
    COLOR_PATTERN: "must be a colour like #1a2b3c",
}
"""What a broken pattern means, in words, for the problem details (keyed by pattern)."""

MONEY_RULE = (
    "Money: a JSON string holding a plain decimal with at most the currency's ISO 4217 "
    "decimals; no exponent, NaN or Infinity; absolute value at most 1000000000000."
)

Text = Annotated[str, msgspec.Meta(pattern=NO_NUL_PATTERN)]
"""Any request string: Unicode without NUL; fields add their own limits on top."""

MoneyText = Annotated[str, msgspec.Meta(pattern=MONEY_PATTERN)]
"""A request amount: a plain decimal string (the use cases check decimals and range)."""

CurrencyText = Annotated[str, msgspec.Meta(pattern=CURRENCY_PATTERN)]
"""Three upper-case letters (the domain checks that the code exists)."""

MoneyOut = Annotated[
    str,
    msgspec.Meta(
        pattern=MONEY_PATTERN,
        description="A decimal string with exactly the currency's decimals",
        examples=["12.50"],
    ),
]
"""A response amount (the pattern documents what we print; responses are never decoded)."""
Timestamp = Annotated[dt.datetime, msgspec.Meta(description="RFC 3339, UTC")]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies: unknown and read-only fields are rejected with 422."""


def unset(value: T | msgspec.UnsetType) -> T | Unset:
    """msgspec's "not sent" marker, as the use cases' ``UNSET``."""
    return UNSET if isinstance(value, msgspec.UnsetType) else value


def sent_or_none(value: T | msgspec.UnsetType) -> T | None:
    """The sent value, or ``None`` when the field was not sent."""
    return None if isinstance(value, msgspec.UnsetType) else value


def category_ref(value: UUID | None) -> CategoryId | None:
    return None if value is None else CategoryId(value)
