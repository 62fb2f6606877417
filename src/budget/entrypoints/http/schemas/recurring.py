"""Wire shapes of recurring templates (contract section 14).

The template fields reuse the transaction's types (the same limits, descriptions and body
rules, so the same 422 pointers); the schedule's own shape rules (``end_date`` or
``count``, not both; ``end_date`` not before ``start_date``) are body rules checked before
any lookup. ``next_date`` is read-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.errors import RuleViolationError
from budget.domain.model.ids import AccountId
from budget.domain.model.patch import UNSET, Unset
from budget.domain.model.recurring import MAX_INTERVAL, MIN_INTERVAL, Frequency, WeekendRule
from budget.domain.model.recurring_template import RecurringTransaction
from budget.domain.model.transaction import TransactionType
from budget.domain.services.recurring import RecurringChanges, RecurringDraft, UpcomingOccurrence
from budget.domain.services.transaction_inputs import TransactionChanges
from budget.entrypoints.http.schemas.categories import changed_category
from budget.entrypoints.http.schemas.common import (
    BodyRule,
    HouseholdOut,
    HouseholdRef,
    MoneyOut,
    Strict,
    Timestamp,
    category_ref,
    household_ref,
    read_only,
    unset,
)
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.schemas.splits import SPLIT_RULES, SplitRead, Splits
from budget.entrypoints.http.schemas.transactions import (
    AccountRef,
    Amount,
    CategoryRef,
    Description,
    Payee,
    Tags,
    ToAccountRef,
    ToAmount,
    account_ref,
    changed_account,
)

FrequencyField = Annotated[Frequency, msgspec.Meta(description="daily, weekly, monthly or yearly")]
Interval = Annotated[
    int,
    msgspec.Meta(
        ge=MIN_INTERVAL,
        le=MAX_INTERVAL,
        description=f"Every n days, weeks, months or years ({MIN_INTERVAL}-{MAX_INTERVAL})",
    ),
]
StartDate = Annotated[
    dt.date,
    msgspec.Meta(
        description=(
            "The first occurrence's planned date. Days 29-31 (and Feb 29) clamp to shorter "
            "months. A catch-up of more than 366 occurrences at once is a 422."
        ),
        examples=["2026-12-01"],
    ),
]
EndDate = Annotated[
    dt.date,
    msgspec.Meta(
        description="Inclusive, not before start_date; not with count",
        examples=["2027-12-31"],
    ),
]
Count = Annotated[
    int, msgspec.Meta(ge=1, description="How many occurrences in all (≥ 1); not with end_date")
]
Weekend = Annotated[
    WeekendRule,
    msgspec.Meta(
        description=(
            "keep (default), before or after: an occurrence planned on a Saturday or Sunday "
            "is posted on the Friday before or the Monday after"
        )
    ),
]
AutoPost = Annotated[
    bool,
    msgspec.Meta(description="Post every due occurrence automatically (default true)"),
]


def _end_or_count(
    start_date: dt.date | msgspec.UnsetType,
    end_date: dt.date | msgspec.UnsetType | None,
    count: int | msgspec.UnsetType | None,
) -> None:
    ends = not isinstance(end_date, msgspec.UnsetType) and end_date is not None
    counts = not isinstance(count, msgspec.UnsetType) and count is not None
    if ends and counts:
        raise RuleViolationError.on("count", "cannot be combined with end_date: choose one")
    if ends and not isinstance(start_date, msgspec.UnsetType) and end_date < start_date:  # type: ignore[operator]
        raise RuleViolationError.on("end_date", "must not be before start_date")


RECURRING_RULES = (*SPLIT_RULES, BodyRule(("start_date", "end_date", "count"), _end_or_count))


class RecurringCreate(Strict):
    type: TransactionType
    account_id: AccountRef
    amount: Amount
    frequency: FrequencyField
    start_date: StartDate
    to_account_id: ToAccountRef | None = None
    to_amount: ToAmount | None = None
    category_id: CategoryRef | None = None
    description: Description = ""
    payee: Payee = ""
    tags: Tags = msgspec.field(default_factory=list)
    splits: Splits = msgspec.field(default_factory=list)
    interval: Interval = 1
    end_date: EndDate | None = None
    count: Count | None = None
    weekend: Weekend = WeekendRule.KEEP
    auto_post: AutoPost = True
    household_id: HouseholdRef | None = None

    RULES = RECURRING_RULES

    def draft(self) -> RecurringDraft:
        return RecurringDraft(
            type=self.type,
            account_id=AccountId(self.account_id),
            amount=self.amount,
            frequency=self.frequency,
            start_date=self.start_date,
            to_account_id=account_ref(self.to_account_id),
            to_amount=self.to_amount,
            category_id=category_ref(self.category_id),
            description=self.description,
            payee=self.payee,
            tags=tuple(self.tags),
            splits=tuple(part.draft() for part in self.splits),
            interval=self.interval,
            end_date=self.end_date,
            count=self.count,
            weekend=self.weekend,
            auto_post=self.auto_post,
            household_id=household_ref(self.household_id),
        )


class RecurringUpdate(Strict):
    """Only sent fields change; the template fields merge like a transaction's PATCH."""

    type: TransactionType | msgspec.UnsetType = msgspec.UNSET
    account_id: AccountRef | msgspec.UnsetType = msgspec.UNSET
    amount: Amount | msgspec.UnsetType = msgspec.UNSET
    to_account_id: ToAccountRef | msgspec.UnsetType | None = msgspec.UNSET
    to_amount: ToAmount | msgspec.UnsetType | None = msgspec.UNSET
    category_id: CategoryRef | msgspec.UnsetType | None = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    payee: Payee | msgspec.UnsetType = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    splits: Splits | msgspec.UnsetType = msgspec.UNSET
    frequency: FrequencyField | msgspec.UnsetType = msgspec.UNSET
    interval: Interval | msgspec.UnsetType = msgspec.UNSET
    start_date: StartDate | msgspec.UnsetType = msgspec.UNSET
    end_date: EndDate | msgspec.UnsetType | None = msgspec.UNSET
    count: Count | msgspec.UnsetType | None = msgspec.UNSET
    weekend: Weekend | msgspec.UnsetType = msgspec.UNSET
    auto_post: AutoPost | msgspec.UnsetType = msgspec.UNSET

    RULES = RECURRING_RULES

    def changes(self) -> RecurringChanges:
        account = changed_account(self.account_id)
        tags = unset(self.tags)
        splits = unset(self.splits)
        fields = TransactionChanges(
            type=unset(self.type),
            account_id=UNSET if account is None else account,
            to_account_id=changed_account(self.to_account_id),
            amount=unset(self.amount),
            to_amount=unset(self.to_amount),
            category_id=changed_category(self.category_id),
            description=unset(self.description),
            payee=unset(self.payee),
            tags=tags if isinstance(tags, Unset) else tuple(tags),
            splits=splits if isinstance(splits, Unset) else tuple(p.draft() for p in splits),
        )
        return RecurringChanges(
            fields=fields,
            frequency=unset(self.frequency),
            interval=unset(self.interval),
            start_date=unset(self.start_date),
            end_date=unset(self.end_date),
            count=unset(self.count),
            weekend=unset(self.weekend),
            auto_post=unset(self.auto_post),
        )


