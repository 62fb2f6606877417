"""The shipped list of common passwords."""

from importlib import resources

from budget.domain.model.user import common_passwords


def test_the_common_password_list_has_at_least_500_entries() -> None:
    assert len(common_passwords()) >= 500


def test_the_common_password_list_contains_password() -> None:
    assert "password" in common_passwords()


def test_the_common_password_file_is_lower_case_without_blanks_or_duplicates() -> None:
    text = resources.files("budget.domain").joinpath("common_passwords.txt").read_text("utf-8")
    lines = text.splitlines()
    assert lines == [line.strip().lower() for line in lines if line.strip()]
    assert len(lines) == len(set(lines))
