"""The signed-in user's budgets, their status and history."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from budget.domain.model.budget import BUDGET_SORTS, BudgetFilters
from budget.domain.model.budget_rules import DEFAULT_HISTORY_PERIODS, MAX_HISTORY_PERIODS
from budget.domain.model.household import Caller
from budget.domain.model.ids import BudgetId, CategoryId, HouseholdId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.period import PeriodKind
from budget.domain.services.budgets import (
    CreateBudget,
    DeleteBudget,
    GetBudget,
    GetBudgetHistory,
    GetBudgetStatus,
    ListBudgets,
    ListBudgetStatuses,
    UpdateBudget,
)
from budget.entrypoints.http import sorts
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import (
    CurrencyFilter,
    HouseholdFilter,
    Limit,
    Offset,
    sort_parameter,
)
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.budgets import (
    BudgetCreate,
    BudgetPage,
    BudgetRead,
    BudgetStatusList,
    BudgetStatusRead,
    BudgetUpdate,
)
from budget.entrypoints.http.schemas.paging import Page

BASE = "/api/v1/budgets"

LIST_DESCRIPTION = """\
Your budgets, paged with `limit` and `offset`.

* Filters: `category_id` (budgets of exactly that category), `period`, `currency`,
  `active_on` (budgets whose `start_date`..`end_date` contains that day).
* Sort: `name` (default), `created_at` or `start_date`; prefix `-` to reverse. Ties break
  on `id`, so pages never overlap or skip.
"""

RULES = """\
`category_id` must be one of your expense categories, or null for every expense (else
422); `currency` defaults to your `default_currency`; `end_date` may not be before
`start_date`. One active budget per (category, period, currency): a budget clashes (409)
with another of the same category, period and currency when neither has ended before
today (`end_date` null or today or later) and their dates overlap. A budget that has
ended never clashes, and a new budget may start after the current one's `end_date`."""

CREATE_DESCRIPTION = f"""\
Create a budget (`period` defaults to `monthly`, `start_date` to the first day of the
current calendar period, `alert_threshold` to 80, `rollover` to false). {RULES}
Answers 201 with `Location`.
"""

UPDATE_DESCRIPTION = f"""\
Change the sent fields only (null clears `category_id` or `end_date`); the result must
follow the creation rules. {RULES} A new `currency` without a new `amount` keeps the
amount's value (422 when the currency has too few decimals for it).
"""

STATUS_DESCRIPTION = """\
The budget in the period containing `date` (default today): `carried_over` is 0 without
rollover, else the sum of `limit - spent` over every earlier period; `available = limit +
carried_over`; `spent` counts expenses (never income or transfers) in the budget's
currency and category (a parent includes its subcategories; null: every expense; a split
expense counts each part under the part's own category), over the whole period;
`remaining = available - spent`. A period cut short by `end_date` keeps its full limit,
counts spending up to `end_date`, and reports `period_end = end_date`. A `date` outside
`start_date`..`end_date` is a 422 (pointer `date`).
"""

STATUSES_DESCRIPTION = """\
The status (as `GET /api/v1/budgets/{id}/status`) on `date` (default today) of every
budget whose `start_date`..`end_date` contains it, by name; not paged.
"""

HISTORY_DESCRIPTION = f"""\
The statuses of the last `periods` periods (1-{MAX_HISTORY_PERIODS}, default
{DEFAULT_HISTORY_PERIODS}) up to and including the one containing today (for a budget
that has ended: its last period), oldest first; fewer when the budget started later, none
when it has not started yet. Rollover carries from the budget's first period, shown or not.
"""

BudgetSort = Annotated[
    sorts.BudgetSort,
    sort_parameter("name, created_at or start_date; prefix - to reverse (default name)"),
]
CategoryFilter = Annotated[UUID | None, Parameter(description="Budgets of exactly this category")]
PeriodFilter = Annotated[PeriodKind | None, Parameter(description="Period kind")]
ActiveOnFilter = Annotated[
    date | None,
    Parameter(description="Budgets whose start_date..end_date contains this day (YYYY-MM-DD)"),
]
StatusDate = Annotated[date | None, Parameter(description="YYYY-MM-DD; default today")]
Periods = Annotated[
    int,
    Parameter(
        ge=1,
        le=MAX_HISTORY_PERIODS,
        description=f"How many periods (1-{MAX_HISTORY_PERIODS})",
    ),
]

LOCATION = location_header("budget", f"{BASE}/{{id}}")


