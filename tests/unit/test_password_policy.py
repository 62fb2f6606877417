"""The password policy: 8-128 characters, not the e-mail address, not a common password."""

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.user import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_password_policy,
)

EMAIL = "ada@example.com"


def _rejection(password: str, email: str = EMAIL, **kwargs: str) -> RuleViolationError:
    with pytest.raises(RuleViolationError) as caught:
        check_password_policy(password, email, **kwargs)
    return caught.value


def test_the_length_limits_are_those_of_the_contract() -> None:
    assert (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH) == (8, 128)


@pytest.mark.parametrize("length", [8, 9, 64, 127, 128])
def test_a_password_of_8_to_128_characters_is_accepted(length: int) -> None:
    password = ("x7Qv" * 40)[:length]

    check_password_policy(password, EMAIL)  # does not raise


@pytest.mark.parametrize("length", [0, 1, 7, 129, 1000])
def test_a_password_shorter_than_8_or_longer_than_128_characters_is_rejected(
    length: int,
) -> None:
    password = ("x7Qv" * 300)[:length]

    error = _rejection(password)

    assert [p.field for p in error.problems] == ["password"]
    assert "8 to 128" in error.problems[0].detail


def test_length_counts_characters_not_bytes() -> None:
    check_password_policy("ééééééé1", EMAIL)  # 8 characters, 15 bytes: accepted

    error = _rejection("€" * 129)

    assert "8 to 128" in error.problems[0].detail


@pytest.mark.parametrize(
    "password", ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.Com", " ada@example.com "]
)
def test_a_password_equal_to_the_email_address_ignoring_case_is_rejected(password: str) -> None:
    error = _rejection(password, "ada@example.com")

    assert [p.field for p in error.problems] == ["password"]
    assert "e-mail" in error.problems[0].detail


def test_a_password_equal_to_a_mixed_case_email_address_is_rejected() -> None:
    error = _rejection("grace.hopper@example.com", "Grace.Hopper@Example.com")

    assert "e-mail" in error.problems[0].detail


def test_a_password_that_merely_contains_the_email_address_is_accepted() -> None:
    check_password_policy("my ada@example.com secret", EMAIL)  # does not raise


@pytest.mark.parametrize("password", ["password", "PASSWORD", "PassWord", "baseball", "Sunshine"])
def test_a_common_password_is_rejected_whatever_its_case(password: str) -> None:
    error = _rejection(password)

    assert [p.field for p in error.problems] == ["password"]
    assert "common" in error.problems[0].detail


def test_an_uncommon_password_is_accepted() -> None:
    check_password_policy("correct horse battery staple", EMAIL)  # does not raise


@pytest.mark.parametrize(
    ("password", "field"),
    [("short", "new_password"), ("password", "new_password"), (EMAIL, "new_password")],
)
def test_a_violation_names_the_field_it_was_asked_to_check(password: str, field: str) -> None:
    error = _rejection(password, field=field)

    assert [p.field for p in error.problems] == [field]
    assert not error.problems[0].in_query
