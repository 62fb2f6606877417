"""What the transaction use cases read from a request: the drafts and changes a client sent,
and how they become a ``Posting`` against the accounts and categories found in the
household (references, amounts, split parts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account
from budget.domain.model.category import Category
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId
from budget.domain.model.money import Money
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.model.splits import (
    Split,
    SplitDraft,
    check_categories,
    parse_parts,
    refuse_category_beside_parts,
    refuse_split_transfer,
)
from budget.domain.model.transaction import (
    FOREIGN_ACCOUNT,
    FOREIGN_CATEGORY,
    Links,
    Posting,
    Transaction,
    TransactionStatus,
    TransactionType,
    check_shape,
)
from budget.domain.ports import UnitOfWork


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
    splits: Sequence[SplitDraft] = ()
    status: TransactionStatus = TransactionStatus.UNCLEARED
    import_id: str | None = None


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
    splits: Sequence[SplitDraft] | Unset = UNSET
    status: TransactionStatus | Unset = UNSET
    import_id: str | Unset | None = UNSET


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


async def find_links(
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


async def find_parts(
    uow: UnitOfWork, drafts: Sequence[SplitDraft], links: Links, kind: TransactionType
) -> tuple[Split, ...]:
    """The parts in the account's currency, their categories found in its household."""
    if not drafts:
        return ()
    refuse_split_transfer(transfer=kind is TransactionType.TRANSFER, split=True)
    parts = parse_parts(drafts, links.account.currency)
    await _check_part_categories(uow, parts, links.account.household_id, kind)
    return parts


async def _check_part_categories(
    uow: UnitOfWork, parts: Sequence[Split], household: HouseholdId, kind: TransactionType
) -> None:
    """Each part's category is one of ``household``'s, of the transaction's kind."""
    wanted = {part.category_id for part in parts if part.category_id is not None}
    found = {c.id: c for c in await uow.categories.get_many((household,), wanted)}
    check_categories(parts, found, household, kind.category_kind)


def to_amount_of(text: str | None, links: Links) -> Money | None:
    if text is None or links.to_account is None:
        return None
    return Money.parse(text, links.to_account.currency, field="to_amount")


async def revised_posting(
    uow: UnitOfWork, caller: Caller, txn: Transaction, changes: TransactionChanges
) -> Posting:
    kind = pick(changes.type, txn.type)
    account_id = pick(changes.account_id, txn.account_id)
    transfer = kind is TransactionType.TRANSFER
    to_account_id = pick(changes.to_account_id, txn.to_account_id if transfer else None)
    split = bool(changes.splits) if not isinstance(changes.splits, Unset) else bool(txn.splits)
    # Sending non-empty parts alone clears the category; keeping them keeps it cleared.
    category_id = pick(changes.category_id, None if transfer or split else txn.category_id)
    sent_to_amount = pick(changes.to_amount, None)
    sent_parts = not isinstance(changes.splits, Unset) and bool(changes.splits)
    refuse_split_transfer(transfer=transfer, split=sent_parts)
    refuse_category_beside_parts(split=split, has_category=category_id is not None)
    check_shape(
        kind, account_id, to_account_id, category_id, has_to_amount=sent_to_amount is not None
    )
    links = await find_links(uow, caller, txn.household_id, account_id, to_account_id, category_id)
    amount = _revised_amount(changes.amount, txn.amount, links.account)
    if isinstance(changes.splits, Unset):
        parts = txn.splits
        if parts and amount != txn.amount:
            raise RuleViolationError.on(
                "splits", "must be sent again when the amount of a split transaction changes"
            )
        if parts and kind is not txn.type and kind is not TransactionType.TRANSFER:
            await _check_part_categories(uow, parts, txn.household_id, kind)
    else:
        parts = await find_parts(uow, changes.splits, links, kind)
    kept = txn.to_amount if isinstance(changes.to_amount, Unset) else None
    return Posting.settle(
        kind,
        links,
        amount,
        sent_to_amount=to_amount_of(sent_to_amount, links),
        kept_to_amount=kept,
        splits=parts,
    )


def _revised_amount(text: str | Unset, current: Money, account: Account) -> Money:
    if not isinstance(text, Unset):
        return Money.parse(text, account.currency, field="amount")
    if current.currency != account.currency:
        raise RuleViolationError.on(
            "amount", f"must be sent again in {account.currency.code} when the account changes"
        )
    return current
