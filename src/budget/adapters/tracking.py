"""Remembers the aggregates a unit of work handed out, to write them back on commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")
R = TypeVar("R")


def _state(entity: object) -> tuple[Any, ...]:
    """The values of an entity's fields (the domain's entities are slotted dataclasses)."""
    return tuple(getattr(entity, name) for name in entity.__slots__)  # type: ignore[attr-defined]


class Tracker:
    """Pairs of (entity, row, writer) with the entity's state when it was handed out;
    ``write_back`` copies onto its row every entity whose state changed since."""

    def __init__(self) -> None:
        self._pairs: dict[int, tuple[Any, Any, Callable[[Any, Any], Any], tuple[Any, ...]]] = {}

    def seen(self, entity: E, row: R, writer: Callable[[E, R], Any]) -> E:
        self._pairs[id(entity)] = (entity, row, writer, _state(entity))
        return entity

    def forget(self, entity: object) -> None:
        self._pairs.pop(id(entity), None)

    def write_back(self) -> None:
        for key, (entity, row, writer, state) in self._pairs.items():
            current = _state(entity)
            if current != state:
                writer(entity, row)
                self._pairs[key] = (entity, row, writer, current)

    def clear(self) -> None:
        self._pairs.clear()
