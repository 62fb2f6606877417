"""Running a use case again when the database made it give way to a concurrent writer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from budget.domain.errors import ConcurrentChangeError

T = TypeVar("T")

ATTEMPTS = 3
"""How often a use case runs before ``ConcurrentChangeError`` reaches the caller (409)."""


async def retrying(attempt: Callable[[], Awaitable[T]]) -> T:
    """``attempt()``, run again (from scratch: it reads everything anew) while the database
    reports a deadlock or a serialisation failure, at most ``ATTEMPTS`` times.

    Only for use cases whose every attempt is one unit of work: a failed attempt wrote
    nothing.

    Raises:
        ConcurrentChangeError: the last attempt gave way too.
    """
    for remaining in range(ATTEMPTS - 1, -1, -1):
        try:
            return await attempt()
        except ConcurrentChangeError:
            if not remaining:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
