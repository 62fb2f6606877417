"""Wire shapes of transactions: income, expenses and transfers (msgspec).

Money travels as a decimal string in both directions; requests keep it as text and the
use cases parse it in the account's currency, responses print ``Money.format()`` (exactly
the currency's decimals). Read-only fields (``id``, ``currency``, ``recurring_id``,
timestamps) are absent from the request structs, so sending one is a 422. Lists page by
offset or by cursor, so ``TransactionPage`` is not the generic ``Page``: ``total`` and
``offset`` may be null and it carries ``next_cursor``.

Splits (contract section 10) are checked here as far as the body alone tells (``RULES``:
the number of parts, no parts on a transfer, no category beside parts), so those 422s come
before any lookup; the use cases check the rest (amounts in the currency, the sum, the
parts' categories) and keep the same rules for callers other than HTTP.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.model.ids import AccountId
from budget.domain.model.paging import Page
from budget.domain.model.patch import UNSET, Unset
from budget.domain.model.transaction import (
    MAX_DESCRIPTION_LENGTH,
    MAX_IMPORT_ID_LENGTH,
    MAX_PAYEE_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    Transaction,
    TransactionStatus,
    TransactionType,
)
from budget.domain.services.transactions import TransactionChanges, TransactionDraft
from budget.entrypoints.http.schemas.categories import changed_category
from budget.entrypoints.http.schemas.common import (
    MONEY_RULE,
    NO_NUL_PATTERN,
    MoneyOut,
    MoneyText,
    Strict,
    Text,
    Timestamp,
    category_ref,
    read_only,
    unset,
)
from budget.entrypoints.http.schemas.splits import SPLIT_RULES, SplitRead, Splits

Amount = Annotated[
    MoneyText,
    msgspec.Meta(
        description=f"Strictly positive, in the account's currency. {MONEY_RULE}",
        examples=["12.50"],
    ),
]
ToAmount = Annotated[
    MoneyText,
    msgspec.Meta(
        description=(
            "Transfers only: what the destination account receives, in its currency. "
            "Required when the currencies differ; when they match it equals `amount` "
            f"(omit it or send the same value). {MONEY_RULE}"
        ),
        examples=["11.20"],
    ),
]
Description = Annotated[
    Text,
    msgspec.Meta(
        max_length=MAX_DESCRIPTION_LENGTH,
        description=f"0-{MAX_DESCRIPTION_LENGTH} characters",
        examples=["Weekly shop"],
    ),
]
Payee = Annotated[
    Text,
    msgspec.Meta(
        max_length=MAX_PAYEE_LENGTH,
        description=f"0-{MAX_PAYEE_LENGTH} characters",
        examples=["Corner market"],
    ),
]
# msgspec enforces the Meta; Litestar documents a list's items only from its own
# KwargDefinition, so the item limits are stated for both.
Tag = Annotated[
    Text,
    msgspec.Meta(min_length=1, max_length=MAX_TAG_LENGTH),
    KwargDefinition(min_length=1, max_length=MAX_TAG_LENGTH, pattern=NO_NUL_PATTERN),
]
Tags = Annotated[
    list[Tag],
    msgspec.Meta(
        max_length=MAX_TAGS,
        description=(
            f"Up to {MAX_TAGS} tags of 1-{MAX_TAG_LENGTH} characters each; trimmed, "
            "repeats kept once"
        ),
        examples=[["food"]],
    ),
]

Status = Annotated[
    TransactionStatus,
    msgspec.Meta(
        description=(
            "uncleared (default), cleared or reconciled; a transfer has one status for both "
            "sides. A reconciled transaction is locked (see the operation's description)."
        )
    ),
]
ImportId = Annotated[
    Text,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_IMPORT_ID_LENGTH,
        description=(
            f"1-{MAX_IMPORT_ID_LENGTH} characters, unique among the live transactions of "
            "`account_id` (the source of a transfer; a duplicate is a 409); set at creation only"
        ),
        examples=["bank-2026-11-01-0042"],
    ),
]
ImportIdKept = Annotated[
    Text,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_IMPORT_ID_LENGTH,
        description=(
            "Immutable after creation: only the current value (null when it has none) is "
            "accepted, anything else is a 422"
        ),
        examples=["bank-2026-11-01-0042"],
    ),
]

AccountRef = Annotated[
    UUID, msgspec.Meta(description="One of your accounts; for a transfer, the source")
]
ToAccountRef = Annotated[
    UUID,
    msgspec.Meta(description="Transfers only (required there): the destination account"),
]
CategoryRef = Annotated[
    UUID,
    msgspec.Meta(
        description="Income and expenses only: one of your categories of the matching kind"
    ),
]
Day = Annotated[dt.date, msgspec.Meta(description="YYYY-MM-DD", examples=["2026-11-22"])]


def account_ref(value: UUID | None) -> AccountId | None:
    return None if value is None else AccountId(value)


def changed_account(value: UUID | msgspec.UnsetType | None) -> AccountId | Unset | None:
    return UNSET if isinstance(value, msgspec.UnsetType) else account_ref(value)


class TransactionCreate(Strict):
    type: TransactionType
    account_id: AccountRef
    amount: Amount
    date: Day
    to_account_id: ToAccountRef | None = None
    to_amount: ToAmount | None = None
    category_id: CategoryRef | None = None
    description: Description = ""
    payee: Payee = ""
    tags: Tags = msgspec.field(default_factory=list)
    splits: Splits = msgspec.field(default_factory=list)
    status: Status = TransactionStatus.UNCLEARED
    import_id: ImportId | None = None

    RULES = SPLIT_RULES

    def draft(self) -> TransactionDraft:
        return TransactionDraft(
            type=self.type,
            account_id=AccountId(self.account_id),
            amount=self.amount,
            date=self.date,
            to_account_id=account_ref(self.to_account_id),
            to_amount=self.to_amount,
            category_id=category_ref(self.category_id),
            description=self.description,
            payee=self.payee,
            tags=tuple(self.tags),
            splits=tuple(part.draft() for part in self.splits),
            status=self.status,
            import_id=self.import_id,
        )


class TransactionUpdate(Strict):
    """Only sent fields change; see the operation's description for the merge rules."""

    type: TransactionType | msgspec.UnsetType = msgspec.UNSET
    account_id: AccountRef | msgspec.UnsetType = msgspec.UNSET
    amount: Amount | msgspec.UnsetType = msgspec.UNSET
    date: Day | msgspec.UnsetType = msgspec.UNSET
    to_account_id: ToAccountRef | msgspec.UnsetType | None = msgspec.UNSET
    to_amount: ToAmount | msgspec.UnsetType | None = msgspec.UNSET
    category_id: CategoryRef | msgspec.UnsetType | None = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    payee: Payee | msgspec.UnsetType = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    splits: Splits | msgspec.UnsetType = msgspec.UNSET
    status: Status | msgspec.UnsetType = msgspec.UNSET
    import_id: ImportIdKept | msgspec.UnsetType | None = msgspec.UNSET

    RULES = SPLIT_RULES

    def changes(self) -> TransactionChanges:
        account = changed_account(self.account_id)
        tags = unset(self.tags)
        splits = unset(self.splits)
        return TransactionChanges(
            type=unset(self.type),
            account_id=UNSET if account is None else account,
            to_account_id=changed_account(self.to_account_id),
            amount=unset(self.amount),
            to_amount=unset(self.to_amount),
            category_id=changed_category(self.category_id),
            date=unset(self.date),
            description=unset(self.description),
            payee=unset(self.payee),
            tags=tags if isinstance(tags, Unset) else tuple(tags),
            splits=splits if isinstance(splits, Unset) else tuple(p.draft() for p in splits),
            status=unset(self.status),
            import_id=unset(self.import_id),
        )


