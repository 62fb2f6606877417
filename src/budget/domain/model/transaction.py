"""Transactions: income into an account, an expense out of it, or a transfer between two.

A transaction is checked in two steps. ``check_shape`` looks only at the ids a client
sent (which fields the type requires or forbids), so that a misplaced field is reported
as such before anything is looked up. ``Posting`` then checks the money side against the
resolved accounts and category: currencies, positive amounts, ``to_amount`` and the
category's kind.

Archived accounts and archived categories may be used: archiving hides them from pickers
but history can still be recorded and corrected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.note import MAX_DESCRIPTION_LENGTH as MAX_DESCRIPTION_LENGTH
from budget.domain.model.note import MAX_PAYEE_LENGTH as MAX_PAYEE_LENGTH
from budget.domain.model.note import MAX_TAG_LENGTH as MAX_TAG_LENGTH
from budget.domain.model.note import MAX_TAGS as MAX_TAGS
from budget.domain.model.note import Note as Note
from budget.domain.model.note import clean_tags as clean_tags
from budget.domain.model.note import is_valid_tag as is_valid_tag
from budget.domain.model.splits import (
    Split,
    check_sum,
    refuse_category_beside_parts,
    refuse_split_transfer,
)
from budget.domain.model.transaction_status import LOCKED_FIELDS, check_import_id
from budget.domain.model.transaction_status import MAX_IMPORT_ID_LENGTH as MAX_IMPORT_ID_LENGTH
from budget.domain.model.transaction_status import TransactionLockedError as TransactionLockedError
from budget.domain.model.transaction_status import TransactionStatus as TransactionStatus

FOREIGN_ACCOUNT = "must be one of your accounts"
FOREIGN_CATEGORY = "must be one of your categories"


class TransactionType(StrEnum):
    """Which way the money moves."""

    INCOME = "income"
    EXPENSE = "expense"
    TRANSFER = "transfer"

    @property
    def category_kind(self) -> CategoryKind | None:
        """The kind of category this type takes; None for a transfer, which takes none."""
        if self is TransactionType.INCOME:
            return CategoryKind.INCOME
        if self is TransactionType.EXPENSE:
            return CategoryKind.EXPENSE
        return None


def check_shape(
    kind: TransactionType,
    account_id: AccountId,
    to_account_id: AccountId | None,
    category_id: CategoryId | None,
    *,
    has_to_amount: bool,
) -> None:
    """Which fields the type requires or forbids, judged on the sent ids alone.

    Raises:
        RuleViolationError: on ``to_account_id``, ``to_amount`` or ``category_id``.
    """
    if kind is not TransactionType.TRANSFER:
        if to_account_id is not None:
            raise RuleViolationError.on("to_account_id", "is only allowed for a transfer")
        if has_to_amount:
            raise RuleViolationError.on("to_amount", "is only allowed for a transfer")
        return
    if to_account_id is None:
        raise RuleViolationError.on("to_account_id", "is required for a transfer")
    if to_account_id == account_id:
        raise RuleViolationError.on("to_account_id", "must differ from account_id")
    if category_id is not None:
        raise RuleViolationError.on("category_id", "must be empty for a transfer")


def require_positive(amount: Money, field: str) -> Money:
    """Amounts of a transaction are strictly positive; the type gives the direction.

    Raises:
        RuleViolationError: on ``field`` for zero or a negative amount.
    """
    if not amount.is_positive():
        raise RuleViolationError.on(field, "must be greater than zero")
    return amount


def settle_to_amount(
    amount: Money, destination: Currency, sent: Money | None, kept: Money | None
) -> Money:
    """What the destination of a transfer receives.

    Same currency: always ``amount`` (a sent value must equal it). Different currencies:
    the sent value, else the kept one if it is in the destination's currency.

    Raises:
        RuleViolationError: on ``to_amount``: not positive, different from ``amount`` in
            the same currency, or missing across currencies.
    """
    if sent is not None:
        require_positive(sent, "to_amount")
    if destination == amount.currency:
        if sent is not None and sent != amount:
            raise RuleViolationError.on(
                "to_amount", "must equal amount when both accounts use the same currency"
            )
        return amount
    if sent is not None:
        return sent
    if kept is not None and kept.currency == destination:
        return kept
    raise RuleViolationError.on("to_amount", "is required when the accounts' currencies differ")


@dataclass(frozen=True, slots=True)
class Links:
    """The accounts and category a transaction refers to, already found in its household."""

    account: Account
    to_account: Account | None
    category: Category | None

    def check_household(self, household_id: HouseholdId) -> None:
        """Every referenced resource belongs to ``household_id``.

        Raises:
            RuleViolationError: on the first field that refers to someone else's resource.
        """
        if self.account.household_id != household_id:
            raise RuleViolationError.on("account_id", FOREIGN_ACCOUNT)
        if self.to_account is not None and self.to_account.household_id != household_id:
            raise RuleViolationError.on("to_account_id", FOREIGN_ACCOUNT)
        if self.category is not None and self.category.household_id != household_id:
            raise RuleViolationError.on("category_id", FOREIGN_CATEGORY)


@dataclass(frozen=True, slots=True)
class Posting:
    """The money side of a transaction: what moves from where to where, and its category.

    Raises:
        RuleViolationError: when the type, accounts, amounts and category do not fit
            together (see the module docstring and the API contract, section 6).
    """

    kind: TransactionType
    links: Links
    amount: Money
    to_amount: Money | None
    splits: tuple[Split, ...] = ()

    def __post_init__(self) -> None:
        account, to_account, category = (
            self.links.account,
            self.links.to_account,
            self.links.category,
        )
        check_shape(
            self.kind,
            account.id,
            None if to_account is None else to_account.id,
            None if category is None else category.id,
            has_to_amount=self.to_amount is not None,
        )
        if self.amount.currency != account.currency:
            raise RuleViolationError.on("amount", f"must be in {account.currency.code}")
        require_positive(self.amount, "amount")
        self._check_to_amount()
        self._check_category()
        self._check_splits()

    @classmethod
    def settle(
        cls,
        kind: TransactionType,
        links: Links,
        amount: Money,
        *,
        sent_to_amount: Money | None = None,
        kept_to_amount: Money | None = None,
        splits: tuple[Split, ...] = (),
    ) -> Posting:
        """A posting whose ``to_amount`` follows the transfer rules (see ``settle_to_amount``)."""
        to_amount = None
        if kind is TransactionType.TRANSFER and links.to_account is not None:
            to_amount = settle_to_amount(
                amount, links.to_account.currency, sent_to_amount, kept_to_amount
            )
        return cls(kind, links, amount, to_amount, splits)

    def _check_to_amount(self) -> None:
        to_account = self.links.to_account
        if to_account is None:
            return
        if self.to_amount is None:
            raise RuleViolationError.on("to_amount", "is required for a transfer")
        if self.to_amount.currency != to_account.currency:
            raise RuleViolationError.on("to_amount", f"must be in {to_account.currency.code}")
        settle_to_amount(self.amount, to_account.currency, self.to_amount, None)

    def _check_splits(self) -> None:
        if not self.splits:
            return
        refuse_split_transfer(transfer=self.kind is TransactionType.TRANSFER, split=True)
        refuse_category_beside_parts(split=True, has_category=self.links.category is not None)
        check_sum(self.splits, self.amount)

    def _check_category(self) -> None:
        category = self.links.category
        if category is not None and category.kind is not self.kind.category_kind:
            raise RuleViolationError.on(
                "category_id", f"must be a category of kind {self.kind.category_kind}"
            )


@dataclass(eq=False, slots=True)
class Transaction:
    """Money coming into, going out of, or moving between a user's accounts on one day.

    The state always satisfies ``Posting``'s and ``Note``'s rules: it changes only through
    ``record`` and ``revise``, which take already-checked postings and notes.
    """

    id: TransactionId
    household_id: HouseholdId
    type: TransactionType
    account_id: AccountId
    to_account_id: AccountId | None
    amount: Money
    to_amount: Money | None
    category_id: CategoryId | None
    date: dt.date
    description: str
    payee: str
    tags: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    splits: tuple[Split, ...] = ()
    status: TransactionStatus = TransactionStatus.UNCLEARED
    import_id: str | None = None
    recurring_id: UUID | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Transaction) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @classmethod
    def record(
        cls,
        transaction_id: TransactionId,
        household_id: HouseholdId,
        posting: Posting,
        day: dt.date,
        note: Note,
        now: dt.datetime,
        *,
        status: TransactionStatus = TransactionStatus.UNCLEARED,
        import_id: str | None = None,
        recurring_id: UUID | None = None,
    ) -> Transaction:
        """A new transaction of ``household_id``; the posting's resources must be theirs
        (``recurring_id``: the recurring template posting it)."""
        posting.links.check_household(household_id)
        check_import_id(import_id)
        links = posting.links
        return cls(
            transaction_id,
            household_id,
            posting.kind,
            links.account.id,
            None if links.to_account is None else links.to_account.id,
            posting.amount,
            posting.to_amount,
            None if links.category is None else links.category.id,
            day,
            note.description,
            note.payee,
            note.tags,
            now,
            now,
            posting.splits,
            status,
            import_id,
            recurring_id,
        )

    @property
    def currency(self) -> Currency:
        """The currency of ``amount``: the (source) account's."""
        return self.amount.currency

    @property
    def note(self) -> Note:
        """The free-text side as it stands."""
        return Note(self.description, self.payee, self.tags)

    @property
    def categories(self) -> tuple[CategoryId | None, ...]:
        """The categories the transaction counts under: its own, or each part's."""
        if self.splits:
            return tuple(part.category_id for part in self.splits)
        return (self.category_id,)

    def locked_fields_differ(self, other: Transaction) -> list[str]:
        """The locked fields (``LOCKED_FIELDS``) whose values differ in ``other``."""
        return [name for name in LOCKED_FIELDS if getattr(self, name) != getattr(other, name)]

    def check_unlocked(self, revised: Transaction | None = None) -> None:
        """A reconciled transaction keeps its locked fields and cannot be deleted
        (``revised`` None); sending a field's current value is not a change.

        Raises:
            TransactionLockedError: a locked field changes, or a reconciled one is deleted.
        """
        if self.status is not TransactionStatus.RECONCILED:
            return
        if revised is None:
            raise TransactionLockedError(
                "A reconciled transaction cannot be deleted; move its status back first."
            )
        changed = self.locked_fields_differ(revised)
        if changed:
            raise TransactionLockedError(
                "A reconciled transaction's "
                + ", ".join(changed)
                + " cannot change; move its status back to cleared or uncleared first."
            )

    def revise(
        self,
        posting: Posting,
        day: dt.date,
        note: Note,
        now: dt.datetime,
        status: TransactionStatus | None = None,
    ) -> None:
        """Replace every changeable field at once (a PATCH merged onto the current state)."""
        posting.links.check_household(self.household_id)
        links = posting.links
        self.type = posting.kind
        self.account_id = links.account.id
        self.to_account_id = None if links.to_account is None else links.to_account.id
        self.amount = posting.amount
        self.to_amount = posting.to_amount
        self.category_id = None if links.category is None else links.category.id
        self.date = day
        self.description, self.payee, self.tags = note.description, note.payee, note.tags
        self.splits = posting.splits
        if status is not None:
            self.status = status
        self.updated_at = now

    def mark(self, status: TransactionStatus, now: dt.datetime) -> None:
        """Move the status alone (reconciliation)."""
        self.status = status
        self.updated_at = now

    def uncategorize(self, category_id: CategoryId) -> None:
        """Drop ``category_id`` from the transaction and its parts (it was deleted)."""
        if self.category_id == category_id:
            self.category_id = None
        self.splits = tuple(
            Split(None, part.amount, part.description) if part.category_id == category_id else part
            for part in self.splits
        )
