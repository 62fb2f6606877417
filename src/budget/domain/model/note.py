"""The free-text side of a transaction: description, payee and tags, and their rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from budget.domain.errors import RuleViolationError

MAX_DESCRIPTION_LENGTH = 500
MAX_PAYEE_LENGTH = 200
MAX_TAGS = 20
MAX_TAG_LENGTH = 50


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Trim tags, drop repeats (first one wins), and require 1-50 characters each, at most 20.

    Raises:
        RuleViolationError: on ``tags``.
    """
    cleaned: list[str] = []
    for raw in tags:
        tag = raw.strip()
        if not is_valid_tag(tag):
            raise RuleViolationError.on(
                "tags", f"each tag must be 1 to {MAX_TAG_LENGTH} characters"
            )
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise RuleViolationError.on("tags", f"must hold at most {MAX_TAGS} tags")
    return tuple(cleaned)


def is_valid_tag(tag: str) -> bool:
    """Whether ``tag`` (already trimmed) has an allowed length."""
    return 1 <= len(tag) <= MAX_TAG_LENGTH


@dataclass(frozen=True, slots=True)
class Note:
    """The free-text side of a transaction: description, payee and tags.

    Description and payee are kept as sent (no trimming); tags are cleaned by ``of``.

    Raises:
        RuleViolationError: on ``description`` (over 500), ``payee`` (over 200) or ``tags``.
    """

    description: str = ""
    payee: str = ""
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.description) > MAX_DESCRIPTION_LENGTH:
            raise RuleViolationError.on(
                "description", f"must be at most {MAX_DESCRIPTION_LENGTH} characters"
            )
        if len(self.payee) > MAX_PAYEE_LENGTH:
            raise RuleViolationError.on("payee", f"must be at most {MAX_PAYEE_LENGTH} characters")
        if clean_tags(self.tags) != self.tags:
            raise RuleViolationError.on("tags", "must be trimmed and without repeats")

    @classmethod
    def of(cls, description: str, payee: str, tags: Iterable[str]) -> Note:
        """A note with its tags cleaned (see ``clean_tags``)."""
        return cls(description, payee, clean_tags(tags))
