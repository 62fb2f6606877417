"""Restoring a household backup into an empty household (contract section 12,
``POST /imports`` with ``format=budget-backup``).

One unit of work: the household row is locked (two restores into one household queue),
it must have no accounts (so no transactions), budgets, rules or recurring templates, its
default categories are replaced by the backup's, then categories, accounts, recurring
templates, transactions (with their parts, status, ``import_id`` and ``recurring_id``),
budgets, rules and exchange rates are added under new ids with every reference remapped
(rule actions' categories and ``account_id`` conditions; templates' accounts, category
and parts' categories). Transactions go through the normal write path
(``record_effects``), so balances, cleared balances and totals come out as in the source
household. A template keeps its schedule and its progress: the occurrence its
``next_date`` names is its next one, so it posts nothing the source posted. Rules,
templates and rates keep their timestamps (rules of equal priority run oldest first).
Exchange rates are upserted (the household may hold some already: the backup's value
wins). The restore is kept as an import batch (no account), so it can be listed and
undone like any import (undo removes the transactions, not the other records).
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
    BackupAccount,
    BackupBudget,
    BackupCategory,
    BackupCondition,
    BackupRate,
    BackupRecurring,
    BackupRule,
    BackupTransaction,
)
from budget.domain.model.budget import Budget, BudgetFields
from budget.domain.model.category import Category, CategoryKind, clean_name
from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import ExchangeRate, ExchangeRateId, Rate
from budget.domain.model.household import Caller
from budget.domain.model.ids import (
    AccountId,
    BudgetId,
    CategoryId,
    HouseholdId,
    RecurringId,
    RuleId,
    TransactionId,
)
from budget.domain.model.imports import ImportBatch, ImportCounts, ImportStatus
from budget.domain.model.money import Money
from budget.domain.model.period import PeriodKind
from budget.domain.model.recurring import Frequency, RecurrenceSchedule, WeekendRule
from budget.domain.model.recurring_template import RecurringTransaction
from budget.domain.model.rule import Rule, check_rule
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
from budget.domain.ports.imports import BackupReader, RestoreUnitOfWork
from budget.domain.services.exchange_rates import RateDraft
from budget.domain.services.imports import ImportOutcome
from budget.domain.services.rules import ActionDraft, ConditionDraft, parse_rule
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
        self, uow: RestoreUnitOfWork, clock: Clock, ids: IdFactory, reader: BackupReader
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
            if not await uow.imports.household_is_empty(household):
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
                templates = restoring.templates(backup.recurring, accounts, categories)
                transactions = restoring.transactions(backup.transactions, accounts, categories)
                budgets = restoring.budgets(backup.budgets, categories)
                rules = restoring.rules(backup.rules, accounts, categories)
                rates = restoring.rates(backup.exchange_rates)
            except RuleViolationError as error:
                if isinstance(error, UnreadableFileError):
                    raise
                raise UnreadableFileError(f"holds a record that breaks a rule: {error}") from None
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
            for template in templates.values():
                uow.recurring.add(template)
            for rule in rules:
                uow.rules.add(rule)
            await uow.exchange_rates.upsert(rates)
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


class _Restoring:
    """The new records of one restore, and the map from old ids to new ones."""

    def __init__(self, household: HouseholdId, now: dt.datetime, new_id: Callable[[], UUID]):
        self.household = household
        self.now = now
        self.new_id = new_id
        self.ids: dict[UUID, UUID] = {}
        self.templates_by_old: dict[UUID, UUID] = {}

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
        """Restored after the templates: a posted transaction names its template's new id
        (none when the template is not in the file: it was deleted, like in the source)."""
        return [self._transaction(t, accounts, categories) for t in found]

    def _transaction(
        self,
        t: BackupTransaction,
        accounts: Mapping[UUID, Account],
        categories: Mapping[UUID, Category],
    ) -> Transaction:
        posting = _posting(t, accounts, categories)
        return Transaction.record(
            TransactionId(self._new(t.id)),
            self.household,
            posting,
            t.date,
            Note.of(t.description, t.payee, t.tags),
            self.now,
            status=_enum(TransactionStatus, t.status, "status"),
            import_id=t.import_id,
            recurring_id=None
            if t.recurring_id is None
            else self.templates_by_old.get(t.recurring_id),
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

    def _template_of(self, old: UUID | None) -> UUID | None:
        return None if old is None else self.templates_by_old.get(old)

    def templates(
        self,
        found: Sequence[BackupRecurring],
        accounts: Mapping[UUID, Account],
        categories: Mapping[UUID, Category],
    ) -> dict[UUID, RecurringTransaction]:
        new: dict[UUID, RecurringTransaction] = {}
        for r in found:
            schedule = RecurrenceSchedule(
                _enum(Frequency, r.frequency, "frequency"),
                r.start_date,
                r.interval,
                r.end_date,
                r.count,
                _enum(WeekendRule, r.weekend, "weekend"),
            )
            template = RecurringTransaction.create(
                RecurringId(self._new(r.id)),
                _posting(r, accounts, categories),
                Note.of(r.description, r.payee, r.tags),
                schedule,
                auto_post=r.auto_post,
                now=self.now,
            )
            template.last_planned, template.posted_count = progress(schedule, r.next_date)
            template.created_at = r.created_at or self.now
            template.updated_at = r.updated_at or template.created_at
            new[r.id] = template
            self.templates_by_old[r.id] = template.id
        return new

    def rules(
        self,
        found: Sequence[BackupRule],
        accounts: Mapping[UUID, Account],
        categories: Mapping[UUID, Category],
    ) -> list[Rule]:
        new = []
        for r in found:
            conditions = [
                ConditionDraft(c.field, c.op, _remapped_account(c, accounts)) for c in r.conditions
            ]
            actions = [
                ActionDraft(
                    a.set,
                    _category_value(a.value, categories) if a.set == "category_id" else a.value,
                    None if a.add_tags is None else list(a.add_tags),
                )
                for a in r.actions
            ]
            sent_conditions, sent_actions = parse_rule(r.name, r.priority, conditions, actions)
            parsed_conditions, parsed_actions = sent_conditions or (), sent_actions or ()
            name = check_rule(r.name, r.priority, parsed_conditions, parsed_actions)
            created = r.created_at or self.now
            new.append(
                Rule(
                    RuleId(self._new(r.id)),
                    self.household,
                    name,
                    r.priority,
                    r.active,
                    parsed_conditions,
                    parsed_actions,
                    created,
                    r.updated_at or created,
                )
            )
        return new

    def rates(self, found: Sequence[BackupRate]) -> list[ExchangeRate]:
        new = []
        for r in found:
            draft = RateDraft(r.base, r.quote, r.date, r.rate)
            problems = draft.problems()
            if problems:
                raise RuleViolationError(*problems)
            new.append(
                ExchangeRate(
                    ExchangeRateId(self._new(r.id)),
                    self.household,
                    Currency.of(r.base),
                    Currency.of(r.quote),
                    r.date,
                    Rate.parse(r.rate),
                    r.created_at or self.now,
                )
            )
        return new


def progress(schedule: RecurrenceSchedule, next_date: dt.date | None) -> tuple[dt.date | None, int]:
    """The planned date of the last occurrence posted (None: none yet) and how many were
    posted, for a template whose next occurrence is posted on ``next_date`` (None: its
    schedule is finished). When a weekend move puts several occurrences on ``next_date``,
    the first of them is the next one (nothing is skipped).

    Raises:
        UnreadableFileError: ``next_date`` is no occurrence of the schedule, or a schedule
            without an end is said to be finished.
    """
    if next_date is None:
        if schedule.count is not None:
            last = schedule.count - 1
        elif schedule.end_date is not None:
            last = schedule.first_after(schedule.end_date) - 1
        else:
            raise UnreadableFileError("holds a finished recurring template that never ends")
        return schedule.planned(last), last + 1
    found = schedule.between(None, next_date, next_date)
    if not found:
        raise UnreadableFileError(
            f"holds a recurring template whose next_date {next_date} is not one of its dates"
        )
    index = found[0].index
    return (None if index == 0 else schedule.planned(index - 1)), index


def _posting(
    t: BackupTransaction | BackupRecurring,
    accounts: Mapping[UUID, Account],
    categories: Mapping[UUID, Category],
) -> Posting:
    account = _lookup(accounts, t.account_id, "account")
    to_account = None if t.to_account_id is None else _lookup(accounts, t.to_account_id, "account")
    category = None if t.category_id is None else _lookup(categories, t.category_id, "category")
    kind = _enum(TransactionType, t.type, "type")
    parts = tuple(
        Split(
            None if s.category_id is None else _lookup(categories, s.category_id, "category").id,
            Money.parse(s.amount, account.currency),
            s.description,
        )
        for s in t.splits
    )
    to_amount = None
    if to_account is not None and t.to_amount is not None:
        to_amount = Money.parse(t.to_amount, to_account.currency, field="to_amount")
    return Posting.settle(
        kind,
        Links(account, to_account, category),
        Money.parse(t.amount, account.currency),
        sent_to_amount=to_amount,
        splits=parts,
    )


def _remapped_account(condition: BackupCondition, accounts: Mapping[UUID, Account]) -> str:
    """An ``account_id`` condition's value with the account's new id (kept as it is when the
    file does not hold that account: it matches nothing here either)."""
    if condition.field != "account_id":
        return condition.value
    try:
        old = UUID(condition.value)
    except ValueError:
        return condition.value
    found = accounts.get(old)
    return condition.value if found is None else str(found.id)


def _category_value(value: str | None, categories: Mapping[UUID, Category]) -> str | None:
    """A ``set category_id`` action's value with the category's new id."""
    try:
        old = UUID(value or "")
    except ValueError:
        return value
    return str(_lookup(categories, old, "category").id)


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
