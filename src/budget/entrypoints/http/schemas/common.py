"""Pieces the wire shapes share: the strict request base, "not sent" handling, money text.

Every string a request carries is at least ``Text``: no NUL character (PostgreSQL cannot
store one, so it must be a 422 here rather than a 500 in the database). The patterns are
JSON Schema (ECMA-262) and Python regular expressions at once, so msgspec enforces exactly
what the OpenAPI document states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Annotated, Any, ClassVar, TypeVar
from uuid import UUID

import msgspec

from budget.domain.model.currency import ISO_4217_EXPONENTS, UNKNOWN_CURRENCY_DETAIL
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.patch import UNSET, Unset

T = TypeVar("T")

NO_NUL_PATTERN = r"^[^\x00]*$"
MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
# An address character: not "@", a control character or whitespace, spelled out so that
# ECMA-262 and Python agree on it (their "\s" differ); the domain trims, then checks the rest.
_ADDRESS = r"[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
EMAIL_PATTERN = rf"^[ \t\r\n]*{_ADDRESS}+@{_ADDRESS}+\.{_ADDRESS}+[ \t\r\n]*$"

PATTERN_DETAILS: dict[str, str] = {
    NO_NUL_PATTERN: "must not contain the NUL character (\\u0000)",
    MONEY_PATTERN: (
        'must be a plain decimal number such as "12.50": an optional leading "-", digits, '
        'and optionally "." followed by digits'
    ),
    CURRENCY_PATTERN: "must be an ISO 4217 currency code such as EUR",
    COLOR_PATTERN: "must be a colour like #1a2b3c",
    EMAIL_PATTERN: "must be a valid e-mail address",
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

# mypy cannot list members made from a table; it still checks the type as a StrEnum (a str).
CurrencyCode = StrEnum(  # type: ignore[misc]
    "CurrencyCode", {code: code for code in sorted(ISO_4217_EXPONENTS)}
)
"""Every ISO 4217 code the domain knows, so the OpenAPI document lists them as an ``enum``.

A member is a ``str`` (``CurrencyCode("EUR") == "EUR"``); the use cases take it as the code.
"""

CurrencyText = CurrencyCode
"""A request's currency: a known ISO 4217 code, upper case (an unknown one is a 422)."""

ENUM_DETAILS: dict[type[Enum], str] = {CurrencyCode: UNKNOWN_CURRENCY_DETAIL}
"""What a value outside an enum means, in words, where "must be one of ..." would not fit."""

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


def read_only(description: str) -> msgspec.Meta:
    """A response field's documentation, marked ``readOnly``: request bodies do not take it
    (sending it is a 422, like any field a body does not know)."""
    return msgspec.Meta(
        description=f"{description} (read-only)", extra_json_schema={"extra": {"read_only": True}}
    )


@dataclass(frozen=True, slots=True)
class BodyRule:
    """A rule on a request body's own shape that msgspec cannot state: a field's value that
    no constraint describes (a count of 0 or 2-50) or a combination of fields.

    ``check`` gets the values of ``fields`` in that order (``msgspec.UNSET`` for a PATCH
    field not sent, the default for a create field not sent) and raises the domain's
    ``RuleViolationError`` naming the body fields at fault. It runs only when each of
    ``fields`` is valid on its own (the contract, Part II), before the use case looks
    anything up, so such a 422 comes before a 404 or a 403.
    """

    fields: tuple[str, ...]
    check: Callable[..., Any]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies: unknown and read-only fields are rejected with 422.

    A body may list ``RULES``: what its own shape must satisfy beyond each field's msgspec
    constraints (checked before anything is looked up, ``http/validation.py``).
    """

    RULES: ClassVar[tuple[BodyRule, ...]] = ()


def unset(value: T | msgspec.UnsetType) -> T | Unset:
    """msgspec's "not sent" marker, as the use cases' ``UNSET``."""
    return UNSET if isinstance(value, msgspec.UnsetType) else value


def sent_or_none(value: T | msgspec.UnsetType) -> T | None:
    """The sent value, or ``None`` when the field was not sent."""
    return None if isinstance(value, msgspec.UnsetType) else value


def category_ref(value: UUID | None) -> CategoryId | None:
    return None if value is None else CategoryId(value)


HouseholdRef = Annotated[
    UUID,
    msgspec.Meta(
        description=(
            "The household it goes to (default: your default_household_id): one you are a"
            " member of (else 422), as an owner or editor (a viewer gets 403)"
        )
    ),
]
HouseholdOut = Annotated[UUID, msgspec.Meta(description="The household it belongs to (read-only)")]


def household_ref(value: UUID | None) -> HouseholdId | None:
    return None if value is None else HouseholdId(value)
