"""Use cases of transactions: record, read, list, change and delete them, in the caller's
households. A transaction belongs to its account's household; every account and category
it refers to must be in that household.

Every write hands the balance rule's deltas (``balance_change``) to
``uow.accounts.record_balance_deltas`` and then the totals rule's changes (``totals_change``)
to ``uow.totals.record`` inside the same unit of work, so a transaction, its balance effect
and its daily totals are committed together or not at all.

PATCH semantics: only sent fields change. Fields that the (possibly new) type forbids
are dropped when not sent (``to_account_id`` and ``to_amount`` when leaving transfer,
``category_id`` when becoming one); sending a value for them is a rule violation. A
category that no longer fits a new type must be replaced or cleared in the same PATCH.
Moving to an account in another currency requires ``amount`` (and, across currencies,
``to_amount``) to be sent again, since the old amount means nothing in the new currency.

Splits (section 10, ``model/splits.py``): a PATCH with ``splits`` replaces them all (``[]``
removes them); sending non-empty ``splits`` without ``category_id`` clears the category; the
kept parts must still add up to a changed ``amount``. ``status`` moves freely, but a
``reconciled`` transaction keeps its locked fields (409) until a PATCH moves its status
back; ``import_id`` never changes after create. Every write also hands the cleared
balance's deltas (``cleared_change``) to the accounts. Changes and deletions run again when
the database makes them give way to a concurrent writer (``concurrency.retrying``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from budget.domain.errors import NotFoundError, RuleViolationError
from budget.domain.model.balance import balance_change, cleared_change
from budget.domain.model.cursor import Cursor, decode_cursor, encode_cursor, fingerprint
from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId, TransactionId
from budget.domain.model.ledger_queries import TransactionFilters, TransactionPaging
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, Sort
from budget.domain.model.patch import Unset, pick
from budget.domain.model.splits import refuse_category_beside_parts, refuse_split_transfer
from budget.domain.model.totals import totals_change
from budget.domain.model.transaction import (
    Note,
    Posting,
    Transaction,
    TransactionType,
    check_shape,
)
from budget.domain.model.transaction_status import check_import_id
from budget.domain.model.webhook import EventType
from budget.domain.ports import Clock, IdFactory, UnitOfWork
from budget.domain.services.concurrency import retrying
from budget.domain.services.rule_book import apply_to_draft, load_rule_book
from budget.domain.services.transaction_inputs import (
    TransactionChanges as TransactionChanges,
)
from budget.domain.services.transaction_inputs import (
    TransactionDraft as TransactionDraft,
)
from budget.domain.services.transaction_inputs import (
    find_links,
    find_parts,
    revised_posting,
    to_amount_of,
)
from budget.domain.services.webhooks import announce, deleted, watch_budgets


class TransactionNotFoundError(NotFoundError):
    """The transaction does not exist in the caller's households."""

    title = "Transaction not found"


async def record_effects(uow: UnitOfWork, old: Transaction | None, new: Transaction | None) -> None:
    """Hand the balance, cleared-balance and totals changes from ``old`` to ``new`` to the
    unit of work (a creation when ``old`` is None, a deletion when ``new`` is)."""
    await uow.accounts.record_balance_deltas(balance_change(old, new), cleared_change(old, new))
    await uow.totals.record(totals_change(old, new))


async def _existing(
    uow: UnitOfWork,
    scope: Sequence[HouseholdId],
    transaction_id: TransactionId,
    *,
    for_update: bool = False,
) -> Transaction:
    txn = await uow.transactions.get(scope, transaction_id, for_update=for_update)
    if txn is None:
        raise TransactionNotFoundError()
    return txn


class RecordTransaction:
    """Record income, an expense or a transfer, and move the balances it affects.

    The household's active rules (section 13) fill what a new income or expense left empty
    (``rule_book.apply_to_draft``) before it is checked and recorded.

    Raises:
        RuleViolationError: any rule of the contract's section 6, including references
            to accounts or categories that are missing or in another household.
        PermissionDeniedError: the caller is a viewer of the account's household.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, draft: TransactionDraft) -> Transaction:
        check_shape(
            draft.type,
            draft.account_id,
            draft.to_account_id,
            draft.category_id,
            has_to_amount=draft.to_amount is not None,
        )
        split = bool(draft.splits)
        refuse_split_transfer(transfer=draft.type is TransactionType.TRANSFER, split=split)
        refuse_category_beside_parts(split=split, has_category=draft.category_id is not None)
        check_import_id(draft.import_id)
        note = Note.of(draft.description, draft.payee, draft.tags)
        async with self._uow as uow:
            links = await find_links(
                uow, caller, None, draft.account_id, draft.to_account_id, draft.category_id
            )
            amount = Money.parse(draft.amount, links.account.currency, field="amount")
            book = await load_rule_book(uow, links.account.household_id)
            draft, chosen = apply_to_draft(book, draft, amount)
            if book:
                note = Note.of(draft.description, draft.payee, draft.tags)
            if chosen is not None:
                links = replace(links, category=chosen)
            parts = await find_parts(uow, draft.splits, links, draft.type)
            posting = Posting.settle(
                draft.type,
                links,
                amount,
                sent_to_amount=to_amount_of(draft.to_amount, links),
                splits=parts,
            )
            txn_id = TransactionId(self._ids.new_id())
            txn = Transaction.record(
                txn_id,
                links.account.household_id,
                posting,
                draft.date,
                note,
                self._clock.now(),
                status=draft.status,
                import_id=draft.import_id,
            )
            uow.transactions.add(txn)
            await record_effects(uow, None, txn)
            announce(
                uow, caller, txn.household_id, EventType.TRANSACTION_CREATED, txn, txn.created_at
            )
            watch_budgets(uow, caller, txn.household_id, self._clock)
            await uow.commit()
        return txn


class GetTransaction:
    """Read a transaction of one of the caller's households.

    Raises:
        TransactionNotFoundError: no such transaction in the caller's households.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, transaction_id: TransactionId) -> Transaction:
        async with self._uow as uow:
            return await _existing(uow, caller.visible(), transaction_id)


