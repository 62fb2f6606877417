"""The exchange-rate repository and the unit of work that holds it.

A single rate is written at commit like every row (``TableWrites``); a delete and the batch
upsert run when called, in the unit of work's transaction. The upsert is one
``INSERT ... ON CONFLICT (household_id, base, quote, date) DO UPDATE ... WHERE the rate
differs RETURNING id`` per chunk: a returned id that the batch chose is a created row,
another one an updated row, and an unchanged row returns nothing; rows go in key order, so
concurrent batches lock shared keys in one order and never deadlock.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Self, cast

from sqlalchemy import ColumnElement, Table, column, delete, select

from budget.adapters.database import RowValues, UnitSession, plain_row
from budget.adapters.dialects import changing_upsert, parameter_rows, rows_table
from budget.adapters.fx_tables import ExchangeRateRow
from budget.adapters.paging import ordered, page_of
from budget.adapters.scoping import in_households
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.adapters.writes import PendingWrites, TableWrites
from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import ExchangeRate, ExchangeRateId, Rate
from budget.domain.model.ids import HouseholdId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.ports.exchange_rates import ExchangeRateFilters, UpsertCounts

EXCHANGE_RATES = cast("Table", ExchangeRateRow.__table__)
_rates = EXCHANGE_RATES.c
_SORTS: dict[str, Any] = {"date": _rates.date}
_KEY = ("household_id", "base", "quote", "date")
_COLUMNS = ("id", *_KEY, "rate", "created_at")
UPSERT_CHUNK = 500
"""Rows per upsert statement on SQLite (7 parameters each, under its parameter limit);
PostgreSQL takes any chunk as one array per column."""


def rate_from_row(row: RowValues) -> ExchangeRate:
    """A rate from a row of ``exchange_rates``."""
    return ExchangeRate(
        ExchangeRateId(row["id"]),
        HouseholdId(row["household_id"]),
        Currency.of(row["base"]),
        Currency.of(row["quote"]),
        row["date"],
        Rate(Decimal(row["rate"])),
        row["created_at"],
    )


def rate_columns(rate: ExchangeRate) -> dict[str, Any]:
    """Every column of a rate's row (``rate`` as its normalised text)."""
    return {
        "id": rate.id,
        "household_id": rate.household_id,
        "base": rate.base.code,
        "quote": rate.quote.code,
        "date": rate.date,
        "rate": str(rate.rate),
        "created_at": rate.created_at,
    }


_ROW_COLUMNS = [column(name, EXCHANGE_RATES.c[name].type) for name in _COLUMNS]


class SqlAlchemyExchangeRateRepository:
    """``ExchangeRateRepository`` in the unit of work's session."""

    def __init__(self, session: UnitSession, writes: PendingWrites) -> None:
        self._session = session
        self._rows = writes.register(TableWrites(EXCHANGE_RATES, rate_columns))

    def add(self, rate: ExchangeRate) -> None:
        self._rows.add(rate)

    async def get(
        self, scope: Sequence[HouseholdId], rate_id: ExchangeRateId
    ) -> ExchangeRate | None:
        statement = select(EXCHANGE_RATES).where(
            in_households(_rates.household_id, scope), _rates.id == rate_id
        )
        found = await plain_row(self._session, statement)
        return None if found is None else rate_from_row(found._mapping)

    async def delete(self, rate: ExchangeRate) -> None:
        connection = await self._session.connection()
        await connection.execute(
            delete(EXCHANGE_RATES).where(
                _rates.household_id == rate.household_id, _rates.id == rate.id
            )
        )

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: ExchangeRateFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[ExchangeRate]:
        conditions: list[ColumnElement[bool]] = [in_households(_rates.household_id, scope)]
        if filters.base is not None:
            conditions.append(_rates.base == filters.base)
        if filters.quote is not None:
            conditions.append(_rates.quote == filters.quote)
        if filters.date_from is not None:
            conditions.append(_rates.date >= filters.date_from)
        if filters.date_to is not None:
            conditions.append(_rates.date <= filters.date_to)
        statement = ordered(
            select(EXCHANGE_RATES).where(*conditions), _SORTS[sort.field], _rates.id, sort
        )
        rows, total = await page_of(self._session, EXCHANGE_RATES, statement, conditions, page)
        return Page([rate_from_row(r._mapping) for r in rows], total, page.limit, page.offset)

    async def upsert(self, rates: Sequence[ExchangeRate]) -> UpsertCounts:
        if not rates:
            return UpsertCounts(0, 0)
        connection = await self._session.connection()
        dialect = connection.dialect.name
        ordered_rates = sorted(rates, key=lambda r: (r.household_id.bytes, r.key))
        rows = [tuple(rate_columns(rate).values()) for rate in ordered_rates]
        chosen = {rate.id for rate in rates}
        created = updated = 0
        for shape, params in parameter_rows(
            dialect, _ROW_COLUMNS, rows, per_statement=UPSERT_CHUNK
        ):
            source = rows_table(shape, _ROW_COLUMNS, "new_rates")
            statement = changing_upsert(
                dialect,
                EXCHANGE_RATES,
                select(*source.c),
                key=_KEY,
                replace=("rate",),
                columns=_COLUMNS,
            ).returning(_rates.id)
            for (returned,) in (await connection.execute(statement, params)).all():
                if returned in chosen:
                    created += 1
                else:
                    updated += 1
        return UpsertCounts(created, updated)


class SqlAlchemyRatesUnitOfWork(SqlAlchemyUnitOfWork):
    """The unit of work with the exchange rates beside the other repositories."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.exchange_rates = SqlAlchemyExchangeRateRepository(self._session, self._writes)
        return self
