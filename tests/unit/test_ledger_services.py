"""Use cases of accounts, categories and transactions, run on the in-memory fakes.

Each test asserts the outcome and whether the unit of work committed.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from budget.domain.errors import AccountInUseError, NotFoundError, RuleViolationError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, TransactionId
from budget.domain.model.ledger_queries import (
    AccountFilters,
    CategoryFilters,
    TransactionFilters,
    TransactionPaging,
)
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.transaction import Transaction, TransactionType
from budget.domain.services.accounts import (
    AccountChanges,
    AccountDraft,
    AccountNameTakenError,
    AccountNotFoundError,
    CreateAccount,
    DeleteAccount,
    GetAccount,
    ListAccounts,
    UpdateAccount,
)
from budget.domain.services.categories import (
    CategoryChanges,
    CategoryDraft,
    CategoryInUseError,
    CategoryNameTakenError,
    CategoryNotFoundError,
    CreateCategory,
    DeleteCategory,
    GetCategory,
    ListCategories,
    UpdateCategory,
)
from budget.domain.services.transactions import (
    DeleteTransaction,
    GetTransaction,
    ListTransactions,
    RecordTransaction,
    TransactionChanges,
    TransactionDraft,
    TransactionNotFoundError,
    UpdateTransaction,
)
from tests.fakes import FakeClock, FakeIds, FakeUnitOfWork, personal_caller

ALICE = personal_caller(1)
BOB = personal_caller(2)
KEY = b"cursor-key-for-tests-0123456789"
DAY = date(2026, 11, 20)
INCOME = TransactionType.INCOME
EXPENSE = TransactionType.EXPENSE
TRANSFER = TransactionType.TRANSFER
BY_NAME = Sort("name")
FIRST_PAGE = PageRequest()


@dataclass
class Ledger:
    """The fakes plus shortcuts that run the use cases."""

    uow: FakeUnitOfWork
    clock: FakeClock
    ids: FakeIds

    @classmethod
    def empty(cls) -> Ledger:
        return cls(FakeUnitOfWork(), FakeClock(), FakeIds())

    async def account(
        self, name: str = "Checking", currency: str = "EUR", opening: str = "0", **kw: Any
    ) -> Account:
        owner = kw.pop("owner", ALICE)
        draft = AccountDraft(name, kw.pop("type", AccountType.CHECKING), currency, opening, **kw)
        return await CreateAccount(self.uow, self.clock, self.ids).execute(owner, draft)

    async def category(
        self, name: str, kind: CategoryKind = CategoryKind.EXPENSE, **kw: Any
    ) -> Category:
        owner = kw.pop("owner", ALICE)
        draft = CategoryDraft(name, kind, **kw)
        return await CreateCategory(self.uow, self.clock, self.ids).execute(owner, draft)

    async def record(
        self, kind: TransactionType, account: Account, amount: str, **kw: Any
    ) -> Transaction:
        owner = kw.pop("owner", ALICE)
        kw.setdefault("date", DAY)
        draft = TransactionDraft(kind, account.id, amount, **kw)
        return await RecordTransaction(self.uow, self.clock, self.ids).execute(owner, draft)

    async def update(self, txn: Transaction, owner: Caller = ALICE, **kw: Any) -> Transaction:
        changes = TransactionChanges(**kw)
        return await UpdateTransaction(self.uow, self.clock).execute(owner, txn.id, changes)

    def balance(self, account: Account) -> str:
        return self.uow.store.accounts[account.id].balance.format()

    def transactions(self) -> dict[UUID, Transaction]:
        return self.uow.store.transactions

    async def refused(self, call: Awaitable[object], error: type[Exception]) -> Exception:
        """Run ``call``, expect ``error``, and check that nothing was committed."""
        commits = self.uow.commits
        with pytest.raises(error) as raised:
            await call
        assert self.uow.commits == commits
        return raised.value


def _field(error: Exception) -> str:
    assert isinstance(error, RuleViolationError)
    return error.problems[0].field


# -- accounts -----------------------------------------------------------------------------


async def test_creating_an_account_commits_it_with_its_opening_balance_as_balance() -> None:
    ledger = Ledger.empty()

    account = await ledger.account("Checking", "EUR", "-12.5")

    assert ledger.uow.committed
    stored = ledger.uow.store.accounts[account.id]
    assert (stored.name, stored.balance.format(), stored.opening_balance.format()) == (
        "Checking",
        "-12.50",
        "-12.50",
    )


async def test_creating_an_account_with_a_bad_currency_commits_nothing() -> None:
    ledger = Ledger.empty()

    error = await ledger.refused(ledger.account(currency="EURO"), RuleViolationError)

    assert _field(error) == "currency"
    assert not ledger.uow.store.accounts


async def test_an_unarchived_account_name_is_unique_per_user() -> None:
    ledger = Ledger.empty()
    await ledger.account("Checking")

    await ledger.refused(ledger.account(" Checking "), AccountNameTakenError)
    await ledger.account("Checking", owner=BOB)


async def test_an_archived_account_does_not_hold_its_name() -> None:
    ledger = Ledger.empty()
    await ledger.account("Old", archived=True)

    await ledger.account("Old")
    await ledger.account("Old", archived=True)

    assert len(ledger.uow.store.accounts) == 3


async def test_unarchiving_an_account_whose_name_is_taken_again_is_a_conflict() -> None:
    ledger = Ledger.empty()
    old = await ledger.account("Wallet", archived=True)
    await ledger.account("Wallet")
    update = UpdateAccount(ledger.uow, ledger.clock)

    await ledger.refused(
        update.execute(ALICE, old.id, AccountChanges(archived=False)), AccountNameTakenError
    )
    assert ledger.uow.store.accounts[old.id].archived


async def test_renaming_an_account_to_its_own_name_is_no_conflict() -> None:
    ledger = Ledger.empty()
    account = await ledger.account("Wallet")

    changed = await UpdateAccount(ledger.uow, ledger.clock).execute(
        ALICE, account.id, AccountChanges(name="Wallet", type=AccountType.CASH)
    )

    assert changed.type is AccountType.CASH


async def test_changing_the_opening_balance_moves_the_balance_by_the_difference() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(opening="100")
    await ledger.record(EXPENSE, account, "30")

    changed = await UpdateAccount(ledger.uow, ledger.clock).execute(
        ALICE, account.id, AccountChanges(opening_balance="150.25")
    )

    assert changed.balance.format() == "120.25"
    assert ledger.balance(account) == "120.25"
    assert ledger.uow.applied_deltas[-1] == {account.id: 5025}


async def test_patching_the_currency_to_another_one_is_rejected() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(currency="EUR")
    update = UpdateAccount(ledger.uow, ledger.clock)

    error = await ledger.refused(
        update.execute(ALICE, account.id, AccountChanges(currency="USD", name="Renamed")),
        RuleViolationError,
    )

    assert _field(error) == "currency"
    assert ledger.uow.store.accounts[account.id].name == "Checking"


async def test_patching_the_same_currency_is_accepted() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(currency="EUR")
    commits = ledger.uow.commits

    await UpdateAccount(ledger.uow, ledger.clock).execute(
        ALICE, account.id, AccountChanges(currency="EUR")
    )

    assert ledger.uow.commits == commits + 1


async def test_a_bad_opening_balance_is_rejected_on_opening_balance() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(currency="JPY")
    update = UpdateAccount(ledger.uow, ledger.clock)

    error = await ledger.refused(
        update.execute(ALICE, account.id, AccountChanges(opening_balance="1.5")),
        RuleViolationError,
    )

    assert _field(error) == "opening_balance"


async def test_deleting_an_account_without_transactions_commits() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()

    await DeleteAccount(ledger.uow).execute(ALICE, account.id)

    assert account.id not in ledger.uow.store.accounts
    assert ledger.uow.commits == 2


async def test_changing_an_account_locks_it_against_a_concurrent_delete() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()

    await UpdateAccount(ledger.uow, ledger.clock).execute(
        ALICE, account.id, AccountChanges(opening_balance="5")
    )

    assert ledger.uow.locked_accounts == [account.id]


async def test_deleting_an_account_locks_it_against_concurrent_transactions() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()

    await DeleteAccount(ledger.uow).execute(ALICE, account.id)

    assert ledger.uow.locked_accounts == [account.id]


@pytest.mark.parametrize("side", ["source", "destination"])
async def test_deleting_an_account_with_transactions_is_a_conflict(side: str) -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A"), await ledger.account("B")
    await ledger.record(TRANSFER, source, "5", to_account_id=destination.id)
    doomed = source if side == "source" else destination

    await ledger.refused(DeleteAccount(ledger.uow).execute(ALICE, doomed.id), AccountInUseError)
    assert doomed.id in ledger.uow.store.accounts


async def test_another_users_account_is_not_found() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    update = UpdateAccount(ledger.uow, ledger.clock)

    await ledger.refused(GetAccount(ledger.uow).execute(BOB, account.id), AccountNotFoundError)
    await ledger.refused(
        update.execute(BOB, account.id, AccountChanges(name="Mine")), AccountNotFoundError
    )
    await ledger.refused(DeleteAccount(ledger.uow).execute(BOB, account.id), AccountNotFoundError)
    assert ledger.uow.store.accounts[account.id].name == "Checking"


async def test_listing_accounts_shows_only_the_callers_accounts() -> None:
    ledger = Ledger.empty()
    mine = await ledger.account("Mine")
    await ledger.account("Theirs", owner=BOB)

    page = await ListAccounts(ledger.uow).execute(ALICE, AccountFilters(), FIRST_PAGE, BY_NAME)

    assert [a.id for a in page.items] == [mine.id]
    assert page.total == 1


async def test_listing_accounts_filters_by_archived_type_and_currency() -> None:
    ledger = Ledger.empty()
    wanted = await ledger.account("Cash", "USD", type=AccountType.CASH)
    await ledger.account("Cash EUR", "EUR", type=AccountType.CASH)
    await ledger.account("Old cash", "USD", type=AccountType.CASH, archived=True)
    await ledger.account("Bank", "USD")
    filters = AccountFilters(archived=False, type=AccountType.CASH, currency="USD")

    page = await ListAccounts(ledger.uow).execute(ALICE, filters, FIRST_PAGE, BY_NAME)

    assert [a.id for a in page.items] == [wanted.id]


async def test_listing_accounts_by_balance_breaks_ties_on_id_in_the_same_direction() -> None:
    ledger = Ledger.empty()
    low = await ledger.account("Low", opening="1")
    tie_1 = await ledger.account("Tie 1", opening="5")
    tie_2 = await ledger.account("Tie 2", opening="5")

    page = await ListAccounts(ledger.uow).execute(
        ALICE, AccountFilters(), PageRequest(limit=2, offset=0), Sort("balance", descending=True)
    )

    assert [a.id for a in page.items] == [tie_2.id, tie_1.id]
    assert page.total == 3
    assert low.id not in [a.id for a in page.items]


# -- categories ---------------------------------------------------------------------------


async def test_creating_a_subcategory_under_a_top_level_parent_of_its_kind() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")

    snacks = await ledger.category("Snacks", parent_id=food.id, color="#A0B1C2")

    stored = ledger.uow.store.categories[snacks.id]
    assert (stored.parent_id, stored.color) == (food.id, "#a0b1c2")


async def test_a_parent_of_the_other_kind_is_rejected_on_parent_id() -> None:
    ledger = Ledger.empty()
    salary = await ledger.category("Salary", CategoryKind.INCOME)

    error = await ledger.refused(ledger.category("Snacks", parent_id=salary.id), RuleViolationError)

    assert _field(error) == "parent_id"


async def test_a_parent_that_is_itself_a_subcategory_is_rejected_on_parent_id() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")
    snacks = await ledger.category("Snacks", parent_id=food.id)

    error = await ledger.refused(ledger.category("Chips", parent_id=snacks.id), RuleViolationError)

    assert _field(error) == "parent_id"


async def test_another_users_category_as_parent_is_rejected_on_parent_id() -> None:
    ledger = Ledger.empty()
    theirs = await ledger.category("Food", owner=BOB)

    error = await ledger.refused(ledger.category("Snacks", parent_id=theirs.id), RuleViolationError)

    assert _field(error) == "parent_id"


async def test_a_category_name_is_unique_within_kind_and_parent() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")

    await ledger.refused(ledger.category("Food"), CategoryNameTakenError)
    await ledger.category("Food", CategoryKind.INCOME)
    await ledger.category("Food", parent_id=(await ledger.category("Home")).id)
    await ledger.category("Food", owner=BOB)
    assert food.id in ledger.uow.store.categories


async def test_changing_the_kind_of_a_used_category_is_a_conflict() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    food = await ledger.category("Food")
    await ledger.record(EXPENSE, account, "3", category_id=food.id)
    update = UpdateCategory(ledger.uow, ledger.clock)

    await ledger.refused(
        update.execute(ALICE, food.id, CategoryChanges(kind=CategoryKind.INCOME)),
        CategoryInUseError,
    )


async def test_changing_the_kind_of_a_category_used_by_a_budget_is_a_conflict() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")
    ledger.uow.store.budgets[UUID(int=999)] = SimpleNamespace(category_id=food.id)
    update = UpdateCategory(ledger.uow, ledger.clock)

    await ledger.refused(
        update.execute(ALICE, food.id, CategoryChanges(kind=CategoryKind.INCOME)),
        CategoryInUseError,
    )


async def test_changing_the_kind_of_an_unused_category_commits() -> None:
    ledger = Ledger.empty()
    gifts = await ledger.category("Gifts")

    await UpdateCategory(ledger.uow, ledger.clock).execute(
        ALICE, gifts.id, CategoryChanges(kind=CategoryKind.INCOME, color=None)
    )

    assert ledger.uow.store.categories[gifts.id].kind is CategoryKind.INCOME


async def test_changing_the_kind_of_a_category_with_subcategories_is_rejected_on_kind() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")
    await ledger.category("Snacks", parent_id=food.id)
    update = UpdateCategory(ledger.uow, ledger.clock)

    error = await ledger.refused(
        update.execute(ALICE, food.id, CategoryChanges(kind=CategoryKind.INCOME)),
        RuleViolationError,
    )

    assert _field(error) == "kind"


async def test_a_category_with_subcategories_cannot_get_a_parent() -> None:
    ledger = Ledger.empty()
    food, home = await ledger.category("Food"), await ledger.category("Home")
    await ledger.category("Snacks", parent_id=food.id)
    update = UpdateCategory(ledger.uow, ledger.clock)

    error = await ledger.refused(
        update.execute(ALICE, food.id, CategoryChanges(parent_id=home.id)), RuleViolationError
    )

    assert _field(error) == "parent_id"


async def test_moving_a_category_under_a_parent_where_its_name_is_taken_is_a_conflict() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")
    await ledger.category("Snacks", parent_id=food.id)
    loose = await ledger.category("Snacks")
    update = UpdateCategory(ledger.uow, ledger.clock)

    await ledger.refused(
        update.execute(ALICE, loose.id, CategoryChanges(parent_id=food.id)),
        CategoryNameTakenError,
    )


async def test_deleting_a_category_uncategorises_removes_budgets_and_frees_children() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    food = await ledger.category("Food")
    snacks = await ledger.category("Snacks", parent_id=food.id)
    txn = await ledger.record(EXPENSE, account, "3", category_id=food.id)
    ledger.uow.store.budgets[UUID(int=999)] = SimpleNamespace(category_id=food.id)

    await DeleteCategory(ledger.uow, ledger.clock).execute(ALICE, food.id)

    store = ledger.uow.store
    assert food.id not in store.categories
    assert store.transactions[txn.id].category_id is None
    assert not store.budgets
    assert store.categories[snacks.id].parent_id is None
    assert ledger.balance(account) == "-3.00"


async def test_a_child_named_like_its_deleted_parent_keeps_its_name_at_the_top_level() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")
    child = await ledger.category("Food", parent_id=food.id)

    await DeleteCategory(ledger.uow, ledger.clock).execute(ALICE, food.id)

    freed = ledger.uow.store.categories[child.id]
    assert (freed.name, freed.parent_id) == ("Food", None)
    assert food.id not in ledger.uow.store.categories
    assert ledger.uow.commits == 3


async def test_a_child_whose_name_is_taken_at_the_top_level_gets_a_numbered_name() -> None:
    ledger = Ledger.empty()
    home = await ledger.category("Home")
    other = await ledger.category("Other", parent_id=home.id)
    await ledger.category("Other")
    ledger.clock.advance(minutes=5)

    await DeleteCategory(ledger.uow, ledger.clock).execute(ALICE, home.id)

    freed = ledger.uow.store.categories[other.id]
    assert (freed.name, freed.parent_id) == ("Other (2)", None)
    assert freed.updated_at == ledger.clock.now()


async def test_a_numbered_name_skips_those_taken_at_the_top_level_and_by_siblings() -> None:
    ledger = Ledger.empty()
    home = await ledger.category("Home")
    other = await ledger.category("Other", parent_id=home.id)
    sibling = await ledger.category("Other (3)", parent_id=home.id)
    for taken in ("Other", "Other (2)"):
        await ledger.category(taken)
    await ledger.category("Other (4)", CategoryKind.INCOME)

    await DeleteCategory(ledger.uow, ledger.clock).execute(ALICE, home.id)

    categories = ledger.uow.store.categories
    assert (categories[other.id].name, categories[sibling.id].name) == ("Other (4)", "Other (3)")


async def test_a_numbered_name_of_a_long_name_is_cut_to_100_characters() -> None:
    ledger = Ledger.empty()
    long_name = "x" * 99 + "y"
    home = await ledger.category("Home")
    child = await ledger.category(long_name, parent_id=home.id)
    await ledger.category(long_name)

    await DeleteCategory(ledger.uow, ledger.clock).execute(ALICE, home.id)

    assert ledger.uow.store.categories[child.id].name == "x" * 96 + " (2)"


async def test_a_child_keeps_its_name_when_only_a_category_of_another_kind_has_it() -> None:
    ledger = Ledger.empty()
    home = await ledger.category("Home")
    child = await ledger.category("Gifts", parent_id=home.id)
    await ledger.category("Gifts", CategoryKind.INCOME)

    await DeleteCategory(ledger.uow, ledger.clock).execute(ALICE, home.id)

    assert ledger.uow.store.categories[child.id].name == "Gifts"


async def test_another_users_category_is_not_found() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")
    update = UpdateCategory(ledger.uow, ledger.clock)

    await ledger.refused(GetCategory(ledger.uow).execute(BOB, food.id), CategoryNotFoundError)
    await ledger.refused(
        update.execute(BOB, food.id, CategoryChanges(name="x")), CategoryNotFoundError
    )
    await ledger.refused(
        DeleteCategory(ledger.uow, ledger.clock).execute(BOB, food.id), CategoryNotFoundError
    )


async def test_listing_categories_filters_by_kind_parent_and_archived() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")
    snacks = await ledger.category("Snacks", parent_id=food.id)
    await ledger.category("Old", parent_id=food.id, archived=True)
    await ledger.category("Tips", CategoryKind.INCOME)
    filters = CategoryFilters(kind=CategoryKind.EXPENSE, parent_id=food.id, archived=False)

    page = await ListCategories(ledger.uow).execute(ALICE, filters, FIRST_PAGE, BY_NAME)

    assert [c.id for c in page.items] == [snacks.id]


# -- recording transactions ---------------------------------------------------------------


async def test_recording_income_raises_the_balance_and_commits() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(opening="10")

    txn = await ledger.record(INCOME, account, "2.50", tags=["pay"])

    assert ledger.transactions()[txn.id].tags == ("pay",)
    assert ledger.balance(account) == "12.50"
    assert ledger.uow.commits == 2


async def test_recording_an_expense_lowers_the_balance() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(opening="10")

    await ledger.record(EXPENSE, account, "12.50")

    assert ledger.balance(account) == "-2.50"


async def test_recording_a_same_currency_transfer_moves_the_amount() -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A"), await ledger.account("B")

    txn = await ledger.record(TRANSFER, source, "40", to_account_id=destination.id)

    assert txn.to_amount == txn.amount
    assert (ledger.balance(source), ledger.balance(destination)) == ("-40.00", "40.00")


async def test_recording_a_cross_currency_transfer_credits_the_to_amount() -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A", "EUR"), await ledger.account("B", "JPY")

    await ledger.record(TRANSFER, source, "10", to_account_id=destination.id, to_amount="1650")

    assert (ledger.balance(source), ledger.balance(destination)) == ("-10.00", "1650")


async def test_an_amount_with_too_many_decimals_for_the_account_is_rejected_on_amount() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(currency="JPY")

    error = await ledger.refused(ledger.record(EXPENSE, account, "1.5"), RuleViolationError)

    assert _field(error) == "amount"
    assert not ledger.transactions()


async def test_a_to_amount_is_parsed_in_the_destinations_currency() -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A", "JPY"), await ledger.account("B", "EUR")

    error = await ledger.refused(
        ledger.record(TRANSFER, source, "100", to_account_id=destination.id, to_amount="0.655"),
        RuleViolationError,
    )

    assert _field(error) == "to_amount"


async def test_recording_into_an_archived_account_is_allowed() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(archived=True)

    await ledger.record(INCOME, account, "1")

    assert ledger.balance(account) == "1.00"


@pytest.mark.parametrize("field", ["account_id", "to_account_id"])
async def test_referencing_another_users_account_is_a_rule_violation(field: str) -> None:
    ledger = Ledger.empty()
    mine = await ledger.account("Mine")
    theirs = await ledger.account("Theirs", owner=BOB)
    source, destination = (theirs, mine) if field == "account_id" else (mine, theirs)

    error = await ledger.refused(
        ledger.record(TRANSFER, source, "5", to_account_id=destination.id), RuleViolationError
    )

    assert _field(error) == field
    assert (ledger.balance(mine), ledger.balance(theirs)) == ("0.00", "0.00")


async def test_referencing_a_missing_account_is_a_rule_violation() -> None:
    ledger = Ledger.empty()
    ghost = await ledger.account()
    ledger.uow.store.accounts.clear()

    error = await ledger.refused(ledger.record(INCOME, ghost, "5"), RuleViolationError)

    assert _field(error) == "account_id"


async def test_referencing_another_users_category_is_a_rule_violation() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    theirs = await ledger.category("Food", owner=BOB)

    error = await ledger.refused(
        ledger.record(EXPENSE, account, "5", category_id=theirs.id), RuleViolationError
    )

    assert _field(error) == "category_id"


async def test_a_misplaced_field_is_reported_before_the_reference_is_looked_up() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()

    error = await ledger.refused(
        ledger.record(INCOME, account, "5", to_account_id=AccountId(UUID(int=404))),
        RuleViolationError,
    )

    assert _field(error) == "to_account_id"


# -- changing transactions ----------------------------------------------------------------


async def test_changing_the_amount_moves_the_balance_by_the_difference() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "10")

    changed = await ledger.update(txn, amount="25")

    assert changed.amount.format() == "25.00"
    assert ledger.balance(account) == "-25.00"
    assert ledger.uow.locked_transactions == [txn.id]


async def test_moving_a_transaction_to_another_account_moves_its_effect() -> None:
    ledger = Ledger.empty()
    first, second = await ledger.account("A"), await ledger.account("B")
    txn = await ledger.record(INCOME, first, "10")

    await ledger.update(txn, account_id=second.id)

    assert (ledger.balance(first), ledger.balance(second)) == ("0.00", "10.00")


async def test_changing_the_type_from_expense_to_income_flips_the_effect() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "10")

    await ledger.update(txn, type=INCOME)

    assert ledger.balance(account) == "10.00"


async def test_turning_a_transfer_into_an_expense_drops_the_destination() -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A"), await ledger.account("B")
    txn = await ledger.record(TRANSFER, source, "10", to_account_id=destination.id)

    changed = await ledger.update(txn, type=EXPENSE)

    assert (changed.to_account_id, changed.to_amount) == (None, None)
    assert (ledger.balance(source), ledger.balance(destination)) == ("-10.00", "0.00")


async def test_turning_an_expense_into_a_transfer_drops_the_category() -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A"), await ledger.account("B")
    food = await ledger.category("Food")
    txn = await ledger.record(EXPENSE, source, "10", category_id=food.id)

    changed = await ledger.update(txn, type=TRANSFER, to_account_id=destination.id)

    assert changed.category_id is None
    assert (ledger.balance(source), ledger.balance(destination)) == ("-10.00", "10.00")


async def test_turning_an_expense_into_a_transfer_needs_a_destination() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "10")

    error = await ledger.refused(ledger.update(txn, type=TRANSFER), RuleViolationError)

    assert _field(error) == "to_account_id"


async def test_a_category_that_no_longer_fits_a_new_type_is_rejected_on_category_id() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    food = await ledger.category("Food")
    txn = await ledger.record(EXPENSE, account, "10", category_id=food.id)

    error = await ledger.refused(ledger.update(txn, type=INCOME), RuleViolationError)

    assert _field(error) == "category_id"
    assert ledger.balance(account) == "-10.00"


async def test_changing_type_and_category_together_is_accepted() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    food, salary = await ledger.category("Food"), await ledger.category("Pay", CategoryKind.INCOME)
    txn = await ledger.record(EXPENSE, account, "10", category_id=food.id)

    changed = await ledger.update(txn, type=INCOME, category_id=salary.id)

    assert changed.category_id == salary.id


async def test_moving_to_an_account_in_another_currency_needs_the_amount_again() -> None:
    ledger = Ledger.empty()
    euros, yen = await ledger.account("A", "EUR"), await ledger.account("B", "JPY")
    txn = await ledger.record(EXPENSE, euros, "10")

    error = await ledger.refused(ledger.update(txn, account_id=yen.id), RuleViolationError)
    assert _field(error) == "amount"

    await ledger.update(txn, account_id=yen.id, amount="1500")
    assert (ledger.balance(euros), ledger.balance(yen)) == ("0.00", "-1500")


async def test_a_cross_currency_to_amount_is_kept_when_only_the_amount_changes() -> None:
    ledger = Ledger.empty()
    euros, yen = await ledger.account("A", "EUR"), await ledger.account("B", "JPY")
    txn = await ledger.record(TRANSFER, euros, "10", to_account_id=yen.id, to_amount="1650")

    changed = await ledger.update(txn, amount="11")

    assert changed.to_amount is not None
    assert changed.to_amount.format() == "1650"
    assert (ledger.balance(euros), ledger.balance(yen)) == ("-11.00", "1650")


async def test_a_new_to_amount_moves_only_the_destination() -> None:
    ledger = Ledger.empty()
    euros, yen = await ledger.account("A", "EUR"), await ledger.account("B", "JPY")
    txn = await ledger.record(TRANSFER, euros, "10", to_account_id=yen.id, to_amount="1650")

    await ledger.update(txn, to_amount="1700")

    assert (ledger.balance(euros), ledger.balance(yen)) == ("-10.00", "1700")


async def test_a_same_currency_to_amount_follows_the_amount() -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A"), await ledger.account("B")
    txn = await ledger.record(TRANSFER, source, "10", to_account_id=destination.id)

    changed = await ledger.update(txn, amount="12")

    assert changed.to_amount == changed.amount
    assert ledger.balance(destination) == "12.00"


async def test_a_different_same_currency_to_amount_is_rejected() -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A"), await ledger.account("B")
    txn = await ledger.record(TRANSFER, source, "10", to_account_id=destination.id)

    error = await ledger.refused(ledger.update(txn, to_amount="11"), RuleViolationError)

    assert _field(error) == "to_amount"


async def test_swapping_the_sides_of_a_transfer_moves_both_balances() -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A"), await ledger.account("B")
    txn = await ledger.record(TRANSFER, source, "10", to_account_id=destination.id)

    await ledger.update(txn, account_id=destination.id, to_account_id=source.id)

    assert (ledger.balance(source), ledger.balance(destination)) == ("10.00", "-10.00")


async def test_changing_only_text_fields_leaves_balances_alone() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "10", tags=["a"])

    changed = await ledger.update(txn, description="Lunch", payee="Cafe", tags=[], date=DAY)

    assert (changed.description, changed.payee, changed.tags) == ("Lunch", "Cafe", ())
    assert ledger.uow.applied_deltas[-1] == {}
    assert ledger.balance(account) == "-10.00"


async def test_a_failed_change_leaves_the_stored_transaction_as_it_was() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "10")

    await ledger.refused(ledger.update(txn, amount="20", payee="x" * 201), RuleViolationError)

    assert ledger.transactions()[txn.id].amount.format() == "10.00"
    assert ledger.balance(account) == "-10.00"


async def test_moving_a_transaction_to_another_users_account_is_a_rule_violation() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    theirs = await ledger.account("Theirs", owner=BOB)
    txn = await ledger.record(EXPENSE, account, "10")

    error = await ledger.refused(ledger.update(txn, account_id=theirs.id), RuleViolationError)

    assert _field(error) == "account_id"


async def test_deleting_a_transaction_takes_its_effect_off() -> None:
    ledger = Ledger.empty()
    source, destination = await ledger.account("A"), await ledger.account("B")
    txn = await ledger.record(TRANSFER, source, "10", to_account_id=destination.id)

    await DeleteTransaction(ledger.uow).execute(ALICE, txn.id)

    assert txn.id not in ledger.transactions()
    assert (ledger.balance(source), ledger.balance(destination)) == ("0.00", "0.00")


async def test_another_users_transaction_is_not_found() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    txn = await ledger.record(EXPENSE, account, "10")

    await ledger.refused(GetTransaction(ledger.uow).execute(BOB, txn.id), NotFoundError)
    await ledger.refused(ledger.update(txn, BOB, amount="1"), TransactionNotFoundError)
    await ledger.refused(
        DeleteTransaction(ledger.uow).execute(BOB, txn.id), TransactionNotFoundError
    )
    assert ledger.balance(account) == "-10.00"


async def test_a_missing_transaction_is_not_found() -> None:
    ledger = Ledger.empty()

    await ledger.refused(
        GetTransaction(ledger.uow).execute(ALICE, TransactionId(UUID(int=404))),
        TransactionNotFoundError,
    )


# -- listing transactions -----------------------------------------------------------------


async def _five_expenses(ledger: Ledger) -> tuple[Account, list[Transaction]]:
    account = await ledger.account()
    days = [date(2026, 11, d) for d in (3, 1, 3, 2, 5)]
    txns = [await ledger.record(EXPENSE, account, "1", date=day) for day in days]
    return account, txns


async def test_the_first_page_is_counted_and_offers_a_cursor() -> None:
    ledger = Ledger.empty()
    await _five_expenses(ledger)
    listing = ListTransactions(ledger.uow, KEY)

    page = await listing.execute(
        ALICE, TransactionFilters(), Sort("date", True), TransactionPaging(limit=2)
    )

    assert (page.total, page.offset, page.limit) == (5, 0, 2)
    assert page.next_cursor is not None


async def test_following_cursors_walks_every_item_once_in_sort_order() -> None:
    ledger = Ledger.empty()
    _, txns = await _five_expenses(ledger)
    listing, sort, filters = (
        ListTransactions(ledger.uow, KEY),
        Sort("date", True),
        TransactionFilters(),
    )
    page = await listing.execute(ALICE, filters, sort, TransactionPaging(limit=2))
    seen = list(page.items)
    while page.next_cursor is not None:
        page = await listing.execute(
            ALICE, filters, sort, TransactionPaging(limit=2, cursor=page.next_cursor)
        )
        assert (page.total, page.offset) == (None, None)
        seen.extend(page.items)

    expected = sorted(txns, key=lambda t: (t.date, t.id), reverse=True)
    assert [t.id for t in seen] == [t.id for t in expected]


async def test_the_last_offset_page_has_no_cursor() -> None:
    ledger = Ledger.empty()
    await _five_expenses(ledger)

    page = await ListTransactions(ledger.uow, KEY).execute(
        ALICE, TransactionFilters(), Sort("amount"), TransactionPaging(limit=2, offset=3)
    )

    assert len(page.items) == 2
    assert page.next_cursor is None


async def test_a_cursor_reused_with_other_filters_is_rejected_on_cursor() -> None:
    ledger = Ledger.empty()
    await _five_expenses(ledger)
    listing, sort = ListTransactions(ledger.uow, KEY), Sort("date", True)
    first = await listing.execute(ALICE, TransactionFilters(), sort, TransactionPaging(limit=2))

    error = await ledger.refused(
        listing.execute(
            ALICE, TransactionFilters(q="x"), sort, TransactionPaging(cursor=first.next_cursor)
        ),
        RuleViolationError,
    )

    assert _field(error) == "cursor"


async def test_another_users_cursor_is_rejected_on_cursor() -> None:
    ledger = Ledger.empty()
    await _five_expenses(ledger)
    listing, sort = ListTransactions(ledger.uow, KEY), Sort("date", True)
    first = await listing.execute(ALICE, TransactionFilters(), sort, TransactionPaging(limit=2))

    error = await ledger.refused(
        listing.execute(
            BOB, TransactionFilters(), sort, TransactionPaging(cursor=first.next_cursor)
        ),
        RuleViolationError,
    )

    assert _field(error) == "cursor"


async def test_listing_shows_only_the_callers_transactions_that_match() -> None:
    ledger = Ledger.empty()
    mine, other = await ledger.account("A"), await ledger.account("B")
    theirs = await ledger.account("T", owner=BOB)
    into_mine = await ledger.record(TRANSFER, other, "4", to_account_id=mine.id)
    await ledger.record(EXPENSE, other, "4")
    await ledger.record(EXPENSE, theirs, "4", owner=BOB)

    page = await ListTransactions(ledger.uow, KEY).execute(
        ALICE, TransactionFilters(account_id=mine.id), Sort("date"), TransactionPaging()
    )

    assert [t.id for t in page.items] == [into_mine.id]
    assert page.next_cursor is None
