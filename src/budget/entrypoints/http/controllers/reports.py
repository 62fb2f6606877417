"""Reports of one household's money (the caller's default household unless ``household_id``
says otherwise), always one entry per currency."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from budget.domain.model.category import CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.reports import Interval
from budget.domain.services.fx_reports import (
    GetConvertedCashflow,
    GetConvertedCategoryReport,
    GetConvertedNetWorth,
    GetConvertedSummary,
)
from budget.domain.services.reports import (
    GetCashflow,
    GetCategoryReport,
    GetNetWorth,
    GetSummary,
    ReportRange,
)
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import ReportHousehold
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.schemas.common import CurrencyCode
from budget.entrypoints.http.schemas.reports import (
    CashflowSeriesRead,
    CategoryReportRead,
    NetWorthRead,
    SummaryRead,
)

RANGE_RULES = """\
`date_from` and `date_to` are inclusive calendar days. Sending neither reports the current
month (UTC). Sending only `date_to` reports from the first day of `date_to`'s month; sending
only `date_from` reports up to the last day of `date_from`'s month. `date_to` before
`date_from`, or more than 10 years after it, is a 422 on `date_to`; a bound after
9989-12-31 is a 422 on itself.
Sums are never added across currencies: the answer has one entry per currency that has
data, ordered by currency code.

