"""The transaction and category use cases keep the daily totals in step, on the fakes.

Each test asserts the totals the unit of work published and whether it committed.
"""

from __future__ import annotations

from datetime import date

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId
from budget.domain.model.totals import TotalsKey
from budget.domain.model.transaction import Transaction, TransactionType
from budget.domain.services.accounts import AccountDraft, CreateAccount
from budget.domain.services.categories import CategoryDraft, CreateCategory, DeleteCategory
from budget.domain.services.transactions import (
    DeleteTransaction,
    RecordTransaction,
    TransactionChanges,
    TransactionDraft,
    UpdateTransaction,
)
from tests.fakes import FakeClock, FakeIds, FakeUnitOfWork, personal_caller

ALICE = personal_caller(1)
DAY = date(2026, 11, 20)
EUR = Currency.of("EUR")
EXPENSE = TransactionType.EXPENSE
INCOME = TransactionType.INCOME
TRANSFER = TransactionType.TRANSFER


class Books:
    """Fakes with two EUR accounts and an expense category with one subcategory."""

    def __init__(self) -> None:
        self.uow = FakeUnitOfWork()
        self.clock = FakeClock()
        self.ids = FakeIds()

    async def open(self) -> None:
        create = CreateAccount(self.uow, self.clock, self.ids)
        draft = AccountDraft("Checking", AccountType.CHECKING, "EUR", "0")
        self.checking: Account = await create.execute(ALICE, draft)
        draft = AccountDraft("Savings", AccountType.SAVINGS, "EUR", "0")
        self.savings: Account = await create.execute(ALICE, draft)
        make = CreateCategory(self.uow, self.clock, self.ids)
        self.food: Category = await make.execute(ALICE, CategoryDraft("Food", CategoryKind.EXPENSE))
        child = CategoryDraft("Snacks", CategoryKind.EXPENSE, parent_id=self.food.id)
        self.snacks: Category = await make.execute(ALICE, child)

    async def record(
        self, kind: TransactionType, amount: str, category: CategoryId | None = None
    ) -> Transaction:
        to_account = self.savings.id if kind is TRANSFER else None
        draft = TransactionDraft(
            kind, self.checking.id, amount, DAY, to_account_id=to_account, category_id=category
        )
        return await RecordTransaction(self.uow, self.clock, self.ids).execute(ALICE, draft)

    def key(
        self,
        kind: TransactionType = EXPENSE,
        category: CategoryId | None = None,
        account: AccountId | None = None,
        day: date = DAY,
    ) -> TotalsKey:
        return TotalsKey(
            ALICE.default_household_id, kind, day, EUR, category, account or self.checking.id
        )


@pytest.fixture
async def books() -> Books:
    opened = Books()
    await opened.open()
    return opened


async def test_recording_an_expense_adds_it_to_its_cell(books: Books) -> None:
    await books.record(EXPENSE, "12.50", books.food.id)
    await books.record(EXPENSE, "1.25", books.food.id)

    assert books.uow.store.totals == {books.key(category=books.food.id): (1375, 2, 2)}


async def test_recording_a_transfer_counts_it_in_its_transfer_cell(books: Books) -> None:
    await books.record(TRANSFER, "100")

    assert books.uow.store.totals == {books.key(TRANSFER): (10000, 1, 1)}


async def test_updating_moves_the_transaction_between_cells(books: Books) -> None:
    txn = await books.record(EXPENSE, "10", books.food.id)
    changes = TransactionChanges(
        type=INCOME, category_id=None, date=date(2026, 11, 21), account_id=books.savings.id
    )

    await UpdateTransaction(books.uow, books.clock).execute(ALICE, txn.id, changes)

    key = books.key(INCOME, account=books.savings.id, day=date(2026, 11, 21))
    assert books.uow.store.totals == {key: (1000, 1, 1)}


async def test_turning_an_expense_into_a_transfer_moves_it_to_the_transfer_cell(
    books: Books,
) -> None:
    txn = await books.record(EXPENSE, "10")
    changes = TransactionChanges(type=TRANSFER, to_account_id=books.savings.id)

    await UpdateTransaction(books.uow, books.clock).execute(ALICE, txn.id, changes)

    assert books.uow.store.totals == {books.key(TRANSFER): (1000, 1, 1)}


async def test_a_rejected_update_publishes_no_totals(books: Books) -> None:
    txn = await books.record(EXPENSE, "10")
    commits = books.uow.commits

    with pytest.raises(RuleViolationError):
        await UpdateTransaction(books.uow, books.clock).execute(
            ALICE, txn.id, TransactionChanges(amount="-1")
        )

    assert books.uow.commits == commits
    assert books.uow.store.totals == {books.key(): (1000, 1, 1)}


async def test_deleting_the_last_transaction_of_a_cell_removes_the_cell(books: Books) -> None:
    kept = await books.record(INCOME, "3")
    gone = await books.record(EXPENSE, "10")

    await DeleteTransaction(books.uow).execute(ALICE, gone.id)

    assert books.uow.store.totals == {books.key(INCOME): (300, 1, 1)}
    assert kept.id in books.uow.store.transactions


async def test_deleting_a_category_merges_its_cells_into_the_uncategorised_ones(
    books: Books,
) -> None:
    await books.record(EXPENSE, "10", books.food.id)
    await books.record(EXPENSE, "5")
    await books.record(EXPENSE, "2", books.snacks.id)

    await DeleteCategory(books.uow, books.clock).execute(ALICE, books.food.id)

    assert books.uow.committed
    assert books.uow.store.totals == {
        books.key(): (1500, 2, 2),
        books.key(category=books.snacks.id): (200, 1, 1),
    }
