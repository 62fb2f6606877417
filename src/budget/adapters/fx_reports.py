"""The converting report reader: amounts in other currencies converted by the database.

One statement per report, in two steps (ADR 0015):

1. ``factors`` (materialized): per other currency of the household's accounts and day of
   the range (``dialects.calendar_days``), the selected rate — the latest direct rate on
   or before the day within the maximum age, else the reverse pair's, used inverted — by
   two backward probes of the rates' unique key, with the exact factors of
   ``dialects.fx_factor_columns``;
2. each day's amounts joined to their ``factors`` row and converted one by one (rounded
   once, half to even: ``dialects.fx_converted``), summed per (currency, day, type) or per
   category. On PostgreSQL a ``LATERAL`` aggregate per ``factors`` row reads that day's
   amounts from ``ix_transactions_household_type_currency_date`` (which carries
   ``amount``: an index-only range); SQLite joins and groups. A (currency, day) without a
   rate comes back marked missing: the domain leaves it out and names it.

Rounding is per amount, so no sum can be converted: the amounts are read one by one, from
the index, and only the few hundred (currency, day) rows cross to Python.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import restrict
from budget.adapters.dialects import (
    calendar_days,
    fx_converted,
    fx_factor_columns,
    joins_laterally,
)
from budget.adapters.errors import translating
from budget.adapters.fx_tables import ExchangeRateRow
from budget.adapters.tables import AccountRow, CategoryRow, TransactionRow, TransactionSplitRow
from budget.domain.model.category import CategoryKind
from budget.domain.model.currency import ISO_4217_EXPONENTS
from budget.domain.model.exchange_rate import StoredRate
from budget.domain.model.fx_reports import CategoryGroup, DayGroup, MissingRate
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId

INCOME, EXPENSE = "income", "expense"
_COMMON_EXPONENT = 2

_txn = TransactionRow.__table__.c
_split = TransactionSplitRow.__table__.c
_account = AccountRow.__table__.c
_category = CategoryRow.__table__.c
_rate = ExchangeRateRow.__table__.c


def _params() -> dict[str, Any]:
    guid = TransactionRow.household_id.type
    return {
        "household": bindparam("household", type_=guid),
        "target": bindparam("target", type_=_txn.currency.type),
        "date_from": bindparam("date_from", type_=_txn.date.type),
        "date_to": bindparam("date_to", type_=_txn.date.type),
        "account": bindparam("account", type_=guid),
    }


def _foreign_currencies(p: Mapping[str, Any]) -> Select[Any]:
    """The currencies of the household's accounts other than the target."""
    return (
        select(_account.currency)
        .where(_account.household_id == p["household"], _account.currency != p["target"])
        .distinct()
    )


def _shift(target_exponent: int, currency: ColumnElement[str]) -> ColumnElement[int]:
    """Decimals of the target minus those of ``currency`` (most currencies have two)."""
    others = {
        code: target_exponent - exponent
        for code, exponent in ISO_4217_EXPONENTS.items()
        if exponent != _COMMON_EXPONENT
    }
    return case(others, value=currency, else_=literal(target_exponent - _COMMON_EXPONENT))


def _selected(dialect: str, target_exponent: int, max_age: int, p: Mapping[str, Any]) -> Any:
    """Per other currency of the household's accounts and day of the range: the selected
    rate (NULL: none), whether it is the reverse pair's, the decimals' shift and the
    dialect's exact factors. Built from the calendar, not from the amounts, so the amounts
    are read once, by the join that converts them."""
    calendar = calendar_days(dialect, p["date_from"], p["date_to"], max_age)
    currencies = _foreign_currencies(p).subquery("currencies")
    days = (
        select(currencies.c.currency, calendar.c.day, calendar.c.oldest)
        .select_from(currencies.join(calendar, true()))
        .subquery("days")
    )

    def latest(base: Any, quote: Any) -> Any:
        return (
            select(_rate.rate)
            .where(
                _rate.household_id == p["household"],
                _rate.base == base,
                _rate.quote == quote,
                _rate.date <= days.c.day,
                _rate.date >= days.c.oldest,
            )
            .order_by(_rate.date.desc())
            .limit(1)
            .scalar_subquery()
        )

    # Materialized: each rate is looked up once per (currency, day), not once per amount
    # (an inlined subquery would run its probes again for every row it joins).
    chosen = (
        select(
            days.c.currency,
            days.c.day,
            latest(days.c.currency, p["target"]).label("direct"),
            latest(p["target"], days.c.currency).label("reverse"),
        )
        .cte("chosen")
        .prefix_with("MATERIALIZED")
    )
    rate = func.coalesce(chosen.c.direct, chosen.c.reverse)
    inverse = chosen.c.direct.is_(None)
    shift = _shift(target_exponent, chosen.c.currency)
    return (
        select(
            chosen.c.currency,
            chosen.c.day,
            rate.label("rate"),
            inverse.label("inverse"),
            shift.label("shift"),
            *fx_factor_columns(dialect, rate, inverse, shift),
        )
        .cte("factors")
        .prefix_with("MATERIALIZED")
    )


