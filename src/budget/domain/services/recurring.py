"""Use cases of recurring templates (contract section 14): create, read, list, change,
delete and list the upcoming occurrences (posting: ``recurring_posting``).

A template's fields are checked exactly like a transaction's (``transaction_inputs``: the
same lookups, the same error pointers, the same PATCH merge). A change of the schedule goes
on after the last posted occurrence, so no posted date is posted again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from budget.domain.errors import NotFoundError, RuleViolationError
from budget.domain.model.household import Caller
from budget.domain.model.ids import (
    AccountId,
    CategoryId,
    HouseholdId,
    RecurringId,
)
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.model.period import add_months
from budget.domain.model.recurring import (
    Frequency,
    Occurrence,
    RecurrenceSchedule,
    WeekendRule,
)
from budget.domain.model.recurring_template import RecurringTransaction
from budget.domain.model.splits import (
    SplitDraft,
    refuse_category_beside_parts,
    refuse_split_transfer,
)
from budget.domain.model.transaction import (
    Note,
    Posting,
    TransactionType,
    check_shape,
)
from budget.domain.ports import Clock, IdFactory, UnitOfWork
from budget.domain.services.transaction_inputs import (
    TransactionChanges,
    find_links,
    find_parts,
    revised_posting,
    to_amount_of,
)

log = logging.getLogger("budget.recurring")

RECURRING_SORTS = ("next_date", "created_at")
DEFAULT_RECURRING_SORT = "next_date"
UPCOMING_DAYS = 30
UPCOMING_MAX_MONTHS = 12


class RecurringNotFoundError(NotFoundError):
    """The template does not exist in the caller's households."""

    title = "Recurring transaction not found"


@dataclass(frozen=True, slots=True)
class RecurringDraft:
    """A new template as the client sent it; amounts are still wire text."""

    type: TransactionType
    account_id: AccountId
    amount: str
    frequency: Frequency
    start_date: dt.date
    to_account_id: AccountId | None = None
    to_amount: str | None = None
    category_id: CategoryId | None = None
    description: str = ""
    payee: str = ""
    tags: Sequence[str] = ()
    splits: Sequence[SplitDraft] = ()
    interval: int = 1
    end_date: dt.date | None = None
    count: int | None = None
    weekend: WeekendRule = WeekendRule.KEEP
    auto_post: bool = True
    household_id: HouseholdId | None = None


@dataclass(frozen=True, slots=True)
class RecurringChanges:
    """The fields a PATCH sent: the transaction fields (merged like a transaction's PATCH)
    and the schedule's; the others are ``UNSET``."""

    fields: TransactionChanges = field(default_factory=TransactionChanges)
    frequency: Frequency | Unset = UNSET
    interval: int | Unset = UNSET
    start_date: dt.date | Unset = UNSET
    end_date: dt.date | Unset | None = UNSET
    count: int | Unset | None = UNSET
    weekend: WeekendRule | Unset = UNSET
    auto_post: bool | Unset = UNSET

    @property
    def touches_schedule(self) -> bool:
        sent = (self.frequency, self.interval, self.start_date, self.end_date, self.count)
        return any(not isinstance(value, Unset) for value in (*sent, self.weekend))


@dataclass(frozen=True, slots=True)
class UpcomingOccurrence:
    """An occurrence not posted yet, as ``/recurring/upcoming`` lists it."""

    template: RecurringTransaction
    occurrence: Occurrence


async def existing_template(
    uow: UnitOfWork,
    scope: Sequence[HouseholdId],
    recurring_id: RecurringId,
    *,
    for_update: bool = False,
) -> RecurringTransaction:
    template = await uow.recurring.get(scope, recurring_id, for_update=for_update)
    if template is None:
        raise RecurringNotFoundError()
    return template


class CreateRecurring:
    """Create a template in its account's household.

    Raises:
        RuleViolationError: a transaction's rules on the template fields (same pointers);
            the schedule's rules; a catch-up of more than 366 occurrences (``start_date``);
            ``household_id`` not one of the caller's, or not the account's.
        PermissionDeniedError: the caller is a viewer of the household.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, draft: RecurringDraft) -> RecurringTransaction:
        account_id, to_account_id = draft.account_id, draft.to_account_id
        category_id = draft.category_id
        check_shape(
            draft.type,
            account_id,
            to_account_id,
            category_id,
            has_to_amount=draft.to_amount is not None,
        )
        split = bool(draft.splits)
        refuse_split_transfer(transfer=draft.type is TransactionType.TRANSFER, split=split)
        refuse_category_beside_parts(split=split, has_category=category_id is not None)
        note = Note.of(draft.description, draft.payee, draft.tags)
        schedule = RecurrenceSchedule(
            draft.frequency,
            draft.start_date,
            draft.interval,
            draft.end_date,
            draft.count,
            draft.weekend,
        )
        schedule.check_catch_up(None, self._clock.today())
        household = None
        if draft.household_id is not None:
            household = caller.household_for_new(draft.household_id)
        async with self._uow as uow:
            links = await find_links(uow, caller, household, account_id, to_account_id, category_id)
            amount = Money.parse(draft.amount, links.account.currency, field="amount")
            parts = await find_parts(uow, draft.splits, links, draft.type)
            posting = Posting.settle(
                draft.type,
                links,
                amount,
                sent_to_amount=to_amount_of(draft.to_amount, links),
                splits=parts,
            )
            template = RecurringTransaction.create(
                RecurringId(self._ids.new_id()),
                posting,
                note,
                schedule,
                auto_post=draft.auto_post,
                now=self._clock.now(),
            )
            uow.recurring.add(template)
            await uow.commit()
        return template


class GetRecurring:
    """Read a template of one of the caller's households.

    Raises:
        RecurringNotFoundError: no such template in the caller's households.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, recurring_id: RecurringId) -> RecurringTransaction:
        async with self._uow as uow:
            return await existing_template(uow, caller.visible(), recurring_id)


