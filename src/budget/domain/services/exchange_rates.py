"""Use cases of exchange rates: create, read, list, delete one, and upsert a batch, in the
caller's households (editors and owners write, viewers read)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from budget.domain.errors import FieldProblem, RuleViolationError
from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import (
    ExchangeRate,
    ExchangeRateId,
    ExchangeRateNotFoundError,
    Rate,
    RateKey,
    check_pair,
)
from budget.domain.model.household import Caller, HouseholdNotFoundError
from budget.domain.model.ids import HouseholdId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.ports import Clock, IdFactory
from budget.domain.ports.exchange_rates import (
    ExchangeRateFilters,
    RatesImportUnitOfWork,
    RatesUnitOfWork,
    UpsertCounts,
)

EXCHANGE_RATE_SORTS = ("date",)
MAX_BATCH = 1000
DUPLICATE_IN_BATCH_DETAIL = "repeats the base, quote and date of an earlier item"


@dataclass(frozen=True, slots=True)
class RateDraft:
    """A rate as a client sent it (codes and text, checked by ``build``)."""

    base: str
    quote: str
    date: date
    rate: str

    def problems(self, prefix: str = "") -> list[FieldProblem]:
        """Every invalid field of the draft, as paths under ``prefix`` (``items.3.``)."""
        found: list[FieldProblem] = []
        for name in ("base", "quote"):
            try:
                Currency.of(getattr(self, name), field=name)
            except RuleViolationError as error:
                found += [FieldProblem(prefix + p.field, p.detail) for p in error.problems]
        try:
            Rate.parse(self.rate)
        except RuleViolationError as error:
            found += [FieldProblem(prefix + p.field, p.detail) for p in error.problems]
        if not found:
            try:
                check_pair(Currency.of(self.base), Currency.of(self.quote))
            except RuleViolationError as error:
                found += [FieldProblem(prefix + p.field, p.detail) for p in error.problems]
        return found

    def build(self, rate_id: ExchangeRateId, household: HouseholdId, clock: Clock) -> ExchangeRate:
        """The entity (call only once ``problems`` is empty)."""
        return ExchangeRate(
            rate_id,
            household,
            Currency.of(self.base),
            Currency.of(self.quote),
            self.date,
            Rate.parse(self.rate),
            clock.now(),
        )


def check_drafts(drafts: Sequence[RateDraft]) -> None:
    """Every invalid item of a batch (``items.<i>.<field>``), then repeated keys.

    Raises:
        RuleViolationError: listing every problem at once.
    """
    if not 1 <= len(drafts) <= MAX_BATCH:
        raise RuleViolationError.on("items", f"must hold 1 to {MAX_BATCH} rates")
    found: list[FieldProblem] = []
    for index, draft in enumerate(drafts):
        found += draft.problems(f"items.{index}.")
    if found:
        raise RuleViolationError(*found)
    seen: set[RateKey] = set()
    for index, draft in enumerate(drafts):
        key = RateKey(draft.base, draft.quote, draft.date)
        if key in seen:
            found.append(FieldProblem(f"items.{index}.date", DUPLICATE_IN_BATCH_DETAIL))
        seen.add(key)
    if found:
        raise RuleViolationError(*found)


class CreateExchangeRate:
    """Store one rate.

    Raises:
        RuleViolationError: a bad code or rate, ``quote`` equal to ``base``; on
            ``household_id``, a household the caller is not in.
        PermissionDeniedError: the caller is a viewer of the household.
        ExchangeRateTakenError: the household has a rate for (base, quote, date).
    """

    def __init__(self, uow: RatesUnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(
        self, caller: Caller, draft: RateDraft, household_id: HouseholdId | None = None
    ) -> ExchangeRate:
        problems = draft.problems()
        if problems:
            raise RuleViolationError(*problems)
        household = caller.household_for_new(household_id)
        rate = draft.build(ExchangeRateId(self._ids.new_id()), household, self._clock)
        async with self._uow as uow:
            uow.exchange_rates.add(rate)
            await uow.commit()
        return rate


class UpsertExchangeRates:
    """Insert or replace up to 1000 rates of one household, all or nothing.

    Raises:
        RuleViolationError: bad items (``items.<i>.<field>``), a repeated (base, quote,
            date), a count outside 1-1000; on ``household_id``, a household the caller is
            not in.
        PermissionDeniedError: the caller is a viewer of the household.
    """

    def __init__(self, uow: RatesUnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(
        self, caller: Caller, drafts: Sequence[RateDraft], household_id: HouseholdId | None
    ) -> UpsertCounts:
        check_drafts(drafts)
        household = caller.household_for_new(household_id)
        rates = [
            draft.build(ExchangeRateId(self._ids.new_id()), household, self._clock)
            for draft in drafts
        ]
        async with self._uow as uow:
            counts = await uow.exchange_rates.upsert(rates)
            await uow.commit()
        return counts


async def _existing(
    uow: RatesUnitOfWork, scope: Sequence[HouseholdId], rate_id: ExchangeRateId
) -> ExchangeRate:
    rate = await uow.exchange_rates.get(scope, rate_id)
    if rate is None:
        raise ExchangeRateNotFoundError()
    return rate


class GetExchangeRate:
    """Read a rate of one of the caller's households.

    Raises:
        ExchangeRateNotFoundError: no such rate in the caller's households.
    """

    def __init__(self, uow: RatesUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, rate_id: ExchangeRateId) -> ExchangeRate:
        async with self._uow as uow:
            return await _existing(uow, caller.visible(), rate_id)


class ListExchangeRates:
    """List the rates of every household of the caller (or of ``household_id`` alone)."""

    def __init__(self, uow: RatesUnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self,
        caller: Caller,
        filters: ExchangeRateFilters,
        page: PageRequest,
        sort: Sort,
        household_id: HouseholdId | None = None,
    ) -> Page[ExchangeRate]:
        scope = caller.visible(household_id)
        if not scope:
            return Page([], 0, page.limit, page.offset)
        async with self._uow as uow:
            return await uow.exchange_rates.list(scope, filters, page, sort)


class DeleteExchangeRate:
    """Delete a rate.

    Raises:
        ExchangeRateNotFoundError: no such rate in the caller's households.
        PermissionDeniedError: the caller is a viewer of the rate's household.
    """

    def __init__(self, uow: RatesUnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, rate_id: ExchangeRateId) -> None:
        async with self._uow as uow:
            rate = await _existing(uow, caller.visible(), rate_id)
            caller.require_write(rate.household_id)
            await uow.exchange_rates.delete(rate)
            await uow.commit()


IMPORT_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class ImportedRate:
    """A rate read from line ``line`` of an import file."""

    line: int
    draft: RateDraft


class ImportExchangeRates:
    """The operator's import of a file of rates into one household: every line checked
    first (nothing is written if one is bad), then upserted in chunks of
    ``IMPORT_CHUNK`` in one unit of work, all or nothing; ``progress`` hears how many rates
    each chunk wrote.

    Raises:
        RuleViolationError: bad lines (fields ``line <n>: <field>``) or a (base, quote,
            date) on two lines.
        HouseholdNotFoundError: no such household.
    """

    def __init__(self, uow: RatesImportUnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(
        self,
        household: HouseholdId,
        rows: Sequence[ImportedRate],
        progress: Callable[[int], None] = lambda _done: None,
    ) -> UpsertCounts:
        _check_lines(rows)
        rates = [
            row.draft.build(ExchangeRateId(self._ids.new_id()), household, self._clock)
            for row in rows
        ]
        created = updated = 0
        async with self._uow as uow:
            if await uow.households.get(household) is None:
                raise HouseholdNotFoundError()
            for start in range(0, len(rates), IMPORT_CHUNK):
                chunk = rates[start : start + IMPORT_CHUNK]
                counts = await uow.exchange_rates.upsert(chunk)
                created, updated = created + counts.created, updated + counts.updated
                progress(len(chunk))
            await uow.commit()
        return UpsertCounts(created, updated)


def _check_lines(rows: Sequence[ImportedRate]) -> None:
    found: list[FieldProblem] = []
    first: dict[RateKey, int] = {}
    for row in rows:
        problems = row.draft.problems()
        found += [FieldProblem(f"line {row.line}: {p.field}", p.detail) for p in problems]
        if problems:
            continue
        key = RateKey(row.draft.base, row.draft.quote, row.draft.date)
        if key in first:
            found.append(FieldProblem(f"line {row.line}: date", f"repeats line {first[key]}"))
        first.setdefault(key, row.line)
    if found:
        raise RuleViolationError(*found)
