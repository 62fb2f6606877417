"""Use cases of budgets, run on the in-memory fakes.

Each test asserts the outcome and, for writes, whether the unit of work committed. The
ledger is seeded through its own use cases, so the fake reader sums real transactions.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.budget import Budget, BudgetFilters, BudgetStanding
from budget.domain.model.budget_rules import BudgetState
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.household import Caller
from budget.domain.model.ids import BudgetId, HouseholdId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.period import Period, PeriodKind
from budget.domain.model.transaction import TransactionType
from budget.domain.services.accounts import AccountDraft, CreateAccount
from budget.domain.services.budgets import (
    BudgetChanges,
    BudgetClashError,
    BudgetDraft,
    BudgetNotFoundError,
    CreateBudget,
    DeleteBudget,
    GetBudget,
    GetBudgetHistory,
    GetBudgetStatus,
    ListBudgets,
    ListBudgetStatuses,
    UpdateBudget,
)
from budget.domain.services.categories import CategoryDraft, CreateCategory, DeleteCategory
from budget.domain.services.transactions import RecordTransaction, TransactionDraft
from tests.fakes import (
    FakeBudgetSpendingReader,
    FakeClock,
    FakeIds,
    FakeUnitOfWork,
    personal_caller,
)

ALICE = personal_caller(1)
BOB = personal_caller(2)
TODAY = date(2026, 11, 22)  # FakeClock's day, a Sunday
EXPENSE = TransactionType.EXPENSE


def _owner_of(household_id: HouseholdId) -> Caller:
    """The user whose personal household this is (its id is the user's id)."""
    return personal_caller(household_id.int)


@dataclass
class World:
    """The fakes plus shortcuts that run the ledger's and the budgets' use cases."""

    uow: FakeUnitOfWork = field(default_factory=FakeUnitOfWork)
    clock: FakeClock = field(default_factory=FakeClock)
    ids: FakeIds = field(default_factory=FakeIds)

    def __post_init__(self) -> None:
        self.spending = FakeBudgetSpendingReader(self.uow.store)

    async def account(
        self, currency: str = "EUR", owner: Caller = ALICE, name: str | None = None
    ) -> Account:
        draft = AccountDraft(name or f"Cash {currency}", AccountType.CASH, currency)
        return await CreateAccount(self.uow, self.clock, self.ids).execute(owner, draft)

    async def category(
        self, name: str, kind: CategoryKind = CategoryKind.EXPENSE, **kw: Any
    ) -> Category:
        owner = kw.pop("owner", ALICE)
        draft = CategoryDraft(name, kind, **kw)
        return await CreateCategory(self.uow, self.clock, self.ids).execute(owner, draft)

    async def spend(self, account: Account, amount: str, day: date, **kw: Any) -> None:
        kind = kw.pop("type", EXPENSE)
        draft = TransactionDraft(kind, account.id, amount, day, **kw)
        await RecordTransaction(self.uow, self.clock, self.ids).execute(
            _owner_of(account.household_id), draft
        )

    async def budget(self, owner: Caller = ALICE, **kw: Any) -> Budget:
        kw.setdefault("name", "Groceries")
        kw.setdefault("amount", "400.00")
        kw.setdefault("currency", "EUR")
        return await CreateBudget(self.uow, self.clock, self.ids).execute(owner, BudgetDraft(**kw))

    async def update(self, budget: Budget, owner: Caller = ALICE, **kw: Any) -> Budget:
        changes = BudgetChanges(**kw)
        return await UpdateBudget(self.uow, self.clock).execute(owner, budget.id, changes)

    async def status(self, budget: Budget, day: date | None = None) -> BudgetStanding:
        use_case = GetBudgetStatus(self.uow, self.spending, self.clock)
        return await use_case.execute(_owner_of(budget.household_id), budget.id, day)

    async def history(self, budget: Budget, periods: int = 12) -> list[BudgetStanding]:
        use_case = GetBudgetHistory(self.uow, self.spending, self.clock)
        return await use_case.execute(_owner_of(budget.household_id), budget.id, periods)

    async def refused(self, call: Awaitable[object], error: type[Exception]) -> Exception:
        """Run ``call``, expect ``error``, and check that nothing was committed."""
        commits = self.uow.commits
        with pytest.raises(error) as raised:
            await call
        assert self.uow.commits == commits
        return raised.value


def pointer(error: Exception) -> str:
    assert isinstance(error, RuleViolationError)
    return error.problems[0].field


def money(standing: BudgetStanding) -> dict[str, Any]:
    """The status in major units, as the API prints it (EUR)."""
    s = standing.status

    def eur(minor: int) -> str:
        return f"{minor / 100:.2f}"

    return {
        "period": (s.period.start, s.period.end),
        "limit": eur(s.limit),
        "carried_over": eur(s.carried_over),
        "available": eur(s.available),
        "spent": eur(s.spent),
        "remaining": eur(s.remaining),
        "percent_used": s.percent_used,
        "state": s.state,
    }


# -- create -------------------------------------------------------------------------------


async def test_creating_a_budget_commits_it_with_the_contracts_defaults() -> None:
    world = World()
    food = await world.category("Food")

    budget = await world.budget(category_id=food.id)

    assert world.uow.store.budgets[budget.id].name == "Groceries"
    assert world.uow.commits == 2
    assert budget.period is PeriodKind.MONTHLY
    assert budget.start_date == date(2026, 11, 1)
    assert (budget.end_date, budget.rollover, budget.alert_threshold) == (None, False, 80)
    assert budget.amount.format() == "400.00"


@pytest.mark.parametrize(
    ("period", "start"),
    [
        (PeriodKind.WEEKLY, date(2026, 11, 16)),
        (PeriodKind.QUARTERLY, date(2026, 10, 1)),
        (PeriodKind.YEARLY, date(2026, 1, 1)),
    ],
)
async def test_the_default_start_is_the_first_day_of_the_current_calendar_period(
    period: PeriodKind, start: date
) -> None:
    budget = await World().budget(period=period)

    assert budget.start_date == start


async def test_a_budget_of_all_expenses_has_no_category() -> None:
    world = World()

    budget = await world.budget(name="Everything")

    assert budget.category_id is None
    assert world.uow.committed


async def test_an_income_category_is_refused_on_category_id() -> None:
    world = World()
    salary = await world.category("Salary", CategoryKind.INCOME)

    error = await world.refused(world.budget(category_id=salary.id), RuleViolationError)

    assert pointer(error) == "category_id"
    assert not world.uow.store.budgets


async def test_another_users_category_is_refused_like_a_missing_one() -> None:
    world = World()
    bobs = await world.category("Food", owner=BOB)

    error = await world.refused(world.budget(category_id=bobs.id), RuleViolationError)

    assert pointer(error) == "category_id"


@pytest.mark.parametrize(
    ("draft", "field_name"),
    [
        ({"currency": "eur"}, "currency"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"start_date": date(2026, 1, 2), "end_date": date(2026, 1, 1)}, "end_date"),
        ({"alert_threshold": 101}, "alert_threshold"),
        ({"name": ""}, "name"),
    ],
)
async def test_invalid_fields_are_refused_by_name(draft: dict[str, Any], field_name: str) -> None:
    world = World()

    error = await world.refused(world.budget(**draft), RuleViolationError)

    assert pointer(error) == field_name


