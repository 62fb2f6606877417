"""The Idempotency-Key middleware with a fake store: what it keeps, releases and replays."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from budget.domain.model.idempotency import Decision
from budget.entrypoints.http.idempotency import IdempotencyMiddleware

USER = UUID(int=7)
NOW = datetime(2026, 12, 6, tzinfo=UTC)


@dataclass
class Caller:
    id: UUID = USER


@dataclass
class Outcome:
    decision: Decision
    claim: Any = None
    answer: Any = None


@dataclass
class Answer:
    status: int
    location: str | None
    content_type: str | None
    body: bytes


@dataclass
class FakeStore:
    decision: Decision = Decision.RUN
    stored: Answer | None = None
    finished: list[Answer] = field(default_factory=list)
    released: int = 0
    begun: list[tuple[UUID, str, str]] = field(default_factory=list)

    async def begin(self, user_id: UUID, key: str, fingerprint: str, now: datetime) -> Outcome:
        self.begun.append((user_id, key, fingerprint))
        return Outcome(self.decision, claim="claim", answer=self.stored)

    async def finish(self, claim: Any, answer: Answer) -> None:
        self.finished.append(answer)

    async def release(self, claim: Any) -> None:
        self.released += 1


class FakeContext:
    def __init__(self) -> None:
        self.actors: list[UUID] = []

    def act_as(self, user_id: UUID) -> Callable[[], None]:
        self.actors.append(user_id)
        return lambda: None

    def hold(self, claim: Any) -> Callable[[], None]:
        return lambda: None

    def answer(
        self, status: int, location: str | None, content_type: str | None, body: bytes
    ) -> Answer:
        return Answer(status, location, content_type, body)


def _app(status: int, calls: list[int]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(status)
        await receive()
        headers = [(b"content-type", b"application/json"), (b"location", b"/api/v1/accounts/1")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"ok":true}'})

    return app


async def _call(middleware: IdempotencyMiddleware, key: bytes | None = b"k-1") -> list[Any]:
    headers = [(b"content-type", b"application/json")]
    if key is not None:
        headers.append((b"idempotency-key", key))
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/accounts",
        "query_string": b"",
        "headers": headers,
        "user": Caller(),
    }
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b'{"name": "A"}', "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await middleware(scope, receive, send)
    return sent


def _middleware(store: FakeStore, status: int, calls: list[int]) -> IdempotencyMiddleware:
    return IdempotencyMiddleware(
        _app(status, calls), store=store, context=FakeContext(), now=lambda: NOW
    )


async def test_a_kept_answer_is_stored_then_sent() -> None:
    store, calls = FakeStore(), []

    sent = await _call(_middleware(store, 201, calls))

    assert calls == [201]
    assert store.finished == [Answer(201, "/api/v1/accounts/1", "application/json", b'{"ok":true}')]
    assert store.released == 0
    assert sent[0]["status"] == 201


async def test_a_server_error_is_not_kept() -> None:
    store, calls = FakeStore(), []

    sent = await _call(_middleware(store, 500, calls))

    assert store.finished == []
    assert store.released == 1
    assert sent[0]["status"] == 500


async def test_a_rate_limited_answer_is_not_kept() -> None:
    store, calls = FakeStore(), []

    await _call(_middleware(store, 429, calls))

    assert store.released == 1


async def test_a_replay_answers_what_was_kept_without_running() -> None:
    kept = Answer(201, "/api/v1/accounts/1", "application/json", b'{"id":1}')
    store, calls = FakeStore(Decision.REPLAY, kept), []

    sent = await _call(_middleware(store, 201, calls))

    assert calls == []
    headers = dict(sent[0]["headers"])
    assert (sent[0]["status"], headers[b"idempotent-replayed"], headers[b"location"]) == (
        201,
        b"true",
        b"/api/v1/accounts/1",
    )
    assert sent[1]["body"] == b'{"id":1}'


async def test_in_flight_is_a_409_and_mismatch_a_422_without_running() -> None:
    calls: list[int] = []
    busy = await _call(_middleware(FakeStore(Decision.IN_FLIGHT), 201, calls))
    other = await _call(_middleware(FakeStore(Decision.MISMATCH), 201, calls))

    assert calls == []
    assert (busy[0]["status"], other[0]["status"]) == (409, 422)
    assert b'"pointer":"Idempotency-Key"' in other[1]["body"]


async def test_a_malformed_key_is_a_400_before_the_store_is_asked() -> None:
    store, calls = FakeStore(), []

    sent = await _call(_middleware(store, 201, calls), key=b"two words")

    assert sent[0]["status"] == 400
    assert store.begun == []
    assert calls == []


async def test_a_write_without_a_key_runs_untouched() -> None:
    store, calls = FakeStore(), []

    sent = await _call(_middleware(store, 201, calls), key=None)

    assert calls == [201]
    assert store.begun == []
    assert sent[0]["status"] == 201
