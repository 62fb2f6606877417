"""The transaction's invariants: fields per type, amounts, to_amount, category kind, text."""

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.transaction import (
    Links,
    Note,
    Posting,
    Transaction,
    TransactionType,
    check_shape,
    clean_tags,
)

EUR = Currency.of("EUR")
USD = Currency.of("USD")
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
DAY = date(2026, 11, 20)
OWNER = HouseholdId(UUID(int=1))  # the transaction's household
STRANGER = HouseholdId(UUID(int=2))  # another household
INCOME = TransactionType.INCOME
EXPENSE = TransactionType.EXPENSE
TRANSFER = TransactionType.TRANSFER


def _account(number: int, currency: Currency = EUR, owner: HouseholdId = OWNER) -> Account:
    return Account.open(
        AccountId(UUID(int=number)),
        owner,
        f"A{number}",
        AccountType.CHECKING,
        Money(0, currency),
        NOW,
    )


def _category(kind: CategoryKind, owner: HouseholdId = OWNER) -> Category:
    return Category(CategoryId(UUID(int=50)), owner, "Food", kind, None, None, False, NOW, NOW)


CHECKING = _account(10)
SAVINGS = _account(11)
DOLLARS = _account(12, USD)


def _field(error: pytest.ExceptionInfo[RuleViolationError]) -> str:
    return error.value.problems[0].field


