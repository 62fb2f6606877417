"""Reports in one currency: the shaping of converted sums and of what could not be converted.

The database converts each amount at its own day's rate (``exchange_rate.select_rate``,
rounded once per amount) and hands back sums per (currency, day) or per category; a group
whose currency had no rate that day has no sum. These functions add the groups that
converted to the amounts already in the target currency, leave the others out of every
total and count, and name them in ``missing_rates``: distinct, by currency, then date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import Conversion
from budget.domain.model.ids import AccountId, CategoryId
from budget.domain.model.reports import (
    AccountBalance,
    CashflowSeries,
    CategoryReport,
    CategoryTotal,
    Interval,
    SummaryRow,
    fill_cashflow,
    interval_starts,
    shape_by_category,
)


@dataclass(frozen=True, slots=True, order=True)
class MissingRate:
    """A (currency, day) whose amounts had no rate into the report's currency."""

    currency: str
    date: date


@dataclass(frozen=True, slots=True)
class DayGroup:
    """The income and expenses of one currency on one day, converted (``None`` when the
    day had no rate), and how many transactions they are."""

    currency: str
    day: date
    income: int | None
    expense: int | None
    transaction_count: int

    @property
    def converted(self) -> bool:
        return self.income is not None and self.expense is not None


@dataclass(frozen=True, slots=True)
class CategoryGroup:
    """Converted amounts of one category; ``missing`` names the (currency, day) whose
    amounts had no rate (then ``total`` is meaningless and ignored)."""

    category_id: CategoryId | None
    category_name: str | None
    total: int
    entries: int
    missing: MissingRate | None = None


@dataclass(frozen=True, slots=True)
class ConvertedSummary:
    row: SummaryRow
    missing_rates: list[MissingRate] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ConvertedCategoryReport:
    report: CategoryReport
    missing_rates: list[MissingRate] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ConvertedCashflow:
    series: CashflowSeries
    missing_rates: list[MissingRate] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ConvertedAccount:
    """An account's balance in the report's currency; ``None`` without a rate."""

    account_id: AccountId
    name: str
    balance: int | None


@dataclass(frozen=True, slots=True)
class ConvertedNetWorth:
    currency: str
    total: int
    accounts: list[ConvertedAccount]
    missing_rates: list[MissingRate] = field(default_factory=list)


def missing_of(pairs: Iterable[MissingRate]) -> list[MissingRate]:
    """Distinct, sorted by currency then date."""
    return sorted(set(pairs))


def shape_converted_summary(
    target: str, native: SummaryRow | None, groups: Iterable[DayGroup]
) -> ConvertedSummary:
    """The summary in ``target``: its own income and expenses plus every converted group;
    groups without a rate count nowhere and are listed."""
    income = native.income if native else 0
    expense = native.expense if native else 0
    count = native.transaction_count if native else 0
    missing: list[MissingRate] = []
    for group in groups:
        if group.income is None or group.expense is None:
            missing.append(MissingRate(group.currency, group.day))
            continue
        income += group.income
        expense += group.expense
        count += group.transaction_count
    return ConvertedSummary(SummaryRow.of(target, income, expense, count), missing_of(missing))


def shape_converted_cashflow(
    target: str,
    native: Iterable[tuple[date, int, int]],
    groups: Iterable[DayGroup],
    date_from: date,
    date_to: date,
    interval: Interval,
) -> ConvertedCashflow:
    """One series in ``target``, a point per interval (zeros included), with the converted
    groups in the interval of their day."""
    rows = [(target, start, income, expense) for start, income, expense in native]
    missing: list[MissingRate] = []
    for group in groups:
        if group.income is None or group.expense is None:
            missing.append(MissingRate(group.currency, group.day))
        else:
            rows.append((target, group.day, group.income, group.expense))
    series = fill_cashflow(rows, date_from, date_to, interval)
    if not series:
        empty = [(target, start, 0, 0) for start in interval_starts(date_from, date_to, interval)]
        series = fill_cashflow(empty, date_from, date_to, interval)
    return ConvertedCashflow(series[0], missing_of(missing))


def shape_converted_categories(
    target: str, native: Iterable[CategoryTotal], groups: Iterable[CategoryGroup]
) -> ConvertedCategoryReport:
    """One report in ``target``: each category's own total plus its converted groups."""
    totals: dict[CategoryId | None, CategoryTotal] = {t.category_id: t for t in native}
    missing: list[MissingRate] = []
    for group in groups:
        if group.missing is not None:
            missing.append(group.missing)
            continue
        old = totals.get(group.category_id)
        totals[group.category_id] = CategoryTotal(
            group.category_id,
            group.category_name,
            (old.total if old else 0) + group.total,
            (old.transaction_count if old else 0) + group.entries,
        )
    reports = shape_by_category((target, total) for total in totals.values())
    report = reports[0] if reports else CategoryReport(target, [])
    return ConvertedCategoryReport(report, missing_of(missing))


def shape_converted_net_worth(
    target: Currency,
    day: date,
    balances: Iterable[tuple[str, AccountBalance]],
    conversions: dict[str, Conversion],
) -> ConvertedNetWorth:
    """Every account's balance at ``day`` in ``target`` (rounded once per account); an
    account whose currency has no rate (not in ``conversions``) is listed with ``None`` and
    left out of the total."""
    accounts: list[ConvertedAccount] = []
    missing: list[MissingRate] = []
    for code, account in balances:
        balance: int | None = account.balance
        if code != target.code:
            conversion = conversions.get(code)
            if conversion is None:
                balance = None
                missing.append(MissingRate(code, day))
            else:
                balance = conversion.convert(account.balance, Currency.of(code), target)
        accounts.append(ConvertedAccount(account.account_id, account.name, balance))
    accounts.sort(key=lambda a: (a.name.casefold(), a.name, str(a.account_id)))
    total = sum(a.balance for a in accounts if a.balance is not None)
    return ConvertedNetWorth(target.code, total, accounts, missing_of(missing))
