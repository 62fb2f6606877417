"""Wire shapes of rules (msgspec), contract section 13.

An action is either ``{"set": "category_id" | "payee", "value": ...}`` or ``{"add_tags":
[...]}``; both forms share one struct (msgspec decodes untagged objects into one type) and
the domain refuses a mix (422 on ``#/actions/<i>``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.model.rule import (
    DEFAULT_PRIORITY,
    MAX_ACTIONS,
    MAX_CONDITIONS,
    MAX_PRIORITY,
    MIN_PRIORITY,
    AddTags,
    Condition,
    Rule,
    RuleAction,
    RuleField,
    RuleOp,
    SetCategory,
    SetField,
    SetPayee,
)
from budget.domain.services.rules import (
    ActionDraft,
    ApplyResult,
    ApplyWindow,
    ConditionDraft,
    RuleChanges,
    RuleDraft,
)
from budget.entrypoints.http.schemas.accounts import Name
from budget.entrypoints.http.schemas.common import (
    HouseholdOut,
    HouseholdRef,
    Strict,
    Text,
    Timestamp,
    household_ref,
    unset,
)
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.schemas.transactions import Tag

Priority = Annotated[
    int,
    msgspec.Meta(
        ge=MIN_PRIORITY,
        le=MAX_PRIORITY,
        description=f"{MIN_PRIORITY}-{MAX_PRIORITY}, lower runs first (default {DEFAULT_PRIORITY})",
    ),
]
ConditionValue = Annotated[
    Text,
    msgspec.Meta(
        description="payee/description: 1-500 characters (case-insensitive); amount: a money"
        " string with at most 3 decimals, compared in the transaction's currency; account_id:"
        " an account id; type: income, expense or transfer"
    ),
]


class ConditionIn(Strict):
    field: RuleField
    op: Annotated[
        RuleOp,
        msgspec.Meta(
            description="payee, description: contains, equals, starts_with; amount: equals,"
            " gte, lte; account_id, type: equals"
        ),
    ]
    value: ConditionValue

    def draft(self) -> ConditionDraft:
        return ConditionDraft(self.field.value, self.op.value, self.value)


class ActionIn(Strict):
    """Either ``set`` and ``value``, or ``add_tags`` alone."""

    set: (
        Annotated[SetField, msgspec.Meta(description="The field filled when left empty")]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    value: (
        Annotated[
            Text,
            msgspec.Meta(
                description="category_id: a category of the rule's household; payee: 1-200"
                " characters"
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    add_tags: (
        Annotated[
            list[Tag],
            msgspec.Meta(min_length=1, max_length=20, description="1-20 tags of 1-50 characters"),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET

    def draft(self) -> ActionDraft:
        return ActionDraft(
            None if isinstance(self.set, msgspec.UnsetType) else self.set.value,
            None if isinstance(self.value, msgspec.UnsetType) else self.value,
            None if isinstance(self.add_tags, msgspec.UnsetType) else self.add_tags,
        )


Conditions = Annotated[
    list[ConditionIn],
    msgspec.Meta(
        min_length=1, max_length=MAX_CONDITIONS, description="1-10 conditions; all must hold"
    ),
]
Actions = Annotated[
    list[ActionIn], msgspec.Meta(min_length=1, max_length=MAX_ACTIONS, description="1-5 actions")
]


class RuleCreate(Strict):
    name: Name
    conditions: Conditions
    actions: Actions
    priority: Priority = DEFAULT_PRIORITY
    active: bool = True
    household_id: HouseholdRef | None = None

    def draft(self) -> RuleDraft:
        return RuleDraft(
            self.name,
            [c.draft() for c in self.conditions],
            [a.draft() for a in self.actions],
            self.priority,
            self.active,
            household_ref(self.household_id),
        )


class RuleUpdate(Strict):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    priority: Priority | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    conditions: Conditions | msgspec.UnsetType = msgspec.UNSET
    actions: Actions | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> RuleChanges:
        conditions = unset(self.conditions)
        actions = unset(self.actions)
        return RuleChanges(
            name=unset(self.name),
            priority=unset(self.priority),
            active=unset(self.active),
            conditions=conditions
            if not isinstance(conditions, list)
            else [c.draft() for c in conditions],
            actions=actions if not isinstance(actions, list) else [a.draft() for a in actions],
        )


class ConditionRead(msgspec.Struct):
    field: RuleField
    op: RuleOp
    value: str

    @classmethod
    def of(cls, condition: Condition) -> ConditionRead:
        return cls(condition.field, condition.op, condition.value)


class ActionRead(msgspec.Struct, omit_defaults=True):
    """``{set, value}`` or ``{add_tags}``."""

    set: SetField | None = None
    value: str | None = None
    add_tags: list[str] | None = None

    @classmethod
    def of(cls, action: RuleAction) -> ActionRead:
        if isinstance(action, SetCategory):
            return cls(SetField.CATEGORY_ID, str(action.category_id))
        if isinstance(action, SetPayee):
            return cls(SetField.PAYEE, action.payee)
        assert isinstance(action, AddTags)
        return cls(add_tags=list(action.tags))


class RuleRead(msgspec.Struct):
    id: UUID
    household_id: HouseholdOut
    name: str
    priority: int
    active: bool
    conditions: list[ConditionRead]
    actions: list[ActionRead]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, rule: Rule) -> RuleRead:
        return cls(
            rule.id,
            rule.household_id,
            rule.name,
            rule.priority,
            rule.active,
            [ConditionRead.of(c) for c in rule.conditions],
            [ActionRead.of(a) for a in rule.actions],
            rule.created_at,
            rule.updated_at,
        )


RulePage = Annotated[Page[RuleRead], KwargDefinition(schema_component_key="RulePage")]


class RuleApply(Strict):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    dry_run: bool = False

    def window(self) -> ApplyWindow:
        return ApplyWindow(self.date_from, self.date_to, self.dry_run)


class RuleApplyResult(msgspec.Struct):
    matched: Annotated[int, msgspec.Meta(description="Unreconciled transactions it matches")]
    changed: Annotated[
        int, msgspec.Meta(description="Those it changed (or would change, with dry_run)")
    ]
    transaction_ids: list[UUID]

    @classmethod
    def of(cls, result: ApplyResult) -> RuleApplyResult:
        return cls(result.matched, result.changed, list(result.transaction_ids))
