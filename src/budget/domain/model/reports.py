"""Report read models and the pure shaping around them (the sums themselves come from SQL).

Every report groups by currency, because sums across currencies are meaningless. Amounts
are integer minor units of the group's currency.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TypeVar

from budget.domain.errors import RuleViolationError
from budget.domain.model.ids import AccountId, CategoryId
from budget.domain.model.period import add_months

MAX_RANGE_YEARS = 10

T = TypeVar("T")


class Interval(StrEnum):
    """Bucket width of a cash-flow report."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """Income, expense and their difference in one currency (transfers excluded)."""

    currency: str
    income: int
    expense: int
    net: int
    transaction_count: int

    @classmethod
    def of(cls, currency: str, income: int, expense: int, transaction_count: int) -> SummaryRow:
        """A row whose ``net`` is ``income - expense``."""
        return cls(currency, income, expense, income - expense, transaction_count)


@dataclass(frozen=True, slots=True)
class CategoryTotal:
    """One category's total as SQL sums it; ``None`` id and name is the uncategorised bucket."""

    category_id: CategoryId | None
    category_name: str | None
    total: int
    transaction_count: int


@dataclass(frozen=True, slots=True)
class CategoryShare:
    """A category's total and its share of the currency's total (one decimal, half-up)."""

    category_id: CategoryId | None
    category_name: str | None
    total: int
    share_percent: str
    transaction_count: int


@dataclass(frozen=True, slots=True)
class CategoryReport:
    """The by-category report for one currency, largest total first."""

    currency: str
    items: list[CategoryShare]


@dataclass(frozen=True, slots=True)
class CashflowPoint:
    """Income, expense and net of the interval starting on ``period_start``."""

    period_start: date
    income: int
    expense: int
    net: int


@dataclass(frozen=True, slots=True)
class CashflowSeries:
    """One point per interval of the range, in one currency, oldest first."""

    currency: str
    points: list[CashflowPoint]


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """An account's balance as of the report date."""

    account_id: AccountId
    name: str
    balance: int


@dataclass(frozen=True, slots=True)
class NetWorth:
    """The sum of the balances of every account in one currency, accounts sorted by name."""

    currency: str
    total: int
    accounts: list[AccountBalance]


def share_percent(part: int, whole: int) -> str:
    """``part / whole * 100`` rounded half away from zero to one decimal, as a string.

    Exact integer arithmetic (no float, no decimal context): ``share_percent(2, 3)`` is
    ``"66.7"`` and ``share_percent(1, 8)`` is ``"12.5"``. ``"0.0"`` when ``whole`` is 0;
    a result that rounds to zero is ``"0.0"``, never ``"-0.0"``.
    """
    if whole == 0:
        return "0.0"
    tenths, remainder = divmod(abs(part) * 1000, abs(whole))
    if 2 * remainder >= abs(whole):
        tenths += 1
    sign = "-" if tenths and (part < 0) != (whole < 0) else ""
    return f"{sign}{tenths // 10}.{tenths % 10}"


def interval_start(day: date, interval: Interval) -> date:
    """First day of the interval containing ``day`` (weeks start on Monday)."""
    if interval == Interval.WEEK:
        return day - timedelta(days=day.weekday())
    if interval == Interval.MONTH:
        return day.replace(day=1)
    return day


def interval_starts(date_from: date, date_to: date, interval: Interval) -> list[date]:
    """Start of every interval from the one containing ``date_from`` to the one containing
    ``date_to``, oldest first; empty when ``date_to`` is before ``date_from``."""
    starts: list[date] = []
    current, last = interval_start(date_from, interval), interval_start(date_to, interval)
    while current <= last:
        starts.append(current)
        current = _next_start(current, interval)
    return starts


def _next_start(start: date, interval: Interval) -> date:
    if interval == Interval.MONTH:
        return add_months(start, 1)
    return start + timedelta(days=7 if interval == Interval.WEEK else 1)


def check_report_range(date_from: date, date_to: date) -> None:
    """Reject an inverted range or one longer than 10 years.

    "Over 10 years" means ``date_to`` is later than the same calendar day 10 years after
    ``date_from`` (February 29 clamped to February 28): 2020-02-29 to 2030-02-28 is allowed,
    to 2030-03-01 is not.

    Raises:
        RuleViolationError: on the ``date_to`` query parameter.
    """
    if date_to < date_from:
        raise RuleViolationError.on_query("date_to", "must not be before date_from")
    if date_to > add_months(date_from, MAX_RANGE_YEARS * 12):
        raise RuleViolationError.on_query(
            "date_to", f"must be at most {MAX_RANGE_YEARS} years after date_from"
        )


