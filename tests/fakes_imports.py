"""Fakes of the import ports: a unit of work with an import repository over the fake store,
a parser that answers a given statement, and rules that record their calls."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

from budget.domain.model.account import Account
from budget.domain.model.category import Category
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.imports import ImportBatch, ImportId, RowDraft
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.statement import CsvMapping, Statement, StatementFormat
from budget.domain.model.transaction import Transaction
from budget.domain.ports import UnitOfWork
from tests.fakes import FakeUnitOfWork, _Store


class FakeImportRepository:
    """Batches in ``store.extra["imports"]``, their links in ``store.extra["import_links"]``."""

    def __init__(self, store: _Store) -> None:
        self._store = store

    def add(self, batch: ImportBatch, transactions: Sequence[Transaction]) -> None:
        self._store.extra["imports"][batch.id] = batch
        self._store.extra["import_links"][batch.id] = tuple(t.id for t in transactions)

    async def get(
        self, scope: Sequence[HouseholdId], import_id: ImportId, *, for_update: bool = False
    ) -> ImportBatch | None:
        batch: ImportBatch | None = self._store.extra["imports"].get(import_id)
        return batch if batch is not None and batch.household_id in scope else None

    async def list(
        self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort
    ) -> Page[ImportBatch]:
        found = [b for b in self._store.extra["imports"].values() if b.household_id in scope]
        found.sort(key=lambda b: (b.created_at, b.id), reverse=sort.descending)
        return Page(
            found[page.offset : page.offset + page.limit], len(found), page.limit, page.offset
        )

    async def categories_of(self, household_id: HouseholdId) -> Sequence[Category]:
        return [c for c in self._store.categories.values() if c.household_id == household_id]

    async def household_is_empty(self, household_id: HouseholdId) -> bool:
        records = (*self._store.accounts.values(), *self._store.budgets.values())
        return not any(r.household_id == household_id for r in records)

    async def existing_ids(self, account_id: AccountId, candidates: Collection[str]) -> set[str]:
        held = {
            t.import_id for t in self._store.transactions.values() if t.account_id == account_id
        }
        return held & set(candidates)

    async def transactions_of(self, batch: ImportBatch) -> Sequence[Transaction]:
        links = self._store.extra["import_links"].get(batch.id, ())
        return [self._store.transactions[i] for i in links if i in self._store.transactions]

    async def delete(self, batch: ImportBatch, transactions: Sequence[Transaction]) -> None:
        for txn in transactions:
            del self._store.transactions[txn.id]
        del self._store.extra["imports"][batch.id]
        del self._store.extra["import_links"][batch.id]


class FakeImportUnitOfWork(FakeUnitOfWork):
    def _bind(self, store: _Store) -> None:
        super()._bind(store)
        self.imports = FakeImportRepository(store)


class FakeStatementParser:
    def __init__(self, statement: Statement) -> None:
        self.statement = statement

    async def read(
        self, data: bytes, file_format: StatementFormat, mapping: CsvMapping | None
    ) -> Statement:
        return self.statement


class UpperCasePayees:
    """Rules that shout every payee, counting how often they are asked."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    async def apply(
        self, uow: UnitOfWork, account: Account, drafts: Sequence[RowDraft]
    ) -> Sequence[RowDraft]:
        self.calls.append(len(drafts))
        return [replace(d, payee=d.payee.upper()) for d in drafts]


def links_of(uow: FakeUnitOfWork) -> dict[Any, Any]:
    return dict(uow.store.extra["import_links"])