class TransactionRead(msgspec.Struct):
    id: UUID
    household_id: Annotated[UUID, msgspec.Meta(description="Its account's household (read-only)")]
    type: TransactionType
    account_id: UUID
    to_account_id: UUID | None
    amount: Annotated[MoneyOut, msgspec.Meta(description="In `currency`, exactly its decimals")]
    to_amount: (
        Annotated[
            MoneyOut,
            msgspec.Meta(description="Transfers: what the destination received, in its currency"),
        ]
        | None
    )
    currency: Annotated[str, msgspec.Meta(description="The (source) account's currency")]
    category_id: UUID | None
    date: dt.date
    description: str
    payee: str
    tags: list[str]
    splits: Annotated[
        list[SplitRead], msgspec.Meta(description="The parts in the order sent; [] when not split")
    ]
    status: TransactionStatus
    import_id: str | None
    recurring_id: Annotated[
        UUID | None, read_only("The recurring transaction that posted it, else null")
    ]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, txn: Transaction) -> TransactionRead:
        return cls(
            txn.id,
            txn.household_id,
            txn.type,
            txn.account_id,
            txn.to_account_id,
            txn.amount.format(),
            None if txn.to_amount is None else txn.to_amount.format(),
            txn.currency.code,
            txn.category_id,
            txn.date,
            txn.description,
            txn.payee,
            list(txn.tags),
            [SplitRead.of(part) for part in txn.splits],
            txn.status,
            txn.import_id,
            txn.recurring_id,
            txn.created_at,
            txn.updated_at,
        )


class TransactionPage(msgspec.Struct):
    items: list[TransactionRead]
    total: Annotated[int | None, msgspec.Meta(description="Null on pages fetched by cursor")]
    limit: int
    offset: Annotated[int | None, msgspec.Meta(description="Null on pages fetched by cursor")]
    next_cursor: Annotated[
        str | None,
        msgspec.Meta(description="Pass as `cursor` for the next page; null on the last page"),
    ]

    @classmethod
    def of(cls, page: Page[Transaction]) -> TransactionPage:
        items = [TransactionRead.of(t) for t in page.items]
        return cls(items, page.total, page.limit, page.offset, page.next_cursor)
