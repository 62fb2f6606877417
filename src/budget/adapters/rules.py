"""The rule repository: plain-row reads, Core writes at commit (``TableWrites``).

**The new-transaction check.** ``active_for`` runs for every new income or expense. The
account read of that same unit of work (``accounts._ACCOUNT``) also selects whether the
account's household has an active rule (an ``EXISTS`` probe of
``ix_rules_household_active_priority``, no extra round trip) and notes it in ``RuleHints``;
``active_for`` answers ``[]`` from that note without touching the database, and reads the
rules only when there are some (or when no account of the household was read).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy import ColumnElement, Table, and_, delete, exists, select, true

from budget.adapters.database import RowValues, UnitSession, plain_row, plain_rows
from budget.adapters.paging import ordered, page_of
from budget.adapters.rules_tables import RuleRow
from budget.adapters.scoping import in_households
from budget.adapters.writes import PendingWrites, TableWrites
from budget.domain.model.ids import CategoryId, HouseholdId, RuleId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.rule import (
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

RULES = cast("Table", RuleRow.__table__)
_rules = RULES.c
_SORTS: dict[str, Any] = {
    "priority": _rules.priority,
    "name": _rules.name,
    "created_at": _rules.created_at,
}


def has_active_rule(household_id: Any) -> ColumnElement[bool]:
    """Whether the household (a column or value) has an active rule: one index probe."""
    # "= true", not "IS true": only the equality is an index condition (an index-only scan
    # of ix_rules_household_active_priority).
    return exists().where(_rules.household_id == household_id, _rules.active == true())


class RuleHints:
    """What account reads of one unit of work learnt about their households' rules."""

    def __init__(self) -> None:
        self.has_rules: dict[HouseholdId, bool] = {}

    def note(self, household_id: HouseholdId, has_rules: bool) -> None:
        self.has_rules[household_id] = has_rules


def condition_json(condition: Condition) -> dict[str, str]:
    return {"field": condition.field.value, "op": condition.op.value, "value": condition.value}


def action_json(action: RuleAction) -> dict[str, Any]:
    if isinstance(action, SetCategory):
        return {"set": SetField.CATEGORY_ID.value, "value": str(action.category_id)}
    if isinstance(action, SetPayee):
        return {"set": SetField.PAYEE.value, "value": action.payee}
    return {"add_tags": list(action.tags)}


def _action_from_json(item: dict[str, Any]) -> RuleAction:
    if "add_tags" in item:
        return AddTags(tuple(item["add_tags"]))
    if item["set"] == SetField.CATEGORY_ID.value:
        return SetCategory(CategoryId(UUID(item["value"])))
    return SetPayee(item["value"])


def rule_from_row(row: RowValues) -> Rule:
    """A rule from a row of ``rules`` (a plain row's ``_mapping``)."""
    return Rule(
        RuleId(row["id"]),
        HouseholdId(row["household_id"]),
        row["name"],
        row["priority"],
        row["active"],
        tuple(
            Condition(RuleField(c["field"]), RuleOp(c["op"]), c["value"]) for c in row["conditions"]
        ),
        tuple(_action_from_json(a) for a in row["actions"]),
        row["created_at"],
        row["updated_at"],
    )


def rule_columns(rule: Rule) -> dict[str, Any]:
    """Every column of a rule's row."""
    return {
        "id": rule.id,
        "household_id": rule.household_id,
        "name": rule.name,
        "priority": rule.priority,
        "active": rule.active,
        "conditions": [condition_json(c) for c in rule.conditions],
        "actions": [action_json(a) for a in rule.actions],
        "created_at": rule.created_at,
        "updated_at": rule.updated_at,
    }


class SqlAlchemyRuleRepository:
    """``RuleRepository`` in the unit of work's session (see the module)."""

    def __init__(
        self,
        session: UnitSession,
        writes: PendingWrites,
        hints: RuleHints,
        *,
        read_only: bool = False,
    ) -> None:
        self._session = session
        self._read_only = read_only
        self._hints = hints
        self._rows = writes.register(TableWrites(RULES, rule_columns))

    def _handed_out(self, row: RowValues) -> Rule:
        rule = rule_from_row(row)
        return rule if self._read_only else self._rows.seen(rule)

    def add(self, rule: Rule) -> None:
        self._rows.add(rule)

    async def get(self, scope: Sequence[HouseholdId], rule_id: RuleId) -> Rule | None:
        statement = select(RULES).where(
            in_households(_rules.household_id, scope), _rules.id == rule_id
        )
        found = await plain_row(self._session, statement)
        return None if found is None else self._handed_out(found._mapping)

    async def delete(self, rule: Rule) -> None:
        if self._rows.forget(rule):
            return
        connection = await self._session.connection()
        await connection.execute(delete(RULES).where(_rules.id == rule.id))

    async def list(self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort) -> Page[Rule]:
        conditions: list[ColumnElement[bool]] = [in_households(_rules.household_id, scope)]
        statement = ordered(select(RULES).where(*conditions), _SORTS[sort.field], _rules.id, sort)
        rows, total = await page_of(self._session, RULES, statement, conditions, page)
        return Page([rule_from_row(r._mapping) for r in rows], total, page.limit, page.offset)

    async def active_for(self, household_id: HouseholdId) -> Sequence[Rule]:
        if self._hints.has_rules.get(household_id) is False:
            return []
        statement = select(RULES).where(
            and_(_rules.household_id == household_id, _rules.active == true())
        )
        return [rule_from_row(r._mapping) for r in await plain_rows(self._session, statement)]

    async def in_household(self, household_id: HouseholdId) -> Sequence[Rule]:
        statement = select(RULES).where(_rules.household_id == household_id)
        return [self._handed_out(r._mapping) for r in await plain_rows(self._session, statement)]
