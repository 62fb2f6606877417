"""Ranges of days as reads of the totals: whole months from ``monthly_totals``, the other
days from ``daily_totals`` (``split_by_months``), and the statement parts and bound
parameters that read them (used by the report and budget spending readers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Date, Select, bindparam, or_, select

from budget.adapters.totals import LEVELS, Level, first_of_month

DateRange = tuple[dt.date, dt.date]


@dataclass(frozen=True, slots=True)
class SplitRange:
    """A range of days as the ranges to read from each table: ``days`` from
    ``daily_totals`` and ``months`` (first to last day of whole months) from
    ``monthly_totals``, disjoint, together exactly the range."""

    days: tuple[DateRange, ...]
    months: tuple[DateRange, ...]


_DAY = dt.timedelta(days=1)


def _month_end(month: dt.date) -> dt.date:
    """The last day of ``month``'s month."""
    if month.month == 12:
        return month.replace(day=31)
    return month.replace(month=month.month + 1, day=1) - _DAY


def split_by_months(first: dt.date, last: dt.date) -> SplitRange:
    """Split ``first`` to ``last`` into its whole months and the days around them."""
    start, end = _whole_months_within(first, last)
    if start is None or end is None or start > end:
        return SplitRange(((first, last),), ())
    days: list[DateRange] = []
    if first < start:
        days.append((first, start - _DAY))
    if end < last:
        days.append((end + _DAY, last))
    return SplitRange(tuple(days), ((start, end),))


def _whole_months_within(first: dt.date, last: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first day of the first whole month in the range, and the last day of the last."""
    start: dt.date | None = first
    if first.day != 1:
        start = None if _month_end(first) == dt.date.max else _month_end(first) + _DAY
    end: dt.date | None = last
    if last != _month_end(last):
        end = None if first_of_month(last) == dt.date.min else first_of_month(last) - _DAY
    return start, end


def cells_in(
    ranges: tuple[Sequence[tuple[Any, Any]], Sequence[tuple[Any, Any]]],
    columns: Callable[[Level], Sequence[ColumnElement[Any]]],
    where: Callable[[Level], Sequence[ColumnElement[bool]]],
) -> list[Select[Any]]:
    """One ``SELECT columns(level) WHERE where(level)`` per table that has ranges to read:
    ``ranges`` is ``(days, months)`` as ``(first, last)`` pairs of values or bound
    parameters, for ``UNION ALL``."""
    parts = []
    for level, bounds in zip(LEVELS, ranges, strict=True):
        if bounds:
            inside = or_(*(level.day.between(start, end) for start, end in bounds))
            parts.append(select(*columns(level)).where(*where(level), inside))
    return parts


def range_parameters(
    prefix: str, count: int
) -> list[tuple[BindParameter[dt.date], BindParameter[dt.date]]]:
    """``count`` pairs of bound dates, ``{prefix}{n}_first`` and ``{prefix}{n}_last``."""
    return [
        (
            bindparam(f"{prefix}{n}_first", type_=Date()),
            bindparam(f"{prefix}{n}_last", type_=Date()),
        )
        for n in range(count)
    ]


def range_values(prefix: str, ranges: Sequence[DateRange]) -> dict[str, dt.date]:
    """The values of ``range_parameters(prefix, len(ranges))``."""
    values: dict[str, dt.date] = {}
    for n, (first, last) in enumerate(ranges):
        values |= {f"{prefix}{n}_first": first, f"{prefix}{n}_last": last}
    return values
