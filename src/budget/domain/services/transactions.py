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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from budget.domain.errors import NotFoundError, RuleViolationError
from budget.domain.model.account import Account
from budget.domain.model.balance import balance_change
from budget.domain.model.category import Category
from budget.domain.model.cursor import Cursor, decode_cursor, encode_cursor, fingerprint
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.ledger_queries import TransactionFilters, TransactionPaging
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, Sort
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.model.totals import totals_change
from budget.domain.model.transaction import (
    FOREIGN_ACCOUNT,
    FOREIGN_CATEGORY,
    Links,
    Note,
    Posting,
    Transaction,
    TransactionType,
    check_shape,
)
from budget.domain.ports import Clock, IdFactory, UnitOfWork


class TransactionNotFoundError(NotFoundError):
    """The transaction does not exist in the caller's households."""

    title = "Transaction not found"


@dataclass(frozen=True, slots=True)
class TransactionDraft:
    """A new transaction as the client sent it; amounts are still wire text."""

    type: TransactionType
    account_id: AccountId
    amount: str
    date: dt.date
    to_account_id: AccountId | None = None
    to_amount: str | None = None
    category_id: CategoryId | None = None
    description: str = ""
    payee: str = ""
    tags: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class TransactionChanges:
    """The fields a PATCH sent; the others are ``UNSET`` (``None`` clears a nullable one)."""

    type: TransactionType | Unset = UNSET
    account_id: AccountId | Unset = UNSET
    to_account_id: AccountId | Unset | None = UNSET
    amount: str | Unset = UNSET
    to_amount: str | Unset | None = UNSET
    category_id: CategoryId | Unset | None = UNSET
    date: dt.date | Unset = UNSET
    description: str | Unset = UNSET
    payee: str | Unset = UNSET
    tags: Sequence[str] | Unset = UNSET


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


async def _account(
    uow: UnitOfWork, scope: Sequence[HouseholdId], account_id: AccountId, field: str
) -> Account:
    account = await uow.accounts.get(scope, account_id)
    if account is None:
        raise RuleViolationError.on(field, FOREIGN_ACCOUNT)
    return account


async def _category(
    uow: UnitOfWork, household_id: HouseholdId, category_id: CategoryId
) -> Category:
    category = await uow.categories.get((household_id,), category_id)
    if category is None:
        raise RuleViolationError.on("category_id", FOREIGN_CATEGORY)
    return category


async def _links(
    uow: UnitOfWork,
    caller: Caller,
    household_id: HouseholdId | None,
    account_id: AccountId,
    to_account_id: AccountId | None,
    category_id: CategoryId | None,
) -> Links:
    """Find the referenced resources; missing ones, or ones outside the household, are 422.

    ``household_id`` None (a new transaction): the account may be in any of the caller's
    households, and the caller must be allowed to write there (else 403); the other
    references must be in the account's household.
    """
    scope = caller.visible() if household_id is None else (household_id,)
    account = await _account(uow, scope, account_id, "account_id")
    caller.require_write(account.household_id)
    household = account.household_id
    to_account = None
    if to_account_id is not None:
        to_account = await _account(uow, (household,), to_account_id, "to_account_id")
    category = None if category_id is None else await _category(uow, household, category_id)
    return Links(account, to_account, category)


def _to_amount(text: str | None, links: Links) -> Money | None:
    if text is None or links.to_account is None:
        return None
    return Money.parse(text, links.to_account.currency, field="to_amount")


class RecordTransaction:
    """Record income, an expense or a transfer, and move the balances it affects.

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
        note = Note.of(draft.description, draft.payee, draft.tags)
        async with self._uow as uow:
            links = await _links(
                uow, caller, None, draft.account_id, draft.to_account_id, draft.category_id
            )
            amount = Money.parse(draft.amount, links.account.currency, field="amount")
            posting = Posting.settle(
                draft.type, links, amount, sent_to_amount=_to_amount(draft.to_amount, links)
            )
            txn_id = TransactionId(self._ids.new_id())
            txn = Transaction.record(
                txn_id, links.account.household_id, posting, draft.date, note, self._clock.now()
            )
            uow.transactions.add(txn)
            await uow.accounts.record_balance_deltas(balance_change(None, txn))
            await uow.totals.record(totals_change(None, txn))
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
        async with self._uow as uow:
            txn = await _existing(uow, caller.visible(), transaction_id, for_update=True)
            caller.require_write(txn.household_id)
            before = replace(txn)
            posting = await _revised_posting(uow, caller, txn, changes)
            note = Note.of(
                pick(changes.description, txn.description),
                pick(changes.payee, txn.payee),
                pick(changes.tags, txn.tags),
            )
            txn.revise(posting, pick(changes.date, txn.date), note, self._clock.now())
            await uow.accounts.record_balance_deltas(balance_change(before, txn))
            await uow.totals.record(totals_change(before, txn))
            await uow.commit()
        return txn


async def _revised_posting(
    uow: UnitOfWork, caller: Caller, txn: Transaction, changes: TransactionChanges
) -> Posting:
    kind = pick(changes.type, txn.type)
    account_id = pick(changes.account_id, txn.account_id)
    transfer = kind is TransactionType.TRANSFER
    to_account_id = pick(changes.to_account_id, txn.to_account_id if transfer else None)
    category_id = pick(changes.category_id, None if transfer else txn.category_id)
    sent_to_amount = pick(changes.to_amount, None)
    check_shape(
        kind, account_id, to_account_id, category_id, has_to_amount=sent_to_amount is not None
    )
    links = await _links(uow, caller, txn.household_id, account_id, to_account_id, category_id)
    amount = _revised_amount(changes.amount, txn.amount, links.account)
    kept = txn.to_amount if isinstance(changes.to_amount, Unset) else None
    return Posting.settle(
        kind, links, amount, sent_to_amount=_to_amount(sent_to_amount, links), kept_to_amount=kept
    )


def _revised_amount(text: str | Unset, current: Money, account: Account) -> Money:
    if not isinstance(text, Unset):
        return Money.parse(text, account.currency, field="amount")
    if current.currency != account.currency:
        raise RuleViolationError.on(
            "amount", f"must be sent again in {account.currency.code} when the account changes"
        )
    return current


class DeleteTransaction:
    """Delete a transaction and take its effect off the balances.

    Raises:
        TransactionNotFoundError: no such transaction in the caller's households.
        PermissionDeniedError: the caller is a viewer of the transaction's household.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, transaction_id: TransactionId) -> None:
        async with self._uow as uow:
            txn = await _existing(uow, caller.visible(), transaction_id, for_update=True)
            caller.require_write(txn.household_id)
            await uow.accounts.record_balance_deltas(balance_change(txn, None))
            await uow.totals.record(totals_change(txn, None))
            await uow.transactions.delete(txn)
            await uow.commit()