def _violation(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(RuleViolationError) as error:
        call(*args, **kwargs)  # type: ignore[operator]
    return _field(error)


def _transfer(to: Account, amount: Money, **kwargs: Money | None) -> Posting:
    return Posting.settle(TRANSFER, Links(CHECKING, to, None), amount, **kwargs)


# -- which fields a type requires or forbids ----------------------------------------------


@pytest.mark.parametrize("kind", [INCOME, EXPENSE])
def test_income_and_expense_forbid_a_destination_account(kind: TransactionType) -> None:
    field = _violation(check_shape, kind, CHECKING.id, SAVINGS.id, None, has_to_amount=False)

    assert field == "to_account_id"


@pytest.mark.parametrize("kind", [INCOME, EXPENSE])
def test_income_and_expense_forbid_a_to_amount(kind: TransactionType) -> None:
    field = _violation(check_shape, kind, CHECKING.id, None, None, has_to_amount=True)

    assert field == "to_amount"


def test_a_transfer_requires_a_destination_account() -> None:
    field = _violation(check_shape, TRANSFER, CHECKING.id, None, None, has_to_amount=False)

    assert field == "to_account_id"


def test_a_transfer_to_its_own_source_account_is_rejected() -> None:
    field = _violation(check_shape, TRANSFER, CHECKING.id, CHECKING.id, None, has_to_amount=False)

    assert field == "to_account_id"


def test_a_transfer_forbids_a_category() -> None:
    category_id = CategoryId(UUID(int=50))
    field = _violation(
        check_shape, TRANSFER, CHECKING.id, SAVINGS.id, category_id, has_to_amount=False
    )

    assert field == "category_id"


def test_a_posting_checks_the_shape_of_its_resolved_links() -> None:
    field = _violation(Posting, EXPENSE, Links(CHECKING, SAVINGS, None), Money(100, EUR), None)

    assert field == "to_account_id"


# -- amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize("minor", [0, -1])
def test_an_amount_that_is_not_strictly_positive_is_rejected(minor: int) -> None:
    field = _violation(Posting.settle, EXPENSE, Links(CHECKING, None, None), Money(minor, EUR))

    assert field == "amount"


def test_an_amount_in_another_currency_than_the_account_is_rejected() -> None:
    field = _violation(Posting.settle, INCOME, Links(CHECKING, None, None), Money(100, USD))

    assert field == "amount"


def test_the_smallest_positive_amount_is_accepted() -> None:
    posting = Posting.settle(INCOME, Links(CHECKING, None, None), Money(1, EUR))

    assert posting.amount == Money(1, EUR)
    assert posting.to_amount is None


# -- to_amount ----------------------------------------------------------------------------


def test_a_same_currency_transfer_without_to_amount_moves_the_amount() -> None:
    assert _transfer(SAVINGS, Money(500, EUR)).to_amount == Money(500, EUR)


def test_a_same_currency_transfer_accepts_a_to_amount_equal_to_the_amount() -> None:
    posting = _transfer(SAVINGS, Money(500, EUR), sent_to_amount=Money(500, EUR))

    assert posting.to_amount == Money(500, EUR)


def test_a_same_currency_transfer_rejects_a_different_to_amount() -> None:
    field = _violation(_transfer, SAVINGS, Money(500, EUR), sent_to_amount=Money(499, EUR))

    assert field == "to_amount"


def test_a_same_currency_transfer_ignores_a_kept_to_amount_and_follows_the_amount() -> None:
    posting = _transfer(SAVINGS, Money(700, EUR), kept_to_amount=Money(500, EUR))

    assert posting.to_amount == Money(700, EUR)


def test_a_cross_currency_transfer_requires_a_to_amount() -> None:
    field = _violation(_transfer, DOLLARS, Money(500, EUR))

    assert field == "to_amount"


def test_a_cross_currency_transfer_uses_the_sent_to_amount() -> None:
    posting = _transfer(DOLLARS, Money(500, EUR), sent_to_amount=Money(545, USD))

    assert posting.to_amount == Money(545, USD)


def test_a_cross_currency_transfer_keeps_the_previous_to_amount_when_none_is_sent() -> None:
    posting = _transfer(DOLLARS, Money(900, EUR), kept_to_amount=Money(545, USD))

    assert posting.to_amount == Money(545, USD)


def test_a_kept_to_amount_in_another_currency_than_the_destination_is_not_kept() -> None:
    field = _violation(_transfer, DOLLARS, Money(900, EUR), kept_to_amount=Money(545, EUR))

    assert field == "to_amount"


@pytest.mark.parametrize("minor", [0, -5])
def test_a_to_amount_that_is_not_strictly_positive_is_rejected(minor: int) -> None:
    field = _violation(_transfer, DOLLARS, Money(500, EUR), sent_to_amount=Money(minor, USD))

    assert field == "to_amount"


def test_a_built_transfer_posting_needs_its_to_amount() -> None:
    field = _violation(Posting, TRANSFER, Links(CHECKING, DOLLARS, None), Money(500, EUR), None)

    assert field == "to_amount"


def test_a_built_transfer_posting_needs_its_to_amount_in_the_destinations_currency() -> None:
    links = Links(CHECKING, DOLLARS, None)
    field = _violation(Posting, TRANSFER, links, Money(500, EUR), Money(500, EUR))

    assert field == "to_amount"


# -- category -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "category_kind"),
    [(INCOME, CategoryKind.EXPENSE), (EXPENSE, CategoryKind.INCOME)],
)
def test_a_category_of_the_other_kind_is_rejected(
    kind: TransactionType, category_kind: CategoryKind
) -> None:
    links = Links(CHECKING, None, _category(category_kind))

    assert _violation(Posting.settle, kind, links, Money(100, EUR)) == "category_id"


@pytest.mark.parametrize(
    ("kind", "category_kind"),
    [(INCOME, CategoryKind.INCOME), (EXPENSE, CategoryKind.EXPENSE)],
)
def test_a_category_of_the_matching_kind_is_accepted(
    kind: TransactionType, category_kind: CategoryKind
) -> None:
    links = Links(CHECKING, None, _category(category_kind))

    assert Posting.settle(kind, links, Money(100, EUR)).links.category is not None


def test_a_transfer_posting_with_a_category_is_rejected() -> None:
    links = Links(CHECKING, SAVINGS, _category(CategoryKind.EXPENSE))

    assert _violation(Posting.settle, TRANSFER, links, Money(100, EUR)) == "category_id"


def test_the_category_kind_of_each_type() -> None:
    assert INCOME.category_kind is CategoryKind.INCOME
    assert EXPENSE.category_kind is CategoryKind.EXPENSE
    assert TRANSFER.category_kind is None


