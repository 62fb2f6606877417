"""Use cases of exports (contract section 12): the transactions of the caller's households as
a stream of pages, and a household's full backup, section by section.

Both read in pages, each page in a unit of work of its own (a short read, never the whole
ledger in memory, no connection held while a slow client downloads): transactions by keyset
in the requested order, so pages never overlap or skip even as the list grows. The answer
is therefore not one snapshot: a transaction written while an export runs may or may not be
in it, like a list walked page by page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from budget.domain.model.account import Account
from budget.domain.model.budget import Budget, BudgetFilters
from budget.domain.model.category import Category
from budget.domain.model.exchange_rate import ExchangeRate
from budget.domain.model.household import Action, Caller, Household, Role
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId
from budget.domain.model.ledger_queries import (
    AccountFilters,
    CategoryFilters,
    Keyset,
    TransactionFilters,
    sort_value,
)
from budget.domain.model.paging import MAX_LIMIT, Page, PageRequest, Sort
from budget.domain.model.recurring_template import RecurringTransaction
from budget.domain.model.rule import Rule
from budget.domain.model.transaction import Transaction
from budget.domain.ports import Clock, UnitOfWork
from budget.domain.ports.exchange_rates import ExchangeRateFilters, RatesUnitOfWork
from budget.domain.services.households import existing_household

EXPORT_PAGE_SIZE = MAX_LIMIT
"""Transactions read per round trip (and held in memory at once) by an export."""

T = TypeVar("T")


async def _every(fetch: Callable[[PageRequest], Awaitable[Page[T]]]) -> list[T]:
    """Every item of an offset-paged list (accounts, categories, budgets, rules, recurring
    templates: small)."""
    found: list[T] = []
    while True:
        page = await fetch(PageRequest(MAX_LIMIT, len(found)))
        found += page.items
        if len(page.items) < MAX_LIMIT:
            return found


async def transaction_pages(
    uow: UnitOfWork,
    scope: Sequence[HouseholdId],
    filters: TransactionFilters,
    sort: Sort,
    size: int = EXPORT_PAGE_SIZE,
) -> AsyncIterator[Sequence[Transaction]]:
    """The matching transactions of ``scope`` in ``sort`` order, ``size`` at a time, each
    page read in its own short unit of work (keyset paging after the first page)."""
    if not scope:
        return
    async with uow:
        items: Sequence[Transaction] = (
            await uow.transactions.list(scope, filters, sort, PageRequest(size))
        ).items
    while items:
        yield items
        if len(items) < size:
            return
        last = items[-1]
        after = Keyset(sort_value(last, sort.field), last.id)
        async with uow:
            items = await uow.transactions.list_after(scope, filters, sort, after, size)


@dataclass(frozen=True, slots=True)
class TransactionExport:
    """What a transaction export covers, with the names its rows print."""

    scope: tuple[HouseholdId, ...]
    filters: TransactionFilters
    sort: Sort
    accounts: Mapping[AccountId, Account]
    categories: Mapping[CategoryId, Category]


class ExportTransactions:
    """Export the transactions of every household of the caller (or of ``household_id``
    alone) that match the list's filters, in the list's order.

    Raises:
        HouseholdNotFoundError: ``household_id`` is not one of the caller's households.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def prepare(
        self,
        caller: Caller,
        filters: TransactionFilters,
        sort: Sort,
        household_id: HouseholdId | None = None,
    ) -> TransactionExport:
        """Check the request and read the names of the accounts and categories (one unit
        of work); the rows follow from ``pages``."""
        if household_id is not None:
            caller.require(household_id, Action.READ)
        return await self.prepare_for(caller.visible(household_id), filters, sort)

    async def prepare_for(
        self, scope: Sequence[HouseholdId], filters: TransactionFilters, sort: Sort
    ) -> TransactionExport:
        """``prepare`` for households already authorised (the operator's CLI)."""
        scope = tuple(scope)
        async with self._uow as uow:
            accounts = await _every(
                lambda page: uow.accounts.list(scope, AccountFilters(), page, Sort("created_at"))
            )
            categories = await _every(
                lambda page: uow.categories.list(scope, CategoryFilters(), page, Sort("created_at"))
            )
        return TransactionExport(
            scope,
            filters,
            sort,
            {a.id: a for a in accounts},
            {c.id: c for c in categories},
        )

    def pages(self, export: TransactionExport) -> AsyncIterator[Sequence[Transaction]]:
        return transaction_pages(self._uow, export.scope, export.filters, export.sort)


