"""Wire shapes of categories (msgspec).

Read-only fields (``id``, timestamps) are absent from the request structs, so sending one
is a 422.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.ids import CategoryId
from budget.domain.model.patch import UNSET, Unset
from budget.domain.services.categories import CategoryChanges, CategoryDraft
from budget.entrypoints.http.schemas.accounts import Name
from budget.entrypoints.http.schemas.common import (
    COLOR_PATTERN,
    HouseholdOut,
    HouseholdRef,
    Strict,
    Timestamp,
    category_ref,
    household_ref,
    unset,
)
from budget.entrypoints.http.schemas.paging import Page

Color = Annotated[
    str,
    msgspec.Meta(pattern=COLOR_PATTERN, description="A colour `#rrggbb`", examples=["#1a2b3c"]),
]
ParentId = Annotated[
    UUID,
    msgspec.Meta(description="A top-level category of yours, of the same kind (or null)"),
]


def changed_category(value: UUID | msgspec.UnsetType | None) -> CategoryId | Unset | None:
    return UNSET if isinstance(value, msgspec.UnsetType) else category_ref(value)


class CategoryCreate(Strict):
    name: Name
    kind: CategoryKind
    parent_id: ParentId | None = None
    color: Color | None = None
    archived: bool = False
    household_id: HouseholdRef | None = None

    def draft(self) -> CategoryDraft:
        return CategoryDraft(
            self.name,
            self.kind,
            category_ref(self.parent_id),
            self.color,
            self.archived,
            household_ref(self.household_id),
        )


class CategoryUpdate(Strict):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: CategoryKind | msgspec.UnsetType = msgspec.UNSET
    parent_id: ParentId | msgspec.UnsetType | None = msgspec.UNSET
    color: Color | msgspec.UnsetType | None = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> CategoryChanges:
        return CategoryChanges(
            name=unset(self.name),
            kind=unset(self.kind),
            parent_id=changed_category(self.parent_id),
            color=unset(self.color),
            archived=unset(self.archived),
        )


class CategoryRead(msgspec.Struct):
    id: UUID
    household_id: HouseholdOut
    name: str
    kind: CategoryKind
    parent_id: UUID | None
    color: str | None
    archived: bool
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, category: Category) -> CategoryRead:
        return cls(
            category.id,
            category.household_id,
            category.name,
            category.kind,
            category.parent_id,
            category.color,
            category.archived,
            category.created_at,
            category.updated_at,
        )


CategoryPage = Annotated[Page[CategoryRead], KwargDefinition(schema_component_key="CategoryPage")]
