"""Reports in one currency over fake readers: what each reader is asked, and the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.category import CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import StoredRate
from budget.domain.model.fx_reports import CategoryGroup, DayGroup, MissingRate
from budget.domain.model.household import HouseholdNotFoundError
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.reports import AccountBalance, SummaryRow
from budget.domain.services.fx_reports import GetConvertedNetWorth, GetConvertedSummary
from budget.domain.services.reports import ReportRange
from tests.unit.test_report_services import CALLER, HOUSEHOLD, THEIRS, FakeReportReader, clock

EUR = Currency.of("EUR")
DAY = date(2026, 2, 10)


@dataclass
class FakeFxReader:
    days: list[DayGroup] = field(default_factory=list)
    rates: list[StoredRate] = field(default_factory=list)
    calls: list[tuple[object, ...]] = field(default_factory=list)

    async def converted_days(
        self,
        household: HouseholdId,
        target: str,
        date_from: date,
        date_to: date,
        account_id: AccountId | None,
        max_age_days: int,
    ) -> list[DayGroup]:
        self.calls.append(("days", household, target, date_from, date_to, max_age_days))
        return self.days

    async def converted_categories(
        self,
        household: HouseholdId,
        target: str,
        kind: CategoryKind,
        date_from: date,
        date_to: date,
        max_age_days: int,
    ) -> list[CategoryGroup]:
        return []

    async def rates_for(
        self,
        household: HouseholdId,
        target: str,
        currencies: list[str],
        day: date,
        max_age_days: int,
    ) -> list[StoredRate]:
        self.calls.append(("rates", household, target, tuple(currencies), day, max_age_days))
        return self.rates


async def test_the_summary_adds_the_converted_days_to_the_targets_own_row() -> None:
    reader = FakeReportReader(
        summary_rows=[SummaryRow.of("EUR", 1000, 100, 2), SummaryRow.of("USD", 5, 5, 1)]
    )
    fx = FakeFxReader(days=[DayGroup("USD", DAY, 450, 0, 1), DayGroup("JPY", DAY, None, None, 3)])
    summary = await GetConvertedSummary(reader, fx, clock(), 7).execute(
        CALLER, None, ReportRange(), EUR
    )
    assert summary.row == SummaryRow.of("EUR", 1450, 100, 3)
    assert summary.missing_rates == [MissingRate("JPY", DAY)]
    assert fx.calls == [("days", HOUSEHOLD, "EUR", date(2026, 2, 1), date(2026, 2, 28), 7)]


async def test_a_foreign_account_filter_is_refused_before_any_conversion() -> None:
    fx = FakeFxReader()
    with pytest.raises(RuleViolationError):
        await GetConvertedSummary(FakeReportReader(), fx, clock(), 7).execute(
            CALLER, None, ReportRange(), EUR, THEIRS
        )
    assert fx.calls == []


async def test_a_household_the_caller_is_not_in_is_not_found() -> None:
    with pytest.raises(HouseholdNotFoundError):
        await GetConvertedNetWorth(FakeReportReader(), FakeFxReader(), clock(), 7).execute(
            CALLER, HouseholdId(UUID(int=99)), EUR
        )


async def test_net_worth_selects_each_currencys_rate_by_the_rule() -> None:
    reader = FakeReportReader(
        balance_rows=[
            ("USD", AccountBalance(AccountId(UUID(int=11)), "Card", 1001)),
            ("GBP", AccountBalance(AccountId(UUID(int=12)), "Pounds", 500)),
        ]
    )
    fx = FakeFxReader(
        rates=[
            StoredRate("EUR", "USD", DAY - timedelta(days=1), Decimal("1.1")),
            StoredRate("USD", "EUR", DAY - timedelta(days=3), Decimal("0.9")),
            StoredRate("GBP", "EUR", DAY - timedelta(days=8), Decimal("1.2")),
        ]
    )
    worth = await GetConvertedNetWorth(reader, fx, clock(), 7).execute(CALLER, None, EUR, DAY)
    assert [(a.name, a.balance) for a in worth.accounts] == [("Card", 901), ("Pounds", None)]
    assert worth.missing_rates == [MissingRate("GBP", DAY)]
    assert fx.calls == [("rates", HOUSEHOLD, "EUR", ("GBP", "USD"), DAY, 7)]
