"""Exchange rates: what one unit of a currency is worth in another on a day, which stored
rate applies to a day, and converting an amount exactly.

A rate is a positive decimal of at most ``MAX_SIGNIFICANT_DIGITS`` significant digits, held
as a ``Decimal`` (never a float) and printed normalised: ``"100"``, ``"1.5"``, never an
exponent. Conversion multiplies exactly (``Fraction``) and rounds once, half to even, to the
target currency's minor unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import NewType
from uuid import UUID

from budget.domain.errors import ConflictError, NotFoundError, RuleViolationError
from budget.domain.model.currency import Currency
from budget.domain.model.ids import HouseholdId

ExchangeRateId = NewType("ExchangeRateId", UUID)

MAX_SIGNIFICANT_DIGITS = 12
MAX_RATE_LENGTH = 40
"""The longest rate text a request may send (a bound on the wire, not a rule of value)."""

RATE_PATTERN = r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
RATE_DETAIL = (
    'must be a positive decimal string such as "1.0825" with at most '
    f"{MAX_SIGNIFICANT_DIGITS} significant digits (no exponent)"
)
SAME_CURRENCY_DETAIL = "must differ from base"

_RATE = re.compile(RATE_PATTERN)


class ExchangeRateNotFoundError(NotFoundError):
    """The rate does not exist in the caller's households."""

    title = "Exchange rate not found"


class ExchangeRateTakenError(ConflictError):
    """The household already has a rate for this (base, quote, date)."""

    title = "Exchange rate already exists"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            detail or "The household already has a rate for this base, quote and date."
        )


@dataclass(frozen=True, slots=True, order=True)
class Rate:
    """A positive exchange rate with at most 12 significant digits (leading and trailing
    zeros do not count).

    Raises:
        RuleViolationError: on ``rate`` when zero, negative, or too precise.
    """

    value: Decimal

    def __post_init__(self) -> None:
        if not self.value.is_finite() or self.value <= 0:
            raise RuleViolationError.on("rate", RATE_DETAIL)
        if significant_digits(self.value) > MAX_SIGNIFICANT_DIGITS:
            raise RuleViolationError.on("rate", RATE_DETAIL)

    @classmethod
    def parse(cls, text: str, *, field: str = "rate") -> Rate:
        """A rate from its plain decimal text (``"1.5"``, ``"100"``, ``"0.0071"``).

        Raises:
            RuleViolationError: on ``field``: not a plain decimal, zero, or too precise.
        """
        if len(text) > MAX_RATE_LENGTH or not _RATE.match(text):
            raise RuleViolationError.on(field, RATE_DETAIL)
        try:
            return cls(Decimal(text))
        except RuleViolationError:
            raise RuleViolationError.on(field, RATE_DETAIL) from None

    def __str__(self) -> str:
        """Normalised: no trailing fractional zeros, no bare point, no exponent."""
        return format(self.value.normalize(), "f")


def significant_digits(value: Decimal) -> int:
    """How many digits ``value`` has between its first and last non-zero digit."""
    digits = "".join(str(d) for d in value.as_tuple().digits).strip("0")
    return len(digits)


@dataclass(eq=False, slots=True)
class ExchangeRate:
    """One ``base`` is worth ``rate`` ``quote`` on ``date``, in one household.

    Never edited in place: a new value replaces the row (the batch upsert) or the client
    deletes it. Identity equality, like every entity.

    Raises:
        RuleViolationError: on ``quote`` when it equals ``base``.
    """

    id: ExchangeRateId
    household_id: HouseholdId
    base: Currency
    quote: Currency
    date: date
    rate: Rate
    created_at: datetime

    def __post_init__(self) -> None:
        check_pair(self.base, self.quote)

    @property
    def key(self) -> RateKey:
        return RateKey(self.base.code, self.quote.code, self.date)


def check_pair(base: Currency, quote: Currency, *, field: str = "quote") -> None:
    """Raises ``RuleViolationError`` on ``field`` when the two currencies are the same."""
    if base == quote:
        raise RuleViolationError.on(field, SAME_CURRENCY_DETAIL)


@dataclass(frozen=True, slots=True, order=True)
class RateKey:
    """What makes a rate unique in its household: (base, quote, date)."""

    base: str
    quote: str
    date: date


@dataclass(frozen=True, slots=True)
class Conversion:
    """The rate that converts one currency into another on a day: the stored rate, or the
    reverse pair's stored rate used inverted (``inverse``)."""

    rate: Decimal
    inverse: bool = False

    def convert(self, minor: int, source: Currency, target: Currency) -> int:
        """``minor`` units of ``source`` in minor units of ``target``, rounded once, half to
        even (``Fraction`` keeps every step exact, also for an inverted rate)."""
        return convert_minor(minor, source.exponent, target.exponent, self.rate, self.inverse)


def convert_minor(
    minor: int, source_exponent: int, target_exponent: int, rate: Decimal, inverse: bool
) -> int:
    """The exact product (or quotient, when ``inverse``) rounded half to even."""
    value = Fraction(minor) * Fraction(10) ** (target_exponent - source_exponent)
    value = value / Fraction(rate) if inverse else value * Fraction(rate)
    return round(value)


@dataclass(frozen=True, slots=True)
class StoredRate:
    """A stored rate as the selection rule sees it."""

    base: str
    quote: str
    date: date
    rate: Decimal


def select_rate(
    stored: Iterable[StoredRate], base: str, quote: str, day: date, max_age_days: int
) -> Conversion | None:
    """The rate from ``base`` to ``quote`` for ``day``.

    The stored ``base``→``quote`` rate of the latest date on or before ``day`` and at most
    ``max_age_days`` before it; failing that the stored ``quote``→``base`` rate under the
    same rule, inverted; failing that none (``None``).
    """
    oldest = day - timedelta(days=max_age_days)
    direct: StoredRate | None = None
    reverse: StoredRate | None = None
    for rate in stored:
        if not oldest <= rate.date <= day:
            continue
        if (rate.base, rate.quote) == (base, quote):
            if direct is None or rate.date > direct.date:
                direct = rate
        elif (rate.base, rate.quote) == (quote, base) and (
            reverse is None or rate.date > reverse.date
        ):
            reverse = rate
    if direct is not None:
        return Conversion(direct.rate)
    if reverse is not None:
        return Conversion(reverse.rate, inverse=True)
    return None
