"""Wire shapes of accounts (msgspec).

Money travels as a decimal string in both directions; requests keep it as text and the
use cases parse it in the account's currency, responses print ``Money.format()`` (exactly
the currency's decimals). Read-only fields (``id``, ``balance``, timestamps) are absent
from the request structs, so sending one is a 422; so are ``cleared_balance`` and
``last_reconciled_on`` (contract section 10), which only a reconciliation moves.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.model.account import Account, AccountType
from budget.domain.model.category import MAX_NAME_LENGTH
from budget.domain.model.money import parse_decimal
from budget.domain.model.reconciliation import Reconciliation
from budget.domain.services.accounts import AccountChanges, AccountDraft
from budget.entrypoints.http.schemas.common import (
    MONEY_RULE,
    BodyRule,
    CurrencyText,
    HouseholdOut,
    HouseholdRef,
    MoneyOut,
    MoneyText,
    Strict,
    Text,
    Timestamp,
    household_ref,
    read_only,
    unset,
)
from budget.entrypoints.http.schemas.paging import Page

Name = Annotated[
    Text,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        description=f"1-{MAX_NAME_LENGTH} characters; surrounding whitespace is trimmed",
        examples=["Main checking"],
    ),
]
"""An account's or a category's name (both follow the category model's limit)."""
CurrencyCode = Annotated[
    CurrencyText,
    msgspec.Meta(description="ISO 4217 alphabetic code, upper case", examples=["EUR"]),
]
OpeningBalance = Annotated[
    MoneyText,
    msgspec.Meta(
        description=f"The balance before any transaction; may be negative. {MONEY_RULE}",
        examples=["1000.00"],
    ),
]


class AccountCreate(Strict):
    name: Name
    type: AccountType
    currency: CurrencyCode
    opening_balance: OpeningBalance = "0"
    archived: bool = False
    household_id: HouseholdRef | None = None

    def draft(self) -> AccountDraft:
        return AccountDraft(
            self.name,
            self.type,
            self.currency,
            self.opening_balance,
            self.archived,
            household_ref(self.household_id),
        )


class AccountUpdate(Strict):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    type: AccountType | msgspec.UnsetType = msgspec.UNSET
    currency: (
        Annotated[
            CurrencyText,
            msgspec.Meta(
                description="Immutable: only the account's own currency is accepted",
                examples=["EUR"],
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    opening_balance: OpeningBalance | msgspec.UnsetType = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> AccountChanges:
        return AccountChanges(
            name=unset(self.name),
            type=unset(self.type),
            currency=unset(self.currency),
            opening_balance=unset(self.opening_balance),
            archived=unset(self.archived),
        )


class AccountRead(msgspec.Struct):
    id: UUID
    household_id: HouseholdOut
    name: str
    type: AccountType
    currency: str
    opening_balance: MoneyOut
    balance: Annotated[
        MoneyOut,
        msgspec.Meta(
            description="opening_balance + income - expenses - transfers out + transfers in"
        ),
    ]
    cleared_balance: Annotated[
        MoneyOut,
        read_only(
            "opening_balance plus the effects of the account's cleared and reconciled transactions"
        ),
    ]
    last_reconciled_on: Annotated[
        dt.date | None,
        read_only("The latest statement_date the account was reconciled on; null: never"),
    ]
    archived: bool
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, account: Account) -> AccountRead:
        return cls(
            account.id,
            account.household_id,
            account.name,
            account.type,
            account.currency.code,
            account.opening_balance.format(),
            account.balance.format(),
            account.cleared.format(),
            account.last_reconciled_on,
            account.archived,
            account.created_at,
            account.updated_at,
        )


AccountPage = Annotated[Page[AccountRead], KwargDefinition(schema_component_key="AccountPage")]


def _plain_decimal(statement_balance: str) -> None:
    parse_decimal(statement_balance, field="statement_balance")


class ReconcileBody(Strict):
    # The range of money needs no currency: refused before the account is looked up.
    RULES = (BodyRule(("statement_balance",), _plain_decimal),)

    statement_date: Annotated[
        dt.date,
        msgspec.Meta(
            description="The statement's day, YYYY-MM-DD; not after today (UTC)",
            examples=["2026-11-30"],
        ),
    ]
    statement_balance: Annotated[
        MoneyText,
        msgspec.Meta(
            description=f"The balance the statement shows, in the account's currency. {MONEY_RULE}",
            examples=["1234.56"],
        ),
    ]
    adjust: Annotated[
        bool,
        msgspec.Meta(
            description=(
                "On a difference, record an adjustment that closes it instead of answering 409"
            )
        ),
    ] = False


class ReconciliationRead(msgspec.Struct):
    account_id: UUID
    statement_date: dt.date
    statement_balance: Annotated[MoneyOut, msgspec.Meta(description="As sent, in the currency")]
    cleared_balance: Annotated[
        MoneyOut,
        msgspec.Meta(
            description=(
                "The cleared balance as of statement_date, before any adjustment: "
                "opening_balance plus the effects of cleared and reconciled transactions "
                "dated on or before it"
            )
        ),
    ]
    difference: Annotated[
        MoneyOut,
        msgspec.Meta(
            description='statement_balance - cleared_balance (zero, e.g. "0.00", when equal)',
            examples=["0.00"],
        ),
    ]
    reconciled_count: Annotated[
        int,
        msgspec.Meta(
            description=(
                "Transactions this call moved from cleared to reconciled (not the adjustment)"
            )
        ),
    ]
    adjustment_transaction_id: Annotated[
        UUID | None,
        msgspec.Meta(
            description="The adjustment recorded (adjust: true and a difference), else null"
        ),
    ]

    @classmethod
    def of(cls, done: Reconciliation) -> ReconciliationRead:
        return cls(
            done.account_id,
            done.statement_date,
            done.statement_balance.format(),
            done.cleared_balance.format(),
            done.difference.format(),
            done.reconciled_count,
            done.adjustment_transaction_id,
        )
