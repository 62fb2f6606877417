"""Remembers the aggregates a unit of work handed out, to write them back on commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

E = TypeVar("E")
R = TypeVar("R")


class Tracker:
    """Pairs of (entity, row, writer); ``flush_all`` copies every entity onto its row."""

    def __init__(self) -> None:
        self._pairs: dict[int, tuple[Any, Any, Callable[[Any, Any], Any]]] = {}

    def seen(self, entity: E, row: R, writer: Callable[[E, R], Any]) -> E:
        self._pairs[id(entity)] = (entity, row, writer)
        return entity

    def forget(self, entity: object) -> None:
        self._pairs.pop(id(entity), None)

    def write_back(self) -> None:
        for entity, row, writer in self._pairs.values():
            writer(entity, row)

    def clear(self) -> None:
        self._pairs.clear()
