"""The account entity: names, the fixed currency, and how the opening balance moves."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account, AccountType, parse_opening_balance
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, UserId
from budget.domain.model.money import Money

EUR = Currency.of("EUR")
JPY = Currency.of("JPY")
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
OWNER = UserId(UUID(int=1))


def _account(name: str = "Checking", opening: Money | None = None) -> Account:
    return Account.open(
        AccountId(UUID(int=10)),
        OWNER,
        name,
        AccountType.CHECKING,
        opening or Money(1000, EUR),
        NOW,
    )


def _field(error: pytest.ExceptionInfo[RuleViolationError]) -> str:
    return error.value.problems[0].field


def test_a_new_account_starts_with_its_opening_balance_as_balance() -> None:
    account = _account(opening=Money(-2550, EUR))

    assert account.balance == Money(-2550, EUR)
    assert account.currency == EUR


def test_a_new_account_is_not_archived_unless_asked() -> None:
    assert _account().archived is False


def test_the_account_name_is_trimmed() -> None:
    assert _account("  Savings  ").name == "Savings"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_name_outside_1_to_100_characters_is_rejected(name: str) -> None:
    with pytest.raises(RuleViolationError) as error:
        _account(name)

    assert _field(error) == "name"


def test_a_name_of_100_characters_is_accepted() -> None:
    assert _account("x" * 100).name == "x" * 100


def test_renaming_trims_and_checks_the_name() -> None:
    account = _account()
    account.rename(" Daily ")

    assert account.name == "Daily"
    with pytest.raises(RuleViolationError):
        account.rename(" ")


def test_sending_the_accounts_own_currency_is_accepted() -> None:
    _account().check_currency("EUR")


def test_changing_the_currency_is_rejected_on_currency() -> None:
    with pytest.raises(RuleViolationError) as error:
        _account().check_currency("USD")

    assert _field(error) == "currency"


def test_an_unknown_currency_is_rejected_on_currency() -> None:
    with pytest.raises(RuleViolationError) as error:
        _account().check_currency("eur")

    assert _field(error) == "currency"


def test_changing_the_opening_balance_returns_the_delta_and_leaves_the_balance_alone() -> None:
    account = _account(opening=Money(1000, EUR))

    delta = account.change_opening_balance(Money(400, EUR))

    assert delta == -600
    assert account.opening_balance == Money(400, EUR)
    assert account.balance == Money(1000, EUR)


def test_an_opening_balance_in_another_currency_is_rejected() -> None:
    with pytest.raises(RuleViolationError) as error:
        _account().change_opening_balance(Money(5, JPY))

    assert _field(error) == "opening_balance"


def test_shifting_the_balance_adds_the_delta_in_minor_units() -> None:
    account = _account(opening=Money(1000, EUR))

    account.shift_balance(-1250)

    assert account.balance == Money(-250, EUR)


@pytest.mark.parametrize(("text", "minor"), [("0", 0), ("-12.5", -1250), ("1000.25", 100025)])
def test_an_opening_balance_is_parsed_in_the_accounts_currency(text: str, minor: int) -> None:
    assert parse_opening_balance(text, EUR) == Money(minor, EUR)


@pytest.mark.parametrize("text", ["1.005", "1e3", "NaN", "1000000000000.01"])
def test_a_malformed_opening_balance_is_rejected_on_opening_balance(text: str) -> None:
    with pytest.raises(RuleViolationError) as error:
        parse_opening_balance(text, EUR)

    assert _field(error) == "opening_balance"


def test_accounts_are_equal_by_identity_only() -> None:
    first = _account("One")
    second = _account("Two")
    other = Account.open(
        AccountId(UUID(int=11)), OWNER, "One", AccountType.CASH, Money(1000, EUR), NOW
    )

    assert first == second
    assert first != other
    assert len({first, second, other}) == 2