class RecurringRead(msgspec.Struct):
    id: UUID
    household_id: HouseholdOut
    type: TransactionType
    account_id: UUID
    to_account_id: UUID | None
    amount: Annotated[MoneyOut, msgspec.Meta(description="In `currency`, exactly its decimals")]
    to_amount: MoneyOut | None
    currency: Annotated[str, read_only("The (source) account's currency")]
    category_id: UUID | None
    splits: list[SplitRead]
    payee: str
    description: str
    tags: list[str]
    frequency: Frequency
    interval: int
    start_date: dt.date
    end_date: dt.date | None
    count: int | None
    weekend: WeekendRule
    auto_post: bool
    next_date: Annotated[
        dt.date | None,
        read_only(
            "The day the next occurrence not yet posted is posted on (after the weekend "
            "move); null when the schedule is finished"
        ),
    ]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, template: RecurringTransaction) -> RecurringRead:
        schedule = template.schedule
        return cls(
            template.id,
            template.household_id,
            template.type,
            template.account_id,
            template.to_account_id,
            template.amount.format(),
            None if template.to_amount is None else template.to_amount.format(),
            template.currency.code,
            template.category_id,
            [SplitRead.of(part) for part in template.splits],
            template.payee,
            template.description,
            list(template.tags),
            schedule.frequency,
            schedule.interval,
            schedule.start_date,
            schedule.end_date,
            schedule.count,
            schedule.weekend,
            template.auto_post,
            template.next_date,
            template.created_at,
            template.updated_at,
        )


RecurringPage = Annotated[
    Page[RecurringRead], KwargDefinition(schema_component_key="RecurringPage")
]


class UpcomingRead(msgspec.Struct):
    recurring_id: UUID
    date: Annotated[dt.date, msgspec.Meta(description="The day it will be posted on")]
    type: TransactionType
    account_id: UUID
    amount: MoneyOut
    currency: str
    payee: str

    @classmethod
    def of(cls, item: UpcomingOccurrence) -> UpcomingRead:
        template = item.template
        return cls(
            template.id,
            item.occurrence.date,
            template.type,
            template.account_id,
            template.amount.format(),
            template.currency.code,
            template.payee,
        )


class UpcomingList(msgspec.Struct):
    items: list[UpcomingRead]
