"""Use cases of a user's budgets: create, read, list, change, delete, status and history.

Status and history are read-side: the budgets come from the unit of work, the sums from
``BudgetSpendingReader`` once the unit of work is closed (one connection at a time), and
the rules of ``budget_rules`` combine them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from budget.domain.errors import ConflictError, NotFoundError
from budget.domain.model.budget import Budget, BudgetFields, BudgetFilters, BudgetStanding
from budget.domain.model.budget_rules import DEFAULT_ALERT_THRESHOLD, DEFAULT_HISTORY_PERIODS
from budget.domain.model.currency import Currency
from budget.domain.model.household import Caller
from budget.domain.model.ids import BudgetId, CategoryId, HouseholdId
from budget.domain.model.money import Money, same_value_in
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.model.period import PeriodKind, default_start
from budget.domain.ports import BudgetSpendingReader, Clock, IdFactory, UnitOfWork


class BudgetNotFoundError(NotFoundError):
    """The budget does not exist in the caller's households."""

    title = "Budget not found"


class BudgetClashError(ConflictError):
    """Another budget of the household already covers this category, period and currency."""

    title = "Budget already exists"


@dataclass(frozen=True, slots=True)
class BudgetDraft:
    """A new budget as the client sent it; ``amount`` is still wire text.

    ``start_date`` None means the first day of the current calendar period.
    """

    name: str
    amount: str
    currency: str
    category_id: CategoryId | None = None
    period: PeriodKind = PeriodKind.MONTHLY
    start_date: date | None = None
    end_date: date | None = None
    rollover: bool = False
    alert_threshold: int = DEFAULT_ALERT_THRESHOLD
    household_id: HouseholdId | None = None


@dataclass(frozen=True, slots=True)
class BudgetChanges:
    """The fields a PATCH sent; the others are ``UNSET`` (``None`` clears category or end)."""

    name: str | Unset = UNSET
    amount: str | Unset = UNSET
    currency: str | Unset = UNSET
    category_id: CategoryId | Unset | None = UNSET
    period: PeriodKind | Unset = UNSET
    start_date: date | Unset = UNSET
    end_date: date | Unset | None = UNSET
    rollover: bool | Unset = UNSET
    alert_threshold: int | Unset = UNSET


async def existing_budget(
    uow: UnitOfWork, scope: Sequence[HouseholdId], budget_id: BudgetId
) -> Budget:
    """The budget in one of the ``scope`` households, or ``BudgetNotFoundError`` (also for
    another household's)."""
    budget = await uow.budgets.get(scope, budget_id)
    if budget is None:
        raise BudgetNotFoundError()
    return budget


async def _check_rules(uow: UnitOfWork, budget: Budget, today: date) -> None:
    if budget.category_id is not None:
        budget.check_category(await uow.categories.get((budget.household_id,), budget.category_id))
    if await uow.budgets.active_clash(budget, today):
        raise BudgetClashError(
            "The household already has an active budget for this category, period and currency"
            " over these dates; end it before it starts, or change that one."
        )


class CreateBudget:
    """Create a budget.

    Raises:
        RuleViolationError: bad name, amount, currency, dates or threshold; a category
            that is missing, in another household or an income category; on
            ``household_id``, a household the caller is not in.
        PermissionDeniedError: the caller is a viewer of the household.
        BudgetClashError: an active budget covers the same category, period and currency.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, draft: BudgetDraft) -> Budget:
        now, today = self._clock.now(), self._clock.today()
        fields = BudgetFields(
            draft.name,
            draft.category_id,
            Money.parse(draft.amount, Currency.of(draft.currency)),
            draft.period,
            draft.start_date or default_start(draft.period, today),
            draft.end_date,
            draft.rollover,
            draft.alert_threshold,
        )
        household = caller.household_for_new(draft.household_id)
        budget = Budget.create(BudgetId(self._ids.new_id()), household, fields, now)
        async with self._uow as uow:
            await _check_rules(uow, budget, today)
            uow.budgets.add(budget)
            await uow.commit()
        return budget


class GetBudget:
    """Read a budget of one of the caller's households.

    Raises:
        BudgetNotFoundError: no such budget in the caller's households.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, budget_id: BudgetId) -> Budget:
        async with self._uow as uow:
            return await existing_budget(uow, caller.visible(), budget_id)


class ListBudgets:
    """List the budgets of every household of the caller (or of ``household_id`` alone),
    filtered, sorted and paged."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self,
        caller: Caller,
        filters: BudgetFilters,
        page: PageRequest,
        sort: Sort,
        household_id: HouseholdId | None = None,
    ) -> Page[Budget]:
        scope = caller.visible(household_id)
        if not scope:
            return Page([], 0, page.limit, page.offset)
        async with self._uow as uow:
            return await uow.budgets.list(scope, filters, page, sort)


class UpdateBudget:
    """Change any field of a budget; the rules of creation apply to the result.

    A new currency without a new amount keeps the amount's decimal value.

    Raises:
        BudgetNotFoundError: no such budget in the caller's households.
        PermissionDeniedError: the caller is a viewer of the budget's household.
        RuleViolationError: as for ``CreateBudget``; an amount that the new currency
            cannot hold.
        BudgetClashError: as for ``CreateBudget`` (the budget itself never clashes).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, caller: Caller, budget_id: BudgetId, changes: BudgetChanges) -> Budget:
        async with self._uow as uow:
            budget = await existing_budget(uow, caller.visible(), budget_id)
            caller.require_write(budget.household_id)
            budget.revise(_merged(budget.fields, changes), self._clock.now())
            await _check_rules(uow, budget, self._clock.today())
            await uow.commit()
        return budget


