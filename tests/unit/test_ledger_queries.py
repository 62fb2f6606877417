"""List filters of the ledger: validation of the query parameters and what they match."""

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, TransactionId, UserId
from budget.domain.model.ledger_queries import (
    AccountFilters,
    TransactionFilters,
    parse_amount_bound,
)
from budget.domain.model.money import Money
from budget.domain.model.transaction import Transaction, TransactionType

EUR = Currency.of("EUR")
JPY = Currency.of("JPY")
A = AccountId(UUID(int=1))
B = AccountId(UUID(int=2))
FOOD = CategoryId(UUID(int=3))
NOW = datetime(2026, 11, 22, tzinfo=UTC)


def _txn(
    kind: TransactionType = TransactionType.EXPENSE,
    amount: Money | None = None,
    **fields: object,
) -> Transaction:
    txn = Transaction(
        TransactionId(UUID(int=9)),
        UserId(UUID(int=7)),
        kind,
        A,
        None,
        amount or Money(1250, EUR),
        None,
        None,
        date(2026, 11, 20),
        "Weekly Shop",
        "Corner Market",
        ("food",),
        NOW,
        NOW,
    )
    for name, value in fields.items():
        setattr(txn, name, value)
    return txn


def _query_problem(error: pytest.ExceptionInfo[RuleViolationError]) -> tuple[str, bool]:
    problem = error.value.problems[0]
    return problem.field, problem.in_query


def test_an_unknown_currency_filter_is_rejected_on_the_query_parameter() -> None:
    with pytest.raises(RuleViolationError) as error:
        AccountFilters(currency="XYZ")

    assert _query_problem(error) == ("currency", True)


def test_date_to_before_date_from_is_rejected_on_date_to() -> None:
    with pytest.raises(RuleViolationError) as error:
        TransactionFilters(date_from=date(2026, 2, 1), date_to=date(2026, 1, 31))

    assert _query_problem(error) == ("date_to", True)


def test_a_one_day_range_is_accepted() -> None:
    TransactionFilters(date_from=date(2026, 2, 1), date_to=date(2026, 2, 1))


def test_max_amount_below_min_amount_is_rejected_on_max_amount() -> None:
    with pytest.raises(RuleViolationError) as error:
        TransactionFilters(min_amount=(1001, 2), max_amount=(10, 0))

    assert _query_problem(error) == ("max_amount", True)


def test_equal_amount_bounds_in_different_notations_are_accepted() -> None:
    TransactionFilters(min_amount=(1000, 2), max_amount=(10, 0))


@pytest.mark.parametrize("text", ["1e3", "", "abc", "1000000000001"])
def test_a_malformed_amount_bound_is_rejected_on_its_query_parameter(text: str) -> None:
    with pytest.raises(RuleViolationError) as error:
        parse_amount_bound(text, "min_amount")

    assert _query_problem(error) == ("min_amount", True)


def test_an_amount_bound_keeps_its_decimals() -> None:
    assert parse_amount_bound("12.505", "max_amount") == (12505, 3)


@pytest.mark.parametrize(("parameter", "value"), [("q", "x" * 501), ("tag", ""), ("tag", "x" * 51)])
def test_overlong_text_filters_are_rejected(parameter: str, value: str) -> None:
    with pytest.raises(RuleViolationError) as error:
        TransactionFilters(**{parameter: value})  # type: ignore[arg-type]

    assert _query_problem(error) == (parameter, True)


def test_amount_bounds_round_inwards_in_each_currency() -> None:
    filters = TransactionFilters(min_amount=(12505, 3), max_amount=(12505, 3))

    assert (filters.min_minor(2), filters.max_minor(2)) == (1251, 1250)
    assert (filters.min_minor(0), filters.max_minor(0)) == (13, 12)


def test_no_filters_match_everything() -> None:
    assert TransactionFilters().matches(_txn())


def test_the_account_filter_matches_either_side_of_a_transfer() -> None:
    transfer = _txn(TransactionType.TRANSFER, account_id=B, to_account_id=A)

    assert TransactionFilters(account_id=A).matches(transfer)
    assert TransactionFilters(account_id=B).matches(transfer)


def test_uncategorized_matches_income_and_expense_without_a_category_only() -> None:
    filters = TransactionFilters(uncategorized=True)

    assert filters.matches(_txn())
    assert not filters.matches(_txn(category_id=FOOD))
    assert not filters.matches(_txn(TransactionType.TRANSFER, account_id=B, to_account_id=A))


def test_contradictory_filters_match_nothing() -> None:
    filters = TransactionFilters(uncategorized=True, category_id=FOOD)

    assert not filters.matches(_txn(category_id=FOOD))


def test_dates_are_inclusive() -> None:
    day = date(2026, 11, 20)

    assert TransactionFilters(date_from=day, date_to=day).matches(_txn())
    assert not TransactionFilters(date_from=date(2026, 11, 21)).matches(_txn())


def test_amount_bounds_are_inclusive_and_scaled_to_the_currency() -> None:
    assert TransactionFilters(min_amount=(1250, 2), max_amount=(125, 1)).matches(_txn())
    assert not TransactionFilters(min_amount=(12501, 3)).matches(_txn())
    assert TransactionFilters(max_amount=(125, 1)).matches(_txn(amount=Money(12, JPY)))


def test_q_is_a_case_insensitive_substring_of_description_or_payee() -> None:
    assert TransactionFilters(q="shop").matches(_txn())
    assert TransactionFilters(q="MARKET").matches(_txn())
    assert not TransactionFilters(q="rent").matches(_txn())


def test_tag_matches_a_whole_tag_exactly() -> None:
    assert TransactionFilters(tag="food").matches(_txn())
    assert not TransactionFilters(tag="foo").matches(_txn())


def test_type_filter_matches_only_that_type() -> None:
    assert not TransactionFilters(type=TransactionType.INCOME).matches(_txn())
