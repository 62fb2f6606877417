"""The rate limiter's arithmetic: fixed 60-second windows, remaining and reset."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import pytest

from budget.domain.model.household import Caller
from budget.entrypoints.http.ratelimit import RateLimiter, client_address


class Counter:
    """A fake shared counter: remembers every (key, window) it counted."""

    def __init__(self) -> None:
        self.hits: dict[tuple[str, int], int] = {}

    async def hit(self, key: str, window_start: int, window_seconds: int) -> int:
        assert window_seconds == 60
        self.hits[key, window_start] = self.hits.get((key, window_start), 0) + 1
        return self.hits[key, window_start]


def limiter(limit: int, now: float, counter: Counter | None = None) -> RateLimiter:
    return RateLimiter(limit, (counter or Counter()).hit, clock=lambda: now)


def _headers(verdict: object) -> dict[bytes, bytes]:
    return dict(verdict.headers)  # type: ignore[attr-defined]


async def test_a_window_starts_on_a_whole_minute() -> None:
    counter = Counter()

    await limiter(10, 6_000_059.5, counter).count("k")
    await limiter(10, 6_000_060.0, counter).count("k")

    assert counter.hits == {("k", 6_000_000): 1, ("k", 6_000_060): 1}


@pytest.mark.parametrize(
    ("now", "reset"),
    [(6_000_000.0, 60), (6_000_000.2, 60), (6_000_030.0, 30), (6_000_059.9, 1)],
)
async def test_reset_is_the_whole_seconds_left_in_the_window_at_least_one(
    now: float, reset: int
) -> None:
    verdict = await limiter(10, now).count("k")

    assert verdict.reset == reset
    assert _headers(verdict)[b"ratelimit-reset"] == str(reset).encode()


async def test_remaining_counts_down_to_zero_and_never_below() -> None:
    counter = Counter()
    rate = limiter(2, 6_000_000.0, counter)

    verdicts = [await rate.count("k") for _ in range(4)]

    assert [_headers(v)[b"ratelimit-remaining"] for v in verdicts] == [b"1", b"0", b"0", b"0"]
    assert [v.allowed for v in verdicts] == [True, True, False, False]


def test_a_signed_in_caller_is_counted_by_user_id() -> None:
    user = SimpleNamespace(id=uuid4())
    caller = Caller(user=user, roles={})  # type: ignore[arg-type]

    key = limiter(1, 0).key_of({"type": "http", "user": caller, "client": ("10.0.0.1", 1)})

    assert key == f"user:{user.id}"


def test_an_anonymous_caller_is_counted_by_address() -> None:
    key = limiter(1, 0).key_of({"type": "http", "client": ("10.0.0.1", 1), "headers": []})

    assert key == "addr:10.0.0.1"


@pytest.mark.parametrize(("trusted", "address"), [(False, "10.0.0.1"), (True, "192.0.2.9")])
def test_the_forwarded_address_counts_only_when_trusted(trusted: bool, address: str) -> None:
    scope = {
        "client": ("10.0.0.1", 1),
        "headers": [(b"x-forwarded-for", b"203.0.113.5, 192.0.2.9")],
    }

    assert client_address(scope, trusted) == address  # type: ignore[arg-type]