@dataclass(frozen=True, slots=True)
class HouseholdSnapshot:
    """The small sections of a household's backup, read in one unit of work."""

    household: Household
    role: Role
    exported_at: datetime
    accounts: Sequence[Account]
    categories: Sequence[Category]
    budgets: Sequence[Budget]
    rules: Sequence[Rule]
    transaction_count: int
    recurring: Sequence[RecurringTransaction] = ()


class ExportHousehold:
    """A household's full backup (owners only): the household and every account, category,
    budget, rule and recurring template as one read, then its transactions page by page,
    then its exchange rates page by page (from ``rates``, their own unit of work).

    Raises:
        HouseholdNotFoundError: the caller is not a member (or no such household).
        PermissionDeniedError: a member who is not an owner.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, rates: RatesUnitOfWork | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._rates = rates

    async def execute(self, caller: Caller, household_id: HouseholdId | None) -> HouseholdSnapshot:
        chosen = caller.default_household_id if household_id is None else household_id
        role = caller.require(chosen, Action.MANAGE)
        return await self.snapshot(chosen, role)

    async def snapshot(
        self, household_id: HouseholdId, role: Role = Role.OWNER
    ) -> HouseholdSnapshot:
        """The small sections, for a household already authorised (the operator's CLI).

        Raises:
            HouseholdNotFoundError: no such household.
        """
        scope = (household_id,)
        async with self._uow as uow:
            household = await existing_household(uow, household_id)
            accounts = await _every(
                lambda page: uow.accounts.list(scope, AccountFilters(), page, Sort("created_at"))
            )
            categories = await _every(
                lambda page: uow.categories.list(scope, CategoryFilters(), page, Sort("created_at"))
            )
            budgets = await _every(
                lambda page: uow.budgets.list(scope, BudgetFilters(), page, Sort("created_at"))
            )
            rules = await _every(lambda page: uow.rules.list(scope, page, Sort("priority")))
            recurring = await _every(
                lambda page: uow.recurring.list(scope, page, Sort("created_at"))
            )
            counted = await uow.transactions.list(
                scope, TransactionFilters(), Sort("date"), PageRequest(1)
            )
        return HouseholdSnapshot(
            household,
            role,
            self._clock.now(),
            accounts,
            categories,
            budgets,
            rules,
            counted.total or 0,
            recurring,
        )

    def transactions(self, household_id: HouseholdId) -> AsyncIterator[Sequence[Transaction]]:
        """The household's transactions, oldest date first, a page at a time."""
        return transaction_pages(self._uow, (household_id,), TransactionFilters(), Sort("date"))

    async def exchange_rates(
        self, household_id: HouseholdId, size: int = EXPORT_PAGE_SIZE
    ) -> AsyncIterator[Sequence[ExchangeRate]]:
        """The household's exchange rates, oldest date first, ``size`` at a time, each page
        read in its own short unit of work (none without ``rates``)."""
        if self._rates is None:
            return
        rates, scope, offset = self._rates, (household_id,), 0
        while True:
            async with rates:
                page = await rates.exchange_rates.list(
                    scope, ExchangeRateFilters(), PageRequest(size, offset), Sort("date")
                )
            if page.items:
                yield page.items
            if len(page.items) < size:
                return
            offset += len(page.items)