def _merged(current: BudgetFields, changes: BudgetChanges) -> BudgetFields:
    currency = current.amount.currency
    if not isinstance(changes.currency, Unset):
        currency = Currency.of(changes.currency)
    if isinstance(changes.amount, Unset):
        amount = same_value_in(current.amount, currency)
    else:
        amount = Money.parse(changes.amount, currency)
    return BudgetFields(
        pick(changes.name, current.name),
        pick(changes.category_id, current.category_id),
        amount,
        pick(changes.period, current.period),
        pick(changes.start_date, current.start_date),
        pick(changes.end_date, current.end_date),
        pick(changes.rollover, current.rollover),
        pick(changes.alert_threshold, current.alert_threshold),
    )


class DeleteBudget:
    """Delete a budget of one of the caller's households.

    Raises:
        BudgetNotFoundError: no such budget in the caller's households.
        PermissionDeniedError: the caller is a viewer of the budget's household.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, budget_id: BudgetId) -> None:
        async with self._uow as uow:
            budget = await existing_budget(uow, caller.visible(), budget_id)
            caller.require_write(budget.household_id)
            await uow.budgets.delete(budget)
            await uow.commit()


class GetBudgetStatus:
    """A budget's status in the period containing ``day`` (default: today).

    Raises:
        BudgetNotFoundError: no such budget in the caller's households.
        RuleViolationError: on the ``date`` query parameter outside the budget's dates.
    """

    def __init__(self, uow: UnitOfWork, spending: BudgetSpendingReader, clock: Clock) -> None:
        self._uow = uow
        self._spending = spending
        self._clock = clock

    async def execute(
        self, caller: Caller, budget_id: BudgetId, day: date | None = None
    ) -> BudgetStanding:
        async with self._uow as uow:
            budget = await existing_budget(uow, caller.visible(), budget_id)
        index = budget.status_index(day or self._clock.today())
        [sums] = await self._spending.spent_per_period([budget.spending_query(index, index)])
        [status] = budget.statuses(index, index, sums)
        return BudgetStanding(budget.id, budget.currency, status)


class ListBudgetStatuses:
    """The status on ``day`` (default: today) of every budget active that day in the
    caller's households (or in ``household_id`` alone), by name.

    Costs one query for the budgets and one batch of sums for all of them.
    """

    def __init__(self, uow: UnitOfWork, spending: BudgetSpendingReader, clock: Clock) -> None:
        self._uow = uow
        self._spending = spending
        self._clock = clock

    async def execute(
        self, caller: Caller, day: date | None = None, household_id: HouseholdId | None = None
    ) -> list[BudgetStanding]:
        day = day or self._clock.today()
        scope = caller.visible(household_id)
        if not scope:
            return []
        async with self._uow as uow:
            budgets: Sequence[Budget] = await uow.budgets.active_on(scope, day)
        indices = [budget.status_index(day) for budget in budgets]
        queries = [b.spending_query(n, n) for b, n in zip(budgets, indices, strict=True)]
        sums = await self._spending.spent_per_period(queries) if queries else []
        return [
            BudgetStanding(budget.id, budget.currency, budget.statuses(n, n, found)[0])
            for budget, n, found in zip(budgets, indices, sums, strict=True)
        ]


class GetBudgetHistory:
    """The statuses of a budget's last ``periods`` periods, oldest first.

    Up to the period containing today (an ended budget: its last period); fewer when it
    started later; none when it has not started yet.

    Raises:
        BudgetNotFoundError: no such budget in the caller's households.
        RuleViolationError: on the ``periods`` query parameter unless it is 1 to 36.
    """

    def __init__(self, uow: UnitOfWork, spending: BudgetSpendingReader, clock: Clock) -> None:
        self._uow = uow
        self._spending = spending
        self._clock = clock

    async def execute(
        self, caller: Caller, budget_id: BudgetId, periods: int = DEFAULT_HISTORY_PERIODS
    ) -> list[BudgetStanding]:
        async with self._uow as uow:
            budget = await existing_budget(uow, caller.visible(), budget_id)
        window = budget.history_indices(self._clock.today(), periods)
        if not window:
            return []
        first, last = window[0], window[-1]
        [sums] = await self._spending.spent_per_period([budget.spending_query(first, last)])
        return [
            BudgetStanding(budget.id, budget.currency, status)
            for status in budget.statuses(first, last, sums)
        ]