async def test_a_second_active_budget_of_the_same_scope_is_a_conflict() -> None:
    world = World()
    food = await world.category("Food")
    await world.budget(category_id=food.id)

    await world.refused(world.budget(name="Food again", category_id=food.id), BudgetClashError)

    assert len(world.uow.store.budgets) == 1


async def test_a_budget_may_replace_one_that_ended() -> None:
    world = World()
    await world.budget(start_date=date(2026, 1, 1), end_date=date(2026, 10, 31))

    await world.budget(name="Groceries 2", start_date=date(2026, 11, 1))

    assert len(world.uow.store.budgets) == 2


async def test_a_budget_may_follow_the_current_one() -> None:
    world = World()
    await world.budget(start_date=date(2026, 1, 1), end_date=date(2026, 12, 31))

    await world.budget(name="Next year", start_date=date(2027, 1, 1))

    assert len(world.uow.store.budgets) == 2


async def test_budgets_of_another_period_or_currency_do_not_clash() -> None:
    world = World()
    await world.budget()

    await world.budget(period=PeriodKind.WEEKLY, amount="100")
    await world.budget(currency="USD")

    assert len(world.uow.store.budgets) == 3


# -- read, list, update, delete -------------------------------------------------------------


async def test_another_users_budget_is_not_found() -> None:
    world = World()
    budget = await world.budget()

    with pytest.raises(BudgetNotFoundError):
        await GetBudget(world.uow).execute(BOB, budget.id)
    await world.refused(world.update(budget, owner=BOB, name="Mine"), BudgetNotFoundError)
    await world.refused(DeleteBudget(world.uow).execute(BOB, budget.id), BudgetNotFoundError)


