"""Report use cases over a fake reader: ranges, defaults, the account filter, shaping."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.category import CategoryKind
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId
from budget.domain.model.reports import (
    AccountBalance,
    CashflowPoint,
    CategoryTotal,
    Interval,
    SummaryRow,
)
from budget.domain.services.reports import (
    GetCashflow,
    GetCategoryReport,
    GetNetWorth,
    GetSummary,
    ReportRange,
)
from tests.fakes import FakeClock, personal_caller

CALLER = personal_caller(1)
HOUSEHOLD = HouseholdId(UUID(int=1))  # the caller's default (personal) household
MINE = AccountId(UUID(int=11))
THEIRS = AccountId(UUID(int=12))
FOOD = CategoryId(UUID(int=21))
TODAY = datetime(2026, 2, 14, 23, 59, tzinfo=UTC)


@dataclass
class FakeReportReader:
    """Canned answers; remembers every call so tests can see what was asked."""

    accounts: set[tuple[HouseholdId, AccountId]] = field(
        default_factory=lambda: {(HOUSEHOLD, MINE)}
    )
    summary_rows: list[SummaryRow] = field(default_factory=list)
    category_rows: list[tuple[str, CategoryTotal]] = field(default_factory=list)
    cashflow_rows: list[tuple[str, date, int, int]] = field(default_factory=list)
    balance_rows: list[tuple[str, AccountBalance]] = field(default_factory=list)
    calls: list[tuple[object, ...]] = field(default_factory=list)

    async def has_account(self, household: HouseholdId, account_id: AccountId) -> bool:
        self.calls.append(("has_account", household, account_id))
        return (household, account_id) in self.accounts

    async def summary(
        self, household: HouseholdId, date_from: date, date_to: date, account_id: AccountId | None
    ) -> list[SummaryRow]:
        self.calls.append(("summary", household, date_from, date_to, account_id))
        return self.summary_rows

    async def category_totals(
        self, household: HouseholdId, kind: CategoryKind, date_from: date, date_to: date
    ) -> list[tuple[str, CategoryTotal]]:
        self.calls.append(("category_totals", household, kind, date_from, date_to))
        return self.category_rows

    async def cashflow(
        self, household: HouseholdId, date_from: date, date_to: date, interval: Interval
    ) -> list[tuple[str, date, int, int]]:
        self.calls.append(("cashflow", household, date_from, date_to, interval))
        return self.cashflow_rows

    async def balances_as_of(
        self, household: HouseholdId, day: date
    ) -> list[tuple[str, AccountBalance]]:
        self.calls.append(("balances_as_of", household, day))
        return self.balance_rows


def clock() -> FakeClock:
    return FakeClock(TODAY)


def problems_of(error: pytest.ExceptionInfo[RuleViolationError]) -> list[tuple[str, bool]]:
    return [(p.field, p.in_query) for p in error.value.problems]


# ranges


async def test_a_report_without_dates_covers_the_current_month() -> None:
    reader = FakeReportReader()

    await GetSummary(reader, clock()).execute(CALLER, None, ReportRange())

    assert reader.calls == [("summary", HOUSEHOLD, date(2026, 2, 1), date(2026, 2, 28), None)]


async def test_only_date_to_reports_from_the_first_day_of_its_month() -> None:
    reader = FakeReportReader()

    await GetSummary(reader, clock()).execute(CALLER, None, ReportRange(date_to=date(2026, 1, 31)))

    assert reader.calls == [("summary", HOUSEHOLD, date(2026, 1, 1), date(2026, 1, 31), None)]


async def test_only_date_from_reports_to_the_last_day_of_its_month() -> None:
    reader = FakeReportReader()

    await GetCashflow(reader, clock()).execute(
        CALLER, None, ReportRange(date_from=date(2025, 7, 9))
    )

    assert reader.calls == [
        ("cashflow", HOUSEHOLD, date(2025, 7, 9), date(2025, 7, 31), Interval.MONTH)
    ]


@pytest.mark.parametrize(
    "period",
    [
        ReportRange(date_from=date(2026, 3, 1)),  # after the end of the current month
        ReportRange(date_to=date(2026, 1, 31)),  # before the start of the current month
        ReportRange(date_from=date(2020, 2, 29)),
        ReportRange(date_to=date(2030, 12, 1)),
    ],
)
async def test_a_single_bound_far_from_the_current_month_is_accepted(period: ReportRange) -> None:
    reader = FakeReportReader()

    await GetCategoryReport(reader, clock()).execute(CALLER, None, period)

    assert len(reader.calls) == 1


async def test_a_range_over_ten_years_is_rejected_on_date_to() -> None:
    reader = FakeReportReader()
    period = ReportRange(date(2016, 1, 1), date(2026, 1, 2))

    with pytest.raises(RuleViolationError) as error:
        await GetSummary(reader, clock()).execute(CALLER, None, period)

    assert problems_of(error) == [("date_to", True)]
    assert reader.calls == []


async def test_a_range_of_exactly_ten_years_is_accepted() -> None:
    reader = FakeReportReader()

    await GetCashflow(reader, clock()).execute(
        CALLER, None, ReportRange(date(2016, 1, 1), date(2026, 1, 1))
    )

    assert reader.calls == [
        ("cashflow", HOUSEHOLD, date(2016, 1, 1), date(2026, 1, 1), Interval.MONTH)
    ]


async def test_date_to_before_date_from_is_rejected_on_date_to() -> None:
    reader = FakeReportReader()
    period = ReportRange(date(2026, 2, 10), date(2026, 2, 9))

    with pytest.raises(RuleViolationError) as error:
        await GetCategoryReport(reader, clock()).execute(CALLER, None, period)

    assert problems_of(error) == [("date_to", True)]
    assert reader.calls == []


# summary


async def test_the_summary_is_one_row_per_currency_ordered_by_code() -> None:
    usd = SummaryRow.of("USD", 100, 40, 2)
    eur = SummaryRow.of("EUR", 0, 250, 1)
    reader = FakeReportReader(summary_rows=[usd, eur])

    rows = await GetSummary(reader, clock()).execute(CALLER, None, ReportRange())

    assert rows == [eur, usd]


async def test_the_summary_filters_by_an_account_of_the_user() -> None:
    reader = FakeReportReader()
    period = ReportRange(date(2026, 1, 1), date(2026, 1, 31))

    await GetSummary(reader, clock()).execute(CALLER, None, period, MINE)

    assert reader.calls == [
        ("has_account", HOUSEHOLD, MINE),
        ("summary", HOUSEHOLD, date(2026, 1, 1), date(2026, 1, 31), MINE),
    ]


async def test_a_summary_filtered_by_someone_elses_account_is_rejected_on_account_id() -> None:
    reader = FakeReportReader(accounts={(HouseholdId(UUID(int=2)), THEIRS)})

    with pytest.raises(RuleViolationError) as error:
        await GetSummary(reader, clock()).execute(CALLER, None, ReportRange(), THEIRS)

    assert problems_of(error) == [("account_id", True)]
    assert [call[0] for call in reader.calls] == ["has_account"]


# by category


async def test_the_category_report_asks_for_expenses_by_default_and_adds_shares() -> None:
    reader = FakeReportReader(
        category_rows=[
            ("EUR", CategoryTotal(None, None, 100, 1)),
            ("EUR", CategoryTotal(FOOD, "Food", 300, 2)),
        ]
    )

    [report] = await GetCategoryReport(reader, clock()).execute(CALLER, None, ReportRange())

    assert reader.calls[0][2] is CategoryKind.EXPENSE
    assert report.currency == "EUR"
    assert [(i.category_id, i.total, i.share_percent) for i in report.items] == [
        (FOOD, 300, "75.0"),
        (None, 100, "25.0"),
    ]


async def test_the_category_report_passes_the_income_kind_on() -> None:
    reader = FakeReportReader()

    reports = await GetCategoryReport(reader, clock()).execute(
        CALLER, None, ReportRange(), CategoryKind.INCOME
    )

    assert reports == []
    assert reader.calls[0][2] is CategoryKind.INCOME


# cash flow


async def test_the_cashflow_fills_every_interval_of_the_range() -> None:
    reader = FakeReportReader(cashflow_rows=[("EUR", date(2026, 1, 12), 500, 200)])
    period = ReportRange(date(2026, 1, 7), date(2026, 1, 20))

    [series] = await GetCashflow(reader, clock()).execute(CALLER, None, period, Interval.WEEK)

    assert series.points == [
        CashflowPoint(date(2026, 1, 5), 0, 0, 0),
        CashflowPoint(date(2026, 1, 12), 500, 200, 300),
        CashflowPoint(date(2026, 1, 19), 0, 0, 0),
    ]
    assert reader.calls[0][4] is Interval.WEEK


# net worth


async def test_net_worth_defaults_to_today_and_sums_per_currency() -> None:
    reader = FakeReportReader(
        balance_rows=[
            ("EUR", AccountBalance(MINE, "Checking", 1000)),
            ("EUR", AccountBalance(THEIRS, "Archived savings", -250)),
        ]
    )

    [worth] = await GetNetWorth(reader, clock()).execute(CALLER, None)

    assert reader.calls == [("balances_as_of", HOUSEHOLD, date(2026, 2, 14))]
    assert (worth.currency, worth.total) == ("EUR", 750)
    assert [a.name for a in worth.accounts] == ["Archived savings", "Checking"]


async def test_net_worth_for_a_given_day_asks_for_that_day() -> None:
    reader = FakeReportReader()

    assert await GetNetWorth(reader, clock()).execute(CALLER, None, date(2020, 5, 31)) == []
    assert reader.calls == [("balances_as_of", HOUSEHOLD, date(2020, 5, 31))]


@pytest.mark.parametrize(
    ("period", "pointer"),
    [
        (ReportRange(date(9990, 1, 1), date(9990, 1, 2)), "date_from"),
        (ReportRange(date(9989, 6, 1), date(9999, 12, 31)), "date_to"),
    ],
)
async def test_a_bound_in_the_last_decade_of_the_calendar_is_rejected(
    period: ReportRange, pointer: str
) -> None:
    reader = FakeReportReader()

    with pytest.raises(RuleViolationError) as error:
        await GetCashflow(reader, clock()).execute(CALLER, None, period, Interval.DAY)

    assert problems_of(error) == [(pointer, True)]


@pytest.mark.parametrize("interval", list(Interval))
async def test_the_latest_allowed_range_fits_in_the_calendar(interval: Interval) -> None:
    reader = FakeReportReader(cashflow_rows=[("EUR", date(9989, 12, 31), 1, 0)])
    period = ReportRange(date(9989, 12, 31), date(9989, 12, 31))

    [series] = await GetCashflow(reader, clock()).execute(CALLER, None, period, interval)

    assert series.points[-1].income == 1
