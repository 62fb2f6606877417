"""Currency: ISO 4217 codes and their minor units."""

import re

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.currency import ISO_4217_EXPONENTS, Currency, is_known_currency


@pytest.mark.parametrize(
    ("code", "exponent"),
    [
        ("USD", 2),
        ("EUR", 2),
        ("GBP", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("ISK", 0),
        ("VND", 0),
        ("XAF", 0),
        ("XOF", 0),
        ("XPF", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("JOD", 3),
        ("OMR", 3),
        ("TND", 3),
        ("LYD", 3),
        ("IQD", 3),
        ("CLF", 4),
        ("UYW", 4),
    ],
)
def test_a_known_code_has_its_iso_minor_unit(code: str, exponent: int) -> None:
    assert Currency.of(code) == Currency(code, exponent)


def test_the_table_lists_every_current_currency() -> None:
    assert 155 <= len(ISO_4217_EXPONENTS) <= 180


def test_every_code_in_the_table_is_three_upper_case_letters() -> None:
    malformed = [code for code in ISO_4217_EXPONENTS if not re.fullmatch(r"[A-Z]{3}", code)]
    assert malformed == []


def test_every_exponent_in_the_table_is_between_zero_and_four() -> None:
    assert set(ISO_4217_EXPONENTS.values()) <= {0, 2, 3, 4}


@pytest.mark.parametrize("code", ["XAU", "XAG", "XDR", "XTS", "XXX"])
def test_units_without_a_minor_unit_are_not_currencies_for_money(code: str) -> None:
    assert not is_known_currency(code)


@pytest.mark.parametrize(
    "code", ["usd", "Usd", "US", "USDD", "", " USD", "USD ", "ABC", "HRK", "123", "ＵＳＤ"]
)
def test_a_lower_case_malformed_or_unknown_code_is_rejected(code: str) -> None:
    with pytest.raises(RuleViolationError) as caught:
        Currency.of(code)
    assert caught.value.problems[0].field == "currency"
    assert "ISO 4217" in caught.value.problems[0].detail


def test_the_rejection_names_the_field_it_is_given() -> None:
    with pytest.raises(RuleViolationError) as caught:
        Currency.of("usd", field="default_currency")
    assert caught.value.problems[0].field == "default_currency"


def test_a_non_string_code_is_rejected() -> None:
    with pytest.raises(RuleViolationError):
        Currency.of(840)  # type: ignore[arg-type]


def test_lookups_share_one_instance_per_code() -> None:
    assert Currency.of("EUR") is Currency.of("EUR")


@pytest.mark.parametrize(("code", "known"), [("EUR", True), ("eur", False), ("ZZZ", False)])
def test_is_known_currency_is_case_sensitive(code: str, known: bool) -> None:
    assert is_known_currency(code) is known


def test_a_currency_with_the_wrong_exponent_cannot_be_built() -> None:
    with pytest.raises(RuleViolationError):
        Currency("USD", 3)


def test_an_unknown_currency_cannot_be_built_directly() -> None:
    with pytest.raises(RuleViolationError):
        Currency("ZZZ", 2)


@pytest.mark.parametrize(("code", "factor"), [("JPY", 1), ("USD", 100), ("BHD", 1000)])
def test_minor_per_major_is_ten_to_the_exponent(code: str, factor: int) -> None:
    assert Currency.of(code).minor_per_major == factor


def test_a_currency_prints_as_its_code() -> None:
    assert str(Currency.of("CHF")) == "CHF"
