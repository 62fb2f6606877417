"""The budget rules: field validation, status math, rollover and the history window.

Amounts are integer minor units of the budget's currency. Spending per period is summed
by SQL elsewhere and handed in as ``{period index: spent}``; the functions here only
combine those sums, so nothing loads a transaction history into Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from budget.domain.errors import FieldProblem, RuleViolationError
from budget.domain.model.period import Period, Schedule
from budget.domain.model.reports import share_percent

MAX_NAME_LENGTH = 100
DEFAULT_ALERT_THRESHOLD = 80
DEFAULT_HISTORY_PERIODS = 12
MAX_HISTORY_PERIODS = 36


class BudgetState(StrEnum):
    """How a period's spending stands against what is available."""

    OK = "ok"
    WARNING = "warning"
    EXCEEDED = "exceeded"


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """A budget's standing in one period.

    ``available = limit + carried_over`` and ``remaining = available - spent``;
    ``percent_used`` is None when nothing is available.
    """

    period: Period
    limit: int
    carried_over: int
    available: int
    spent: int
    remaining: int
    percent_used: str | None
    state: BudgetState


def percent_used(spent: int, available: int) -> str | None:
    """``spent / available * 100`` rounded half away from zero to one decimal, as a string.

    None when ``available`` is 0 or negative, where a percentage means nothing.
    """
    return share_percent(spent, available) if available > 0 else None


def budget_state(spent: int, available: int, threshold_percent: int) -> BudgetState:
    """Judge a period on exact values, never on the rounded percentage.

    Exceeded when ``available - spent`` is negative; otherwise warning when something is
    available and ``spent`` reaches ``threshold_percent`` % of it; otherwise ok.
    """
    if available - spent < 0:
        return BudgetState.EXCEEDED
    if available > 0 and spent * 100 >= threshold_percent * available:
        return BudgetState.WARNING
    return BudgetState.OK


def status_of(period: Period, limit: int, carry: int, spent: int, threshold: int) -> BudgetStatus:
    """The status of one period given what was carried into it and what it spent."""
    available = limit + carry
    return BudgetStatus(
        period=period,
        limit=limit,
        carried_over=carry,
        available=available,
        spent=spent,
        remaining=available - spent,
        percent_used=percent_used(spent, available),
        state=budget_state(spent, available, threshold),
    )


def status_history(
    schedule: Schedule,
    limit: int,
    spent_by_period_index: Mapping[int, int],
    *,
    first_index: int,
    last_index: int,
    rollover: bool,
    threshold: int,
    end_date: date | None = None,
) -> list[BudgetStatus]:
    """The statuses of periods ``first_index`` to ``last_index``, oldest first, in one pass.

    With rollover, what periods 0 to ``first_index - 1`` carry is summed at once (the carry
    is linear: ``first_index * limit`` minus what they spent), so the cost follows the
    window, not the budget's age. Periods are clipped to ``end_date`` as
    ``spending_window`` does. Empty when ``last_index`` is before ``first_index``.
    """
    statuses: list[BudgetStatus] = []
    carry = 0
    if rollover:
        spent_before = sum(s for n, s in spent_by_period_index.items() if n < first_index)
        carry = first_index * limit - spent_before
    for n in range(first_index, last_index + 1):
        spent = spent_by_period_index.get(n, 0)
        period = spending_window(schedule.nth(n), end_date)
        statuses.append(status_of(period, limit, carry, spent, threshold))
        if rollover:
            carry += limit - spent
    return statuses


def history_window(
    schedule: Schedule, start_date: date, end_date: date | None, today: date, periods: int
) -> range:
    """Indices of the last ``periods`` periods up to the one containing ``today``.

    An ended budget (``end_date`` before ``today``) stops at the period containing
    ``end_date``; a budget that started later yields fewer; one that has not started yet
    (``today`` before ``start_date``) yields none.

    Raises:
        RuleViolationError: on the ``periods`` query parameter unless it is 1 to 36.
    """
    if not 1 <= periods <= MAX_HISTORY_PERIODS:
        raise RuleViolationError.on_query("periods", f"must be between 1 and {MAX_HISTORY_PERIODS}")
    if today < start_date:
        return range(0)
    last_day = min(today, end_date) if end_date is not None else today
    last = schedule.index_of(last_day)
    return range(max(0, last - periods + 1), last + 1)


def spending_window(period: Period, end_date: date | None) -> Period:
    """The part of ``period`` whose spending counts: all of it, or up to ``end_date``.

    A period that ``end_date`` cuts short keeps its full limit; only the days counted shrink.
    """
    if end_date is None or end_date >= period.end:
        return period
    return Period(period.start, end_date)


def check_date_in_budget(day: date, start_date: date, end_date: date | None) -> None:
    """Reject a status date outside ``start_date`` to ``end_date`` (inclusive).

    Raises:
        RuleViolationError: on the ``date`` query parameter.
    """
    if day < start_date or (end_date is not None and day > end_date):
        raise RuleViolationError.on_query("date", "is outside the budget's dates")


def clean_budget_name(raw: str) -> str:
    """Trim a budget name, which must then be 1 to 100 characters.

    Raises:
        RuleViolationError: on the ``name`` field.
    """
    name = raw.strip()
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise RuleViolationError.on("name", f"must be 1 to {MAX_NAME_LENGTH} characters")
    return name


def validate_budget_fields(
    name: str, amount_minor: int, start_date: date, end_date: date | None, alert_threshold: int
) -> None:
    """Check a budget's fields together and report every broken rule at once.

    Raises:
        RuleViolationError: naming each of ``name``, ``amount``, ``end_date`` and
            ``alert_threshold`` that is invalid.
    """
    problems = [
        *_problems_of_name(name),
        *([FieldProblem("amount", "must be greater than 0")] if amount_minor <= 0 else []),
        *_problems_of_dates(start_date, end_date),
        *_problems_of_threshold(alert_threshold),
    ]
    if problems:
        raise RuleViolationError(*problems)


def _problems_of_name(name: str) -> list[FieldProblem]:
    try:
        clean_budget_name(name)
    except RuleViolationError as error:
        return list(error.problems)
    return []


def _problems_of_dates(start_date: date, end_date: date | None) -> list[FieldProblem]:
    if end_date is not None and end_date < start_date:
        return [FieldProblem("end_date", "must not be before start_date")]
    return []


def _problems_of_threshold(alert_threshold: int) -> list[FieldProblem]:
    if not 1 <= alert_threshold <= 100:
        return [FieldProblem("alert_threshold", "must be between 1 and 100")]
    return []
