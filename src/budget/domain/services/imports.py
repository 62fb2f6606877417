"""Use cases of statement imports (contract section 12): import a file into an account (or
dry-run it), list and read imports, and undo one.

An import is all or nothing, in one unit of work: the file is read into statement lines
(``StatementParser``), the target account is locked (``FOR UPDATE`` on PostgreSQL; SQLite
has one writer at a time), every line is drafted and handed to the import rules
(``ImportRowRules``: the drafts are final after them), then checked; any invalid row fails
the whole import. The account's existing ``import_id``s are read under the lock, so two
concurrent imports of one file create each transaction once: the second waits for the
first and then finds its rows duplicates. The created transactions, their balance and
totals effects (folded by the unit of work: one balance update per account, one upsert per
cell) and the batch with its links are written at commit, as for any transaction write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from budget.domain.errors import ConflictError, RuleViolationError
from budget.domain.model.account import Account
from budget.domain.model.category import Category
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, HouseholdId, TransactionId
from budget.domain.model.imports import (
    ImportBatch,
    ImportCounts,
    ImportId,
    ImportNotFoundError,
    ImportRow,
    ImportStatus,
    RowsInvalidError,
    check_rows,
    count,
    draft_rows,
    mark_duplicates,
)
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.statement import CsvMapping, StatementFormat, UnreadableFileError
from budget.domain.model.transaction import (
    FOREIGN_ACCOUNT,
    Links,
    Note,
    Posting,
    Transaction,
    TransactionStatus,
)
from budget.domain.model.webhook import EventType
from budget.domain.ports import Clock, IdFactory
from budget.domain.ports.imports import ImportRowRules, ImportUnitOfWork, StatementParser
from budget.domain.services.concurrency import retrying
from budget.domain.services.transactions import record_effects
from budget.domain.services.webhooks import announce, watch_budgets


class ImportReconciledError(ConflictError):
    """An import whose transactions include a reconciled one cannot be undone."""

    title = "Import has reconciled transactions"


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """A statement file to import into ``account_id``."""

    account_id: AccountId
    file_format: StatementFormat
    data: bytes
    file_name: str = ""
    dry_run: bool = False
    mapping: CsvMapping | None = None


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import did (or, dry, would do): ``id`` None for a dry run."""

    id: ImportId | None
    status: ImportStatus
    household_id: HouseholdId
    account_id: AccountId | None
    format: str
    created_at: dt.datetime
    counts: ImportCounts
    transactions: Sequence[Transaction]


