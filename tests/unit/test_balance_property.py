"""Whatever sequence of writes runs, every balance equals its opening balance plus the
effects of the account's remaining transactions (rejected writes included: they roll back).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.balance import balance_effects
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.ids import AccountId, CategoryId, TransactionId
from budget.domain.model.transaction import TransactionType
from budget.domain.services.accounts import (
    AccountChanges,
    AccountDraft,
    CreateAccount,
    UpdateAccount,
)
from budget.domain.services.categories import CategoryDraft, CreateCategory
from budget.domain.services.transactions import (
    DeleteTransaction,
    RecordTransaction,
    TransactionChanges,
    TransactionDraft,
    UpdateTransaction,
)
from tests.fakes import FakeClock, FakeIds, FakeUnitOfWork, personal_caller

OWNER = personal_caller(1)
CURRENCIES = ("EUR", "EUR", "USD", "JPY")
DAY = date(2026, 11, 20)


@dataclass(frozen=True)
class Create:
    kind: TransactionType
    account: int
    to_account: int | None
    amount: str
    to_amount: str | None
    category: int | None


@dataclass(frozen=True)
class Update:
    index: int
    changes: dict[str, Any]


@dataclass(frozen=True)
class Delete:
    index: int


@dataclass(frozen=True)
class Reopen:
    account: int
    opening_balance: str


accounts = st.integers(0, len(CURRENCIES) - 1)
categories = st.integers(0, 1)
good_amounts = st.integers(1, 10**6).map(str)
odd_amounts = st.sampled_from(["0", "-3", "0.5", "12.34", "1.005", "7.10"])
amounts = st.one_of(good_amounts, good_amounts, good_amounts, odd_amounts)
kinds = st.sampled_from(list(TransactionType))


T = TypeVar("T")


def _rarely(common: st.SearchStrategy[T], rare: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    return st.integers(0, 9).flatmap(lambda n: rare if n == 0 else common)


@st.composite
def creates(draw: st.DrawFn) -> Create:
    """Mostly well-formed records (so that transactions pile up), sometimes broken ones."""
    kind = draw(kinds)
    transfer = kind is TransactionType.TRANSFER
    to_account = draw(_rarely(accounts, st.none()) if transfer else _rarely(st.none(), accounts))
    to_amount = draw(
        _rarely(st.none() | amounts, amounts) if transfer else _rarely(st.none(), amounts)
    )
    matching = st.none() | st.just(0 if kind is TransactionType.INCOME else 1)
    category = draw(_rarely(st.none(), categories) if transfer else _rarely(matching, categories))
    return Create(kind, draw(accounts), to_account, draw(amounts), to_amount, category)


changes = st.fixed_dictionaries(
    {},
    optional={
        "type": kinds,
        "account_id": accounts,
        "to_account_id": st.none() | accounts,
        "amount": amounts,
        "to_amount": st.none() | amounts,
        "category_id": st.none() | categories,
        "description": _rarely(st.just("note"), st.just("x" * 501)),
    },
)
operations = st.lists(
    st.one_of(
        creates(),
        creates(),
        st.builds(Update, st.integers(0, 30), changes),
        st.builds(Delete, st.integers(0, 30)),
        st.builds(Reopen, accounts, amounts),
    ),
    max_size=40,
)


class World:
    """Four accounts (two in EUR, one in USD, one in JPY) and two categories on fakes."""

    def __init__(self) -> None:
        self.uow = FakeUnitOfWork()
        self.clock = FakeClock()
        self.ids = FakeIds()
        self.owner = OWNER
        self.accounts: list[Account] = []
        self.categories: list[Category] = []

    async def setup(self) -> None:
        create = CreateAccount(self.uow, self.clock, self.ids)
        for number, code in enumerate(CURRENCIES):
            draft = AccountDraft(f"A{number}", AccountType.CHECKING, code, "100")
            self.accounts.append(await create.execute(self.owner, draft))
        make = CreateCategory(self.uow, self.clock, self.ids)
        for kind in (CategoryKind.INCOME, CategoryKind.EXPENSE):
            draft_c = CategoryDraft(f"C {kind}", kind)
            self.categories.append(await make.execute(self.owner, draft_c))

    def _txn_id(self, index: int) -> TransactionId | None:
        ids = sorted(self.uow.store.transactions)
        return TransactionId(ids[index % len(ids)]) if ids else None

    def _account_id(self, index: int | None) -> AccountId | None:
        return None if index is None else self.accounts[index].id

    def _category_id(self, index: int | None) -> CategoryId | None:
        return None if index is None else self.categories[index].id

    async def run(self, op: object) -> None:
        with contextlib.suppress(RuleViolationError):
            await self._dispatch(op)

    async def _dispatch(self, op: object) -> None:
        if isinstance(op, Create):
            await self._create(op)
        elif isinstance(op, Update):
            await self._update(op)
        elif isinstance(op, Delete) and (txn_id := self._txn_id(op.index)) is not None:
            await DeleteTransaction(self.uow).execute(self.owner, txn_id)
        elif isinstance(op, Reopen):
            changes = AccountChanges(opening_balance=op.opening_balance)
            account_id = self.accounts[op.account].id
            await UpdateAccount(self.uow, self.clock).execute(self.owner, account_id, changes)

    async def _create(self, op: Create) -> None:
        draft = TransactionDraft(
            op.kind,
            self.accounts[op.account].id,
            op.amount,
            DAY,
            to_account_id=self._account_id(op.to_account),
            to_amount=op.to_amount,
            category_id=self._category_id(op.category),
        )
        await RecordTransaction(self.uow, self.clock, self.ids).execute(self.owner, draft)

    async def _update(self, op: Update) -> None:
        txn_id = self._txn_id(op.index)
        if txn_id is None:
            return
        fields: dict[str, Any] = dict(op.changes)
        for name in ("account_id", "to_account_id"):
            if name in fields:
                fields[name] = self._account_id(fields[name])
        if "category_id" in fields:
            fields["category_id"] = self._category_id(fields["category_id"])
        changes = TransactionChanges(**fields)
        await UpdateTransaction(self.uow, self.clock).execute(self.owner, txn_id, changes)

    def check_balances(self) -> None:
        store = self.uow.store
        expected = {a.id: store.accounts[a.id].opening_balance.minor for a in self.accounts}
        for txn in store.transactions.values():
            for account_id, effect in balance_effects(txn).items():
                expected[account_id] += effect
        actual = {a.id: store.accounts[a.id].balance.minor for a in self.accounts}
        assert actual == expected
        assert {a.id: store.stored_balances[a.id] for a in self.accounts} == expected


async def _play(ops: list[object]) -> None:
    world = World()
    await world.setup()
    for op in ops:
        await world.run(op)
        world.check_balances()


@settings(max_examples=200, deadline=None)
@given(operations)
def test_balances_always_equal_opening_balance_plus_the_effects_of_remaining_transactions(
    ops: list[object],
) -> None:
    asyncio.run(_play(ops))
