"""Pieces the wire shapes share: the strict request base, "not sent" handling, money text."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, TypeVar
from uuid import UUID

import msgspec

from budget.domain.model.ids import CategoryId
from budget.domain.services.accounts import UNSET, Unset

T = TypeVar("T")

MONEY_RULE = (
    "Money: a JSON string holding a plain decimal with at most the currency's ISO 4217 "
    "decimals; no exponent, NaN or Infinity; absolute value at most 1000000000000."
)

MoneyOut = Annotated[str, msgspec.Meta(description="Exactly the currency's decimals")]
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