# -- ownership ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("links", "field"),
    [
        (Links(_account(20, owner=STRANGER), None, None), "account_id"),
        (Links(CHECKING, _account(21, owner=STRANGER), None), "to_account_id"),
        (Links(CHECKING, None, _category(CategoryKind.INCOME, STRANGER)), "category_id"),
    ],
)
def test_links_to_someone_elses_resources_are_rejected_on_their_field(
    links: Links, field: str
) -> None:
    assert _violation(links.check_household, OWNER) == field


def test_recording_checks_that_the_links_belong_to_the_household() -> None:
    posting = Posting.settle(INCOME, Links(CHECKING, None, None), Money(100, EUR))
    txn_id = TransactionId(UUID(int=90))

    field = _violation(Transaction.record, txn_id, STRANGER, posting, DAY, Note(), NOW)

    assert field == "account_id"


# -- description, payee, tags -------------------------------------------------------------


@pytest.mark.parametrize(("field", "limit"), [("description", 500), ("payee", 200)])
def test_text_fields_accept_their_maximum_length(field: str, limit: int) -> None:
    note = Note(**{field: "x" * limit})  # type: ignore[arg-type]

    assert len(getattr(note, field)) == limit


@pytest.mark.parametrize(("field", "limit"), [("description", 500), ("payee", 200)])
def test_text_fields_over_their_maximum_length_are_rejected(field: str, limit: int) -> None:
    assert _violation(Note, **{field: "x" * (limit + 1)}) == field


def test_twenty_tags_of_fifty_characters_are_accepted() -> None:
    tags = [f"{n:02d}" + "x" * 48 for n in range(20)]

    assert Note.of("", "", tags).tags == tuple(tags)


def test_more_than_twenty_tags_are_rejected() -> None:
    assert _violation(clean_tags, [f"t{n}" for n in range(21)]) == "tags"


@pytest.mark.parametrize("tag", ["", "   ", "x" * 51])
def test_a_tag_outside_1_to_50_characters_is_rejected(tag: str) -> None:
    assert _violation(clean_tags, ["ok", tag]) == "tags"


def test_tags_are_trimmed_and_repeats_dropped_in_order() -> None:
    assert clean_tags([" trip ", "food", "trip"]) == ("trip", "food")


def test_a_note_built_directly_needs_clean_tags() -> None:
    assert _violation(Note, tags=(" trip",)) == "tags"


# -- the entity ---------------------------------------------------------------------------


def _recorded() -> Transaction:
    category = _category(CategoryKind.EXPENSE)
    posting = Posting.settle(EXPENSE, Links(CHECKING, None, category), Money(1250, EUR))
    note = Note.of("Weekly shop", "Market", ["food"])
    return Transaction.record(TransactionId(UUID(int=90)), OWNER, posting, DAY, note, NOW)


def test_recording_copies_the_posting_and_the_note() -> None:
    txn = _recorded()

    assert (txn.type, txn.account_id, txn.amount) == (EXPENSE, CHECKING.id, Money(1250, EUR))
    assert (txn.to_account_id, txn.to_amount) == (None, None)
    assert txn.category_id == CategoryId(UUID(int=50))
    assert (txn.description, txn.payee, txn.tags) == ("Weekly shop", "Market", ("food",))
    assert (txn.date, txn.created_at, txn.updated_at, txn.currency) == (DAY, NOW, NOW, EUR)


def test_revising_replaces_every_changeable_field() -> None:
    txn = _recorded()
    later = datetime(2026, 11, 23, tzinfo=UTC)
    posting = _transfer(DOLLARS, Money(300, EUR), sent_to_amount=Money(330, USD))

    txn.revise(posting, date(2026, 11, 1), Note("moved"), later)

    assert (txn.type, txn.to_account_id, txn.to_amount) == (TRANSFER, DOLLARS.id, Money(330, USD))
    assert (txn.category_id, txn.date, txn.note) == (None, date(2026, 11, 1), Note("moved"))
    assert (txn.created_at, txn.updated_at) == (NOW, later)


def test_uncategorizing_drops_the_category() -> None:
    txn = _recorded()
    txn.uncategorize(txn.category_id)

    assert txn.category_id is None
