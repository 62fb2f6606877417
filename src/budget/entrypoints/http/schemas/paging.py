"""One list envelope for every paged resource: ``Page[T]``.

A list answers ``{"items": [...], "total": n, "limit": n, "offset": n}``. Each resource
names its page with an alias, ``AccountPage = Annotated[Page[AccountRead],
KwargDefinition(schema_component_key="AccountPage")]``, so the OpenAPI document keeps one
readable component per resource: Litestar would otherwise key a generic Struct by its full
dotted type (``Page_budget.entrypoints...AccountRead_``). ``complete_document`` titles each
such component by its name. Transactions, paged by cursor too, keep their own
``TransactionPage``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import msgspec

from budget.domain.model import paging

T = TypeVar("T")
D = TypeVar("D")


class Page(msgspec.Struct, Generic[T]):
    """One page of a list, counted by offset."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: paging.Page[D], read: Callable[[D], T]) -> Page[T]:
        """The wire page of a domain ``page``, each item shown by ``read``."""
        items = [read(item) for item in page.items]
        return cls(items, page.total or 0, page.limit, page.offset or 0)
