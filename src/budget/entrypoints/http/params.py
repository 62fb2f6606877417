"""Query-parameter aliases that several controllers share: paging and common filters.

Every string parameter carries a pattern that at least refuses NUL (PostgreSQL cannot take
one) or is an enum, and every integer a range, so bad input is a 422 on the parameter,
never a 500.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar.params import Parameter

from budget.domain.model.paging import MAX_LIMIT, MAX_OFFSET
from budget.entrypoints.http.schemas.common import CurrencyCode

Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description=f"Page size (1-{MAX_LIMIT})")]
Offset = Annotated[
    int, Parameter(ge=0, le=MAX_OFFSET, description=f"Items to skip (0-{MAX_OFFSET})")
]


def sort_parameter(description: str) -> Any:
    """A ``sort`` parameter's definition; its type is the resource's enum from ``sorts``."""
    return Parameter(description=description)


ArchivedFilter = Annotated[
    bool | None, Parameter(description="true: archived only; false: active only; absent: all")
]
CurrencyFilter = Annotated[
    CurrencyCode | None, Parameter(description="ISO 4217 code, upper case, e.g. EUR")
]
HouseholdFilter = Annotated[
    UUID | None,
    Parameter(description="Only this household's; one you are not a member of gives an empty list"),
]
ReportHousehold = Annotated[
    UUID | None,
    Parameter(
        description="The household reported on (default: your default household); one you"
        " are not a member of is a 404"
    ),
]
