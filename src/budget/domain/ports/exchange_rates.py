"""Ports of exchange rates: their repository, the unit of work that holds it, and the reader
that converts report sums in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Protocol, Self

from budget.domain.model.category import CategoryKind
from budget.domain.model.exchange_rate import ExchangeRate, ExchangeRateId, StoredRate
from budget.domain.model.fx_reports import CategoryGroup, DayGroup
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.ports.households import HouseholdRepository


@dataclass(frozen=True, slots=True)
class ExchangeRateFilters:
    """List filters: base and quote codes, and an inclusive date range."""

    base: str | None = None
    quote: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """What a batch upsert did: rows created, and rows whose value changed."""

    created: int
    updated: int


class ExchangeRateRepository(Protocol):
    """Rates of the households in scope; writes happen at commit, or at once for the
    set-based ``delete`` and ``upsert``."""

    def add(self, rate: ExchangeRate) -> None: ...

    async def get(
        self, scope: Sequence[HouseholdId], rate_id: ExchangeRateId
    ) -> ExchangeRate | None: ...

    async def delete(self, rate: ExchangeRate) -> None: ...

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: ExchangeRateFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[ExchangeRate]: ...

    async def upsert(self, rates: Sequence[ExchangeRate]) -> UpsertCounts:
        """Insert each rate, or replace the stored value of its (household, base, quote,
        date) when it differs; one statement per chunk, in the unit of work's transaction."""
        ...


class RatesUnitOfWork(Protocol):
    """A unit of work with the exchange rates (see ``UnitOfWork``)."""

    @property
    def exchange_rates(self) -> ExchangeRateRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class RatesImportUnitOfWork(RatesUnitOfWork, Protocol):
    """The rates' unit of work that also finds households (the operator's import names one
    by id, without a caller)."""

    @property
    def households(self) -> HouseholdRepository: ...


class FxReportReader(Protocol):
    """Report sums converted into one currency by the database, each amount at the rate of
    its own day (``exchange_rate.select_rate`` with ``max_age_days``), rounded once per
    amount, half to even. Only amounts in other currencies than ``target``: the amounts
    already in ``target`` come from the ``ReportReader``."""

    async def converted_days(
        self,
        household: HouseholdId,
        target: str,
        date_from: date,
        date_to: date,
        account_id: AccountId | None,
        max_age_days: int,
    ) -> list[DayGroup]:
        """Income and expenses (never transfers) of each other currency per day, converted
        (``None`` sums when the day has no rate), with their transaction counts."""
        ...

    async def converted_categories(
        self,
        household: HouseholdId,
        target: str,
        kind: CategoryKind,
        date_from: date,
        date_to: date,
        max_age_days: int,
    ) -> list[CategoryGroup]:
        """Converted totals and entries per category of the ``kind`` amounts in other
        currencies (a split part converts on its own); a (currency, day) without a rate
        gives a group of its own naming it."""
        ...

    async def rates_for(
        self,
        household: HouseholdId,
        target: str,
        currencies: Sequence[str],
        day: date,
        max_age_days: int,
    ) -> list[StoredRate]:
        """The stored rates between ``target`` and each of ``currencies`` (either way) dated
        from ``max_age_days`` before ``day`` to ``day``."""
        ...
