"""Recurring transactions: templates posted on a schedule (contract section 14)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId, RecurringId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.services.recurring import (
    RECURRING_SORTS,
    CreateRecurring,
    DeleteRecurring,
    GetRecurring,
    ListRecurring,
    ListUpcoming,
    UpdateRecurring,
)
from budget.domain.services.recurring_posting import PostRecurring
from budget.entrypoints.http import sorts
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import HouseholdFilter, Limit, Offset, sort_parameter
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.schemas.recurring import (
    RecurringCreate,
    RecurringPage,
    RecurringRead,
    RecurringUpdate,
    UpcomingList,
    UpcomingRead,
)
from budget.entrypoints.http.schemas.transactions import TransactionRead

BASE = "/api/v1/recurring"
TRANSACTIONS = "/api/v1/transactions"

RULES = """\
The template fields (`type`, `account_id`, `to_account_id`, `amount`, `to_amount`,
`category_id`, `splits`, `payee`, `description`, `tags`) follow a transaction's rules, with
the same error pointers; the template belongs to its account's household (`household_id`,
when sent, must be that household). The schedule: `frequency` (daily, weekly, monthly,
yearly) every `interval` (1-365) units from `start_date`; it ends with `end_date`
(inclusive, not before `start_date`) or after `count` occurrences (not both), or never.
Days 29-31 (and Feb 29) clamp to shorter months. `weekend`: `keep`, or move a Saturday or
Sunday occurrence to the Friday `before` or the Monday `after`. With `auto_post` every
occurrence due today or earlier is posted once, within `BUDGET_SCHEDULER_INTERVAL_SECONDS`.
A schedule that would catch up more than 366 occurrences at once is a 422 on `start_date`.
`next_date` (read-only) is the day the next occurrence not yet posted is posted on, null
when the schedule is finished."""

CREATE_DESCRIPTION = f"Create a recurring transaction. {RULES} Answers 201 with `Location`."

UPDATE_DESCRIPTION = f"""\
Change the sent fields only; the template fields merge like a transaction's PATCH. A change
of the schedule recomputes `next_date` from the new schedule, going on after the last
posted occurrence: no date already posted is posted again. Sending `end_date` clears
`count` and the other way round. {RULES}"""

POST_DESCRIPTION = """\
Post the template's next occurrence now, as a transaction dated like any occurrence (after
the weekend move) with `recurring_id` set, and advance `next_date`. A finished template is a
409; two concurrent calls post two consecutive occurrences, or one of them gets a 409, never
the same date twice. Answers 201 with the transaction and its `Location`."""

UPCOMING_DESCRIPTION = """\
The occurrences not posted yet from today to `date_to` (inclusive; default today + 30 days;
more than 12 months after today is a 422), by date, of every household you belong to or of
`household_id` (one you are not a member of is a 404)."""

RecurringSort = Annotated[
    sorts.RecurringSort,
    sort_parameter("next_date or created_at; prefix - to reverse (default next_date)"),
]
LOCATION = location_header("recurring transaction", f"{BASE}/{{id}}")
POSTED_LOCATION = location_header("transaction", f"{TRANSACTIONS}/{{id}}")


class RecurringController(Controller):
    path = BASE
    tags = ["recurring"]
    security = SECURED

    @get(
        operation_id="listRecurring",
        summary="List recurring transactions",
        description="Sort: `next_date` (default; finished templates last) or `created_at`.",
        responses=problems(401, 422),
    )
    async def list_recurring(
        self,
        caller: NamedDependency[Caller],
        list_recurring: NamedDependency[ListRecurring],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: RecurringSort = sorts.RECURRING_BY_DEFAULT,
        household_id: HouseholdFilter = None,
    ) -> RecurringPage:
        order = Sort.parse(sort, RECURRING_SORTS)
        household = None if household_id is None else HouseholdId(household_id)
        page = await list_recurring.execute(caller, PageRequest(limit, offset), order, household)
        return Page.of(page, RecurringRead.of)

    @post(
        operation_id="createRecurring",
        response_headers=LOCATION,
        summary="Create a recurring transaction",
        description=CREATE_DESCRIPTION,
        responses=problems(400, 401, 403, 413, 422),
    )
    async def create_recurring(
        self,
        data: JSONBody[RecurringCreate],
        caller: NamedDependency[Caller],
        create_recurring: NamedDependency[CreateRecurring],
    ) -> Response[RecurringRead]:
        template = await create_recurring.execute(caller, data.draft())
        return created(RecurringRead.of(template), f"{BASE}/{template.id}")

    @get(
        "/upcoming",
        operation_id="listUpcomingRecurring",
        summary="List the upcoming occurrences",
        description=UPCOMING_DESCRIPTION,
        responses=problems(401, 404, 422),
    )
    async def list_upcoming(
        self,
        caller: NamedDependency[Caller],
        list_upcoming: NamedDependency[ListUpcoming],
        date_to: Annotated[
            dt.date | None,
            Parameter(description="Inclusive; default today + 30 days, at most + 12 months"),
        ] = None,
        household_id: Annotated[
            UUID | None,
            Parameter(description="One household (not a member: 404); absent: all of yours"),
        ] = None,
    ) -> UpcomingList:
        household = None if household_id is None else HouseholdId(household_id)
        found = await list_upcoming.execute(caller, date_to, household)
        return UpcomingList([UpcomingRead.of(item) for item in found])

    @get(
        "/{recurring_id:uuid}",
        operation_id="getRecurring",
        summary="Get a recurring transaction",
        responses=problems(401, 404),
    )
    async def get_recurring(
        self,
        recurring_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_recurring: NamedDependency[GetRecurring],
    ) -> RecurringRead:
        return RecurringRead.of(await get_recurring.execute(caller, RecurringId(recurring_id)))

    @patch(
        "/{recurring_id:uuid}",
        operation_id="updateRecurring",
        summary="Change a recurring transaction",
        description=UPDATE_DESCRIPTION,
        responses=problems(400, 401, 403, 404, 413, 422),
    )
    async def update_recurring(
        self,
        recurring_id: FromPath[UUID],
        data: JSONBody[RecurringUpdate],
        caller: NamedDependency[Caller],
        update_recurring: NamedDependency[UpdateRecurring],
    ) -> RecurringRead:
        changes = data.changes()
        template = await update_recurring.execute(caller, RecurringId(recurring_id), changes)
        return RecurringRead.of(template)

    @delete(
        "/{recurring_id:uuid}",
        operation_id="deleteRecurring",
        summary="Delete a recurring transaction",
        description="The transactions it posted stay; their `recurring_id` becomes null.",
        responses=problems(401, 403, 404),
    )
    async def delete_recurring(
        self,
        recurring_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        delete_recurring: NamedDependency[DeleteRecurring],
    ) -> None:
        await delete_recurring.execute(caller, RecurringId(recurring_id))

    @post(
        "/{recurring_id:uuid}/post",
        operation_id="postRecurring",
        response_headers=POSTED_LOCATION,
        summary="Post the next occurrence now",
        description=POST_DESCRIPTION,
        responses=problems(
            401,
            403,
            404,
            described={
                409: "The schedule is finished (or, rarely, a concurrent post took this "
                "occurrence: retry)"
            },
        ),
    )
    async def post_recurring(
        self,
        recurring_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        post_recurring: NamedDependency[PostRecurring],
    ) -> Response[TransactionRead]:
        txn = await post_recurring.execute(caller, RecurringId(recurring_id))
        return created(TransactionRead.of(txn), f"{TRANSACTIONS}/{txn.id}")
