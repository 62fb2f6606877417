"""Money: exact minor units, the decimal wire form, and arithmetic within one currency."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budget.domain.errors import RuleViolationError
from budget.domain.model.currency import ISO_4217_EXPONENTS, Currency
from budget.domain.model.money import (
    MAX_ABS_MAJOR,
    CurrencyMismatchError,
    Money,
    format_minor,
    parse_decimal,
    scale_to_minor_ceil,
    scale_to_minor_floor,
)

USD = Currency.of("USD")
EUR = Currency.of("EUR")
JPY = Currency.of("JPY")
BHD = Currency.of("BHD")
CLF = Currency.of("CLF")


def max_abs_minor(currency: Currency) -> int:
    """The wire limit of ``MAX_ABS_MAJOR`` major units, in ``currency``'s minor units."""
    return MAX_ABS_MAJOR * currency.minor_per_major


def _rejection(text: object, currency: Currency = USD) -> RuleViolationError:
    with pytest.raises(RuleViolationError) as caught:
        Money.parse(text, currency)  # type: ignore[arg-type]
    return caught.value


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.50", USD, 1250),
        ("12.5", USD, 1250),
        ("12", USD, 1200),
        ("-3", USD, -300),
        ("-0.05", USD, -5),
        ("0", USD, 0),
        ("-0", USD, 0),
        ("0.00", USD, 0),
        ("007.10", USD, 710),
        ("3", JPY, 3),
        ("1000.125", BHD, 1000125),
        ("1.2345", CLF, 12345),
    ],
)
def test_a_plain_decimal_is_parsed_into_minor_units(
    text: str, currency: Currency, minor: int
) -> None:
    assert Money.parse(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    "text",
    [
        " ",
        " 1",
        "1 ",
        "1\n",
        "+1",
        ".5",
        "1.",
        "-",
        "-.5",
        "--1",
        "1e3",
        "1E3",
        "1.5e2",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "0x10",
        "1_000",
        "1,000",
        "1,50",
        "1.2.3",
        "12.50 USD",
        "$12",
        "١٢",
        "１２",
        "½",
    ],
)
def test_anything_but_a_plain_decimal_is_rejected(text: str) -> None:
    problem = _rejection(text).problems[0]
    assert problem.field == "amount"
    assert "plain decimal" in problem.detail


def test_an_empty_amount_is_rejected() -> None:
    assert "empty" in _rejection("").problems[0].detail


@pytest.mark.parametrize("value", [12.5, 12, None, b"12.50"])
def test_an_amount_that_is_not_a_string_is_rejected(value: object) -> None:
    assert "string" in _rejection(value).problems[0].detail


def test_an_overly_long_amount_is_rejected_before_any_arithmetic() -> None:
    assert "characters" in _rejection("0" * 5000).problems[0].detail


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1.234", USD),
        ("1.500", USD),
        ("0.001", USD),
        ("1.5", JPY),
        ("1.0", JPY),
        ("1.0001", BHD),
        ("1.23456", CLF),
    ],
)
def test_more_decimals_than_the_currency_allows_are_rejected(text: str, currency: Currency) -> None:
    problem = _rejection(text, currency).problems[0]
    assert problem.field == "amount"
    assert currency.code in problem.detail


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1000000000000", USD),
        ("-1000000000000", USD),
        ("1000000000000.00", USD),
        ("1000000000000", JPY),
        ("1000000000000.000", BHD),
        ("1000000000000.0000", CLF),
    ],
)
def test_an_amount_of_exactly_the_limit_is_accepted(text: str, currency: Currency) -> None:
    assert abs(Money.parse(text, currency).minor) == max_abs_minor(currency)


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("1000000000000.01", USD),
        ("-1000000000000.01", USD),
        ("1000000000001", JPY),
        ("1000000000000.001", BHD),
        ("1000000000000.0001", CLF),
        ("99999999999999999999", USD),
    ],
)
def test_one_minor_unit_over_the_limit_is_rejected(text: str, currency: Currency) -> None:
    assert str(MAX_ABS_MAJOR) in _rejection(text, currency).problems[0].detail


