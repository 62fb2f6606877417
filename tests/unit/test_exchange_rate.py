"""Exchange rates in the domain: the rate's text, the selection rule and exact conversion."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain.errors import RuleViolationError
from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import (
    Conversion,
    Rate,
    StoredRate,
    convert_minor,
    select_rate,
)

EUR, USD, JPY, BHD = (Currency.of(code) for code in ("EUR", "USD", "JPY", "BHD"))
DAY = date(2026, 3, 12)


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("1.50", "1.5"),
        ("100", "100"),
        ("100.000", "100"),
        ("1.", "1"),
        (".5", "0.5"),
        ("0.0000071", "0.0000071"),
        ("1000000000000000", "1000000000000000"),
        ("000123456789012.000", "123456789012"),
    ],
)
def test_a_rate_prints_normalised_without_an_exponent(text: str, normalised: str) -> None:
    assert str(Rate.parse(text)) == normalised


@pytest.mark.parametrize(
    "text",
    ["0", "0.000", "-1", "1e3", "1E-2", "NaN", "Infinity", "", ".", "1,5", " 1", "1234567890123"],
)
def test_a_rate_that_is_not_a_positive_plain_decimal_is_refused(text: str) -> None:
    with pytest.raises(RuleViolationError) as raised:
        Rate.parse(text)
    assert [p.field for p in raised.value.problems] == ["rate"]


def test_twelve_significant_digits_are_counted_without_leading_and_trailing_zeros() -> None:
    assert str(Rate.parse("0.000123456789012")) == "0.000123456789012"
    with pytest.raises(RuleViolationError):
        Rate.parse("0.0001234567890123")


def test_a_rate_error_names_the_field_it_is_parsed_for() -> None:
    with pytest.raises(RuleViolationError) as raised:
        Rate.parse("0", field="items.3.rate")
    assert [p.field for p in raised.value.problems] == ["items.3.rate"]


def _stored(base: str, quote: str, days_before: int, rate: str) -> StoredRate:
    return StoredRate(base, quote, DAY - timedelta(days=days_before), Decimal(rate))


def test_the_latest_direct_rate_on_or_before_the_day_is_chosen() -> None:
    stored = [_stored("USD", "EUR", 3, "0.9"), _stored("USD", "EUR", 1, "0.91")]
    stored.append(StoredRate("USD", "EUR", DAY + timedelta(days=1), Decimal("0.99")))
    assert select_rate(stored, "USD", "EUR", DAY, 7) == Conversion(Decimal("0.91"))


def test_a_rate_exactly_max_age_days_old_still_counts() -> None:
    stored = [_stored("USD", "EUR", 7, "0.9")]
    assert select_rate(stored, "USD", "EUR", DAY, 7) == Conversion(Decimal("0.9"))


def test_a_rate_older_than_max_age_days_is_stale() -> None:
    assert select_rate([_stored("USD", "EUR", 8, "0.9")], "USD", "EUR", DAY, 7) is None


def test_without_a_direct_rate_the_reverse_pair_is_used_inverted() -> None:
    stored = [_stored("EUR", "USD", 2, "1.1"), _stored("EUR", "USD", 5, "1.2")]
    assert select_rate(stored, "USD", "EUR", DAY, 7) == Conversion(Decimal("1.1"), inverse=True)


def test_a_direct_rate_wins_over_a_more_recent_reverse_one() -> None:
    stored = [_stored("USD", "EUR", 6, "0.9"), _stored("EUR", "USD", 0, "1.1")]
    assert select_rate(stored, "USD", "EUR", DAY, 7) == Conversion(Decimal("0.9"))


def test_rates_of_other_pairs_are_ignored() -> None:
    stored = [_stored("USD", "GBP", 0, "0.8"), _stored("GBP", "EUR", 0, "1.15")]
    assert select_rate(stored, "USD", "EUR", DAY, 7) is None


def test_a_max_age_of_zero_takes_only_the_days_own_rate() -> None:
    stored = [_stored("USD", "EUR", 1, "0.9")]
    assert select_rate(stored, "USD", "EUR", DAY, 0) is None
    assert select_rate([_stored("USD", "EUR", 0, "0.9")], "USD", "EUR", DAY, 0) is not None


@pytest.mark.parametrize(
    ("minor", "source", "target", "rate", "inverse", "expected"),
    [
        (1001, USD, EUR, "0.9", False, 901),  # 900.9
        (5, USD, EUR, "0.9", False, 4),  # 4.5: half to even, down
        (15, USD, EUR, "0.9", False, 14),  # 13.5: half to even, up
        (1000, JPY, EUR, "160", True, 625),  # 1000 / 160 yen = 6.25 EUR
        (4, JPY, EUR, "160", True, 2),  # 2.5 cents: half to even
        (285000, EUR, JPY, "160", False, 456000),  # 2850.00 EUR, no decimals in yen
        (1, EUR, JPY, "0.5", False, 0),  # 0.005 yen
        (100, EUR, BHD, "0.41", False, 410),  # three decimals
        (3, USD, EUR, "3", True, 1),  # 1/3 * 3 = 1, exactly
        (-5, USD, EUR, "0.9", False, -4),  # a negative balance: -4.5 to even
    ],
)
def test_conversion_rounds_once_half_to_even_to_the_targets_minor_unit(
    minor: int,
    source: Currency,
    target: Currency,
    rate: str,
    inverse: bool,
    expected: int,
) -> None:
    assert Conversion(Decimal(rate), inverse).convert(minor, source, target) == expected


rates = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal("10000"), places=4, allow_nan=False
)
exponents = st.sampled_from([0, 2, 3])
amounts = st.integers(min_value=-(10**15), max_value=10**15)


@given(amounts, exponents, exponents, rates, st.booleans())
def test_a_conversion_is_within_half_a_minor_unit_of_the_exact_value(
    minor: int, source: int, target: int, rate: Decimal, inverse: bool
) -> None:
    exact = Fraction(minor) * Fraction(10) ** (target - source)
    exact = exact / Fraction(rate) if inverse else exact * Fraction(rate)
    converted = convert_minor(minor, source, target, rate, inverse)
    assert abs(converted - exact) <= Fraction(1, 2)


@given(amounts, exponents, exponents, rates)
def test_there_and_back_drifts_at_most_the_rounding_bound(
    minor: int, a: int, b: int, rate: Decimal
) -> None:
    there = convert_minor(minor, a, b, rate, False)
    back = convert_minor(there, b, a, rate, True)
    # Half a unit of B lost going there is worth 10^(a-b) / (2 rate) units of A coming back,
    # plus half a unit of A rounding back.
    bound = Fraction(1, 2) + Fraction(10) ** (a - b) / (2 * Fraction(rate))
    assert abs(back - minor) <= bound
