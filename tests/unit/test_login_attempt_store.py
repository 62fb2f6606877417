"""The in-memory store of failed logins: a sliding window per key, bounded in size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from budget.adapters import throttle
from budget.adapters.throttle import InMemoryLoginAttemptStore

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def test_an_unknown_key_has_no_failures() -> None:
    store = InMemoryLoginAttemptStore()

    assert await store.recent_failures("account:ada@example.com", T0) == []


async def test_recent_failures_are_those_after_the_start_of_the_window_in_order() -> None:
    store = InMemoryLoginAttemptStore()
    for minutes in (0, 5, 10, 15):
        await store.record_failure("k", _at(minutes))

    assert await store.recent_failures("k", since=_at(4)) == [_at(5), _at(10), _at(15)]


async def test_a_failure_exactly_at_the_start_of_the_window_has_left_it() -> None:
    store = InMemoryLoginAttemptStore()
    await store.record_failure("k", _at(0))
    await store.record_failure("k", _at(1))

    assert await store.recent_failures("k", since=_at(0)) == [_at(1)]


async def test_failures_that_left_the_window_are_pruned_for_good() -> None:
    store = InMemoryLoginAttemptStore()
    await store.record_failure("k", _at(0))
    await store.record_failure("k", _at(10))
    await store.recent_failures("k", since=_at(5))

    # Asking again with an earlier window start does not bring the pruned failure back.
    assert await store.recent_failures("k", since=_at(-60)) == [_at(10)]


async def test_a_key_whose_failures_all_left_the_window_is_dropped() -> None:
    store = InMemoryLoginAttemptStore()
    await store.record_failure("k", _at(0))

    assert await store.recent_failures("k", since=_at(1)) == []
    assert await store.recent_failures("k", since=_at(-60)) == []


async def test_keys_are_counted_separately() -> None:
    store = InMemoryLoginAttemptStore()
    await store.record_failure("account:ada@example.com", _at(1))
    await store.record_failure("client:203.0.113.7", _at(2))

    assert await store.recent_failures("account:ada@example.com", T0) == [_at(1)]
    assert await store.recent_failures("client:203.0.113.7", T0) == [_at(2)]


async def test_clearing_a_key_forgets_its_failures_only() -> None:
    store = InMemoryLoginAttemptStore()
    await store.record_failure("account:ada@example.com", _at(1))
    await store.record_failure("client:203.0.113.7", _at(1))

    await store.clear("account:ada@example.com")

    assert await store.recent_failures("account:ada@example.com", T0) == []
    assert await store.recent_failures("client:203.0.113.7", T0) == [_at(1)]


async def test_clearing_an_unknown_key_does_nothing() -> None:
    store = InMemoryLoginAttemptStore()

    await store.clear("nobody")

    assert await store.recent_failures("nobody", T0) == []


async def test_the_store_drops_the_oldest_key_instead_of_growing_past_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(throttle, "MAX_KEYS", 3)
    store = InMemoryLoginAttemptStore()
    for key in ("a", "b", "c", "d"):
        await store.record_failure(key, _at(1))

    assert await store.recent_failures("a", T0) == []
    assert [len(await store.recent_failures(k, T0)) for k in ("b", "c", "d")] == [1, 1, 1]


async def test_a_known_key_keeps_counting_when_the_store_is_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(throttle, "MAX_KEYS", 2)
    store = InMemoryLoginAttemptStore()
    await store.record_failure("a", _at(1))
    await store.record_failure("b", _at(1))

    await store.record_failure("a", _at(2))

    assert await store.recent_failures("a", T0) == [_at(1), _at(2)]
    assert await store.recent_failures("b", T0) == [_at(1)]