def default_report_range(today: date) -> tuple[date, date]:
    """The calendar month containing ``today``, from its 1st to its last day."""
    last_day = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last_day)


def complete_report_range(
    date_from: date | None, date_to: date | None, today: date
) -> tuple[date, date]:
    """Both bounds of a report range, a missing one taken from the month of the other.

    Only ``date_to``: from the 1st of its month. Only ``date_from``: to the last day of
    its month. Neither: the month containing ``today``. The result is not checked
    (``check_report_range``), but a single bound never makes an inverted range.
    """
    if date_from is not None and date_to is not None:
        return date_from, date_to
    if date_to is not None:
        return default_report_range(date_to)[0], date_to
    if date_from is not None:
        return date_from, default_report_range(date_from)[1]
    return default_report_range(today)


def shape_by_category(rows: Iterable[tuple[str, CategoryTotal]]) -> list[CategoryReport]:
    """Group category totals per currency (by code) and add each one's share of the total.

    Items are sorted by total, largest first, then by name (case-insensitively) with the
    uncategorised bucket last, then by id so that the order is stable.
    """
    return [CategoryReport(currency, _shares(totals)) for currency, totals in _by_currency(rows)]


def _shares(totals: list[CategoryTotal]) -> list[CategoryShare]:
    whole = sum(row.total for row in totals)
    ordered = sorted(totals, key=_category_order)
    return [
        CategoryShare(
            row.category_id,
            row.category_name,
            row.total,
            share_percent(row.total, whole),
            row.transaction_count,
        )
        for row in ordered
    ]


def _category_order(row: CategoryTotal) -> tuple[int, bool, str, str, str]:
    name = row.category_name or ""
    return (-row.total, row.category_name is None, name.casefold(), name, str(row.category_id))


def fill_cashflow(
    rows: Iterable[tuple[str, date, int, int]], date_from: date, date_to: date, interval: Interval
) -> list[CashflowSeries]:
    """One series per currency with data (by code), one point per interval, empty ones zero.

    ``rows`` are ``(currency, interval_start, income, expense)``; rows for the same bucket
    are added together and ``net`` is ``income - expense``.

    Raises:
        ValueError: when a row falls outside the range (the query and the range disagree).
    """
    starts = interval_starts(date_from, date_to, interval)
    buckets: defaultdict[str, dict[date, tuple[int, int]]] = defaultdict(dict)
    for currency, day, income, expense in rows:
        start = interval_start(day, interval)
        if not starts or not starts[0] <= start <= starts[-1]:
            raise ValueError(f"cash-flow row for {day} lies outside {date_from}..{date_to}")
        old_income, old_expense = buckets[currency].get(start, (0, 0))
        buckets[currency][start] = (old_income + income, old_expense + expense)
    return [_series(currency, buckets[currency], starts) for currency in sorted(buckets)]


def _series(
    currency: str, bucket: dict[date, tuple[int, int]], starts: list[date]
) -> CashflowSeries:
    points = []
    for start in starts:
        income, expense = bucket.get(start, (0, 0))
        points.append(CashflowPoint(start, income, expense, income - expense))
    return CashflowSeries(currency, points)


def shape_net_worth(rows: Iterable[tuple[str, AccountBalance]]) -> list[NetWorth]:
    """Sum account balances per currency (by code); accounts sorted by name, then id.

    Names compare case-insensitively first, so "bank" sorts next to "Bank".
    """
    return [
        NetWorth(
            currency,
            sum(account.balance for account in accounts),
            sorted(accounts, key=_account_order),
        )
        for currency, accounts in _by_currency(rows)
    ]


def _account_order(account: AccountBalance) -> tuple[str, str, str]:
    return (account.name.casefold(), account.name, str(account.account_id))


def _by_currency(rows: Iterable[tuple[str, T]]) -> list[tuple[str, list[T]]]:
    """The items of ``(currency code, item)`` rows grouped per code, codes in order."""
    groups: defaultdict[str, list[T]] = defaultdict(list)
    for currency, item in rows:
        groups[currency].append(item)
    return sorted(groups.items())
