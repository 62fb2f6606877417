"""An in-memory rule repository over the fake store (``store.extra["rules"]``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from budget.domain.model.ids import HouseholdId, RuleId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.rule import Rule


class FakeRuleRepository:
    """Like the SQL adapter; ``active_reads`` counts ``active_for`` calls."""

    def __init__(self, store: Any) -> None:
        self._rows: dict[Any, Rule] = store.extra["rules"]
        self.active_reads = 0

    def add(self, rule: Rule) -> None:
        self._rows[rule.id] = rule

    async def get(self, scope: Sequence[HouseholdId], rule_id: RuleId) -> Rule | None:
        rule = self._rows.get(rule_id)
        return rule if rule is not None and rule.household_id in scope else None

    async def delete(self, rule: Rule) -> None:
        self._rows.pop(rule.id, None)

    async def list(self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort) -> Page[Rule]:
        found = sorted(
            (r for r in self._rows.values() if r.household_id in scope),
            key=lambda r: (getattr(r, sort.field), r.id),
            reverse=sort.descending,
        )
        items = found[page.offset : page.offset + page.limit]
        return Page(items, len(found), page.limit, page.offset)

    async def active_for(self, household_id: HouseholdId) -> Sequence[Rule]:
        self.active_reads += 1
        return [r for r in self._rows.values() if r.household_id == household_id and r.active]

    async def in_household(self, household_id: HouseholdId) -> Sequence[Rule]:
        return [r for r in self._rows.values() if r.household_id == household_id]
