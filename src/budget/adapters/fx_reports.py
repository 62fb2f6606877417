"""The converting report reader: amounts in other currencies converted by the database.

One statement per report, in three steps (ADR 0015):

1. ``amounts``: the income and expenses in currencies other than the target (the
   household's accounts say which; each one an equality probe of
   ``ix_transactions_household_type_currency_date``, which carries ``amount``, so the
   summary and the cash flow read the index alone);
2. ``factors``: per distinct (currency, day) of those amounts, the selected rate — the
   latest direct rate on or before the day within the maximum age, else the reverse
   pair's, used inverted — each one backward probe of the rates' unique key, and the
   exact factors of ``dialects.fx_factor_columns``;
3. every amount joined to its day's factors and converted on its own (rounded once, half
   to even: ``dialects.fx_converted``), summed per (currency, day) or per category. A
   (currency, day) without a rate comes back with a NULL rate: the domain leaves it out.

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
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import restrict
from budget.adapters.dialects import days_before, fx_converted, fx_factor_columns
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


def _selected(
    dialect: str, target_exponent: int, max_age: int, amounts: Any, p: Mapping[str, Any]
) -> Any:
    """Per distinct (currency, day) of ``amounts``: the selected rate (NULL: none), whether
    it is the reverse pair's, the decimals' shift and the dialect's exact factors."""
    days = select(amounts.c.currency, amounts.c.day).distinct().subquery("days")

    def latest(base: Any, quote: Any) -> Any:
        return (
            select(_rate.rate)
            .where(
                _rate.household_id == p["household"],
                _rate.base == base,
                _rate.quote == quote,
                _rate.date <= days.c.day,
                _rate.date >= days_before(dialect, days.c.day, max_age),
            )
            .order_by(_rate.date.desc())
            .limit(1)
            .scalar_subquery()
        )

    chosen = select(
        days.c.currency,
        days.c.day,
        latest(days.c.currency, p["target"]).label("direct"),
        latest(p["target"], days.c.currency).label("reverse"),
    ).subquery("chosen")
    rate = func.coalesce(chosen.c.direct, chosen.c.reverse)
    inverse = chosen.c.direct.is_(None)
    shift = _shift(target_exponent, chosen.c.currency)
    return select(
        chosen.c.currency,
        chosen.c.day,
        rate.label("rate"),
        inverse.label("inverse"),
        shift.label("shift"),
        *fx_factor_columns(dialect, rate, inverse, shift),
    ).cte("factors")


@lru_cache(maxsize=64)
def _days_statement(
    dialect: str, target_exponent: int, max_age: int, by_account: bool
) -> Select[Any]:
    p = _params()
    conditions = [
        _txn.household_id == p["household"],
        _txn.type.in_((INCOME, EXPENSE)),
        _txn.currency.in_(_foreign_currencies(p).scalar_subquery()),
        _txn.date >= p["date_from"],
        _txn.date <= p["date_to"],
    ]
    if by_account:
        conditions.append(_txn.account_id == p["account"])
    amounts = (
        select(_txn.currency, _txn.date.label("day"), _txn.type, _txn.amount)
        .where(*conditions)
        .cte("amounts")
    )
    factors = _selected(dialect, target_exponent, max_age, amounts, p)
    converted = fx_converted(dialect, amounts.c.amount, factors)

    def total(kind: str) -> ColumnElement[Any]:
        return func.coalesce(func.sum(case((amounts.c.type == kind, converted), else_=0)), 0)

    return (
        select(
            amounts.c.currency,
            amounts.c.day,
            factors.c.rate,
            total(INCOME),
            total(EXPENSE),
            func.count(),
        )
        .select_from(
            amounts.join(
                factors,
                and_(factors.c.currency == amounts.c.currency, factors.c.day == amounts.c.day),
            )
        )
        .group_by(amounts.c.currency, amounts.c.day, factors.c.rate)
    )


@lru_cache(maxsize=64)
def _categories_statement(
    dialect: str, target_exponent: int, max_age: int, kind: str
) -> Select[Any]:
    p = _params()
    scope = [
        _txn.household_id == p["household"],
        _txn.type == kind,
        _txn.currency.in_(_foreign_currencies(p).scalar_subquery()),
        _txn.date >= p["date_from"],
        _txn.date <= p["date_to"],
    ]
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
    amounts = union_all(whole, parts).cte("amounts")
    factors = _selected(dialect, target_exponent, max_age, amounts, p)
    converted = fx_converted(dialect, amounts.c.amount, factors)
    missing = factors.c.rate.is_(None)
    missing_currency = case((missing, amounts.c.currency))
    missing_day = case((missing, amounts.c.day))
    return (
        select(
            amounts.c.category_id,
            _category.name,
            missing_currency,
            missing_day,
            func.coalesce(func.sum(converted), 0),
            func.count(),
        )
        .select_from(
            amounts.join(
                factors,
                and_(factors.c.currency == amounts.c.currency, factors.c.day == amounts.c.day),
            ).outerjoin(CategoryRow.__table__, _category.id == amounts.c.category_id)
        )
        .group_by(amounts.c.category_id, _category.name, missing_currency, missing_day)
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
        return [
            DayGroup(
                currency,
                _as_date(day),
                None if rate is None else int(income),
                None if rate is None else int(expense),
                int(count),
            )
            for currency, day, rate, income, expense, count in rows
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
