"""The category repository: plain-row reads, Core writes at commit (``TableWrites``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, delete, exists, or_, select

from budget.adapters.database import RowValues, UnitSession, plain_row, plain_rows, plain_value
from budget.adapters.paging import ordered, page_of
from budget.adapters.scoping import in_households
from budget.adapters.tables import BudgetRow, CategoryRow, TransactionRow, TransactionSplitRow
from budget.adapters.writes import PendingWrites, TableWrites
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.ledger_queries import CategoryFilters
from budget.domain.model.paging import Page, PageRequest, Sort

CATEGORIES = cast("Table", CategoryRow.__table__)
_categories = CATEGORIES.c
_SORTS: dict[str, Any] = {"name": _categories.name, "created_at": _categories.created_at}


def category_from_row(row: RowValues) -> Category:
    """A category from a row of ``categories`` (a plain row's ``_mapping``)."""
    parent_id = row["parent_id"]
    return Category(
        CategoryId(row["id"]),
        HouseholdId(row["household_id"]),
        row["name"],
        CategoryKind(row["kind"]),
        None if parent_id is None else CategoryId(parent_id),
        row["color"],
        row["archived"],
        row["created_at"],
        row["updated_at"],
    )


def category_columns(category: Category) -> dict[str, Any]:
    """Every column of a category's row."""
    return {
        "id": category.id,
        "household_id": category.household_id,
        "name": category.name,
        "kind": category.kind.value,
        "parent_id": category.parent_id,
        "color": category.color,
        "archived": category.archived,
        "created_at": category.created_at,
        "updated_at": category.updated_at,
    }


class SqlAlchemyCategoryRepository:
    """``CategoryRepository`` in the unit of work's session."""

    def __init__(
        self, session: UnitSession, writes: PendingWrites, *, read_only: bool = False
    ) -> None:
        self._session = session
        self._read_only = read_only
        self._rows = writes.register(TableWrites(CATEGORIES, category_columns))

    def _handed_out(self, row: RowValues) -> Category:
        category = category_from_row(row)
        return category if self._read_only else self._rows.seen(category)

    def add(self, category: Category) -> None:
        self._rows.add(category)

    async def get(self, scope: Sequence[HouseholdId], category_id: CategoryId) -> Category | None:
        statement = select(CATEGORIES).where(
            in_households(_categories.household_id, scope), _categories.id == category_id
        )
        found = await plain_row(self._session, statement)
        return None if found is None else self._handed_out(found._mapping)

    async def get_many(
        self, scope: Sequence[HouseholdId], category_ids: Collection[CategoryId]
    ) -> Sequence[Category]:
        if not category_ids:
            return []
        statement = select(CATEGORIES).where(
            in_households(_categories.household_id, scope),
            _categories.id.in_(sorted(category_ids)),
        )
        rows = await plain_rows(self._session, statement)
        return [self._handed_out(row._mapping) for row in rows]

    async def delete(self, category: Category) -> None:
        # Pending changes first (renamed children): the row's ON DELETE SET NULL makes its
        # children top-level at once, under the partial unique index of top-level names.
        connection = await self._session.connection()
        if self._rows.forget(category):
            return
        await self._rows.write(connection)
        await connection.execute(delete(CATEGORIES).where(_categories.id == category.id))

    async def name_taken(
        self,
        household_id: HouseholdId,
        kind: CategoryKind,
        parent_id: CategoryId | None,
        name: str,
        exclude_id: CategoryId | None = None,
    ) -> bool:
        parent = (
            _categories.parent_id.is_(None)
            if parent_id is None
            else _categories.parent_id == parent_id
        )
        condition = and_(
            _categories.household_id == household_id,
            _categories.kind == kind.value,
            _categories.name == name,
            parent,
        )
        if exclude_id is not None:
            condition = and_(condition, _categories.id != exclude_id)
        return bool(await plain_value(self._session, select(exists().where(condition))))

    async def in_use(self, category_id: CategoryId) -> bool:
        used = exists().where(TransactionRow.category_id == category_id)
        household = select(_categories.household_id).where(_categories.id == category_id)
        in_a_part = exists().where(
            TransactionSplitRow.household_id == household.scalar_subquery(),
            TransactionSplitRow.category_id == category_id,
        )
        budgeted = exists().where(BudgetRow.category_id == category_id)
        return bool(await plain_value(self._session, select(or_(used, in_a_part, budgeted))))

    async def children(self, category_id: CategoryId) -> Sequence[Category]:
        statement = select(CATEGORIES).where(_categories.parent_id == category_id)
        return [self._handed_out(r._mapping) for r in await plain_rows(self._session, statement)]

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: CategoryFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[Category]:
        conditions: list[ColumnElement[bool]] = [in_households(_categories.household_id, scope)]
        if filters.kind is not None:
            conditions.append(_categories.kind == filters.kind.value)
        if filters.parent_id is not None:
            conditions.append(_categories.parent_id == filters.parent_id)
        if filters.archived is not None:
            conditions.append(_categories.archived.is_(filters.archived))
        statement = ordered(
            select(CATEGORIES).where(*conditions), _SORTS[sort.field], _categories.id, sort
        )
        rows, total = await page_of(self._session, CATEGORIES, statement, conditions, page)
        return Page([category_from_row(r._mapping) for r in rows], total, page.limit, page.offset)
