"""Wire shapes of exchange rates (msgspec).

A rate travels as a plain decimal string (``"1.0825"``); a JSON number, an exponent, zero,
a negative or more than 12 significant digits is a 422 on ``#/rate`` (``#/items/<i>/rate``
in a batch), and the answer echoes it normalised (``"1.5"``, ``"100"``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.errors import FieldProblem, RuleViolationError
from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import (
    MAX_RATE_LENGTH,
    MAX_SIGNIFICANT_DIGITS,
    RATE_PATTERN,
    ExchangeRate,
    Rate,
    RateKey,
    check_pair,
)
from budget.domain.ports.exchange_rates import UpsertCounts
from budget.domain.services.exchange_rates import (
    DUPLICATE_IN_BATCH_DETAIL,
    MAX_BATCH,
    RateDraft,
)
from budget.entrypoints.http.schemas.common import (
    BodyRule,
    CurrencyText,
    HouseholdOut,
    HouseholdRef,
    Strict,
    Timestamp,
)
from budget.entrypoints.http.schemas.paging import Page

RateText = Annotated[
    str,
    msgspec.Meta(
        pattern=RATE_PATTERN,
        max_length=MAX_RATE_LENGTH,
        description=(
            "1 base = rate quote: a positive plain decimal string with at most "
            f"{MAX_SIGNIFICANT_DIGITS} significant digits (leading and trailing zeros do not "
            "count), no exponent"
        ),
        examples=["1.0825"],
    ),
]
RateOut = Annotated[
    str,
    msgspec.Meta(
        description=(
            "The rate normalised: no trailing fractional zeros, no bare point, no exponent"
        ),
        examples=["1.5"],
    ),
]
Base = Annotated[CurrencyText, msgspec.Meta(description="ISO 4217 code of the priced currency")]
Quote = Annotated[
    CurrencyText, msgspec.Meta(description="ISO 4217 code the rate is in; must differ from base")
]
Day = Annotated[dt.date, msgspec.Meta(description="The day the rate holds for (YYYY-MM-DD)")]


def _rate_rule(rate: str) -> None:
    Rate.parse(rate)


def _pair_rule(base: str, quote: str) -> None:
    check_pair(Currency.of(str(base)), Currency.of(str(quote)))


RATE_RULES = (BodyRule(("rate",), _rate_rule), BodyRule(("base", "quote"), _pair_rule))
"""A rate's own rules: its value (one field) and its two currencies (a combination)."""


class ExchangeRateCreate(Strict):
    base: Base
    quote: Quote
    date: Day
    rate: RateText
    household_id: HouseholdRef | None = None

    RULES = RATE_RULES

    def draft(self) -> RateDraft:
        return RateDraft(str(self.base), str(self.quote), self.date, self.rate)


class ExchangeRateItem(Strict):
    base: Base
    quote: Quote
    date: Day
    rate: RateText

    RULES = RATE_RULES

    def draft(self) -> RateDraft:
        return RateDraft(str(self.base), str(self.quote), self.date, self.rate)


def _items_rules(items: list[ExchangeRateItem]) -> None:
    """Each item's own rules (when the items decoded, these run here; when one did not,
    the item-by-item check runs ``ExchangeRateItem.RULES``), then, once every item is
    valid, no (base, quote, date) twice."""
    found: list[FieldProblem] = []
    for index, item in enumerate(items):
        found += item.draft().problems(f"items.{index}.")
    if found:
        raise RuleViolationError(*found)
    seen: set[RateKey] = set()
    for index, item in enumerate(items):
        key = RateKey(str(item.base), str(item.quote), item.date)
        if key in seen:
            found.append(FieldProblem(f"items.{index}.date", DUPLICATE_IN_BATCH_DETAIL))
        seen.add(key)
    if found:
        raise RuleViolationError(*found)


class ExchangeRateBatch(Strict):
    items: Annotated[
        list[ExchangeRateItem],
        msgspec.Meta(
            min_length=1,
            max_length=MAX_BATCH,
            description=(
                f"1 to {MAX_BATCH} rates, no (base, quote, date) twice; each inserted, or "
                "replacing the stored value of its (base, quote, date)"
            ),
        ),
    ]
    household_id: HouseholdRef | None = None

    RULES = (BodyRule(("items",), _items_rules),)


class ExchangeRateRead(msgspec.Struct):
    id: UUID
    household_id: HouseholdOut
    base: Annotated[str, msgspec.Meta(description="ISO 4217 code", examples=["USD"])]
    quote: Annotated[str, msgspec.Meta(description="ISO 4217 code", examples=["EUR"])]
    date: dt.date
    rate: RateOut
    created_at: Timestamp

    @classmethod
    def of(cls, rate: ExchangeRate) -> ExchangeRateRead:
        return cls(
            rate.id,
            rate.household_id,
            rate.base.code,
            rate.quote.code,
            rate.date,
            str(rate.rate),
            rate.created_at,
        )


class ExchangeRateBatchResult(msgspec.Struct):
    created: Annotated[int, msgspec.Meta(description="Rates that did not exist")]
    updated: Annotated[
        int, msgspec.Meta(description="Stored rates whose value changed (same value: neither)")
    ]

    @classmethod
    def of(cls, counts: UpsertCounts) -> ExchangeRateBatchResult:
        return cls(counts.created, counts.updated)


ExchangeRatePage = Annotated[
    Page[ExchangeRateRead], KwargDefinition(schema_component_key="ExchangeRatePage")
]
