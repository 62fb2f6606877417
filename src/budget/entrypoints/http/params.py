"""Query-parameter aliases that several controllers share: paging and common filters."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

Limit = Annotated[int, Parameter(ge=1, le=500, description="Page size (1-500)")]
Offset = Annotated[int, Parameter(ge=0, description="Items to skip")]

ArchivedFilter = Annotated[
    bool | None, Parameter(description="true: archived only; false: active only; absent: all")
]
CurrencyFilter = Annotated[str | None, Parameter(description="ISO 4217 code, e.g. EUR")]