class ImportStatement:
    """Import a statement file into an account, all or nothing (see the module).

    Raises:
        UnreadableFileError: on ``file`` when the file cannot be read as its format.
        RuleViolationError: on ``account_id`` when the account is missing or in a
            household the caller is not in.
        PermissionDeniedError: the caller is a viewer of the account's household.
        RowsInvalidError: one problem per invalid row (``#/rows/<n>``); nothing is written.
    """

    def __init__(
        self,
        uow: ImportUnitOfWork,
        clock: Clock,
        ids: IdFactory,
        parser: StatementParser,
        rules: ImportRowRules,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._parser = parser
        self._rules = rules

    async def execute(self, caller: Caller, request: ImportRequest) -> ImportOutcome:
        statement = await self._parser.read(request.data, request.file_format, request.mapping)
        if not statement.lines and not statement.problems:
            raise UnreadableFileError(f"holds no transactions readable as {request.file_format}")
        async with self._uow as uow:
            account = await uow.accounts.get(caller.visible(), request.account_id, for_update=True)
            if account is None:
                raise RuleViolationError.on("account_id", FOREIGN_ACCOUNT)
            caller.require_write(account.household_id)
            categories = await uow.imports.categories_of(account.household_id)
            drafts = draft_rows(statement.lines, categories)
            # The one place where each row's draft is final before it is checked.
            drafts = list(await self._rules.apply(uow, account, drafts))
            rows, problems = check_rows(drafts, account.currency)
            if problems or statement.problems:
                raise RowsInvalidError([*statement.problems, *problems])
            existing = await uow.imports.existing_ids(account.id, [r.import_id for r in rows])
            rows = mark_duplicates(rows, existing)
            now = self._clock.now()
            created = self._transactions(account, categories, rows, now)
            counts = count(rows)
            if request.dry_run:
                return ImportOutcome(
                    None,
                    ImportStatus.DRY_RUN,
                    account.household_id,
                    account.id,
                    request.file_format.value,
                    now,
                    counts,
                    created,
                )
            batch = ImportBatch(
                self._ids.new_id(),
                account.household_id,
                account.id,
                caller.id,
                request.file_name[:255],
                request.file_format.value,
                counts,
                now,
            )
            for txn in created:
                uow.transactions.add(txn)
                await record_effects(uow, None, txn)
            uow.imports.add(batch, created)
            outcome = _outcome(batch, created)
            announce(uow, caller, batch.household_id, EventType.IMPORT_COMPLETED, outcome, now)
            watch_budgets(uow, caller, batch.household_id, self._clock)
            await uow.commit()
        return outcome

    def _transactions(
        self,
        account: Account,
        categories: Sequence[Category],
        rows: Sequence[ImportRow],
        now: dt.datetime,
    ) -> list[Transaction]:
        by_id = {category.id: category for category in categories}
        created = []
        for row in rows:
            if row.duplicate:
                continue
            draft = row.draft
            category = None if draft.category_id is None else by_id.get(draft.category_id)
            links = Links(account, None, category)
            posting = Posting.settle(draft.type, links, row.amount)
            created.append(
                Transaction.record(
                    TransactionId(self._ids.new_id()),
                    account.household_id,
                    posting,
                    draft.line.date,
                    Note.of(draft.description, draft.payee, draft.tags),
                    now,
                    status=TransactionStatus.UNCLEARED,
                    import_id=row.import_id,
                )
            )
        return created


def _outcome(batch: ImportBatch, transactions: Sequence[Transaction]) -> ImportOutcome:
    return ImportOutcome(
        batch.id,
        ImportStatus.COMPLETED,
        batch.household_id,
        batch.account_id,
        batch.format,
        batch.created_at,
        batch.counts,
        transactions,
    )


class GetImport:
    """Read an import of one of the caller's households.

    Raises:
        ImportNotFoundError: no such import in the caller's households.
    """

    def __init__(self, uow: ImportUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, import_id: ImportId) -> ImportOutcome:
        async with self._uow as uow:
            batch = await uow.imports.get(caller.visible(), import_id)
        if batch is None:
            raise ImportNotFoundError()
        return _outcome(batch, ())


class ListImports:
    """List the imports of every household of the caller (or of ``household_id`` alone)."""

    def __init__(self, uow: ImportUnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self,
        caller: Caller,
        page: PageRequest,
        sort: Sort,
        household_id: HouseholdId | None = None,
    ) -> Page[ImportOutcome]:
        scope = caller.visible(household_id)
        if not scope:
            return Page([], 0, page.limit, page.offset)
        async with self._uow as uow:
            found = await uow.imports.list(scope, page, sort)
        items = [_outcome(batch, ()) for batch in found.items]
        return Page(items, found.total, found.limit, found.offset)


class UndoImport:
    """Undo an import: delete every transaction it created that still exists, taking their
    effects off the balances and totals, and forget the import.

    Raises:
        ImportNotFoundError: no such import in the caller's households.
        PermissionDeniedError: the caller is a viewer of its household.
        ImportReconciledError: one of its transactions is reconciled; nothing changes.
    """

    def __init__(self, uow: ImportUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, import_id: ImportId) -> None:
        await retrying(lambda: self._attempt(caller, import_id))

    async def _attempt(self, caller: Caller, import_id: ImportId) -> None:
        async with self._uow as uow:
            batch = await uow.imports.get(caller.visible(), import_id, for_update=True)
            if batch is None:
                raise ImportNotFoundError()
            caller.require_write(batch.household_id)
            transactions = await uow.imports.transactions_of(batch)
            if any(txn.status is TransactionStatus.RECONCILED for txn in transactions):
                raise ImportReconciledError(
                    "a transaction of this import is reconciled: move it back to cleared first"
                )
            for txn in transactions:
                await record_effects(uow, txn, None)
            await uow.imports.delete(batch, transactions)
            await uow.commit()
