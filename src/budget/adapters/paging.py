"""Sorted, offset-paged lists of plain rows, shared by every repository's ``list``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, Table, func, select

from budget.adapters.database import UnitSession, plain_rows, plain_value
from budget.domain.model.paging import PageRequest, Sort


def ordered(statement: Select[Any], column: Any, id_column: Any, sort: Sort) -> Select[Any]:
    """``statement`` sorted on ``column``, ties broken on ``id_column`` in the same
    direction (so that pages never overlap)."""
    if sort.descending:
        return statement.order_by(column.desc(), id_column.desc())
    return statement.order_by(column.asc(), id_column.asc())


async def page_of(
    session: UnitSession,
    table: Table,
    statement: Select[Any],
    conditions: Sequence[ColumnElement[bool]],
    page: PageRequest,
    counted: tuple[Select[Any], Mapping[str, Any]] | None = None,
) -> tuple[Sequence[Row[Any]], int]:
    """One page of plain rows, and the total: counted only when the page does not tell it
    (by the ``counted`` statement and its parameters when given, else by ``count(*)`` of
    ``table`` over ``conditions``)."""
    rows = await plain_rows(session, statement.limit(page.limit).offset(page.offset))
    if page.offset == 0 and len(rows) < page.limit:
        return rows, len(rows)
    if counted is None:
        counted = (select(func.count()).select_from(table).where(*conditions), {})
    return rows, int((await plain_value(session, *counted)) or 0)
