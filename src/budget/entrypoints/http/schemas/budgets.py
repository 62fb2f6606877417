"""Wire shapes of budgets, their status and history (msgspec).

Requests keep money as text (the use cases parse it in the budget's currency); responses
print every amount with exactly the currency's decimals. Read-only fields (``id``,
timestamps) are absent from the request structs, so sending one is a 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.model.budget import Budget, BudgetStanding
from budget.domain.model.budget_rules import MAX_NAME_LENGTH, BudgetState
from budget.domain.model.money import format_minor
from budget.domain.model.patch import Unset
from budget.domain.model.period import PeriodKind
from budget.domain.services.budgets import BudgetChanges, BudgetDraft
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
    category_ref,
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
        examples=["Groceries"],
    ),
]
Limit = Annotated[
    MoneyText,
    msgspec.Meta(
        description=f"The limit per period, greater than 0, in `currency`. {MONEY_RULE}",
        examples=["400.00"],
    ),
]
CurrencyCode = Annotated[
    CurrencyText,
    msgspec.Meta(
        description="ISO 4217 code; only expenses in this currency count toward the budget",
        examples=["EUR"],
    ),
]
CategoryRef = Annotated[
    UUID,
    msgspec.Meta(
        description=(
            "One of your expense categories (a parent also covers its subcategories); "
            "null covers every expense, categorised or not"
        )
    ),
]
PeriodField = Annotated[
    PeriodKind,
    msgspec.Meta(description="weekly (7 days from start_date), monthly, quarterly or yearly"),
]
StartDate = Annotated[
    dt.date,
    msgspec.Meta(
        description=(
            "First day of the first period; periods are anchored on it (a monthly budget "
            "from the 15th runs 15th -> 14th; days 29-31 clamp to shorter months)"
        ),
        examples=["2026-11-01"],
    ),
]
EndDate = Annotated[
    dt.date,
    msgspec.Meta(
        description=(
            "Last day (inclusive), not before start_date; a period it cuts short keeps its "
            "full limit but counts spending only up to it"
        ),
        examples=["2027-10-31"],
    ),
]
Rollover = Annotated[
    bool,
    msgspec.Meta(description="Carry what is left (or overspent) of each period into the next"),
]
Threshold = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=100,
        description="Percent of `available` from which the state is `warning` (1-100)",
        examples=[80],
    ),
]


class BudgetCreate(Strict):
    name: Name
    amount: Limit
    currency: (
        Annotated[
            CurrencyText,
            msgspec.Meta(
                description=(
                    "ISO 4217 code; only expenses in this currency count. "
                    "Default: your default_currency"
                ),
                examples=["EUR"],
            ),
        ]
        | None
    ) = None
    category_id: CategoryRef | None = None
    period: Annotated[
        PeriodKind,
        msgspec.Meta(
            description=(
                "weekly (7 days from start_date), monthly, quarterly or yearly (default monthly)"
            )
        ),
    ] = PeriodKind.MONTHLY
    start_date: (
        Annotated[
            dt.date,
            msgspec.Meta(
                description=(
                    "First day of the first period; periods are anchored on it. Default: "
                    "the first day of the current calendar period (Monday; the 1st of the "
                    "month; the 1st of Jan/Apr/Jul/Oct; Jan 1)"
                ),
                examples=["2026-11-01"],
            ),
        ]
        | None
    ) = None
    end_date: EndDate | None = None
    rollover: Rollover = False
    alert_threshold: Threshold = 80
    household_id: HouseholdRef | None = None

    def draft(self, default_currency: str) -> BudgetDraft:
        return BudgetDraft(
            name=self.name,
            amount=self.amount,
            currency=self.currency or default_currency,
            category_id=category_ref(self.category_id),
            period=self.period,
            start_date=self.start_date,
            end_date=self.end_date,
            rollover=self.rollover,
            alert_threshold=self.alert_threshold,
            household_id=household_ref(self.household_id),
        )


class BudgetUpdate(Strict):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    amount: Limit | msgspec.UnsetType = msgspec.UNSET
    currency: CurrencyCode | msgspec.UnsetType = msgspec.UNSET
    category_id: CategoryRef | msgspec.UnsetType | None = msgspec.UNSET
    period: PeriodField | msgspec.UnsetType = msgspec.UNSET
    start_date: StartDate | msgspec.UnsetType = msgspec.UNSET
    end_date: EndDate | msgspec.UnsetType | None = msgspec.UNSET
    rollover: Rollover | msgspec.UnsetType = msgspec.UNSET
    alert_threshold: Threshold | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> BudgetChanges:
        category = unset(self.category_id)
        return BudgetChanges(
            name=unset(self.name),
            amount=unset(self.amount),
            currency=unset(self.currency),
            category_id=category if isinstance(category, Unset) else category_ref(category),
            period=unset(self.period),
            start_date=unset(self.start_date),
            end_date=unset(self.end_date),
            rollover=unset(self.rollover),
            alert_threshold=unset(self.alert_threshold),
        )


class BudgetRead(msgspec.Struct):
    id: UUID
    household_id: HouseholdOut
    name: str
    category_id: UUID | None
    amount: MoneyOut
    currency: str
    period: PeriodKind
    start_date: dt.date
    end_date: dt.date | None
    rollover: bool
    alert_threshold: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, budget: Budget) -> BudgetRead:
        return cls(
            budget.id,
            budget.household_id,
            budget.name,
            budget.category_id,
            budget.amount.format(),
            budget.currency.code,
            budget.period,
            budget.start_date,
            budget.end_date,
            budget.rollover,
            budget.alert_threshold,
            budget.created_at,
            budget.updated_at,
        )


BudgetPage = Annotated[Page[BudgetRead], KwargDefinition(schema_component_key="BudgetPage")]


class BudgetStatusRead(msgspec.Struct):
    budget_id: UUID
    period_start: dt.date
    period_end: Annotated[
        dt.date,
        msgspec.Meta(description="The period's last day (inclusive; end_date if it cuts it)"),
    ]
    limit: MoneyOut
    carried_over: Annotated[
        MoneyOut,
        msgspec.Meta(
            description=(
                "0 without rollover; else the sum of limit - spent over every earlier period"
            )
        ),
    ]
    available: Annotated[MoneyOut, msgspec.Meta(description="limit + carried_over")]
    spent: Annotated[
        MoneyOut, msgspec.Meta(description="The period's expenses in the categories and currency")
    ]
    remaining: Annotated[MoneyOut, msgspec.Meta(description="available - spent")]
    percent_used: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "spent / available x 100, rounded half-up to one decimal; null when available <= 0"
            ),
            examples=["80.0"],
        ),
    ]
    state: Annotated[
        BudgetState,
        msgspec.Meta(
            description=(
                "exceeded: remaining < 0; warning: spent >= alert_threshold % of a positive "
                "available; else ok"
            )
        ),
    ]

    @classmethod
    def of(cls, standing: BudgetStanding) -> BudgetStatusRead:
        status, exponent = standing.status, standing.currency.exponent

        def money(minor: int) -> str:
            return format_minor(minor, exponent)

        return cls(
            standing.budget_id,
            status.period.start,
            status.period.end,
            money(status.limit),
            money(status.carried_over),
            money(status.available),
            money(status.spent),
            money(status.remaining),
            status.percent_used,
            status.state,
        )


class BudgetStatusList(msgspec.Struct):
    items: list[BudgetStatusRead]

    @classmethod
    def of(cls, standings: list[BudgetStanding]) -> BudgetStatusList:
        return cls([BudgetStatusRead.of(s) for s in standings])
