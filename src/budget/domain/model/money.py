"""Exact amounts of money: integer minor units of one currency, and their decimal wire form.

The wire form is a string holding a plain decimal (``"12.50"``, ``"-3"``, ``"1000.125"``);
it never goes through ``float``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from budget.domain.errors import FieldProblem, RuleViolationError
from budget.domain.model.currency import Currency

MAX_ABS_MAJOR = 10**12
"""The largest absolute amount, in major units, that the API accepts (inclusive)."""

MAX_DECIMAL_TEXT_LENGTH = 64
"""Longer decimal strings are rejected before any arithmetic (no legitimate amount needs it)."""

_PLAIN_DECIMAL = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")
_SYNTAX_DETAIL = (
    'must be a plain decimal number such as "12.50": an optional leading "-", digits, '
    'and optionally "." followed by digits'
)
_RANGE_DETAIL = f"must be between -{MAX_ABS_MAJOR} and {MAX_ABS_MAJOR}"


class CurrencyMismatchError(RuleViolationError):
    """Two amounts in different currencies were combined or compared.

    Attributes:
        left: the currency of the amount the operation was called on.
        right: the currency of the other amount.
    """

    title = "Currency mismatch"

    def __init__(self, left: Currency, right: Currency) -> None:
        self.left = left
        self.right = right
        super().__init__(
            FieldProblem("currency", f"amounts in {left.code} and {right.code} cannot be combined")
        )


def parse_decimal(text: str, *, field: str) -> tuple[int, int]:
    """Parse a plain decimal string into ``(unscaled, decimals)``: ``"-12.50"`` -> ``(-1250, 2)``.

    The syntax and the magnitude limit are those of money on the wire, without a currency
    (so without a limit on the number of decimals); trailing zeros are kept in ``decimals``.

    Raises:
        RuleViolationError: on ``field`` for a non-string, an empty or malformed string
            (signs other than a leading ``-``, exponents, ``NaN``, ``Infinity``, spaces,
            underscores, non-ASCII digits, ...), or an absolute value above ``MAX_ABS_MAJOR``.
    """
    if not isinstance(text, str):
        raise RuleViolationError.on(field, 'must be a string holding a decimal, such as "12.50"')
    if not text:
        raise RuleViolationError.on(field, "must not be empty")
    if len(text) > MAX_DECIMAL_TEXT_LENGTH:
        raise RuleViolationError.on(field, f"must be at most {MAX_DECIMAL_TEXT_LENGTH} characters")
    match = _PLAIN_DECIMAL.fullmatch(text)
    if match is None:
        raise RuleViolationError.on(field, _SYNTAX_DETAIL)
    whole, fraction = match.group(1), match.group(2) or ""
    magnitude = int(whole + fraction)
    if magnitude > MAX_ABS_MAJOR * 10 ** len(fraction):
        raise RuleViolationError.on(field, _RANGE_DETAIL)
    return (-magnitude if text.startswith("-") else magnitude), len(fraction)


def format_minor(minor: int, exponent: int) -> str:
    """Print integer minor units with exactly ``exponent`` decimals: ``(-5, 2)`` -> ``"-0.05"``.

    Raises:
        ValueError: when ``exponent`` is negative.
    """
    if exponent < 0:
        raise ValueError(f"exponent must not be negative, got {exponent}")
    sign = "-" if minor < 0 else ""
    digits = str(abs(minor)).rjust(exponent + 1, "0")
    if exponent == 0:
        return sign + digits
    return f"{sign}{digits[:-exponent]}.{digits[-exponent:]}"


def scale_to_minor_floor(unscaled: int, decimals: int, exponent: int) -> int:
    """The largest whole number of minor units not above ``unscaled / 10**decimals``.

    Use it for an inclusive upper bound such as ``max_amount``: ``"12.505"`` in USD -> 1250.

    Raises:
        ValueError: when ``decimals`` or ``exponent`` is negative.
    """
    _check_scales(decimals, exponent)
    if decimals <= exponent:
        return unscaled * _ten_to(exponent - decimals)
    return unscaled // _ten_to(decimals - exponent)


def scale_to_minor_ceil(unscaled: int, decimals: int, exponent: int) -> int:
    """The smallest whole number of minor units not below ``unscaled / 10**decimals``.

    Use it for an inclusive lower bound such as ``min_amount``: ``"12.505"`` in USD -> 1251.

    Raises:
        ValueError: when ``decimals`` or ``exponent`` is negative.
    """
    return -scale_to_minor_floor(-unscaled, decimals, exponent)


def _ten_to(power: int) -> int:
    factor: int = 10**power  # typeshed types int ** int as Any (a negative power is a float)
    return factor


def _check_scales(decimals: int, exponent: int) -> None:
    if decimals < 0 or exponent < 0:
        raise ValueError(f"decimals and exponent must not be negative, got {decimals}, {exponent}")


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency, held as integer minor units (cents for USD).

    Arithmetic and comparisons only combine amounts of the same currency. The wire limit
    of ``MAX_ABS_MAJOR`` is enforced where amounts come in (``parse``); sums such as
    balances are not capped here.

    Raises:
        TypeError: when ``minor`` is not an ``int`` (a ``float`` or ``bool`` is a bug).
        CurrencyMismatchError: from arithmetic and comparisons across currencies.
    """

    minor: int
    currency: Currency

    def __post_init__(self) -> None:
        if type(self.minor) is not int:
            raise TypeError(f"Money.minor must be an int, got {type(self.minor).__name__}")
        if not isinstance(self.currency, Currency):
            raise TypeError(f"Money.currency must be a Currency, got {self.currency!r}")

    @classmethod
    def parse(cls, text: str, currency: Currency, *, field: str = "amount") -> Money:
        """Read a wire amount such as ``"12.50"`` in ``currency``.

        Raises:
            RuleViolationError: on ``field`` for anything ``parse_decimal`` rejects, and for
                more decimals than the currency's exponent (trailing zeros included:
                ``"1.500"`` is not a USD amount).
        """
        unscaled, decimals = parse_decimal(text, field=field)
        if decimals > currency.exponent:
            raise RuleViolationError.on(field, _too_many_decimals_detail(currency))
        return cls(unscaled * _ten_to(currency.exponent - decimals), currency)

    @classmethod
    def zero(cls, currency: Currency) -> Money:
        """Nothing, in ``currency``."""
        return cls(0, currency)

    def format(self) -> str:
        """The wire form with exactly the currency's decimals: ``"12.50"``, ``"3"`` (JPY)."""
        return format_minor(self.minor, self.currency.exponent)

    def __str__(self) -> str:
        return self.format()

    def plus(self, other: Money) -> Money:
        """The sum of two amounts of the same currency."""
        self._check_same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def minus(self, other: Money) -> Money:
        """This amount less ``other`` (same currency)."""
        self._check_same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def absolute(self) -> Money:
        """The same amount without its sign."""
        return Money(abs(self.minor), self.currency)

    def is_positive(self) -> bool:
        """Whether the amount is strictly above zero."""
        return self.minor > 0

    def __lt__(self, other: Money) -> bool:
        self._check_same_currency(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._check_same_currency(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._check_same_currency(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._check_same_currency(other)
        return self.minor >= other.minor

    def _check_same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(self.currency, other.currency)


def _too_many_decimals_detail(currency: Currency) -> str:
    if currency.exponent == 0:
        return f"must be a whole number for {currency.code}"
    return f"must have at most {currency.exponent} decimals for {currency.code}"


def same_value_in(amount: Money, currency: Currency) -> Money:
    """``amount`` re-expressed in ``currency``'s minor units, keeping its decimal value.

    ``12.50`` USD becomes ``12.50`` EUR or ``12.500`` BHD; it is no JPY amount.

    Raises:
        RuleViolationError: on ``amount`` when the value needs more decimals than
            ``currency`` has.
    """
    exponent_from, exponent_to = amount.currency.exponent, currency.exponent
    low = scale_to_minor_floor(amount.minor, exponent_from, exponent_to)
    if low != scale_to_minor_ceil(amount.minor, exponent_from, exponent_to):
        raise RuleViolationError.on(
            "amount", f"must be sent again in {currency.code}: {amount} has too many decimals"
        )
    return Money(low, currency)
