"""The port of recurring templates (contract section 14)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Protocol

from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, RecurringId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.recurring import Occurrence
from budget.domain.model.recurring_template import RecurringTransaction


class RecurringRepository(Protocol):
    """Households' recurring templates and the occurrences they posted; ``get`` and the
    lists only ever see the ``scope`` households'.

    Templates handed out by ``get``, ``claim_due`` and ``add`` are written back on commit.
    """

    def add(self, template: RecurringTransaction) -> None: ...

    async def get(
        self,
        scope: Sequence[HouseholdId],
        recurring_id: RecurringId,
        *,
        for_update: bool = False,
    ) -> RecurringTransaction | None:
        """``for_update``: lock the template until the unit of work ends (PostgreSQL), so
        that concurrent posts of one template queue."""
        ...

    async def list(
        self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort
    ) -> Page[RecurringTransaction]:
        """Sorted by ``next_date`` (finished templates, with none, after every date) or
        ``created_at``, ties on id in the same direction, and counted."""
        ...

    async def active(
        self, scope: Sequence[HouseholdId], due_by: dt.date
    ) -> Sequence[RecurringTransaction]:
        """Every unfinished template whose next occurrence is posted on ``due_by`` or
        earlier, by next date then id (read only)."""
        ...

    async def claim_due(
        self, today: dt.date, skipped: Collection[RecurringId]
    ) -> RecurringTransaction | None:
        """One ``auto_post`` template of any household in scope with an occurrence due on
        ``today`` or earlier, not in ``skipped``, locked for this unit of work; templates
        other units of work hold are passed over (``FOR UPDATE SKIP LOCKED``), so that
        concurrent schedulers share the work. None when there is none."""
        ...

    def record_posted(self, template: RecurringTransaction, occurrence: Occurrence) -> None:
        """Write that ``template`` posted ``occurrence`` (unique per template and planned
        date: a second write of the same one fails the commit)."""
        ...

    async def delete(self, template: RecurringTransaction) -> None:
        """Delete the template; the transactions it posted stay, with no ``recurring_id``."""
        ...

    async def uses_account(self, household_id: HouseholdId, account_id: AccountId) -> bool:
        """Whether a template of the household posts from or to the account."""
        ...

    async def using_category(
        self, household_id: HouseholdId, category_id: CategoryId
    ) -> Sequence[RecurringTransaction]:
        """The household's templates that refer to the category, themselves or in a part."""
        ...
