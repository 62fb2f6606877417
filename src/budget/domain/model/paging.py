"""Read models shared by every list: a page of items and the sort it was asked for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from budget.domain.errors import RuleViolationError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 2**31 - 1
"""The deepest offset a list accepts; far beyond any real list, and within every SQL integer."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Offset paging as the contract defines it: ``limit`` 1-500, ``offset`` 0-``MAX_OFFSET``.

    Raises:
        RuleViolationError: on the ``limit`` or ``offset`` query parameter when out of range.
    """

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise RuleViolationError.on_query("limit", f"must be between 1 and {MAX_LIMIT}")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise RuleViolationError.on_query("offset", f"must be between 0 and {MAX_OFFSET}")


@dataclass(frozen=True, slots=True)
class Sort:
    """A sort key from a resource's allow-list, ascending unless ``descending``."""

    field: str
    descending: bool = False

    @classmethod
    def parse(cls, text: str, allowed: Sequence[str]) -> Sort:
        """Read ``field`` or ``-field``; anything outside ``allowed`` is a violation."""
        descending = text.startswith("-")
        name = text[1:] if descending else text
        if name not in allowed:
            choices = ", ".join(allowed)
            raise RuleViolationError.on_query(
                "sort", f"must be one of {choices} (prefix - to reverse)"
            )
        return cls(name, descending)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list plus the total number of matches (None when not counted)."""

    items: Sequence[T]
    total: int | None
    limit: int
    offset: int | None
    next_cursor: str | None = None