@lru_cache(maxsize=64)
def _days_statement(
    dialect: str, target_exponent: int, max_age: int, by_account: bool
) -> Select[Any]:
    p = _params()
    # The currencies and days come from ``factors``: other currencies, days of the range.
    conditions = [_txn.household_id == p["household"], _txn.type.in_((INCOME, EXPENSE))]
    if by_account:
        conditions.append(_txn.account_id == p["account"])
    factors = _selected(dialect, target_exponent, max_age, p)
    converted = fx_converted(dialect, _txn.amount, factors)
    missing = factors.c.rate.is_(None)
    on_its_day = and_(_txn.currency == factors.c.currency, _txn.date == factors.c.day)
    if joins_laterally(dialect):
        # Per (currency, day): an index-only range of that day's amounts, converted and
        # summed per type right there; no sort of every amount for a GROUP BY.
        sums = (
            select(
                _txn.type.label("type"),
                func.coalesce(func.sum(converted), 0).label("total"),
                func.count().label("count"),
            )
            .where(*conditions, on_its_day)
            .group_by(_txn.type)
            .lateral("sums")
        )
        return select(
            factors.c.currency, factors.c.day, missing, sums.c.type, sums.c.total, sums.c.count
        ).select_from(factors.join(sums, true()))
    # Grouped by type too, so each amount is converted once (a CASE per type in one group
    # would convert it twice).
    return (
        select(
            _txn.currency,
            _txn.date,
            missing,
            _txn.type,
            func.coalesce(func.sum(converted), 0),
            func.count(),
        )
        .select_from(TransactionRow.__table__.join(factors, on_its_day))
        .where(*conditions)
        .group_by(_txn.currency, _txn.date, missing, _txn.type)
    )


@lru_cache(maxsize=64)
def _categories_statement(
    dialect: str, target_exponent: int, max_age: int, kind: str
) -> Select[Any]:
    p = _params()
    factors = _selected(dialect, target_exponent, max_age, p)
    if joins_laterally(dialect):
        sums = _category_sums_per_day(dialect, factors, kind, p)
    else:
        sums = _category_sums_joined(dialect, factors, kind, p)
    missing_currency = case((sums.c.missing, sums.c.currency))
    missing_day = case((sums.c.missing, sums.c.day))
    return (
        select(
            sums.c.category_id,
            _category.name,
            missing_currency,
            missing_day,
            func.coalesce(func.sum(sums.c.total), 0),
            func.coalesce(func.sum(sums.c.count), 0),
        )
        .select_from(sums.outerjoin(CategoryRow.__table__, _category.id == sums.c.category_id))
        .group_by(sums.c.category_id, _category.name, missing_currency, missing_day)
    )


def _whole_and_parts(
    kind: str, p: Mapping[str, Any], *where: ColumnElement[bool]
) -> tuple[Select[Any], Select[Any]]:
    """``(currency, day, category_id, amount)`` of the ``kind`` amounts: whole transactions,
    and the parts of split ones (each part converts on its own)."""
    scope = [_txn.household_id == p["household"], _txn.type == kind, *where]
    whole = select(_txn.currency, _txn.date.label("day"), _txn.category_id, _txn.amount).where(
        *scope, _txn.split_count == 0
    )
    parts = (
        select(_txn.currency, _txn.date.label("day"), _split.category_id, _split.amount)
        .select_from(
            TransactionRow.__table__.join(
                TransactionSplitRow.__table__, _split.transaction_id == _txn.id
            )
        )
        .where(*scope, _txn.split_count > 0, _split.household_id == p["household"])
    )
    return whole, parts


def _category_sums_per_day(dialect: str, factors: Any, kind: str, p: Mapping[str, Any]) -> Any:
    """PostgreSQL: per ``factors`` row, that day's amounts converted and summed per
    category (two ``LATERAL`` aggregates: whole transactions, and split parts)."""
    scope = (
        _txn.household_id == p["household"],
        _txn.type == kind,
        _txn.currency == factors.c.currency,
        _txn.date == factors.c.day,
    )
    with_parts = TransactionRow.__table__.join(
        TransactionSplitRow.__table__, _split.transaction_id == _txn.id
    )
    arms = []
    for category, amount, source, only in (
        (_txn.category_id, _txn.amount, TransactionRow.__table__, _txn.split_count == 0),
        (_split.category_id, _split.amount, with_parts, _split.household_id == p["household"]),
    ):
        per_category = (
            select(
                category.label("category_id"),
                func.coalesce(func.sum(fx_converted(dialect, amount, factors)), 0).label("total"),
                func.count().label("count"),
            )
            .select_from(source)
            .where(*scope, only)
            .group_by(category)
            .lateral()
        )
        arms.append(
            select(
                factors.c.currency,
                factors.c.day,
                factors.c.rate.is_(None).label("missing"),
                per_category.c.category_id,
                per_category.c.total,
                per_category.c.count,
            ).select_from(factors.join(per_category, true()))
        )
    return union_all(*arms).subquery("sums")