def test_the_rejection_names_the_field_it_is_given() -> None:
    with pytest.raises(RuleViolationError) as caught:
        Money.parse("abc", USD, field="to_amount")
    assert caught.value.problems[0].field == "to_amount"


# --- parse_decimal and scaling ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("0", (0, 0)),
        ("12.50", (1250, 2)),
        ("-3", (-3, 0)),
        ("1.000001", (1000001, 6)),
        ("1000000000000.000", (1000000000000000, 3)),
    ],
)
def test_parse_decimal_returns_the_unscaled_value_and_its_decimals(
    text: str, parsed: tuple[int, int]
) -> None:
    assert parse_decimal(text, field="min_amount") == parsed


@pytest.mark.parametrize("text", ["1e3", "1000000000000.0000001", "", " 1", "NaN"])
def test_parse_decimal_applies_the_wire_rules_without_a_currency(text: str) -> None:
    with pytest.raises(RuleViolationError) as caught:
        parse_decimal(text, field="min_amount")
    assert caught.value.problems[0].field == "min_amount"


@pytest.mark.parametrize(
    ("unscaled", "decimals", "exponent", "floor", "ceil"),
    [
        (12505, 3, 2, 1250, 1251),
        (-12505, 3, 2, -1251, -1250),
        (1250, 2, 2, 1250, 1250),
        (125, 1, 2, 1250, 1250),
        (15, 1, 0, 1, 2),
        (-15, 1, 0, -2, -1),
        (7, 0, 3, 7000, 7000),
        (1, 6, 2, 0, 1),
    ],
)
def test_scaling_to_minor_units_rounds_down_for_floor_and_up_for_ceil(
    unscaled: int, decimals: int, exponent: int, floor: int, ceil: int
) -> None:
    assert scale_to_minor_floor(unscaled, decimals, exponent) == floor
    assert scale_to_minor_ceil(unscaled, decimals, exponent) == ceil


def test_scaling_with_a_negative_exponent_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        scale_to_minor_floor(1, 0, -1)


# --- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1250, USD, "12.50"),
        (-5, USD, "-0.05"),
        (0, USD, "0.00"),
        (-100, USD, "-1.00"),
        (100000000000000, USD, "1000000000000.00"),
        (3, JPY, "3"),
        (-3, JPY, "-3"),
        (0, JPY, "0"),
        (1000125, BHD, "1000.125"),
        (1, BHD, "0.001"),
        (12345, CLF, "1.2345"),
        (-1, CLF, "-0.0001"),
    ],
)
def test_an_amount_prints_exactly_the_currency_decimals(
    minor: int, currency: Currency, text: str
) -> None:
    assert Money(minor, currency).format() == text


def test_str_of_an_amount_is_its_wire_form() -> None:
    assert str(Money(1250, USD)) == "12.50"


@pytest.mark.parametrize(
    ("minor", "exponent", "text"),
    [(123456, 0, "123456"), (123456, 2, "1234.56"), (-7, 3, "-0.007"), (5, 4, "0.0005")],
)
def test_format_minor_prints_a_bare_integer_sum(minor: int, exponent: int, text: str) -> None:
    assert format_minor(minor, exponent) == text


def test_format_minor_refuses_a_negative_exponent() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_minor(1, -1)


# --- construction and arithmetic -------------------------------------------------------------


@pytest.mark.parametrize("minor", [1.5, True, "100"])
def test_minor_units_must_be_an_int(minor: object) -> None:
    with pytest.raises(TypeError):
        Money(minor, USD)  # type: ignore[arg-type]


def test_zero_is_zero_in_its_currency() -> None:
    assert Money.zero(JPY) == Money(0, JPY)


def test_plus_adds_amounts_of_one_currency() -> None:
    assert Money(1250, USD).plus(Money(-300, USD)) == Money(950, USD)


def test_minus_subtracts_amounts_of_one_currency() -> None:
    assert Money(1250, USD).minus(Money(2000, USD)) == Money(-750, USD)


