"""Use cases of the reports: summary, by category, cash flow and net worth.

Each asks the ``ReportReader`` for sums the database computed and shapes them with the
pure functions of ``budget.domain.model.reports``; nothing here writes.

Ranges: ``date_from`` and ``date_to`` are inclusive. A bound that is not sent follows the
one that is: only ``date_to`` reports from the 1st of its month, only ``date_from`` to the
last day of its month, and sending neither reports the current month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from budget.domain.errors import RuleViolationError
from budget.domain.model.category import CategoryKind
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.reports import (
    CashflowSeries,
    CategoryReport,
    Interval,
    NetWorth,
    SummaryRow,
    check_report_range,
    complete_report_range,
    fill_cashflow,
    shape_by_category,
    shape_net_worth,
)
from budget.domain.ports import Clock, ReportReader

FOREIGN_ACCOUNT_DETAIL = "must be one of your accounts"

LATEST_RANGE_DAY = date(9989, 12, 31)
"""The last day a report range may name: ten years and one more interval still fit in
the calendar (``datetime.date`` ends with 9999), so the range checks never overflow."""


@dataclass(frozen=True, slots=True)
class ReportRange:
    """The range a client asked for; a ``None`` bound follows the other one (the 1st or the
    last day of its month), and with neither the range is the current month."""

    date_from: date | None = None
    date_to: date | None = None

    def resolve(self, today: date) -> tuple[date, date]:
        """Both bounds, the missing ones filled in (``complete_report_range``) and checked.

        Raises:
            RuleViolationError: on ``date_to`` when it is before ``date_from`` or more than
                10 years after it; on a bound later than ``LATEST_RANGE_DAY``.
        """
        date_from, date_to = complete_report_range(self.date_from, self.date_to, today)
        for name, day in (("date_from", date_from), ("date_to", date_to)):
            if day > LATEST_RANGE_DAY:
                raise RuleViolationError.on_query(name, f"must not be after {LATEST_RANGE_DAY}")
        check_report_range(date_from, date_to)
        return date_from, date_to


class GetSummary:
    """Income, expense, net and transaction count per currency; transfers excluded.

    An ``account_id`` filter keeps the income and expenses booked on that account; an
    account outside the household (or missing) is a rule violation on the ``account_id``
    query parameter, as for any reference to another household's account.

    Raises:
        RuleViolationError: a bad range (``date_to``) or a foreign account (``account_id``).
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    def __init__(self, reader: ReportReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def execute(
        self,
        caller: Caller,
        household_id: HouseholdId | None,
        period: ReportRange,
        account_id: AccountId | None = None,
    ) -> list[SummaryRow]:
        date_from, date_to = period.resolve(self._clock.today())
        household = caller.household_to_read(household_id)
        if account_id is not None and not await self._reader.has_account(household, account_id):
            raise RuleViolationError.on_query("account_id", FOREIGN_ACCOUNT_DETAIL)
        rows = await self._reader.summary(household, date_from, date_to, account_id)
        return sorted(rows, key=lambda row: row.currency)


class GetCategoryReport:
    """Totals per category of one kind (expense by default), per currency, with shares.

    Transactions without a category form a bucket with ``None`` id and name. Categories are
    reported as assigned: a child category is not folded into its parent.

    Raises:
        RuleViolationError: a bad range (``date_to``).
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    def __init__(self, reader: ReportReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def execute(
        self,
        caller: Caller,
        household_id: HouseholdId | None,
        period: ReportRange,
        kind: CategoryKind = CategoryKind.EXPENSE,
    ) -> list[CategoryReport]:
        date_from, date_to = period.resolve(self._clock.today())
        household = caller.household_to_read(household_id)
        return shape_by_category(
            await self._reader.category_totals(household, kind, date_from, date_to)
        )


class GetCashflow:
    """Income, expense and net per interval (month by default) and currency.

    Every currency with data gets one point per interval, from the one containing
    ``date_from`` to the one containing ``date_to``, empty ones included; only days inside
    the range count, so the first and last points may cover part of their interval.

    Raises:
        RuleViolationError: a bad range (``date_to``).
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    def __init__(self, reader: ReportReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def execute(
        self,
        caller: Caller,
        household_id: HouseholdId | None,
        period: ReportRange,
        interval: Interval = Interval.MONTH,
    ) -> list[CashflowSeries]:
        date_from, date_to = period.resolve(self._clock.today())
        household = caller.household_to_read(household_id)
        rows = await self._reader.cashflow(household, date_from, date_to, interval)
        return fill_cashflow(rows, date_from, date_to, interval)


class GetNetWorth:
    """Balances as of the end of a day (today by default), summed per currency.

    Every account counts, archived ones included, with its opening balance plus the
    effects of the transactions dated on or before the day.

    Raises:
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    def __init__(self, reader: ReportReader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def execute(
        self, caller: Caller, household_id: HouseholdId | None, day: date | None = None
    ) -> list[NetWorth]:
        as_of = day if day is not None else self._clock.today()
        household = caller.household_to_read(household_id)
        return shape_net_worth(await self._reader.balances_as_of(household, as_of))
