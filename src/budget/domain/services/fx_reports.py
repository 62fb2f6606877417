"""Use cases of the reports in one currency (the reports' optional ``currency``).

Each asks the ``ReportReader`` for the amounts already in the target currency and the
``FxReportReader`` for the others, converted by the database at the rate of their own day,
and shapes both with ``budget.domain.model.fx_reports``. The rates are those of the
household the report covers.
"""

from __future__ import annotations

from datetime import date

from budget.domain.errors import RuleViolationError
from budget.domain.model.category import CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import Conversion, select_rate
from budget.domain.model.fx_reports import (
    ConvertedCashflow,
    ConvertedCategoryReport,
    ConvertedNetWorth,
    ConvertedSummary,
    shape_converted_cashflow,
    shape_converted_categories,
    shape_converted_net_worth,
    shape_converted_summary,
)
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.reports import Interval
from budget.domain.ports import Clock, ReportReader
from budget.domain.ports.exchange_rates import FxReportReader
from budget.domain.services.reports import FOREIGN_ACCOUNT_DETAIL, ReportRange


class Converting:
    """What every report in one currency needs: both readers, the clock and the maximum
    age of a rate in days (``BUDGET_FX_MAX_AGE_DAYS``)."""

    def __init__(
        self, reader: ReportReader, fx: FxReportReader, clock: Clock, max_age_days: int
    ) -> None:
        self._reader = reader
        self._fx = fx
        self._clock = clock
        self._max_age = max_age_days


class GetConvertedSummary(Converting):
    """The summary in one currency: see ``GetSummary``; other currencies converted per
    transaction, the days without a rate left out and listed.

    Raises:
        RuleViolationError: a bad range (``date_to``) or a foreign account (``account_id``).
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    async def execute(
        self,
        caller: Caller,
        household_id: HouseholdId | None,
        period: ReportRange,
        target: Currency,
        account_id: AccountId | None = None,
    ) -> ConvertedSummary:
        date_from, date_to = period.resolve(self._clock.today())
        household = caller.household_to_read(household_id)
        if account_id is not None and not await self._reader.has_account(household, account_id):
            raise RuleViolationError.on_query("account_id", FOREIGN_ACCOUNT_DETAIL)
        native = await self._reader.summary(household, date_from, date_to, account_id)
        groups = await self._fx.converted_days(
            household, target.code, date_from, date_to, account_id, self._max_age
        )
        own = next((row for row in native if row.currency == target.code), None)
        return shape_converted_summary(target.code, own, groups)


class GetConvertedCategoryReport(Converting):
    """The by-category report in one currency (see ``GetCategoryReport``); a split part
    converts on its own, like a whole transaction.

    Raises:
        RuleViolationError: a bad range (``date_to``).
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    async def execute(
        self,
        caller: Caller,
        household_id: HouseholdId | None,
        period: ReportRange,
        target: Currency,
        kind: CategoryKind = CategoryKind.EXPENSE,
    ) -> ConvertedCategoryReport:
        date_from, date_to = period.resolve(self._clock.today())
        household = caller.household_to_read(household_id)
        native = await self._reader.category_totals(household, kind, date_from, date_to)
        groups = await self._fx.converted_categories(
            household, target.code, kind, date_from, date_to, self._max_age
        )
        own = [total for code, total in native if code == target.code]
        return shape_converted_categories(target.code, own, groups)


class GetConvertedCashflow(Converting):
    """The cash flow in one currency (see ``GetCashflow``).

    Raises:
        RuleViolationError: a bad range (``date_to``).
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    async def execute(
        self,
        caller: Caller,
        household_id: HouseholdId | None,
        period: ReportRange,
        target: Currency,
        interval: Interval = Interval.MONTH,
    ) -> ConvertedCashflow:
        date_from, date_to = period.resolve(self._clock.today())
        household = caller.household_to_read(household_id)
        native = await self._reader.cashflow(household, date_from, date_to, interval)
        groups = await self._fx.converted_days(
            household, target.code, date_from, date_to, None, self._max_age
        )
        own = [(start, inc, exp) for code, start, inc, exp in native if code == target.code]
        return shape_converted_cashflow(target.code, own, groups, date_from, date_to, interval)


class GetConvertedNetWorth(Converting):
    """Net worth in one currency: each account's balance at ``day`` converted at that day's
    rate, rounded once per account; an account without a rate has no balance.

    Raises:
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    async def execute(
        self,
        caller: Caller,
        household_id: HouseholdId | None,
        target: Currency,
        day: date | None = None,
    ) -> ConvertedNetWorth:
        as_of = day if day is not None else self._clock.today()
        household = caller.household_to_read(household_id)
        balances = await self._reader.balances_as_of(household, as_of)
        others = sorted({code for code, _ in balances if code != target.code})
        stored = await self._fx.rates_for(household, target.code, others, as_of, self._max_age)
        conversions: dict[str, Conversion] = {}
        for code in others:
            found = select_rate(stored, code, target.code, as_of, self._max_age)
            if found is not None:
                conversions[code] = found
        return shape_converted_net_worth(target, as_of, balances, conversions)