class BudgetsController(Controller):
    path = BASE
    tags = ["budgets"]
    security = SECURED

    @get(
        operation_id="listBudgets",
        summary="List budgets",
        description=LIST_DESCRIPTION,
        responses=problems(401, 422),
    )
    async def list_budgets(
        self,
        caller: NamedDependency[Caller],
        list_budgets: NamedDependency[ListBudgets],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: BudgetSort = sorts.BUDGETS_BY_DEFAULT,
        category_id: CategoryFilter = None,
        period: PeriodFilter = None,
        currency: CurrencyFilter = None,
        active_on: ActiveOnFilter = None,
        household_id: HouseholdFilter = None,
    ) -> BudgetPage:
        category = None if category_id is None else CategoryId(category_id)
        filters = BudgetFilters(category, period, currency, active_on)
        page = await list_budgets.execute(
            caller,
            filters,
            PageRequest(limit, offset),
            Sort.parse(sort, BUDGET_SORTS),
            household_id=None if household_id is None else HouseholdId(household_id),
        )
        return Page.of(page, BudgetRead.of)

    @post(
        operation_id="createBudget",
        response_headers=LOCATION,
        summary="Create a budget",
        description=CREATE_DESCRIPTION,
        responses=problems(400, 401, 403, 409, 413, 422),
    )
    async def create_budget(
        self,
        data: JSONBody[BudgetCreate],
        caller: NamedDependency[Caller],
        create_budget: NamedDependency[CreateBudget],
    ) -> Response[BudgetRead]:
        budget = await create_budget.execute(caller, data.draft(caller.user.default_currency))
        return created(BudgetRead.of(budget), f"{BASE}/{budget.id}")

    @get(
        "/status",
        operation_id="listBudgetStatuses",
        summary="Status of every budget active on a date",
        description=STATUSES_DESCRIPTION,
        responses=problems(401, 422),
    )
    async def list_budget_statuses(
        self,
        caller: NamedDependency[Caller],
        list_budget_statuses: NamedDependency[ListBudgetStatuses],
        date: StatusDate = None,
        household_id: HouseholdFilter = None,
    ) -> BudgetStatusList:
        household = None if household_id is None else HouseholdId(household_id)
        return BudgetStatusList.of(await list_budget_statuses.execute(caller, date, household))

    @get(
        "/{budget_id:uuid}",
        operation_id="getBudget",
        summary="Get a budget",
        responses=problems(401, 404),
    )
    async def get_budget(
        self,
        budget_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_budget: NamedDependency[GetBudget],
    ) -> BudgetRead:
        return BudgetRead.of(await get_budget.execute(caller, BudgetId(budget_id)))

    @patch(
        "/{budget_id:uuid}",
        operation_id="updateBudget",
        summary="Change a budget",
        description=UPDATE_DESCRIPTION,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    async def update_budget(
        self,
        budget_id: FromPath[UUID],
        data: JSONBody[BudgetUpdate],
        caller: NamedDependency[Caller],
        update_budget: NamedDependency[UpdateBudget],
    ) -> BudgetRead:
        budget = await update_budget.execute(caller, BudgetId(budget_id), data.changes())
        return BudgetRead.of(budget)

    @delete(
        "/{budget_id:uuid}",
        operation_id="deleteBudget",
        summary="Delete a budget",
        responses=problems(401, 403, 404),
    )
    async def delete_budget(
        self,
        budget_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        delete_budget: NamedDependency[DeleteBudget],
    ) -> None:
        await delete_budget.execute(caller, BudgetId(budget_id))

    @get(
        "/{budget_id:uuid}/status",
        operation_id="getBudgetStatus",
        summary="A budget's status in the period containing a date",
        description=STATUS_DESCRIPTION,
        responses=problems(401, 404, 422),
    )
    async def get_budget_status(
        self,
        budget_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_budget_status: NamedDependency[GetBudgetStatus],
        date: StatusDate = None,
    ) -> BudgetStatusRead:
        standing = await get_budget_status.execute(caller, BudgetId(budget_id), date)
        return BudgetStatusRead.of(standing)

    @get(
        "/{budget_id:uuid}/history",
        operation_id="getBudgetHistory",
        summary="A budget's status over its last periods",
        description=HISTORY_DESCRIPTION,
        responses=problems(401, 404, 422),
    )
    async def get_budget_history(
        self,
        budget_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_budget_history: NamedDependency[GetBudgetHistory],
        periods: Periods = DEFAULT_HISTORY_PERIODS,
    ) -> BudgetStatusList:
        standings = await get_budget_history.execute(caller, BudgetId(budget_id), periods)
        return BudgetStatusList.of(standings)
