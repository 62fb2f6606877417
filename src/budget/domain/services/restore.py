"""Restoring a household backup into an empty household (contract section 12,
``POST /imports`` with ``format=budget-backup``).

One unit of work: the household row is locked (two restores into one household queue),
it must have no accounts and no budgets (nor rules or recurring transactions: the owners
of those records add their checks in ``_holds_other_records``), its default categories
are replaced by the backup's, then categories, accounts, transactions (with their parts,
status and ``import_id``) and budgets are added under new ids with every reference
remapped. Transactions go through the normal write path (``record_effects``), so
balances, cleared balances and totals come out as in the source household. The restore is
kept as an import batch (no account), so it can be listed and undone like any import.

``_restore_rules``, ``_restore_recurring`` and ``_restore_exchange_rates`` are the places
where those records will be restored; they do nothing yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar
from uuid import UUID

from budget.domain.errors import ConflictError, RuleViolationError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.backup import (
    BACKUP_FORMAT,
    Backup,
    BackupAccount,
    BackupBudget,
    BackupCategory,
    BackupTransaction,
)
from budget.domain.model.budget import Budget, BudgetFields
from budget.domain.model.category import Category, CategoryKind, clean_name
from budget.domain.model.currency import Currency
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, BudgetId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.imports import ImportBatch, ImportCounts, ImportStatus
from budget.domain.model.money import Money
from budget.domain.model.period import PeriodKind
from budget.domain.model.splits import Split
from budget.domain.model.statement import UnreadableFileError
from budget.domain.model.transaction import (
    Links,
    Note,
    Posting,
    Transaction,
    TransactionStatus,
    TransactionType,
)
from budget.domain.ports import Clock, IdFactory
from budget.domain.ports.imports import BackupReader, ImportUnitOfWork
from budget.domain.services.imports import ImportOutcome
from budget.domain.services.transactions import record_effects

T = TypeVar("T")


class HouseholdNotEmptyError(ConflictError):
    """A backup restores only into a household without accounts, budgets, rules or
    recurring transactions."""

    title = "Household is not empty"


class RestoreBackup:
    """Restore a household backup into an empty household (see the module).

    Raises:
        UnreadableFileError: on ``file``: not a backup, or a record breaking a rule or
            referring to a record the file does not hold.
        RuleViolationError: on ``household_id``, a household the caller is not in.
        PermissionDeniedError: the caller is a viewer there.
        HouseholdNotEmptyError: the household holds data already.
    """

    def __init__(
        self, uow: ImportUnitOfWork, clock: Clock, ids: IdFactory, reader: BackupReader
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._reader = reader

    async def execute(
        self,
        caller: Caller,
        household_id: HouseholdId | None,
        data: bytes,
        *,
        file_name: str = "",
        dry_run: bool = False,
    ) -> ImportOutcome:
        household = caller.household_for_new(household_id)
        backup = await self._reader.read(data)
        now = self._clock.now()
        async with self._uow as uow:
            await uow.households.get(household, for_update=True)
            if not await uow.imports.household_is_empty(household) or _holds_other_records():
                raise HouseholdNotEmptyError(
                    "A backup restores only into a household without accounts, budgets, "
                    "rules or recurring transactions."
                )
            for category in await uow.imports.categories_of(household):
                await uow.categories.delete(category)
            restoring = _Restoring(household, now, self._ids.new_id)
            try:
                categories = restoring.categories(backup.categories)
                accounts = restoring.accounts(backup.accounts)
                transactions = restoring.transactions(backup.transactions, accounts, categories)
                budgets = restoring.budgets(backup.budgets, categories)
            except RuleViolationError as error:
                if isinstance(error, UnreadableFileError):
                    raise
                raise UnreadableFileError(f"holds a record that breaks a rule: {error}") from None
            _restore_rules(backup, restoring.ids)
            _restore_recurring(backup, restoring.ids)
            _restore_exchange_rates(backup)
            counts = ImportCounts(len(transactions), len(transactions), 0)
            batch = ImportBatch(
                self._ids.new_id(), household, None, caller.id, file_name[:255],
                BACKUP_FORMAT, counts, now,
            )  # fmt: skip
            if dry_run:
                return _outcome(batch, transactions, dry_run=True)
            for category in categories.values():
                uow.categories.add(category)
            for account in accounts.values():
                uow.accounts.add(account)
            for txn in transactions:
                uow.transactions.add(txn)
                await record_effects(uow, None, txn)
            for budget in budgets:
                uow.budgets.add(budget)
            uow.imports.add(batch, transactions)
            await uow.commit()
        return _outcome(batch, transactions, dry_run=False)


def _outcome(batch: ImportBatch, txns: Sequence[Transaction], *, dry_run: bool) -> ImportOutcome:
    return ImportOutcome(
        None if dry_run else batch.id,
        ImportStatus.DRY_RUN if dry_run else ImportStatus.COMPLETED,
        batch.household_id,
        batch.account_id,
        batch.format,
        batch.created_at,
        batch.counts,
        txns,
    )


def _holds_other_records() -> bool:
    """Whether the household has rules or recurring transactions (their features check)."""
    return False


def _restore_rules(backup: Backup, ids: Mapping[UUID, UUID]) -> None:
    """Restore ``backup.rules`` with ``ids`` remapped (the rules feature fills this in)."""


def _restore_recurring(backup: Backup, ids: Mapping[UUID, UUID]) -> None:
    """Restore ``backup.recurring`` with ``ids`` remapped (the recurring feature fills this
    in, ``next_date`` included)."""


def _restore_exchange_rates(backup: Backup) -> None:
    """Restore ``backup.exchange_rates`` (the exchange-rate feature fills this in)."""


class _Restoring:
    """The new records of one restore, and the map from old ids to new ones."""

    def __init__(self, household: HouseholdId, now: dt.datetime, new_id: Callable[[], UUID]):
        self.household = household
        self.now = now
        self.new_id = new_id
        self.ids: dict[UUID, UUID] = {}

    def _new(self, old: UUID) -> UUID:
        if old in self.ids:
            raise UnreadableFileError(f"holds the id {old} twice")
        self.ids[old] = new = self.new_id()
        return new

    def categories(self, found: Sequence[BackupCategory]) -> dict[UUID, Category]:
        ordered = sorted(found, key=lambda c: c.parent_id is not None)
        new: dict[UUID, Category] = {}
        for c in ordered:
            parent = None if c.parent_id is None else _lookup(new, c.parent_id, "category")
            category = Category(
                CategoryId(self._new(c.id)),
                self.household,
                clean_name(c.name),
                _enum(CategoryKind, c.kind, "kind"),
                None if parent is None else parent.id,
                c.color,
                c.archived,
                self.now,
                self.now,
            )
            category.check_parent(parent)
            new[c.id] = category
        return new

    def accounts(self, found: Sequence[BackupAccount]) -> dict[UUID, Account]:
        new: dict[UUID, Account] = {}
        for a in found:
            currency = Currency.of(a.currency)
            account = Account.open(
                AccountId(self._new(a.id)),
                self.household,
                a.name,
                _enum(AccountType, a.type, "type"),
                Money.parse(a.opening_balance, currency, field="opening_balance"),
                self.now,
                archived=a.archived,
            )
            account.last_reconciled_on = a.last_reconciled_on
            new[a.id] = account
        return new

    def transactions(
        self,
        found: Sequence[BackupTransaction],
        accounts: Mapping[UUID, Account],
        categories: Mapping[UUID, Category],
    ) -> list[Transaction]:
        return [self._transaction(t, accounts, categories) for t in found]

    def _transaction(
        self,
        t: BackupTransaction,
        accounts: Mapping[UUID, Account],
        categories: Mapping[UUID, Category],
    ) -> Transaction:
        account = _lookup(accounts, t.account_id, "account")
        to_account = (
            None if t.to_account_id is None else _lookup(accounts, t.to_account_id, "account")
        )
        category = None if t.category_id is None else _lookup(categories, t.category_id, "category")
        kind = _enum(TransactionType, t.type, "type")
        parts = tuple(
            Split(
                None
                if s.category_id is None
                else _lookup(categories, s.category_id, "category").id,
                Money.parse(s.amount, account.currency),
                s.description,
            )
            for s in t.splits
        )
        to_amount = None
        if to_account is not None and t.to_amount is not None:
            to_amount = Money.parse(t.to_amount, to_account.currency, field="to_amount")
        posting = Posting.settle(
            kind,
            Links(account, to_account, category),
            Money.parse(t.amount, account.currency),
            sent_to_amount=to_amount,
            splits=parts,
        )
        return Transaction.record(
            TransactionId(self._new(t.id)),
            self.household,
            posting,
            t.date,
            Note.of(t.description, t.payee, t.tags),
            self.now,
            status=_enum(TransactionStatus, t.status, "status"),
            import_id=t.import_id,
        )

    def budgets(
        self, found: Sequence[BackupBudget], categories: Mapping[UUID, Category]
    ) -> list[Budget]:
        new = []
        for b in found:
            category = (
                None if b.category_id is None else _lookup(categories, b.category_id, "category")
            )
            fields = BudgetFields(
                b.name,
                None if category is None else category.id,
                Money.parse(b.amount, Currency.of(b.currency)),
                _enum(PeriodKind, b.period, "period"),
                b.start_date,
                b.end_date,
                b.rollover,
                b.alert_threshold,
            )
            new.append(
                Budget.create(BudgetId(self._new(b.id)), self.household, fields.checked(), self.now)
            )
        return new


def _lookup(records: Mapping[UUID, T], old: UUID, noun: str) -> T:
    found = records.get(old)
    if found is None:
        raise UnreadableFileError(f"refers to the {noun} {old}, which it does not hold")
    return found


E = TypeVar("E")


def _enum(kind: Callable[[str], E], value: str, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise UnreadableFileError(f"holds {value!r}, not a valid {field}") from None
