"""The recurring use cases on fakes: creating, posting, the scheduler's task, and the
effects of category and account deletion on templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from budget.domain.errors import AccountInUseError, PermissionDeniedError, RuleViolationError
from budget.domain.model.account import Account
from budget.domain.model.household import Role
from budget.domain.model.recurring import Frequency, WeekendRule
from budget.domain.model.recurring_template import RecurringFinishedError, RecurringTransaction
from budget.domain.services.accounts import DeleteAccount
from budget.domain.services.categories import DeleteCategory
from budget.domain.services.recurring import (
    CreateRecurring,
    ListUpcoming,
    RecurringChanges,
    RecurringDraft,
    UpdateRecurring,
)
from budget.domain.services.recurring_posting import PostDueRecurring, PostRecurring
from tests.fakes import personal_caller
from tests.unit.test_ledger_services import ALICE, EXPENSE, Ledger

TODAY = dt.date(2026, 11, 22)  # the fake clock's day, a Sunday


async def make(ledger: Ledger, account: Account, **fields: Any) -> RecurringTransaction:
    owner = fields.pop("owner", ALICE)
    draft = RecurringDraft(
        EXPENSE,
        account.id,
        fields.pop("amount", "10"),
        fields.pop("frequency", Frequency.DAILY),
        fields.pop("start_date", TODAY),
        **fields,
    )
    return await CreateRecurring(ledger.uow, ledger.clock, ledger.ids).execute(owner, draft)


def posted_dates(ledger: Ledger) -> list[dt.date]:
    return sorted(t.date for t in ledger.transactions().values())


async def test_posting_records_a_transaction_of_the_template() -> None:
    ledger = Ledger.empty()
    account = await ledger.account(opening="100")
    template = await make(ledger, account, payee="Gym", auto_post=False)

    txn = await PostRecurring(ledger.uow, ledger.clock, ledger.ids).execute(ALICE, template.id)

    assert (txn.recurring_id, txn.date, txn.payee) == (template.id, TODAY, "Gym")
    assert ledger.balance(account) == "90.00"
    stored = ledger.uow.store.extra["recurring"][template.id]
    assert stored.next_date == TODAY + dt.timedelta(days=1)


async def test_posting_records_recurring_posted_and_transaction_created_events() -> None:
    ledger = Ledger.empty()
    template = await make(ledger, await ledger.account(), auto_post=False)

    txn = await PostRecurring(ledger.uow, ledger.clock, ledger.ids).execute(ALICE, template.id)

    recorded = [(event.value, data) for _, event, data in ledger.uow.webhooks.events]
    assert recorded == [("transaction.created", txn), ("recurring.posted", txn)]


async def test_posting_a_finished_template_commits_nothing() -> None:
    ledger = Ledger.empty()
    template = await make(ledger, await ledger.account(), count=1, auto_post=False)
    post = PostRecurring(ledger.uow, ledger.clock, ledger.ids)
    await post.execute(ALICE, template.id)

    await ledger.refused(post.execute(ALICE, template.id), RecurringFinishedError)


async def test_a_viewer_cannot_post() -> None:
    ledger = Ledger.empty()
    template = await make(ledger, await ledger.account(), auto_post=False)
    viewer = personal_caller(3, h1=Role.VIEWER)

    post = PostRecurring(ledger.uow, ledger.clock, ledger.ids).execute(viewer, template.id)

    await ledger.refused(post, PermissionDeniedError)


async def test_the_scheduler_posts_every_due_occurrence_once() -> None:
    ledger = Ledger.empty()
    await make(ledger, await ledger.account(), start_date=TODAY - dt.timedelta(days=3))
    task = PostDueRecurring(ledger.uow, ledger.clock, ledger.ids)

    first, second = await task.execute(), await task.execute()

    assert (first, second) == (4, 0)
    assert posted_dates(ledger) == [TODAY - dt.timedelta(days=n) for n in (3, 2, 1, 0)]


async def test_the_scheduler_posts_a_weekend_occurrence_on_the_friday_before() -> None:
    ledger = Ledger.empty()
    await make(ledger, await ledger.account(), weekend=WeekendRule.BEFORE)

    await PostDueRecurring(ledger.uow, ledger.clock, ledger.ids).execute()

    assert posted_dates(ledger) == [TODAY - dt.timedelta(days=2)]


async def test_the_scheduler_leaves_templates_without_auto_post() -> None:
    ledger = Ledger.empty()
    await make(ledger, await ledger.account(), auto_post=False)

    assert await PostDueRecurring(ledger.uow, ledger.clock, ledger.ids).execute() == 0


async def test_a_schedule_change_with_a_long_catch_up_is_refused() -> None:
    ledger = Ledger.empty()
    template = await make(ledger, await ledger.account(), auto_post=False)
    changes = RecurringChanges(start_date=TODAY - dt.timedelta(days=500))

    update = UpdateRecurring(ledger.uow, ledger.clock).execute(ALICE, template.id, changes)

    error = await ledger.refused(update, RuleViolationError)
    assert isinstance(error, RuleViolationError)
    assert [p.field for p in error.problems] == ["start_date"]


async def test_upcoming_lists_the_window_by_date() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    weekly = await make(ledger, account, frequency=Frequency.WEEKLY, auto_post=False)
    later = dt.date(2026, 11, 30)
    await make(ledger, account, frequency=Frequency.MONTHLY, start_date=later, auto_post=False)

    found = await ListUpcoming(ledger.uow, ledger.clock).execute(ALICE, TODAY + dt.timedelta(8))

    assert [(i.template.id == weekly.id, i.occurrence.date) for i in found] == [
        (True, TODAY),
        (True, TODAY + dt.timedelta(days=7)),
        (False, later),
    ]


async def test_deleting_a_category_uncategorises_the_templates() -> None:
    ledger = Ledger.empty()
    rent = await ledger.category("Rent")
    template = await make(ledger, await ledger.account(), category_id=rent.id, auto_post=False)

    await DeleteCategory(ledger.uow, ledger.clock).execute(ALICE, rent.id)

    assert ledger.uow.store.extra["recurring"][template.id].category_id is None


async def test_an_account_a_template_uses_cannot_be_deleted() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    await make(ledger, account, auto_post=False)

    await ledger.refused(DeleteAccount(ledger.uow).execute(ALICE, account.id), AccountInUseError)
