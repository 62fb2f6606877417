"""``UNSET``: the marker of a PATCH field that was not sent, as opposed to ``None``.

Shared by every change input of the domain (accounts, categories, transactions, budgets).
"""

from __future__ import annotations

from enum import Enum
from typing import Final, TypeVar

T = TypeVar("T")


class Unset(Enum):
    """The type of ``UNSET``: a PATCH field that was not sent (as opposed to ``None``)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def pick(value: T | Unset, current: T) -> T:
    """The sent value, or ``current`` when the field was not sent."""
    return current if isinstance(value, Unset) else value
