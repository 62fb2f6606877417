"""A recurring template: what to post (a transaction's fields) and when (its schedule).

The template's fields follow a transaction's rules: it is built from an already-checked
``Posting`` and ``Note``, exactly like ``Transaction.record``. It belongs to its account's
household. It remembers the planned date of the last occurrence it posted
(``last_planned``) and how many it posted; its ``next_date`` is derived from them and the
schedule (``RecurrenceSchedule.following``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from budget.domain.errors import ConflictError
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, RecurringId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.recurring import Occurrence, RecurrenceSchedule
from budget.domain.model.splits import Split
from budget.domain.model.transaction import Note, Posting, Transaction, TransactionType


class RecurringFinishedError(ConflictError):
    """The template's schedule has no occurrence left to post."""

    title = "Recurring transaction finished"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or "The schedule has no occurrence left to post.")


class OccurrencePostedError(ConflictError):
    """The occurrence was posted already (by a concurrent post)."""

    title = "Occurrence already posted"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or "That occurrence was posted already; retry.")


@dataclass(eq=False, slots=True)
class RecurringTransaction:
    """A template posted as a transaction on every occurrence of its schedule.

    Occurrences are posted in order, each once: ``mark_posted`` moves ``last_planned``
    forward only.
    """

    id: RecurringId
    household_id: HouseholdId
    type: TransactionType
    account_id: AccountId
    to_account_id: AccountId | None
    amount: Money
    to_amount: Money | None
    category_id: CategoryId | None
    splits: tuple[Split, ...]
    description: str
    payee: str
    tags: tuple[str, ...]
    schedule: RecurrenceSchedule
    auto_post: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    last_planned: dt.date | None = None
    posted_count: int = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecurringTransaction) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @classmethod
    def create(
        cls,
        recurring_id: RecurringId,
        posting: Posting,
        note: Note,
        schedule: RecurrenceSchedule,
        *,
        auto_post: bool,
        now: dt.datetime,
    ) -> RecurringTransaction:
        """A new template in its account's household; the posting's resources are there."""
        household = posting.links.account.household_id
        posting.links.check_household(household)
        template = cls(
            recurring_id,
            household,
            posting.kind,
            posting.links.account.id,
            None,
            posting.amount,
            None,
            None,
            (),
            "",
            "",
            (),
            schedule,
            auto_post,
            now,
            now,
        )
        template._take(posting, note)
        return template

    def _take(self, posting: Posting, note: Note) -> None:
        links = posting.links
        self.type = posting.kind
        self.account_id = links.account.id
        self.to_account_id = None if links.to_account is None else links.to_account.id
        self.amount = posting.amount
        self.to_amount = posting.to_amount
        self.category_id = None if links.category is None else links.category.id
        self.splits = posting.splits
        self.description, self.payee, self.tags = note.description, note.payee, note.tags

    @property
    def currency(self) -> Currency:
        return self.amount.currency

    @property
    def next_occurrence(self) -> Occurrence | None:
        """The first occurrence not posted yet; None when the schedule is finished."""
        return self.schedule.following(self.last_planned)

    @property
    def next_date(self) -> dt.date | None:
        """The day the next occurrence is posted on (after the weekend move)."""
        found = self.next_occurrence
        return None if found is None else found.date

    @property
    def next_planned(self) -> dt.date | None:
        found = self.next_occurrence
        return None if found is None else found.planned

    def revise(
        self,
        posting: Posting,
        note: Note,
        schedule: RecurrenceSchedule,
        *,
        auto_post: bool,
        now: dt.datetime,
    ) -> None:
        """Replace every changeable field at once (a PATCH merged onto the current state).
        A new schedule goes on after the last posted occurrence."""
        posting.links.check_household(self.household_id)
        self._take(posting, note)
        self.schedule = schedule
        self.auto_post = auto_post
        self.updated_at = now

    def require_next(self) -> Occurrence:
        """The next occurrence to post.

        Raises:
            RecurringFinishedError: none is left.
        """
        found = self.next_occurrence
        if found is None:
            raise RecurringFinishedError()
        return found

    def mark_posted(self, occurrence: Occurrence, now: dt.datetime) -> None:
        """Record that ``occurrence`` (the next one) was posted."""
        if self.last_planned is not None and occurrence.planned <= self.last_planned:
            raise ValueError(f"occurrence {occurrence.planned} was already passed")
        self.last_planned = occurrence.planned
        self.posted_count += 1
        self.updated_at = now

    def uncategorize(self, category_id: CategoryId, now: dt.datetime) -> bool:
        """Drop ``category_id`` from the template and its parts (it was deleted); True if
        anything changed."""
        splits = tuple(
            Split(None, part.amount, part.description) if part.category_id == category_id else part
            for part in self.splits
        )
        changed = self.category_id == category_id or splits != self.splits
        if changed:
            if self.category_id == category_id:
                self.category_id = None
            self.splits = splits
            self.updated_at = now
        return changed

    def as_transaction(self) -> Transaction:
        """The template's fields in a transaction's shape (for the merge rules of a PATCH,
        which are a transaction's); never stored."""
        return Transaction(
            TransactionId(self.id),
            self.household_id,
            self.type,
            self.account_id,
            self.to_account_id,
            self.amount,
            self.to_amount,
            self.category_id,
            self.schedule.start_date,
            self.description,
            self.payee,
            self.tags,
            self.created_at,
            self.updated_at,
            self.splits,
        )
