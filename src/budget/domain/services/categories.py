"""Use cases of categories: create, read, list, change and delete them, in the caller's
households."""

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
from budget.domain.model.household import Caller
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.ledger_queries import CategoryFilters
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.ports import Clock, IdFactory, UnitOfWork
from budget.domain.services.rules import forget_category


class CategoryNotFoundError(NotFoundError):
    """The category does not exist in the caller's households."""

    title = "Category not found"


class CategoryNameTakenError(ConflictError):
    """Another category of the household has this name within (kind, parent)."""

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
    household_id: HouseholdId | None = None


@dataclass(frozen=True, slots=True)
class CategoryChanges:
    """The fields a PATCH sent; the others are ``UNSET`` (``None`` clears parent or colour)."""

    name: str | Unset = UNSET
    kind: CategoryKind | Unset = UNSET
    parent_id: CategoryId | Unset | None = UNSET
    color: str | Unset | None = UNSET
    archived: bool | Unset = UNSET


async def existing_category(
    uow: UnitOfWork, scope: Sequence[HouseholdId], category_id: CategoryId
) -> Category:
    """The category in one of the ``scope`` households, or ``CategoryNotFoundError`` (also
    for another household's)."""
    category = await uow.categories.get(scope, category_id)
    if category is None:
        raise CategoryNotFoundError()
    return category


async def _check_parent(uow: UnitOfWork, category: Category) -> None:
    if category.parent_id is not None:
        category.check_parent(
            await uow.categories.get((category.household_id,), category.parent_id)
        )


async def _check_name_free(uow: UnitOfWork, category: Category) -> None:
    if await uow.categories.name_taken(
        category.household_id, category.kind, category.parent_id, category.name, category.id
    ):
        raise CategoryNameTakenError(
            f"The household already has a category named {category.name!r}"
            f" of kind {category.kind} at this level."
        )


class CreateCategory:
    """Create a category, top-level or under a parent of the same kind.

    Raises:
        RuleViolationError: bad name or colour; a parent that is missing, in another
            household, of another kind or not top-level; on ``household_id``, a household
            the caller is not in.
        PermissionDeniedError: the caller is a viewer of the household.
        CategoryNameTakenError: the name is taken within (kind, parent).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, draft: CategoryDraft) -> Category:
        now = self._clock.now()
        name = clean_name(draft.name)
        color = clean_color(draft.color)
        category = Category(
            CategoryId(self._ids.new_id()),
            caller.household_for_new(draft.household_id),
            name,
            draft.kind,
            draft.parent_id,
            color,
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
    """Read a category of one of the caller's households.

    Raises:
        CategoryNotFoundError: no such category in the caller's households.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, category_id: CategoryId) -> Category:
        async with self._uow as uow:
            return await existing_category(uow, caller.visible(), category_id)


class ListCategories:
    """List the categories of every household of the caller (or of ``household_id``
    alone), filtered, sorted and paged."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self,
        caller: Caller,
        filters: CategoryFilters,
        page: PageRequest,
        sort: Sort,
        household_id: HouseholdId | None = None,
    ) -> Page[Category]:
        scope = caller.visible(household_id)
        if not scope:
            return Page([], 0, page.limit, page.offset)
        async with self._uow as uow:
            return await uow.categories.list(scope, filters, page, sort)


class UpdateCategory:
    """Change a category's name, kind, parent, colour or archived flag.

    Raises:
        CategoryNotFoundError: no such category in the caller's households.
        PermissionDeniedError: the caller is a viewer of the category's household.
        RuleViolationError: bad name or colour; a bad parent; a parent for a category that
            has subcategories; a new kind for a category that has subcategories.
        CategoryInUseError: a new kind while transactions or budgets use the category.
        CategoryNameTakenError: the name is taken within (kind, parent).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, caller: Caller, category_id: CategoryId, changes: CategoryChanges
    ) -> Category:
        async with self._uow as uow:
            category = await existing_category(uow, caller.visible(), category_id)
            caller.require_write(category.household_id)
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
    """Delete a category: its transactions and recurring templates (and their parts)
    become uncategorised, its budgets are removed, the rule actions that set it are dropped
    (a rule left without actions is deleted) and its subcategories become top-level.

    A subcategory keeps its name unless another top-level category of its kind has it (the
    deleted category itself does not count: it goes away). Then it takes the first numbered
    variant that no top-level category of its kind and none of its sibling subcategories
    has: "Food (2)", "Food (3)", ..., its name cut so that the suffix fits in 100
    characters.

    Raises:
        CategoryNotFoundError: no such category in the caller's households.
        PermissionDeniedError: the caller is a viewer of the category's household.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, caller: Caller, category_id: CategoryId) -> None:
        async with self._uow as uow:
            category = await existing_category(uow, caller.visible(), category_id)
            caller.require_write(category.household_id)
            children = await uow.categories.children(category.id)
            await _free_top_level_names(uow, category, children)
            await uow.transactions.uncategorize(category.id)
            await uow.budgets.delete_for_category(category.id)
            await forget_category(uow, category, self._clock.now())
            now = self._clock.now()
            for template in await uow.recurring.using_category(category.household_id, category.id):
                template.uncategorize(category.id, now)
            # The renames are written first; the row's going then detaches the children.
            await uow.categories.delete(category)
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
        parent.household_id, parent.kind, None, name
    )
