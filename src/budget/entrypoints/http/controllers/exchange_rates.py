"""Exchange rates of the caller's households (contract section 17)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from budget.domain.model.exchange_rate import ExchangeRateId
from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.ports.exchange_rates import ExchangeRateFilters
from budget.domain.services.exchange_rates import (
    EXCHANGE_RATE_SORTS,
    CreateExchangeRate,
    DeleteExchangeRate,
    GetExchangeRate,
    ListExchangeRates,
    UpsertExchangeRates,
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
from budget.entrypoints.http.schemas.common import household_ref
from budget.entrypoints.http.schemas.exchange_rates import (
    ExchangeRateBatch,
    ExchangeRateBatchResult,
    ExchangeRateCreate,
    ExchangeRatePage,
    ExchangeRateRead,
)
from budget.entrypoints.http.schemas.paging import Page

BASE = "/api/v1/exchange-rates"

RATE_RULES = """\
A rate means 1 `base` = `rate` `quote` on `date`. `rate` is a positive decimal string with
at most 12 significant digits (leading and trailing zeros do not count); a JSON number, an
exponent, zero or a negative is a 422 on `rate`, and the answer echoes it normalised
(`"1.50"` → `"1.5"`, `"100.0"` → `"100"`). `quote` equal to `base` is a 422 on `quote`.
Reports in one currency use the latest rate on or before each day, at most
`BUDGET_FX_MAX_AGE_DAYS` (default 7) days old, else the reverse pair's rate inverted."""

LIST_DESCRIPTION = """\
The exchange rates of every household you belong to, paged with `limit` and `offset`.

* Filters: `base`, `quote` (ISO 4217 codes), `date_from` and `date_to` (inclusive),
  `household_id` (one you are not a member of gives an empty list).
* Sort: `date` or `-date` (default); ties break on `id`.
"""

CREATE_DESCRIPTION = f"""\
Store one rate in a household (`household_id`, default your default household; owners and
editors only, a viewer gets 403). One rate per (household, `base`, `quote`, `date`): a
second one is a 409. A rate is never edited in place: delete it, or upsert it through the
batch. Answers 201 with `Location`.

{RATE_RULES}"""

BATCH_DESCRIPTION = f"""\
Insert or replace 1 to 1000 rates of one household (`household_id`, default your default
household; owners and editors only), all or nothing: `created` counts the new rates,
`updated` the stored ones whose value changed (a rate sent again with the same value counts
in neither). An invalid item is a 422 pointing at `#/items/<index>/<field>` (every invalid
item at once); the same (`base`, `quote`, `date`) twice in one batch is a 422 on the later
item's `date`.

{RATE_RULES}"""

RateSort = Annotated[sorts.ExchangeRateSort, sort_parameter("date or -date (default -date)")]


class ExchangeRatesController(Controller):
    path = BASE
    tags = ["exchange-rates"]
    security = SECURED

    @get(
        operation_id="listExchangeRates",
        summary="List exchange rates",
        description=LIST_DESCRIPTION,
        responses=problems(401, 422),
    )
    async def list_exchange_rates(
        self,
        caller: NamedDependency[Caller],
        list_exchange_rates: NamedDependency[ListExchangeRates],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: RateSort = sorts.EXCHANGE_RATES_BY_DEFAULT,
        base: CurrencyFilter = None,
        quote: CurrencyFilter = None,
        date_from: Annotated[dt.date | None, Parameter(description="Inclusive")] = None,
        date_to: Annotated[dt.date | None, Parameter(description="Inclusive")] = None,
        household_id: HouseholdFilter = None,
    ) -> ExchangeRatePage:
        filters = ExchangeRateFilters(
            None if base is None else str(base),
            None if quote is None else str(quote),
            date_from,
            date_to,
        )
        page = await list_exchange_rates.execute(
            caller,
            filters,
            PageRequest(limit, offset),
            Sort.parse(sort, EXCHANGE_RATE_SORTS),
            household_id=None if household_id is None else HouseholdId(household_id),
        )
        return Page.of(page, ExchangeRateRead.of)

    @post(
        operation_id="createExchangeRate",
        response_headers=location_header("exchange rate", f"{BASE}/{{id}}"),
        summary="Create an exchange rate",
        description=CREATE_DESCRIPTION,
        responses=problems(400, 401, 403, 409, 413, 422),
    )
    async def create_exchange_rate(
        self,
        data: JSONBody[ExchangeRateCreate],
        caller: NamedDependency[Caller],
        create_exchange_rate: NamedDependency[CreateExchangeRate],
    ) -> Response[ExchangeRateRead]:
        rate = await create_exchange_rate.execute(
            caller, data.draft(), household_ref(data.household_id)
        )
        return created(ExchangeRateRead.of(rate), f"{BASE}/{rate.id}")

    @post(
        "/batch",
        operation_id="upsertExchangeRates",
        summary="Insert or replace many exchange rates",
        description=BATCH_DESCRIPTION,
        status_code=200,
        responses=problems(400, 401, 403, 413, 422),
    )
    async def upsert_exchange_rates(
        self,
        data: JSONBody[ExchangeRateBatch],
        caller: NamedDependency[Caller],
        upsert_exchange_rates: NamedDependency[UpsertExchangeRates],
    ) -> ExchangeRateBatchResult:
        drafts = [item.draft() for item in data.items]
        counts = await upsert_exchange_rates.execute(
            caller, drafts, household_ref(data.household_id)
        )
        return ExchangeRateBatchResult.of(counts)

    @get(
        "/{rate_id:uuid}",
        operation_id="getExchangeRate",
        summary="Get an exchange rate",
        responses=problems(401, 404),
    )
    async def get_exchange_rate(
        self,
        rate_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_exchange_rate: NamedDependency[GetExchangeRate],
    ) -> ExchangeRateRead:
        return ExchangeRateRead.of(await get_exchange_rate.execute(caller, ExchangeRateId(rate_id)))

    @delete(
        "/{rate_id:uuid}",
        operation_id="deleteExchangeRate",
        summary="Delete an exchange rate",
        responses=problems(401, 403, 404),
    )
    async def delete_exchange_rate(
        self,
        rate_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        delete_exchange_rate: NamedDependency[DeleteExchangeRate],
    ) -> None:
        await delete_exchange_rate.execute(caller, ExchangeRateId(rate_id))