async def test_listing_filters_sorts_and_pages_the_owners_budgets() -> None:
    world = World()
    await world.budget(name="B")
    await world.budget(name="A", currency="USD")
    await world.budget(name="C", period=PeriodKind.WEEKLY)
    await world.budget(name="Bob's", owner=BOB)

    page = await ListBudgets(world.uow).execute(
        ALICE, BudgetFilters(), PageRequest(limit=2), Sort("name", descending=True)
    )
    euros = await ListBudgets(world.uow).execute(
        ALICE, BudgetFilters(currency="EUR"), PageRequest(), Sort("name")
    )

    assert [b.name for b in page.items] == ["C", "B"]
    assert page.total == 3
    assert [b.name for b in euros.items] == ["B", "C"]


async def test_updating_changes_only_the_sent_fields() -> None:
    world = World()
    food = await world.category("Food")
    budget = await world.budget(category_id=food.id)
    world.clock.advance(hours=1)

    updated = await world.update(budget, amount="450", end_date=date(2027, 6, 30))

    stored = world.uow.store.budgets[budget.id]
    assert stored.amount.format() == "450.00"
    assert stored.end_date == date(2027, 6, 30)
    assert (stored.name, stored.category_id) == ("Groceries", food.id)
    assert updated.updated_at > updated.created_at
    assert world.uow.commits == 3


async def test_null_clears_the_category_and_the_end_date() -> None:
    world = World()
    food = await world.category("Food")
    budget = await world.budget(category_id=food.id, end_date=date(2027, 1, 1))

    await world.update(budget, category_id=None, end_date=None)

    stored = world.uow.store.budgets[budget.id]
    assert (stored.category_id, stored.end_date) == (None, None)


async def test_a_new_currency_keeps_the_amounts_value() -> None:
    world = World()
    budget = await world.budget(amount="400.00")

    await world.update(budget, currency="JPY")

    assert world.uow.store.budgets[budget.id].amount.format() == "400"


async def test_a_new_currency_that_cannot_hold_the_amount_is_refused_on_amount() -> None:
    world = World()
    budget = await world.budget(amount="400.50")

    error = await world.refused(world.update(budget, currency="JPY"), RuleViolationError)

    assert pointer(error) == "amount"
    assert world.uow.store.budgets[budget.id].currency.code == "EUR"


async def test_an_update_into_another_active_budgets_scope_is_a_conflict() -> None:
    world = World()
    await world.budget(currency="EUR")
    dollars = await world.budget(currency="USD")

    await world.refused(world.update(dollars, currency="EUR"), BudgetClashError)

    assert world.uow.store.budgets[dollars.id].currency.code == "USD"


async def test_an_update_to_an_income_category_is_refused() -> None:
    world = World()
    salary = await world.category("Salary", CategoryKind.INCOME)
    budget = await world.budget()

    error = await world.refused(world.update(budget, category_id=salary.id), RuleViolationError)

    assert pointer(error) == "category_id"


async def test_deleting_a_budget_commits_its_removal() -> None:
    world = World()
    budget = await world.budget()

    await DeleteBudget(world.uow).execute(ALICE, budget.id)

    assert not world.uow.store.budgets
    assert world.uow.commits == 2


async def test_deleting_a_category_removes_its_budgets_but_not_its_parents() -> None:
    world = World()
    food = await world.category("Food")
    snacks = await world.category("Snacks", parent_id=food.id)
    kept = await world.budget(category_id=food.id)
    await world.budget(name="Snacks", category_id=snacks.id)

    await DeleteCategory(world.uow, world.clock).execute(ALICE, snacks.id)

    assert list(world.uow.store.budgets) == [kept.id]


# -- status ---------------------------------------------------------------------------------


