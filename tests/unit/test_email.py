"""E-mail addresses: trimmed, lower-cased, and refused when malformed."""

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.user import MAX_EMAIL_LENGTH, normalize_email


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("ada@example.com", "ada@example.com"),
        ("  ada@example.com  ", "ada@example.com"),
        ("Ada@Example.COM", "ada@example.com"),
        ("\tGrace.Hopper+budget@Navy.MIL\n", "grace.hopper+budget@navy.mil"),
    ],
)
def test_an_email_address_is_trimmed_and_lower_cased(raw: str, normalized: str) -> None:
    assert normalize_email(raw) == normalized


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@@example.com",
        "ada lovelace@example.com",
        "ada@exa mple.com",
        "ada@example.",
    ],
)
def test_a_malformed_email_address_is_rejected(raw: str) -> None:
    with pytest.raises(RuleViolationError) as caught:
        normalize_email(raw)

    assert [p.field for p in caught.value.problems] == ["email"]


def test_an_email_address_longer_than_254_characters_is_rejected() -> None:
    local = "a" * (MAX_EMAIL_LENGTH - len("@example.com") + 1)

    with pytest.raises(RuleViolationError):
        normalize_email(f"{local}@example.com")


def test_an_email_address_of_exactly_254_characters_is_accepted() -> None:
    local = "a" * (MAX_EMAIL_LENGTH - len("@example.com"))

    assert len(normalize_email(f"{local}@example.com")) == MAX_EMAIL_LENGTH


def test_a_rejected_email_address_names_the_field_it_was_asked_to_check() -> None:
    with pytest.raises(RuleViolationError) as caught:
        normalize_email("nope", field="new_email")

    assert [p.field for p in caught.value.problems] == ["new_email"]
