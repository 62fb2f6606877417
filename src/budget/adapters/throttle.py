"""The in-process store of failed logins (one replica; a shared store can replace it)."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime

MAX_KEYS = 100_000


class InMemoryLoginAttemptStore:
    """Failure times per key, pruned as they leave the window; bounded in size."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[datetime]] = defaultdict(deque)

    async def recent_failures(self, key: str, since: datetime) -> list[datetime]:
        failures = self._failures.get(key)
        if failures is None:
            return []
        while failures and failures[0] <= since:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return []
        return list(failures)

    async def record_failure(self, key: str, at: datetime) -> None:
        if key not in self._failures and len(self._failures) >= MAX_KEYS:
            # Drop the oldest key rather than grow without bound under a spraying attack.
            del self._failures[next(iter(self._failures))]
        self._failures[key].append(at)

    async def clear(self, key: str) -> None:
        self._failures.pop(key, None)
