"""Wire shapes of accounts (msgspec).

Money travels as a decimal string in both directions; requests keep it as text and the
use cases parse it in the account's currency, responses print ``Money.format()`` (exactly
the currency's decimals). Read-only fields (``id``, ``balance``, timestamps) are absent
from the request structs, so sending one is a 422.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.model.account import Account, AccountType
from budget.domain.model.category import MAX_NAME_LENGTH
from budget.domain.services.accounts import AccountChanges, AccountDraft
from budget.entrypoints.http.schemas.common import (
    MONEY_RULE,
    CurrencyText,
    HouseholdOut,
    HouseholdRef,
    MoneyOut,
    MoneyText,
    Strict,
    Text,
    Timestamp,
    household_ref,
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
            account.archived,
            account.created_at,
            account.updated_at,
        )


AccountPage = Annotated[Page[AccountRead], KwargDefinition(schema_component_key="AccountPage")]
