"""The in-memory recurring repository of the unit-of-work fake (``tests/fakes.py``): its
templates live in the store's ``extra["recurring"]``, its posted occurrences in
``extra["recurring_occurrences"]`` (a second posting of one date fails like the database's
primary key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, RecurringId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.recurring import Occurrence
from budget.domain.model.recurring_template import OccurrencePostedError, RecurringTransaction


class FakeRecurringRepository:
    def __init__(self, extra: dict[str, dict[Any, Any]]) -> None:
        self._rows: dict[Any, RecurringTransaction] = extra["recurring"]
        self._posted: dict[Any, dt.date] = extra["recurring_occurrences"]
        self.locked: list[RecurringId] = []

    def _own(self, scope: Sequence[HouseholdId]) -> list[RecurringTransaction]:
        return [t for t in self._rows.values() if t.household_id in scope]

    def add(self, template: RecurringTransaction) -> None:
        self._rows[template.id] = template

    async def get(
        self, scope: Sequence[HouseholdId], recurring_id: RecurringId, *, for_update: bool = False
    ) -> RecurringTransaction | None:
        found = self._rows.get(recurring_id)
        if found is None or found.household_id not in scope:
            return None
        if for_update:
            self.locked.append(recurring_id)
        return found

    async def list(
        self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort
    ) -> Page[RecurringTransaction]:
        def key(t: RecurringTransaction) -> Any:
            if sort.field == "next_date":
                return (t.next_date is None, t.next_date or dt.date.min, t.id)
            return (t.created_at, t.id)

        ordered = sorted(self._own(scope), key=key, reverse=sort.descending)
        chosen = ordered[page.offset : page.offset + page.limit]
        return Page(chosen, len(ordered), page.limit, page.offset)

    async def active(
        self, scope: Sequence[HouseholdId], due_by: dt.date
    ) -> Sequence[RecurringTransaction]:
        found = [t for t in self._own(scope) if t.next_date is not None and t.next_date <= due_by]
        return sorted(found, key=lambda t: (t.next_date, t.id))

    async def claim_due(
        self, today: dt.date, skipped: Collection[RecurringId]
    ) -> RecurringTransaction | None:
        due = [
            t
            for t in self._rows.values()
            if t.auto_post
            and t.next_date is not None
            and t.next_date <= today
            and t.id not in skipped
        ]
        return min(due, key=lambda t: (t.next_date, t.id), default=None)

    def record_posted(self, template: RecurringTransaction, occurrence: Occurrence) -> None:
        key = (template.id, occurrence.planned)
        if key in self._posted:
            raise OccurrencePostedError()
        self._posted[key] = occurrence.date

    async def delete(self, template: RecurringTransaction) -> None:
        del self._rows[template.id]

    async def uses_account(self, household_id: HouseholdId, account_id: AccountId) -> bool:
        return any(
            account_id in (t.account_id, t.to_account_id)
            for t in self._rows.values()
            if t.household_id == household_id
        )

    async def using_category(
        self, household_id: HouseholdId, category_id: CategoryId
    ) -> Sequence[RecurringTransaction]:
        return [
            t
            for t in self._rows.values()
            if t.household_id == household_id
            and (
                t.category_id == category_id or any(p.category_id == category_id for p in t.splits)
            )
        ]