class ListRecurring:
    """The templates of every household of the caller (or of ``household_id`` alone)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self,
        caller: Caller,
        page: PageRequest,
        sort: Sort,
        household_id: HouseholdId | None = None,
    ) -> Page[RecurringTransaction]:
        scope = caller.visible(household_id)
        if not scope:
            return Page([], 0, page.limit, page.offset)
        async with self._uow as uow:
            return await uow.recurring.list(scope, page, sort)


class UpdateRecurring:
    """Change a template: its fields merge like a transaction's PATCH, its schedule's
    fields replace the old ones, and ``next_date`` follows the new schedule from the last
    posted occurrence on (no posted date is posted again).

    Raises:
        RecurringNotFoundError: no such template in the caller's households.
        PermissionDeniedError: the caller is a viewer of its household.
        RuleViolationError: as on create.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, caller: Caller, recurring_id: RecurringId, changes: RecurringChanges
    ) -> RecurringTransaction:
        async with self._uow as uow:
            template = await existing_template(uow, caller.visible(), recurring_id, for_update=True)
            caller.require_write(template.household_id)
            current = template.as_transaction()
            posting = await revised_posting(uow, caller, current, changes.fields)
            sent = changes.fields
            note = Note.of(
                pick(sent.description, template.description),
                pick(sent.payee, template.payee),
                pick(sent.tags, template.tags),
            )
            schedule = _revised_schedule(template.schedule, changes)
            if changes.touches_schedule:
                schedule.check_catch_up(template.last_planned, self._clock.today())
            template.revise(
                posting,
                note,
                schedule,
                auto_post=pick(changes.auto_post, template.auto_post),
                now=self._clock.now(),
            )
            await uow.commit()
        return template


def _revised_schedule(old: RecurrenceSchedule, changes: RecurringChanges) -> RecurrenceSchedule:
    """The schedule after a PATCH: sending ``end_date`` clears ``count`` and the other way
    round unless both are sent (then the pair is refused)."""
    end_date = pick(changes.end_date, old.end_date)
    count = pick(changes.count, old.count)
    if not isinstance(changes.end_date, Unset) and isinstance(changes.count, Unset):
        count = None if changes.end_date is not None else count
    if not isinstance(changes.count, Unset) and isinstance(changes.end_date, Unset):
        end_date = None if changes.count is not None else end_date
    return RecurrenceSchedule(
        pick(changes.frequency, old.frequency),
        pick(changes.start_date, old.start_date),
        pick(changes.interval, old.interval),
        end_date,
        count,
        pick(changes.weekend, old.weekend),
    )


class DeleteRecurring:
    """Delete a template; the transactions it posted stay (``recurring_id`` null).

    Raises:
        RecurringNotFoundError: no such template in the caller's households.
        PermissionDeniedError: the caller is a viewer of its household.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, recurring_id: RecurringId) -> None:
        async with self._uow as uow:
            template = await existing_template(uow, caller.visible(), recurring_id, for_update=True)
            caller.require_write(template.household_id)
            await uow.recurring.delete(template)
            await uow.commit()


class ListUpcoming:
    """The occurrences not posted yet from today to ``date_to`` (default today + 30 days,
    at most today + 12 months), by date, of every household of the caller or of one.

    Raises:
        RuleViolationError: on the ``date_to`` query parameter (before today, or too far).
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self,
        caller: Caller,
        date_to: dt.date | None = None,
        household_id: HouseholdId | None = None,
    ) -> list[UpcomingOccurrence]:
        today = self._clock.today()
        last = date_to or today + dt.timedelta(days=UPCOMING_DAYS)
        if last > add_months(today, UPCOMING_MAX_MONTHS):
            raise RuleViolationError.on_query(
                "date_to", f"must be at most {UPCOMING_MAX_MONTHS} months after today"
            )
        if household_id is not None:
            scope: tuple[HouseholdId, ...] = (caller.household_to_read(household_id),)
        else:
            scope = caller.visible()
        if not scope or last < today:
            return []
        async with self._uow as uow:
            templates = await uow.recurring.active(scope, last)
        found = [
            UpcomingOccurrence(template, occurrence)
            for template in templates
            for occurrence in template.schedule.between(template.last_planned, today, last)
        ]
        found.sort(key=lambda item: (item.occurrence.date, str(item.template.id)))
        return found