class ListTransactions:
    """List the transactions of every household of the caller (or of ``household_id``
    alone) by offset or by keyset cursor; every page has a
    ``next_cursor`` (None on the last page), and cursor pages are not counted.

    Raises:
        RuleViolationError: on ``cursor`` when it is malformed, forged, or was issued for
            another user, sort or set of filters.
    """

    def __init__(self, uow: UnitOfWork, cursor_key: bytes) -> None:
        self._uow = uow
        self._cursor_key = cursor_key

    async def execute(
        self,
        caller: Caller,
        filters: TransactionFilters,
        sort: Sort,
        paging: TransactionPaging,
        household_id: HouseholdId | None = None,
    ) -> Page[Transaction]:
        digest = fingerprint(caller.id, sort, filters, household_id)
        scope = caller.visible(household_id)
        if paging.cursor is None:
            if not scope:
                return Page([], 0, paging.limit, paging.offset)
            return await self._offset_page(scope, filters, sort, paging, digest)
        keyset = decode_cursor(paging.cursor, self._cursor_key, digest).keyset(sort)
        if not scope:
            return Page([], None, paging.limit, None)
        async with self._uow as uow:
            found = await uow.transactions.list_after(
                scope, filters, sort, keyset, paging.limit + 1
            )
        items = list(found[: paging.limit])
        more = len(found) > paging.limit
        return Page(items, None, paging.limit, None, self._next_cursor(items, more, sort, digest))

    async def _offset_page(
        self,
        scope: Sequence[HouseholdId],
        filters: TransactionFilters,
        sort: Sort,
        paging: TransactionPaging,
        digest: str,
    ) -> Page[Transaction]:
        async with self._uow as uow:
            page = await uow.transactions.list(scope, filters, sort, paging.page_request())
        more = (page.offset or 0) + len(page.items) < (page.total or 0)
        next_cursor = self._next_cursor(page.items, more, sort, digest)
        return Page(page.items, page.total, page.limit, page.offset, next_cursor)

    def _next_cursor(
        self, items: Sequence[Transaction], more: bool, sort: Sort, digest: str
    ) -> str | None:
        if not more or not items:
            return None
        return encode_cursor(Cursor.after(items[-1], sort, digest), self._cursor_key)


class UpdateTransaction:
    """Change a transaction (PATCH semantics, see the module docstring) and move the
    balances by the difference between its old and new effects.

    Raises:
        TransactionNotFoundError: no such transaction in the caller's households.
        PermissionDeniedError: the caller is a viewer of the transaction's household.
        RuleViolationError: the changed transaction would break a rule of section 6 (it
            stays in its household: another household's account is 422).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, caller: Caller, transaction_id: TransactionId, changes: TransactionChanges
    ) -> Transaction:
        return await retrying(lambda: self._attempt(caller, transaction_id, changes))

    async def _attempt(
        self, caller: Caller, transaction_id: TransactionId, changes: TransactionChanges
    ) -> Transaction:
        async with self._uow as uow:
            txn = await _existing(uow, caller.visible(), transaction_id, for_update=True)
            await revise_transaction(uow, caller, txn, changes, self._clock.now())
            announce(
                uow, caller, txn.household_id, EventType.TRANSACTION_UPDATED, txn, txn.updated_at
            )
            watch_budgets(uow, caller, txn.household_id, self._clock)
            await uow.commit()
        return txn


async def revise_transaction(
    uow: UnitOfWork,
    caller: Caller,
    txn: Transaction,
    changes: TransactionChanges,
    now: datetime,
) -> None:
    """Apply ``changes`` to ``txn`` (read with ``for_update``) in ``uow`` and record the
    effects of the difference: the one write path of every change of a transaction
    (``UpdateTransaction``, ``ApplyRule``). The caller commits.

    Raises:
        PermissionDeniedError: the caller is a viewer of the transaction's household.
        RuleViolationError, TransactionLockedError: as ``UpdateTransaction``.
    """
    caller.require_write(txn.household_id)
    if not isinstance(changes.import_id, Unset) and changes.import_id != txn.import_id:
        raise RuleViolationError.on("import_id", "cannot change after create")
    before = replace(txn)
    posting = await revised_posting(uow, caller, txn, changes)
    note = Note.of(
        pick(changes.description, txn.description),
        pick(changes.payee, txn.payee),
        pick(changes.tags, txn.tags),
    )
    txn.revise(posting, pick(changes.date, txn.date), note, now, pick(changes.status, txn.status))
    before.check_unlocked(txn)
    await record_effects(uow, before, txn)


class DeleteTransaction:
    """Delete a transaction and take its effect off the balances.

    Raises:
        TransactionNotFoundError: no such transaction in the caller's households.
        PermissionDeniedError: the caller is a viewer of the transaction's household.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, transaction_id: TransactionId) -> None:
        await retrying(lambda: self._attempt(caller, transaction_id))

    async def _attempt(self, caller: Caller, transaction_id: TransactionId) -> None:
        async with self._uow as uow:
            txn = await _existing(uow, caller.visible(), transaction_id, for_update=True)
            caller.require_write(txn.household_id)
            txn.check_unlocked()
            await record_effects(uow, txn, None)
            await uow.transactions.delete(txn)
            announce(uow, caller, txn.household_id, EventType.TRANSACTION_DELETED, deleted(txn.id))
            watch_budgets(uow, caller, txn.household_id)
            await uow.commit()