async def test_status_with_rollover_carries_under_and_overspending() -> None:
    world = World()
    food = await world.category("Food")
    cash = await world.account()
    budget = await world.budget(
        category_id=food.id, start_date=date(2026, 1, 15), rollover=True, amount="100.00"
    )
    # Periods run 15th -> 14th. Jan: 60 spent (+40); Feb: 130 (-30); Mar: nothing (+100).
    await world.spend(cash, "60.00", date(2026, 2, 14), category_id=food.id)
    await world.spend(cash, "130.00", date(2026, 2, 15), category_id=food.id)
    await world.spend(cash, "95.00", date(2026, 4, 20), category_id=food.id)
    await world.spend(cash, "999.00", date(2026, 1, 14), category_id=food.id)  # before start

    standing = await world.status(budget, date(2026, 5, 1))

    assert money(standing) == {
        "period": (date(2026, 4, 15), date(2026, 5, 14)),
        "limit": "100.00",
        "carried_over": "110.00",
        "available": "210.00",
        "spent": "95.00",
        "remaining": "115.00",
        "percent_used": "45.2",
        "state": BudgetState.OK,
    }
    assert standing.budget_id == budget.id
    assert world.spending.calls == 1


async def test_status_counts_only_expenses_in_its_currency_and_categories() -> None:
    world = World()
    food = await world.category("Food")
    snacks = await world.category("Snacks", parent_id=food.id)
    rent = await world.category("Rent")
    salary = await world.category("Salary", CategoryKind.INCOME)
    euros, dollars = await world.account(), await world.account("USD")
    savings = await world.account("EUR", name="Savings")
    budget = await world.budget(category_id=food.id, amount="100")
    day = date(2026, 11, 5)
    await world.spend(euros, "30", day, category_id=food.id)
    await world.spend(euros, "50", day, category_id=snacks.id)  # a child counts
    await world.spend(euros, "7", day, category_id=rent.id)
    await world.spend(euros, "8", day)  # uncategorised
    await world.spend(dollars, "9", day, category_id=food.id)  # another currency
    await world.spend(euros, "10", day, type=TransactionType.INCOME, category_id=salary.id)
    await world.spend(euros, "11", day, type=TransactionType.TRANSFER, to_account_id=savings.id)

    standing = await world.status(budget)

    assert money(standing)["spent"] == "80.00"
    assert standing.status.state is BudgetState.WARNING


async def test_a_budget_of_all_expenses_counts_uncategorised_ones_too() -> None:
    world = World()
    food = await world.category("Food")
    euros = await world.account()
    budget = await world.budget(name="Everything", amount="100")
    await world.spend(euros, "30", TODAY, category_id=food.id)
    await world.spend(euros, "80", TODAY)

    standing = await world.status(budget)

    assert money(standing)["spent"] == "110.00"
    assert standing.status.state is BudgetState.EXCEEDED
    assert standing.status.percent_used == "110.0"


async def test_a_period_cut_by_the_end_date_keeps_its_limit_and_counts_up_to_it() -> None:
    world = World()
    euros = await world.account()
    budget = await world.budget(start_date=date(2026, 1, 1), end_date=date(2026, 3, 10))
    await world.spend(euros, "40", date(2026, 3, 10))
    await world.spend(euros, "50", date(2026, 3, 11))

    standing = await world.status(budget, date(2026, 3, 1))

    assert money(standing)["period"] == (date(2026, 3, 1), date(2026, 3, 10))
    assert money(standing)["limit"] == "400.00"
    assert money(standing)["spent"] == "40.00"


@pytest.mark.parametrize("day", [date(2025, 12, 31), date(2026, 3, 11)])
async def test_a_status_outside_the_budgets_dates_is_refused_on_date(day: date) -> None:
    world = World()
    budget = await world.budget(start_date=date(2026, 1, 1), end_date=date(2026, 3, 10))

    with pytest.raises(RuleViolationError) as error:
        await world.status(budget, day)

    assert pointer(error.value) == "date"
    assert error.value.problems[0].in_query


async def test_the_status_date_defaults_to_today() -> None:
    world = World()
    budget = await world.budget()

    standing = await world.status(budget)

    assert standing.status.period == Period(date(2026, 11, 1), date(2026, 11, 30))


