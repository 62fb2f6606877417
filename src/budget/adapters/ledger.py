"""SQLAlchemy repositories of the ledger: accounts, categories, transactions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from budget.adapters.tables import CategoryRow
from budget.adapters.tracking import Tracker
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.ids import CategoryId, UserId


def category_from_row(row: CategoryRow) -> Category:
    return Category(
        CategoryId(row.id),
        UserId(row.owner_id),
        row.name,
        CategoryKind(row.kind),
        None if row.parent_id is None else CategoryId(row.parent_id),
        row.color,
        row.archived,
        row.created_at,
        row.updated_at,
    )


def category_to_row(category: Category, row: CategoryRow | None = None) -> CategoryRow:
    row = row or CategoryRow(id=category.id, owner_id=category.owner_id)
    row.name = category.name
    row.kind = category.kind.value
    row.parent_id = category.parent_id
    row.color = category.color
    row.archived = category.archived
    row.created_at = category.created_at
    row.updated_at = category.updated_at
    return row


class SqlAlchemyCategoryRepository:
    def __init__(self, session: AsyncSession, tracker: Tracker) -> None:
        self._session = session
        self._tracker = tracker

    def add(self, category: Category) -> None:
        row = category_to_row(category)
        self._session.add(row)
        self._tracker.seen(category, row, category_to_row)