def test_minus_from_zero_flips_the_sign() -> None:
    assert Money.zero(USD).minus(Money(-5, USD)) == Money(5, USD)


def test_absolute_drops_the_sign() -> None:
    assert Money(-5, USD).absolute() == Money(5, USD)


@pytest.mark.parametrize(("minor", "positive"), [(1, True), (-1, False), (0, False)])
def test_only_an_amount_above_zero_is_positive(minor: int, positive: bool) -> None:
    assert Money(minor, EUR).is_positive() is positive


def test_amounts_of_one_currency_compare_by_value() -> None:
    small, large = Money(-100, EUR), Money(5, EUR)
    assert small < large
    assert small <= large
    assert large > small
    assert large >= small
    assert max(small, large) == large


def test_the_same_minor_units_in_different_currencies_are_not_equal() -> None:
    assert Money(100, USD) != Money(100, EUR)


@pytest.mark.parametrize(
    "combine",
    [
        Money.plus,
        Money.minus,
        Money.__lt__,
        Money.__le__,
        Money.__gt__,
        Money.__ge__,
    ],
)
def test_combining_amounts_in_different_currencies_raises_a_mismatch(combine: object) -> None:
    with pytest.raises(CurrencyMismatchError) as caught:
        combine(Money(100, USD), Money(100, EUR))  # type: ignore[operator]
    assert caught.value.problems[0].field == "currency"
    assert (caught.value.left, caught.value.right) == (USD, EUR)


def test_a_currency_mismatch_is_a_rule_violation() -> None:
    assert issubclass(CurrencyMismatchError, RuleViolationError)


def test_the_limit_in_minor_units_follows_the_exponent() -> None:
    limit = str(MAX_ABS_MAJOR)

    assert (Money.parse(limit, JPY).minor, Money.parse(limit, BHD).minor) == (10**12, 10**15)


# --- properties ------------------------------------------------------------------------------

currencies = st.sampled_from(sorted(ISO_4217_EXPONENTS)).map(Currency.of)


@st.composite
def amounts(draw: st.DrawFn, currency: Currency | None = None) -> Money:
    chosen = currency if currency is not None else draw(currencies)
    limit = max_abs_minor(chosen)
    return Money(draw(st.integers(-limit, limit)), chosen)


@settings(max_examples=200)
@given(amounts())
def test_parsing_the_printed_form_gives_back_the_same_amount(amount: Money) -> None:
    assert Money.parse(amount.format(), amount.currency) == amount


@settings(max_examples=200)
@given(amounts())
def test_the_printed_form_always_has_exactly_the_currency_decimals(amount: Money) -> None:
    _, _, fraction = amount.format().partition(".")
    assert len(fraction) == amount.currency.exponent


@settings(max_examples=200)
@given(st.data(), currencies)
def test_plus_then_minus_gives_back_the_first_amount(data: st.DataObject, cur: Currency) -> None:
    first, second = data.draw(amounts(cur)), data.draw(amounts(cur))
    assert first.plus(second).minus(second) == first


@settings(max_examples=200)
@given(st.data(), currencies)
def test_minus_is_plus_of_the_negation(data: st.DataObject, cur: Currency) -> None:
    first, second = data.draw(amounts(cur)), data.draw(amounts(cur))
    assert first.minus(second) == first.plus(Money(-second.minor, cur))


@settings(max_examples=200)
@given(st.integers(-(10**16), 10**16), st.integers(0, 6), st.integers(0, 4))
def test_floor_and_ceil_bracket_the_exact_value(unscaled: int, decimals: int, exp: int) -> None:
    floor = scale_to_minor_floor(unscaled, decimals, exp)
    ceil = scale_to_minor_ceil(unscaled, decimals, exp)
    # Compare floor/10**exp <= unscaled/10**decimals <= ceil/10**exp on a common denominator.
    assert floor * 10**decimals <= unscaled * 10**exp <= ceil * 10**decimals
    assert ceil - floor in (0, 1)
