"""The budget repository: plain-row reads, Core writes at commit (``TableWrites``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Date, Table, and_, bindparam, delete, exists, or_, select

from budget.adapters.database import RowValues, UnitSession, plain_row, plain_rows, plain_value
from budget.adapters.dialects import locks_rows
from budget.adapters.paging import ordered, page_of
from budget.adapters.scoping import in_households
from budget.adapters.tables import BudgetRow, HouseholdRow
from budget.adapters.writes import PendingWrites, TableWrites
from budget.domain.model.budget import Budget, BudgetFilters
from budget.domain.model.currency import Currency
from budget.domain.model.ids import BudgetId, CategoryId, HouseholdId
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.period import PeriodKind

BUDGETS = cast("Table", BudgetRow.__table__)
_budgets = BUDGETS.c
_SORTS: dict[str, Any] = {
    "name": _budgets.name,
    "created_at": _budgets.created_at,
    "start_date": _budgets.start_date,
}


def budget_from_row(row: RowValues) -> Budget:
    """A budget from a row of ``budgets`` (a plain row's ``_mapping``)."""
    category_id = row["category_id"]
    return Budget(
        BudgetId(row["id"]),
        HouseholdId(row["household_id"]),
        row["name"],
        None if category_id is None else CategoryId(category_id),
        Money(row["amount"], Currency.of(row["currency"])),
        PeriodKind(row["period"]),
        row["start_date"],
        row["end_date"],
        row["rollover"],
        row["alert_threshold"],
        row["created_at"],
        row["updated_at"],
    )


def budget_columns(budget: Budget) -> dict[str, Any]:
    """Every column of a budget's row."""
    return {
        "id": budget.id,
        "household_id": budget.household_id,
        "name": budget.name,
        "category_id": budget.category_id,
        "amount": budget.amount.minor,
        "currency": budget.currency.code,
        "period": budget.period.value,
        "start_date": budget.start_date,
        "end_date": budget.end_date,
        "rollover": budget.rollover,
        "alert_threshold": budget.alert_threshold,
        "created_at": budget.created_at,
        "updated_at": budget.updated_at,
    }


def _same_category(category_id: CategoryId | None) -> ColumnElement[bool]:
    if category_id is None:
        return _budgets.category_id.is_(None)
    return _budgets.category_id == category_id


def _active_on(day: date | ColumnElement[date]) -> ColumnElement[bool]:
    return and_(
        _budgets.start_date <= day, or_(_budgets.end_date.is_(None), _budgets.end_date >= day)
    )


def _filtered(scope: Sequence[HouseholdId], filters: BudgetFilters) -> list[ColumnElement[bool]]:
    conditions = [in_households(_budgets.household_id, scope)]
    if filters.category_id is not None:
        conditions.append(_budgets.category_id == filters.category_id)
    if filters.period is not None:
        conditions.append(_budgets.period == filters.period.value)
    if filters.currency is not None:
        conditions.append(_budgets.currency == filters.currency)
    if filters.active_on is not None:
        conditions.append(_active_on(filters.active_on))
    return conditions


_ACTIVE_ON = (
    select(BUDGETS)
    .where(
        _budgets.household_id.in_(bindparam("scope", expanding=True)),
        _active_on(bindparam("day", type_=Date())),
    )
    .order_by(_budgets.name, _budgets.id)
)
"""The budgets of the ``scope`` households active on ``day``, by name (built once: it runs on
every status request)."""


class SqlAlchemyBudgetRepository:
    """``BudgetRepository`` in the unit of work's session."""

    def __init__(
        self, session: UnitSession, writes: PendingWrites, *, read_only: bool = False
    ) -> None:
        self._session = session
        self._read_only = read_only
        self._rows = writes.register(TableWrites(BUDGETS, budget_columns))
        self._log = writes.observer

    def add(self, budget: Budget) -> None:
        self._rows.add(budget)

    async def get(self, scope: Sequence[HouseholdId], budget_id: BudgetId) -> Budget | None:
        statement = select(BUDGETS).where(
            _budgets.id == budget_id, in_households(_budgets.household_id, scope)
        )
        found = await plain_row(self._session, statement)
        if found is None:
            return None
        budget = budget_from_row(found._mapping)
        return budget if self._read_only else self._rows.seen(budget)

    async def delete(self, budget: Budget) -> None:
        if self._rows.forget(budget):
            return
        connection = await self._session.connection()
        await connection.execute(delete(BUDGETS).where(_budgets.id == budget.id))

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: BudgetFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[Budget]:
        conditions = _filtered(scope, filters)
        statement = ordered(
            select(BUDGETS).where(*conditions), _SORTS[sort.field], _budgets.id, sort
        )
        rows, total = await page_of(self._session, BUDGETS, statement, conditions, page)
        return Page([budget_from_row(r._mapping) for r in rows], total, page.limit, page.offset)

    async def active_on(self, scope: Sequence[HouseholdId], day: date) -> Sequence[Budget]:
        rows = await plain_rows(self._session, _ACTIVE_ON, {"scope": list(scope), "day": day})
        return [budget_from_row(row._mapping) for row in rows]

    async def active_clash(self, budget: Budget, today: date) -> bool:
        """The SQL form of ``Budget.clashes_with`` against every other budget of the household."""
        if budget.has_ended(today):
            return False
        await self._serialise_writes_of(budget.household_id)
        conditions = [
            _budgets.household_id == budget.household_id,
            _budgets.id != budget.id,
            _same_category(budget.category_id),
            _budgets.period == budget.period.value,
            _budgets.currency == budget.currency.code,
            or_(_budgets.end_date.is_(None), _budgets.end_date >= today),
            or_(_budgets.end_date.is_(None), _budgets.end_date >= budget.start_date),
        ]
        if budget.end_date is not None:
            conditions.append(_budgets.start_date <= budget.end_date)
        found = await plain_value(self._session, select(exists().where(*conditions)))
        return bool(found)

    async def _serialise_writes_of(self, household_id: HouseholdId) -> None:
        # Check-then-write: without a lock, two concurrent requests could both find no
        # clash. Locking the household's row until the end of the unit of work serialises
        # them on PostgreSQL (NO KEY UPDATE still lets rows referencing it be inserted);
        # SQLite needs nothing, as every transaction there starts with BEGIN IMMEDIATE.
        connection = await self._session.connection()
        if not locks_rows(connection.dialect.name):
            return
        await connection.execute(
            select(HouseholdRow.id)
            .where(HouseholdRow.id == household_id)
            .with_for_update(key_share=True)
        )

    async def delete_for_category(self, category_id: CategoryId) -> None:
        connection = await self._session.connection()
        result = await connection.execute(
            delete(BUDGETS)
            .where(_budgets.category_id == category_id)
            .returning(_budgets.id, _budgets.household_id)
        )
        if self._log is not None:
            for budget_id, household_id in result.all():
                self._log.removed("budget", household_id, budget_id)