def _category_sums_joined(dialect: str, factors: Any, kind: str, p: Mapping[str, Any]) -> Any:
    """SQLite: every amount of the range joined to its day's factors, summed per category
    and (currency, day)."""
    foreign = _txn.currency.in_(_foreign_currencies(p).scalar_subquery())
    in_range = (_txn.date >= p["date_from"], _txn.date <= p["date_to"])
    amounts = union_all(*_whole_and_parts(kind, p, foreign, *in_range)).subquery("amounts")
    converted = fx_converted(dialect, amounts.c.amount, factors)
    return (
        select(
            amounts.c.currency,
            amounts.c.day,
            factors.c.rate.is_(None).label("missing"),
            amounts.c.category_id,
            func.coalesce(func.sum(converted), 0).label("total"),
            func.count().label("count"),
        )
        .select_from(
            amounts.join(
                factors,
                and_(factors.c.currency == amounts.c.currency, factors.c.day == amounts.c.day),
            )
        )
        .group_by(amounts.c.currency, amounts.c.day, factors.c.rate, amounts.c.category_id)
        .subquery("sums")
    )


class SqlAlchemyFxReportReader:
    """``FxReportReader`` over SQLAlchemy: one short read-only connection per call (give it
    a read-only engine). A lost connection or a timeout becomes ``StorageUnavailableError``.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def converted_days(
        self,
        household: HouseholdId,
        target: str,
        date_from: date,
        date_to: date,
        account_id: AccountId | None,
        max_age_days: int,
    ) -> list[DayGroup]:
        exponent = ISO_4217_EXPONENTS[target]
        params = {
            "household": household,
            "target": target,
            "date_from": date_from,
            "date_to": date_to,
            "account": account_id,
        }
        rows = await self._rows(
            household,
            lambda dialect: _days_statement(
                dialect, exponent, max_age_days, account_id is not None
            ),
            params,
        )
        sums: dict[tuple[str, date], tuple[bool, int, int, int]] = {}
        for currency, day, missing, kind, total, count in rows:
            key = (currency, _as_date(day))
            _, income, expense, counted = sums.get(key, (False, 0, 0, 0))
            if kind == INCOME:
                income += int(total)
            else:
                expense += int(total)
            sums[key] = (bool(missing), income, expense, counted + int(count))
        return [
            DayGroup(
                currency,
                day,
                None if missing else income,
                None if missing else expense,
                count,
            )
            for (currency, day), (missing, income, expense, count) in sums.items()
        ]

    async def converted_categories(
        self,
        household: HouseholdId,
        target: str,
        kind: CategoryKind,
        date_from: date,
        date_to: date,
        max_age_days: int,
    ) -> list[CategoryGroup]:
        exponent = ISO_4217_EXPONENTS[target]
        params = {
            "household": household,
            "target": target,
            "date_from": date_from,
            "date_to": date_to,
        }
        rows = await self._rows(
            household,
            lambda dialect: _categories_statement(dialect, exponent, max_age_days, kind.value),
            params,
        )
        return [
            CategoryGroup(
                None if category_id is None else CategoryId(category_id),
                name,
                int(total),
                int(count),
                None if currency is None else MissingRate(currency, _as_date(day)),
            )
            for category_id, name, currency, day, total, count in rows
        ]

    async def rates_for(
        self,
        household: HouseholdId,
        target: str,
        currencies: Sequence[str],
        day: date,
        max_age_days: int,
    ) -> list[StoredRate]:
        if not currencies:
            return []
        codes = list(currencies)
        oldest = date.fromordinal(max(day.toordinal() - max_age_days, 1))
        query = select(_rate.base, _rate.quote, _rate.date, _rate.rate).where(
            _rate.household_id == household,
            or_(
                and_(_rate.base.in_(codes), _rate.quote == target),
                and_(_rate.base == target, _rate.quote.in_(codes)),
            ),
            _rate.date >= oldest,
            _rate.date <= day,
        )
        rows = await self._rows(household, lambda _dialect: query)
        return [
            StoredRate(base, quote, _as_date(on), Decimal(rate)) for base, quote, on, rate in rows
        ]

    async def _rows(
        self,
        household: HouseholdId,
        build: Callable[[str], Executable],
        params: Mapping[str, Any] | None = None,
    ) -> Sequence[Row[Any]]:
        async with translating(), self._engine.connect() as connection:
            await restrict(connection, (household,))
            statement = build(connection.dialect.name)
            return (await connection.execute(statement, params)).all()


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
