"""Use cases of a user's categories: create, read, list, change and delete them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from budget.domain.errors import ConflictError, NotFoundError, RuleViolationError
from budget.domain.model.category import (
    Category,
    CategoryKind,
    clean_color,
    clean_name,
    numbered_name,
)
from budget.domain.model.ids import CategoryId, UserId
from budget.domain.model.ledger_queries import CategoryFilters
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.ports import Clock, IdFactory, UnitOfWork


class CategoryNotFoundError(NotFoundError):
    """The category does not exist for this user."""

    title = "Category not found"


class CategoryNameTakenError(ConflictError):
    """Another category of the user has this name within (kind, parent)."""

    title = "Category name already in use"


class CategoryInUseError(ConflictError):
    """Transactions or budgets use the category, so its kind cannot change."""

    title = "Category in use"


@dataclass(frozen=True, slots=True)
class CategoryDraft:
    """A new category as the client sent it."""

    name: str
    kind: CategoryKind
    parent_id: CategoryId | None = None
    color: str | None = None
    archived: bool = False


@dataclass(frozen=True, slots=True)
class CategoryChanges:
    """The fields a PATCH sent; the others are ``UNSET`` (``None`` clears parent or colour)."""

    name: str | Unset = UNSET
    kind: CategoryKind | Unset = UNSET
    parent_id: CategoryId | Unset | None = UNSET
    color: str | Unset | None = UNSET
    archived: bool | Unset = UNSET


async def existing_category(uow: UnitOfWork, owner: UserId, category_id: CategoryId) -> Category:
    """The owner's category, or ``CategoryNotFoundError`` (also for someone else's)."""
    category = await uow.categories.get(owner, category_id)
    if category is None:
        raise CategoryNotFoundError()
    return category


async def _check_parent(uow: UnitOfWork, category: Category) -> None:
    if category.parent_id is not None:
        category.check_parent(await uow.categories.get(category.owner_id, category.parent_id))


async def _check_name_free(uow: UnitOfWork, category: Category) -> None:
    if await uow.categories.name_taken(
        category.owner_id, category.kind, category.parent_id, category.name, category.id
    ):
        raise CategoryNameTakenError(
            f"You already have a category named {category.name!r}"
            f" of kind {category.kind} at this level."
        )


class CreateCategory:
    """Create a category, top-level or under a parent of the same kind.

    Raises:
        RuleViolationError: bad name or colour; a parent that is missing, someone else's,
            of another kind or not top-level.
        CategoryNameTakenError: the name is taken within (kind, parent).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, owner: UserId, draft: CategoryDraft) -> Category:
        now = self._clock.now()
        category = Category(
            CategoryId(self._ids.new_id()),
            owner,
            clean_name(draft.name),
            draft.kind,
            draft.parent_id,
            clean_color(draft.color),
            draft.archived,
            now,
            now,
        )
        async with self._uow as uow:
            await _check_parent(uow, category)
            await _check_name_free(uow, category)
            uow.categories.add(category)
            await uow.commit()
        return category


class GetCategory:
    """Read one of the user's categories.

    Raises:
        CategoryNotFoundError: no such category for this user.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, owner: UserId, category_id: CategoryId) -> Category:
        async with self._uow as uow:
            return await existing_category(uow, owner, category_id)


class ListCategories:
    """List the user's categories, filtered, sorted and paged."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, owner: UserId, filters: CategoryFilters, page: PageRequest, sort: Sort
    ) -> Page[Category]:
        async with self._uow as uow:
            return await uow.categories.list(owner, filters, page, sort)


class UpdateCategory:
    """Change a category's name, kind, parent, colour or archived flag.

    Raises:
        CategoryNotFoundError: no such category for this user.
        RuleViolationError: bad name or colour; a bad parent; a parent for a category that
            has subcategories; a new kind for a category that has subcategories.
        CategoryInUseError: a new kind while transactions or budgets use the category.
        CategoryNameTakenError: the name is taken within (kind, parent).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, owner: UserId, category_id: CategoryId, changes: CategoryChanges
    ) -> Category:
        async with self._uow as uow:
            category = await existing_category(uow, owner, category_id)
            old_kind = category.kind
            _apply_fields(category, changes)
            if category.kind is not old_kind:
                await _check_kind_change(uow, category)
            if category.parent_id is not None and await uow.categories.children(category.id):
                raise RuleViolationError.on(
                    "parent_id", "a category with subcategories must stay top-level"
                )
            await _check_parent(uow, category)
            await _check_name_free(uow, category)
            category.touch(self._clock.now())
            await uow.commit()
        return category


def _apply_fields(category: Category, changes: CategoryChanges) -> None:
    if not isinstance(changes.name, Unset):
        category.name = clean_name(changes.name)
    if not isinstance(changes.color, Unset):
        category.color = clean_color(changes.color)
    category.kind = pick(changes.kind, category.kind)
    category.parent_id = pick(changes.parent_id, category.parent_id)
    category.archived = pick(changes.archived, category.archived)


async def _check_kind_change(uow: UnitOfWork, category: Category) -> None:
    if await uow.categories.in_use(category.id):
        raise CategoryInUseError(
            "Transactions or budgets use this category, so its kind cannot change."
        )
    if await uow.categories.children(category.id):
        raise RuleViolationError.on("kind", "cannot change while the category has subcategories")


class DeleteCategory:
    """Delete a category: its transactions become uncategorised, its budgets are removed
    and its subcategories become top-level.

    A subcategory keeps its name unless another top-level category of its kind has it (the
    deleted category itself does not count: it goes away). Then it takes the first numbered
    variant that no top-level category of its kind and none of its sibling subcategories
    has: "Food (2)", "Food (3)", ..., its name cut so that the suffix fits in 100
    characters.

    Raises:
        CategoryNotFoundError: no such category for this user.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, owner: UserId, category_id: CategoryId) -> None:
        async with self._uow as uow:
            category = await existing_category(uow, owner, category_id)
            children = await uow.categories.children(category.id)
            await _free_top_level_names(uow, category, children)
            await uow.transactions.uncategorize(category.id)
            await uow.budgets.delete_for_category(category.id)
            # The renames are written first; the row's going then detaches the children.
            await uow.categories.delete(category)
            now = self._clock.now()
            for child in children:
                child.detach(now)
            await uow.commit()


async def _free_top_level_names(
    uow: UnitOfWork, parent: Category, children: Sequence[Category]
) -> None:
    """Rename each child whose name another top-level category of its kind has."""
    reserved = {child.name for child in children}
    for child in children:
        if not await _taken_at_top_level(uow, parent, child.name):
            continue
        number = 2
        while (name := numbered_name(child.name, number)) in reserved or (
            await _taken_at_top_level(uow, parent, name)
        ):
            number += 1
        child.name = name
        reserved.add(name)


async def _taken_at_top_level(uow: UnitOfWork, parent: Category, name: str) -> bool:
    # Top-level names are unique per kind, so the parent's name belongs to the parent
    # alone, and it is about to be freed.
    return name != parent.name and await uow.categories.name_taken(
        parent.owner_id, parent.kind, None, name
    )
