"""The household filter every query of household-owned rows carries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, false

from budget.domain.model.ids import HouseholdId


def in_households(column: Any, scope: Sequence[HouseholdId]) -> ColumnElement[bool]:
    """``column`` is one of the ``scope`` households: ``=`` for one (the common case, and
    the plainest plan), ``IN`` for several, and no row at all for none."""
    if len(scope) == 1:
        return column == scope[0]  # type: ignore[no-any-return]
    if not scope:
        return false()
    return column.in_(scope)  # type: ignore[no-any-return]