With `currency` (an ISO 4217 code), the answer is one entry in that currency, whatever the
data: amounts in other currencies are converted at the rate of their own transaction's day
(the latest rate of the household on or before it, at most `BUDGET_FX_MAX_AGE_DAYS` days old,
else the reverse pair's rate inverted), each amount rounded once, half to even, to the
currency's decimals. The entry adds `missing_rates`: the (currency, date) pairs without a
rate, whose amounts are left out of every total and count (never counted 1:1)."""

SUMMARY_DESCRIPTION = f"""\
Income, expense, `net` (income - expense) and the number of income and expense
transactions per currency (a split transaction counts once, whatever its parts).
Transfers are excluded.

`account_id` keeps only the income and expenses booked on that account. An id that is not
one of your accounts (missing, malformed or another user's) is a 422 on `account_id`. A
range without data answers `[]`.

{RANGE_RULES}"""

BY_CATEGORY_DESCRIPTION = f"""\
Totals per category of the `type` transactions (`expense` by default, or `income`), per
currency, largest total first. Transactions without a category form one bucket with
`category_id` and `category_name` null (listed after named categories of equal total).
Categories count as assigned: a child category is not folded into its parent; archived
categories still appear. A split transaction counts each part under the part's own
category (an uncategorised part in the uncategorised bucket), so `transaction_count`
counts entries: whole transactions plus split parts in that category (two parts of one
transaction in the same category count twice). `share_percent` is the item's share of
its currency's total, as a string with one decimal rounded half-up (the shares may not add
up to exactly 100.0). Transfers never count.

{RANGE_RULES}"""

CASHFLOW_DESCRIPTION = f"""\
Income, expense and `net` per `interval` (`day`, `week` starting on Monday, or `month`;
default `month`) and currency. Every currency with income or expenses in the range gets
one point per interval, from the one containing `date_from` to the one containing
`date_to`, empty intervals included with zeros; `period_start` is the interval's first
day even when it lies before `date_from`, but only days inside the range count. Transfers
are excluded.

{RANGE_RULES}"""

NET_WORTH_DESCRIPTION = """\
Every account's balance as of the end of `date` (default today, UTC): its opening balance
plus the effects of the transactions dated on or before `date` (income adds, expenses
subtract, a transfer takes `amount` from its source and gives `to_amount` to its
destination, in the destination's currency). Archived accounts are included; so is every
existing account, whatever day it was created. Balances are summed per currency into
`total`; accounts are listed by name.

With `currency`, the answer is one entry in that currency: each account's balance is
converted at the rate of `date` (the latest on or before it, at most
`BUDGET_FX_MAX_AGE_DAYS` days old, else the reverse pair's rate inverted), rounded once,
half to even; an account whose currency has no rate stays listed with `balance: null`, out
of `total`, and its (currency, `date`) is listed in `missing_rates`."""

DateFrom = Annotated[
    dt.date | None,
    Parameter(
        description=(
            "First day, inclusive (YYYY-MM-DD); default the first day of date_to's month, "
            "or of the current month when date_to is not sent either"
        )
    ),
]
DateTo = Annotated[
    dt.date | None,
    Parameter(
        description=(
            "Last day, inclusive (YYYY-MM-DD); default the last day of date_from's month, "
            "or of the current month when date_from is not sent either"
        )
    ),
]

ReportCurrency = Annotated[
    CurrencyCode | None,
    Parameter(
        description=(
            "Report in this ISO 4217 currency: one entry, other currencies converted, with "
            "missing_rates"
        )
    ),
]


def _household(household_id: UUID | None) -> HouseholdId | None:
    return None if household_id is None else HouseholdId(household_id)


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]
    security = SECURED

    @get(
        "/summary",
        operation_id="getSummaryReport",
        summary="Income, expense and net per currency",
        description=SUMMARY_DESCRIPTION,
        responses=problems(401, 404, 422),
    )
    async def summary(
        self,
        caller: NamedDependency[Caller],
        get_summary: NamedDependency[GetSummary],
        get_converted_summary: NamedDependency[GetConvertedSummary],
        date_from: DateFrom = None,
        date_to: DateTo = None,
        account_id: Annotated[
            UUID | None, Parameter(description="Only income and expenses of this account")
        ] = None,
        household_id: ReportHousehold = None,
        currency: ReportCurrency = None,
    ) -> list[SummaryRead]:
        account = None if account_id is None else AccountId(account_id)
        period = ReportRange(date_from, date_to)
        if currency is not None:
            converted = await get_converted_summary.execute(
                caller, _household(household_id), period, Currency.of(currency), account
            )
            return [SummaryRead.converted(converted)]
        rows = await get_summary.execute(caller, _household(household_id), period, account)
        return [SummaryRead.of(row) for row in rows]

    @get(
        "/by-category",
        operation_id="getCategoryReport",
        summary="Totals and shares per category and currency",
        description=BY_CATEGORY_DESCRIPTION,
        responses=problems(401, 404, 422),
    )
    async def by_category(
        self,
        caller: NamedDependency[Caller],
        get_category_report: NamedDependency[GetCategoryReport],
        get_converted_category_report: NamedDependency[GetConvertedCategoryReport],
        date_from: DateFrom = None,
        date_to: DateTo = None,
        type: Annotated[  # the contract's name; an alias would put `kind` in error pointers
            CategoryKind, Parameter(description="expense (default) or income")
        ] = CategoryKind.EXPENSE,
        household_id: ReportHousehold = None,
        currency: ReportCurrency = None,
    ) -> list[CategoryReportRead]:
        period = ReportRange(date_from, date_to)
        if currency is not None:
            converted = await get_converted_category_report.execute(
                caller, _household(household_id), period, Currency.of(currency), type
            )
            return [CategoryReportRead.converted(converted)]
        reports = await get_category_report.execute(caller, _household(household_id), period, type)
        return [CategoryReportRead.of(report) for report in reports]

    @get(
        "/cashflow",
        operation_id="getCashflowReport",
        summary="Income, expense and net per interval and currency",
        description=CASHFLOW_DESCRIPTION,
        responses=problems(401, 404, 422),
    )
    async def cashflow(
        self,
        caller: NamedDependency[Caller],
        get_cashflow: NamedDependency[GetCashflow],
        get_converted_cashflow: NamedDependency[GetConvertedCashflow],
        date_from: DateFrom = None,
        date_to: DateTo = None,
        interval: Annotated[
            Interval, Parameter(description="day, week (Monday-based) or month (default)")
        ] = Interval.MONTH,
        household_id: ReportHousehold = None,
        currency: ReportCurrency = None,
    ) -> list[CashflowSeriesRead]:
        period = ReportRange(date_from, date_to)
        if currency is not None:
            converted = await get_converted_cashflow.execute(
                caller, _household(household_id), period, Currency.of(currency), interval
            )
            return [CashflowSeriesRead.converted(converted)]
        series = await get_cashflow.execute(caller, _household(household_id), period, interval)
        return [CashflowSeriesRead.of(one) for one in series]

    @get(
        "/net-worth",
        operation_id="getNetWorthReport",
        summary="Account balances as of a day, summed per currency",
        description=NET_WORTH_DESCRIPTION,
        responses=problems(401, 404, 422),
    )
    async def net_worth(
        self,
        caller: NamedDependency[Caller],
        get_net_worth: NamedDependency[GetNetWorth],
        get_converted_net_worth: NamedDependency[GetConvertedNetWorth],
        date: Annotated[  # not aliased: error pointers carry the Python name
            dt.date | None, Parameter(description="As of the end of this day; default today")
        ] = None,
        household_id: ReportHousehold = None,
        currency: ReportCurrency = None,
    ) -> list[NetWorthRead]:
        if currency is not None:
            converted = await get_converted_net_worth.execute(
                caller, _household(household_id), Currency.of(currency), date
            )
            return [NetWorthRead.converted(converted)]
        worths = await get_net_worth.execute(caller, _household(household_id), date)
        return [NetWorthRead.of(worth) for worth in worths]
