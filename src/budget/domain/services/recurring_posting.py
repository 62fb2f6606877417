"""Posting recurring occurrences (contract section 14): the next one now
(``POST /recurring/{id}/post``) and every due one (the scheduler's task).

Posting an occurrence is an ordinary transaction write — ``Transaction.record`` and the
same ``record_effects`` (balances, cleared balances, totals) in one unit of work — plus the
template's advance and a row of the posted occurrence, unique per (template, planned
date), so a date is never posted twice whoever posts it. Rules (section 13) never apply to
postings; the actor is the service.

Concurrent posts of one template queue on its row lock (PostgreSQL) or on the writer queue
(SQLite), so they post consecutive occurrences; schedulers in several processes claim
templates with ``FOR UPDATE SKIP LOCKED`` and share them.
"""

from __future__ import annotations

import datetime as dt
import logging

from budget.domain.errors import ConflictError, RuleViolationError
from budget.domain.model.household import Caller
from budget.domain.model.ids import RecurringId, TransactionId
from budget.domain.model.recurring import MAX_CATCH_UP, Occurrence
from budget.domain.model.recurring_template import RecurringTransaction
from budget.domain.model.transaction import FOREIGN_ACCOUNT, Links, Note, Posting, Transaction
from budget.domain.model.webhook import EventType
from budget.domain.ports import Clock, IdFactory, UnitOfWork
from budget.domain.services.recurring import existing_template
from budget.domain.services.transactions import record_effects
from budget.domain.services.webhooks import record_event

log = logging.getLogger("budget.recurring")


async def record_recurring_posted(
    uow: UnitOfWork, template: RecurringTransaction, txn: Transaction
) -> None:
    """Record the ``recurring.posted`` and ``transaction.created`` events of ``template``
    posting ``txn`` (``data``: the created transaction) in the posting's unit of work, and
    have it fire the budget alerts the posting causes. The service posts with no caller, so
    the outbox statement itself finds who listens."""
    del template
    record_event(uow, txn.household_id, EventType.TRANSACTION_CREATED, txn, txn.created_at)
    record_event(uow, txn.household_id, EventType.RECURRING_POSTED, txn, txn.created_at)
    uow.webhooks.watch_budgets(txn.household_id, None, None)


async def post_occurrence(
    uow: UnitOfWork,
    template: RecurringTransaction,
    occurrence: Occurrence,
    txn_id: TransactionId,
    now: dt.datetime,
) -> Transaction:
    """Post ``occurrence`` of ``template`` (locked or claimed in ``uow``) as a transaction
    dated after the weekend move, with its balance and totals effects, and advance the
    template. The occurrence's row makes a second posting of the same date fail the commit.

    Raises:
        RuleViolationError: the template no longer makes a valid transaction.
    """
    links = await _links(uow, template)
    posting = Posting.settle(
        template.type,
        links,
        template.amount,
        sent_to_amount=template.to_amount,
        splits=template.splits,
    )
    note = Note(template.description, template.payee, template.tags)
    txn = Transaction.record(
        txn_id,
        template.household_id,
        posting,
        occurrence.date,
        note,
        now,
        recurring_id=template.id,
    )
    uow.transactions.add(txn)
    await record_effects(uow, None, txn)
    uow.recurring.record_posted(template, occurrence)
    template.mark_posted(occurrence, now)
    await record_recurring_posted(uow, template, txn)
    return txn


async def _links(uow: UnitOfWork, template: RecurringTransaction) -> Links:
    """The template's accounts and category, found in its household."""
    household = (template.household_id,)
    account = await uow.accounts.get(household, template.account_id)
    if account is None:
        raise RuleViolationError.on("account_id", FOREIGN_ACCOUNT)
    to_account = None
    if template.to_account_id is not None:
        to_account = await uow.accounts.get(household, template.to_account_id)
        if to_account is None:
            raise RuleViolationError.on("to_account_id", FOREIGN_ACCOUNT)
    category = None
    if template.category_id is not None:
        category = await uow.categories.get(household, template.category_id)
    return Links(account, to_account, category)


class PostRecurring:
    """Post a template's next occurrence now (dated like any occurrence) and advance it.

    The template is locked first, so concurrent calls post consecutive occurrences.

    Raises:
        RecurringNotFoundError: no such template in the caller's households.
        PermissionDeniedError: the caller is a viewer of its household.
        RecurringFinishedError: no occurrence is left.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, recurring_id: RecurringId) -> Transaction:
        async with self._uow as uow:
            template = await existing_template(uow, caller.visible(), recurring_id, for_update=True)
            caller.require_write(template.household_id)
            occurrence = template.require_next()
            txn_id = TransactionId(self._ids.new_id())
            txn = await post_occurrence(uow, template, occurrence, txn_id, self._clock.now())
            await uow.commit()
        return txn


class PostDueRecurring:
    """The scheduler's task: post every occurrence due today or earlier of every
    ``auto_post`` template, each exactly once, also when several processes run it at once
    and after downtime (a catch-up posts every missed occurrence, in order).

    One template per unit of work: it is claimed (locked, skipping templates other
    schedulers hold), all its due occurrences are posted, then it commits. A template that
    no longer makes a valid transaction is logged and left for the next run; any other
    failure (the database is down) ends the run and reaches the scheduler, which logs it.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self) -> int:
        """Post what is due; the number of transactions posted."""
        posted = 0
        skipped: set[RecurringId] = set()
        while True:
            done = await self._post_next(skipped)
            if done is None:
                return posted
            posted += done

    async def _post_next(self, skipped: set[RecurringId]) -> int | None:
        today = self._clock.today()
        claimed: list[RecurringId] = []
        try:
            async with self._uow as uow:
                template = await uow.recurring.claim_due(today, skipped)
                if template is None:
                    return None
                claimed.append(template.id)
                due = template.schedule.due(template.last_planned, today, MAX_CATCH_UP)
                for occurrence in due:
                    txn_id = TransactionId(self._ids.new_id())
                    await post_occurrence(uow, template, occurrence, txn_id, self._clock.now())
                await uow.commit()
        except (RuleViolationError, ConflictError) as error:
            if not claimed:
                raise
            # Left for the next run (a concurrent change, or a template that no longer
            # makes a valid transaction): nothing of it was written.
            log.warning("recurring %s not posted: %s", claimed[0], error.detail)
            skipped.add(claimed[0])
            return 0
        return len(due)
