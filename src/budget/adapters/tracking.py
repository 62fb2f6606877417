"""Remembers the aggregates a unit of work handed out, to write them back on commit.

Two kinds: entities read as ORM rows are copied back onto their row (the session's flush
writes what changed); entities read as plain rows are written with one Core ``UPDATE``
of the columns that changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession

E = TypeVar("E")
R = TypeVar("R")


def _state(entity: object) -> tuple[Any, ...]:
    """The values of an entity's fields (the domain's entities are slotted dataclasses)."""
    return tuple(getattr(entity, name) for name in entity.__slots__)  # type: ignore[attr-defined]


class Tracker:
    """The entities a unit of work handed out, each with its state when handed out;
    ``write_back`` writes every entity whose state changed since."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows: dict[int, tuple[Any, Any, Callable[[Any, Any], Any], tuple[Any, ...]]] = {}
        self._plain: dict[int, tuple[Any, Table, Callable[[Any], Mapping[str, Any]], Any]] = {}

    def seen(self, entity: E, row: R, writer: Callable[[E, R], Any]) -> E:
        """Track ``entity``, read as the ORM ``row``; ``writer`` copies it onto the row."""
        self._rows[id(entity)] = (entity, row, writer, _state(entity))
        return entity

    def seen_plain(self, entity: E, table: Table, columns: Callable[[E], Mapping[str, Any]]) -> E:
        """Track ``entity``, read as a plain row of ``table`` (keyed by ``id``);
        ``columns`` gives the values of the columns the entity may change."""
        self._plain[id(entity)] = (entity, table, columns, dict(columns(entity)))
        return entity

    def forget(self, entity: object) -> None:
        self._rows.pop(id(entity), None)
        self._plain.pop(id(entity), None)

    async def write_back(self) -> None:
        for key, (entity, row, writer, state) in self._rows.items():
            current = _state(entity)
            if current != state:
                writer(entity, row)
                self._rows[key] = (entity, row, writer, current)
        for key, (entity, table, columns, stored) in self._plain.items():
            values = dict(columns(entity))
            changed = {name: value for name, value in values.items() if stored[name] != value}
            if changed:
                connection = await self._session.connection()
                await connection.execute(
                    update(table).where(table.c.id == entity.id).values(changed)
                )
                self._plain[key] = (entity, table, columns, values)

    def clear(self) -> None:
        self._rows.clear()
        self._plain.clear()
