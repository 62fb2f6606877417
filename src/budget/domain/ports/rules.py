"""The rule repository: households' categorisation rules (contract section 13)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from budget.domain.model.ids import HouseholdId, RuleId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.rule import Rule


class RuleRepository(Protocol):
    """Households' rules; ``get`` and ``list`` only ever see the ``scope`` households'.

    Rules handed out by ``get``, ``add`` and ``in_household`` are written back on commit.
    """

    def add(self, rule: Rule) -> None: ...

    async def get(self, scope: Sequence[HouseholdId], rule_id: RuleId) -> Rule | None: ...

    async def delete(self, rule: Rule) -> None: ...

    async def list(self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort) -> Page[Rule]:
        """Sorted (ties on id, in the same direction) and counted."""
        ...

    async def active_for(self, household_id: HouseholdId) -> Sequence[Rule]:
        """The household's active rules (any order; ``RuleBook.of`` sorts them), read only.

        This runs on every new transaction: an adapter answers ``[]`` without a round trip
        when it already knows the household has no active rule (the SQL adapter learns it
        from the account read of the same unit of work)."""
        ...

    async def in_household(self, household_id: HouseholdId) -> Sequence[Rule]:
        """Every rule of the household, handed out like ``get`` (a category's deletion
        edits them)."""
        ...
