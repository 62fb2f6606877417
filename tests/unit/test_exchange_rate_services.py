"""Use cases of exchange rates over an in-memory unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from types import TracebackType
from typing import Self
from uuid import UUID

import pytest

from budget.domain.errors import PermissionDeniedError, RuleViolationError
from budget.domain.model.exchange_rate import (
    ExchangeRate,
    ExchangeRateId,
    ExchangeRateNotFoundError,
)
from budget.domain.model.household import Role
from budget.domain.model.ids import HouseholdId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.ports.exchange_rates import ExchangeRateFilters, UpsertCounts
from budget.domain.services.exchange_rates import (
    CreateExchangeRate,
    DeleteExchangeRate,
    GetExchangeRate,
    RateDraft,
    UpsertExchangeRates,
)
from tests.fakes import FakeClock, FakeIds, personal_caller

DAY = date(2026, 3, 2)
SHARED = HouseholdId(UUID(int=2))


class FakeRates:
    """Rates by id; ``upsert`` keyed by (household, base, quote, date) like the table."""

    def __init__(self, rows: dict[ExchangeRateId, ExchangeRate]) -> None:
        self.rows = rows

    def add(self, rate: ExchangeRate) -> None:
        self.rows[rate.id] = rate

    async def get(
        self, scope: Sequence[HouseholdId], rate_id: ExchangeRateId
    ) -> ExchangeRate | None:
        rate = self.rows.get(rate_id)
        return rate if rate is not None and rate.household_id in scope else None

    async def delete(self, rate: ExchangeRate) -> None:
        del self.rows[rate.id]

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: ExchangeRateFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[ExchangeRate]:
        found = [r for r in self.rows.values() if r.household_id in scope]
        return Page(found, len(found), page.limit, page.offset)

    async def upsert(self, rates: Sequence[ExchangeRate]) -> UpsertCounts:
        created = updated = 0
        for rate in rates:
            same = next(
                (
                    r
                    for r in self.rows.values()
                    if (r.household_id, r.key) == (rate.household_id, rate.key)
                ),
                None,
            )
            if same is None:
                self.rows[rate.id] = rate
                created += 1
            elif same.rate != rate.rate:
                same.rate = rate.rate
                updated += 1
        return UpsertCounts(created, updated)


class FakeRatesUnitOfWork:
    def __init__(self) -> None:
        self.stored: dict[ExchangeRateId, ExchangeRate] = {}
        self.commits = 0

    async def __aenter__(self) -> Self:
        self.exchange_rates = FakeRates({k: replace(v) for k, v in self.stored.items()})
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass

    async def commit(self) -> None:
        self.stored = self.exchange_rates.rows
        self.commits += 1


def _draft(**fields: object) -> RateDraft:
    values: dict[str, object] = {"base": "USD", "quote": "EUR", "date": DAY, "rate": "0.90"}
    return RateDraft(**(values | fields))  # type: ignore[arg-type]


async def test_a_created_rate_is_committed_in_the_callers_default_household() -> None:
    uow = FakeRatesUnitOfWork()
    caller = personal_caller(1)
    rate = await CreateExchangeRate(uow, FakeClock(), FakeIds()).execute(caller, _draft())
    assert uow.commits == 1
    assert rate.household_id == caller.default_household_id
    assert str(rate.rate) == "0.9"


async def test_a_viewer_cannot_create_a_rate_and_nothing_is_committed() -> None:
    uow = FakeRatesUnitOfWork()
    caller = personal_caller(1, h2=Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        await CreateExchangeRate(uow, FakeClock(), FakeIds()).execute(caller, _draft(), SHARED)
    assert uow.commits == 0


async def test_a_draft_lists_every_bad_field() -> None:
    uow = FakeRatesUnitOfWork()
    with pytest.raises(RuleViolationError) as raised:
        await CreateExchangeRate(uow, FakeClock(), FakeIds()).execute(
            personal_caller(1), _draft(base="usd", rate="0")
        )
    assert [p.field for p in raised.value.problems] == ["base", "rate"]


async def test_a_batch_counts_new_and_changed_rates_and_commits_once() -> None:
    uow = FakeRatesUnitOfWork()
    upsert = UpsertExchangeRates(uow, FakeClock(), FakeIds())
    caller = personal_caller(1)
    first = await upsert.execute(caller, [_draft(), _draft(base="GBP")], None)
    again = await upsert.execute(
        caller, [_draft(rate="0.9000"), _draft(base="GBP", rate="1.2")], None
    )
    assert (first, again) == (UpsertCounts(2, 0), UpsertCounts(0, 1))
    assert uow.commits == 2


async def test_a_batch_repeating_a_key_points_at_the_later_item() -> None:
    uow = FakeRatesUnitOfWork()
    with pytest.raises(RuleViolationError) as raised:
        await UpsertExchangeRates(uow, FakeClock(), FakeIds()).execute(
            personal_caller(1), [_draft(), _draft(base="GBP"), _draft(rate="1")], None
        )
    assert [p.field for p in raised.value.problems] == ["items.2.date"]
    assert uow.commits == 0


async def test_another_households_rate_is_not_found() -> None:
    uow = FakeRatesUnitOfWork()
    rate = await CreateExchangeRate(uow, FakeClock(), FakeIds()).execute(
        personal_caller(1), _draft()
    )
    with pytest.raises(ExchangeRateNotFoundError):
        await GetExchangeRate(uow).execute(personal_caller(3), rate.id)
    with pytest.raises(ExchangeRateNotFoundError):
        await DeleteExchangeRate(uow).execute(personal_caller(3), rate.id)
    assert rate.id in uow.stored
