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


DEFERRED_JOIN_OFFSET = 1000
"""From this offset on, a page first finds the ids of its rows, then reads those rows
(``deferred_page``)."""


def deferred_page(
    statement: Select[Any], id_column: Any, key_statement: Select[Any], page: PageRequest
) -> Select[Any]:
    """``statement`` limited to the rows of one deep page, found by ``key_statement`` (the
    same conditions and order, selecting only ``id_column``).

    Skipping thousands of rows costs a walk over the index that orders them; reading whole
    rows while skipping costs a heap fetch and a deformed tuple each. So the skipping runs
    over ids alone (an index-only scan where the index covers the conditions), and only the
    page's rows are read in full, by primary key."""
    keys = key_statement.limit(page.limit).offset(page.offset).subquery("page_keys")
    return statement.join(keys, keys.c[id_column.key] == id_column)


async def page_of(
    session: UnitSession,
    table: Table,
    statement: Select[Any],
    conditions: Sequence[ColumnElement[bool]],
    page: PageRequest,
    counted: tuple[Select[Any], Mapping[str, Any]] | None = None,
    *,
    paged: bool = False,
) -> tuple[Sequence[Row[Any]], int]:
    """One page of plain rows, and the total: counted only when the page does not tell it
    (by the ``counted`` statement and its parameters when given, else by ``count(*)`` of
    ``table`` over ``conditions``). ``paged``: ``statement`` already holds the page's limit
    and offset (``deferred_page``)."""
    if not paged:
        statement = statement.limit(page.limit).offset(page.offset)
    rows = await plain_rows(session, statement)
    if page.offset == 0 and len(rows) < page.limit:
        return rows, len(rows)
    if counted is None:
        counted = (select(func.count()).select_from(table).where(*conditions), {})
    return rows, int((await plain_value(session, *counted)) or 0)
