"""Categories: income or expense, optionally grouped one level under a parent."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from budget.domain.errors import RuleViolationError
from budget.domain.model.ids import CategoryId, HouseholdId

MAX_NAME_LENGTH = 100
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class CategoryKind(StrEnum):
    INCOME = "income"
    EXPENSE = "expense"


DEFAULT_CATEGORIES: tuple[tuple[CategoryKind, str], ...] = (
    (CategoryKind.INCOME, "Salary"),
    (CategoryKind.INCOME, "Other income"),
    (CategoryKind.EXPENSE, "Groceries"),
    (CategoryKind.EXPENSE, "Rent"),
    (CategoryKind.EXPENSE, "Transport"),
    (CategoryKind.EXPENSE, "Utilities"),
    (CategoryKind.EXPENSE, "Eating out"),
    (CategoryKind.EXPENSE, "Health"),
    (CategoryKind.EXPENSE, "Entertainment"),
    (CategoryKind.EXPENSE, "Other"),
)


def clean_name(raw: str, *, field: str = "name") -> str:
    """Trim a name and require 1-100 characters."""
    name = raw.strip()
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise RuleViolationError.on(field, f"must be 1 to {MAX_NAME_LENGTH} characters long")
    return name


def numbered_name(name: str, number: int) -> str:
    """``name`` with a `` (number)`` suffix, cut so that both fit in 100 characters:
    ``numbered_name("Food", 2)`` is ``"Food (2)"``."""
    suffix = f" ({number})"
    return name[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix


def clean_color(raw: str | None) -> str | None:
    """A ``#rrggbb`` colour (stored lower-case), or None."""
    if raw is None:
        return None
    if not _COLOR.match(raw):
        raise RuleViolationError.on("color", "must be a colour like #1a2b3c")
    return raw.lower()


@dataclass(eq=False, slots=True)
class Category:
    """A label for income or expenses; at most one level of parent grouping."""

    id: CategoryId
    household_id: HouseholdId
    name: str
    kind: CategoryKind
    parent_id: CategoryId | None
    color: str | None
    archived: bool
    created_at: datetime
    updated_at: datetime

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Category) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def is_top_level(self) -> bool:
        return self.parent_id is None

    def touch(self, now: datetime) -> None:
        """Record a change."""
        self.updated_at = now

    def detach(self, now: datetime) -> None:
        """Become top-level (its parent is being deleted)."""
        self.parent_id = None
        self.touch(now)

    def check_parent(self, parent: Category | None) -> None:
        """The parent must exist in this household, be of the same kind, and be top-level.

        Raises:
            RuleViolationError: on ``parent_id``.
        """
        if self.parent_id is None:
            return
        if parent is None or parent.household_id != self.household_id:
            raise RuleViolationError.on("parent_id", "must be one of your categories")
        if parent.id == self.id:
            raise RuleViolationError.on("parent_id", "a category cannot be its own parent")
        if parent.kind is not self.kind:
            raise RuleViolationError.on("parent_id", "must be a category of the same kind")
        if not parent.is_top_level:
            raise RuleViolationError.on("parent_id", "must be a top-level category")


def default_categories(
    household_id: HouseholdId, now: datetime, new_id: Callable[[], UUID]
) -> list[Category]:
    """The starter set every new user gets, each with an id from ``new_id``."""
    return [
        Category(CategoryId(new_id()), household_id, name, kind, None, None, False, now, now)
        for kind, name in DEFAULT_CATEGORIES
    ]
