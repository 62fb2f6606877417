"""Ports of statement imports: reading a file into statement lines, the rules that may
change each row before it is checked, and where import batches are kept."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from budget.domain.model.account import Account
from budget.domain.model.backup import Backup
from budget.domain.model.category import Category
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.imports import ImportBatch, ImportId, RowDraft
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.statement import CsvMapping, Statement, StatementFormat
from budget.domain.model.transaction import Transaction
from budget.domain.ports.exchange_rates import ExchangeRateRepository
from budget.domain.ports.unit_of_work import UnitOfWork


class StatementParser(Protocol):
    """Reads a statement file of one format into ``StatementLine``s.

    Raises:
        UnreadableFileError: the file cannot be read as ``file_format`` (binary junk, no
            transactions, a broken structure, an encoding that decodes to nothing sane).
    """

    async def read(
        self, data: bytes, file_format: StatementFormat, mapping: CsvMapping | None
    ) -> Statement: ...


class BackupReader(Protocol):
    """Reads a household backup file (``budget-backup``, version 1).

    Raises:
        UnreadableFileError: the file is not such a backup.
    """

    async def read(self, data: bytes) -> Backup: ...


class ImportRowRules(Protocol):
    """What may change each imported row once it is drafted and before it is checked (the
    household's categorisation rules, contract section 13, in ``HouseholdRowRules``) for
    an import into ``account``. Loads what it needs once per import, not once per row;
    returns the drafts in the same order, one for each."""

    async def apply(
        self, uow: UnitOfWork, account: Account, drafts: Sequence[RowDraft]
    ) -> Sequence[RowDraft]: ...


class KeepRows:
    """The ``ImportRowRules`` that change nothing."""

    async def apply(
        self, uow: UnitOfWork, account: Account, drafts: Sequence[RowDraft]
    ) -> Sequence[RowDraft]:
        return drafts


class ImportRepository(Protocol):
    """Import batches of the caller's households, and the reads an import needs."""

    def add(self, batch: ImportBatch, transactions: Sequence[Transaction]) -> None:
        """Keep ``batch`` with the transactions it created, written at commit after them."""
        ...

    async def get(
        self, scope: Sequence[HouseholdId], import_id: ImportId, *, for_update: bool = False
    ) -> ImportBatch | None: ...

    async def list(
        self,
        scope: Sequence[HouseholdId],
        page: PageRequest,
        sort: Sort,
    ) -> Page[ImportBatch]: ...

    async def categories_of(self, household_id: HouseholdId) -> Sequence[Category]:
        """Every category of the household (names to match rows against)."""
        ...

    async def household_is_empty(self, household_id: HouseholdId) -> bool:
        """Whether the household has no accounts (so no transactions), budgets, rules or
        recurring templates (exchange rates do not count)."""
        ...

    async def existing_ids(self, account_id: AccountId, candidates: Collection[str]) -> set[str]:
        """Those of ``candidates`` that a transaction of the account already has."""
        ...

    async def transactions_of(self, batch: ImportBatch) -> Sequence[Transaction]:
        """The transactions the batch created that still exist, locked until the end of the
        unit of work (PostgreSQL ``FOR UPDATE``)."""
        ...

    async def delete(self, batch: ImportBatch, transactions: Sequence[Transaction]) -> None:
        """Delete ``transactions`` (with their parts) and the batch, at once."""
        ...


class ImportUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also keeps import batches."""

    @property
    def imports(self) -> ImportRepository: ...


class RestoreUnitOfWork(ImportUnitOfWork, Protocol):
    """The unit of work of a backup restore: an import's, with the exchange rates."""

    @property
    def exchange_rates(self) -> ExchangeRateRepository: ...