async def test_another_users_status_is_not_found() -> None:
    world = World()
    budget = await world.budget()

    with pytest.raises(BudgetNotFoundError):
        await GetBudgetStatus(world.uow, world.spending, world.clock).execute(BOB, budget.id)


async def test_statuses_list_every_budget_active_on_the_day_in_one_batch() -> None:
    world = World()
    food = await world.category("Food")
    euros = await world.account()
    await world.budget(name="Food", category_id=food.id, amount="50")
    await world.budget(name="All", amount="100")
    await world.budget(name="Old", end_date=date(2026, 10, 31), start_date=date(2026, 1, 1))
    await world.budget(name="Later", start_date=date(2026, 12, 1), period=PeriodKind.WEEKLY)
    await world.budget(name="Bob's", owner=BOB)
    await world.spend(euros, "45", TODAY, category_id=food.id)

    standings = await ListBudgetStatuses(world.uow, world.spending, world.clock).execute(ALICE)

    names = {b.id: b.name for b in world.uow.store.budgets.values()}
    assert [(names[s.budget_id], s.status.spent) for s in standings] == [
        ("All", 4_500),
        ("Food", 4_500),
    ]
    assert world.spending.calls == 1


async def test_statuses_on_a_day_without_budgets_are_empty() -> None:
    world = World()
    await world.budget(start_date=date(2026, 1, 1))

    standings = await ListBudgetStatuses(world.uow, world.spending, world.clock).execute(
        ALICE, date(2025, 6, 1)
    )

    assert standings == []


# -- history --------------------------------------------------------------------------------


async def test_history_shows_the_last_periods_up_to_today_oldest_first() -> None:
    world = World()
    euros = await world.account()
    budget = await world.budget(start_date=date(2026, 1, 1), rollover=True, amount="100")
    await world.spend(euros, "150", date(2026, 1, 5))  # Jan: -50
    await world.spend(euros, "20", date(2026, 8, 5))

    history = await world.history(budget, periods=4)

    assert [money(s)["period"][0] for s in history] == [
        date(2026, 8, 1),
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
    ]
    # Before August: 7 periods, 150 spent -> carried 550; August spends 20.
    assert [money(s)["carried_over"] for s in history] == ["550.00", "630.00", "730.00", "830.00"]
    assert world.spending.calls == 1


async def test_history_of_a_budget_that_started_later_is_shorter() -> None:
    world = World()
    budget = await world.budget(start_date=date(2026, 10, 1))

    history = await world.history(budget)

    assert [s.status.period.start for s in history] == [date(2026, 10, 1), date(2026, 11, 1)]


async def test_history_of_a_budget_that_has_not_started_is_empty() -> None:
    world = World()
    budget = await world.budget(start_date=date(2027, 1, 1))

    assert await world.history(budget) == []
    assert world.spending.calls == 0


async def test_history_of_an_ended_budget_stops_at_its_cut_last_period() -> None:
    world = World()
    euros = await world.account()
    budget = await world.budget(start_date=date(2026, 1, 1), end_date=date(2026, 3, 10))
    await world.spend(euros, "40", date(2026, 3, 10))
    await world.spend(euros, "50", date(2026, 3, 11))

    history = await world.history(budget)

    assert [money(s)["period"] for s in history] == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 10)),
    ]
    assert money(history[-1])["spent"] == "40.00"


@pytest.mark.parametrize("periods", [0, 37])
async def test_a_history_length_outside_1_to_36_is_refused_on_periods(periods: int) -> None:
    world = World()
    budget = await world.budget()

    with pytest.raises(RuleViolationError) as error:
        await world.history(budget, periods)

    assert pointer(error.value) == "periods"


async def test_history_of_another_users_budget_is_not_found() -> None:
    world = World()
    budget = await world.budget()

    with pytest.raises(BudgetNotFoundError):
        await GetBudgetHistory(world.uow, world.spending, world.clock).execute(
            BOB, BudgetId(budget.id)
        )


async def test_the_clock_decides_today_for_history() -> None:
    world = World(clock=FakeClock(datetime(2027, 2, 3, tzinfo=UTC)))
    budget = await world.budget(start_date=date(2026, 11, 1))

    history = await world.history(budget)

    assert [s.status.period.start.month for s in history] == [11, 12, 1, 2]
