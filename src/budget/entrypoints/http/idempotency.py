"""``Idempotency-Key`` on every authenticated write under ``/api/v1`` (contract section 11;
docs/adr/0017), and the actor of each write for the audit trail.

Runs after authentication. A write request without the header costs one context-variable
set and reset (the actor). With one: the key is checked (400), the body read and
fingerprinted (``domain.model.idempotency``), and the store claims the key or answers for
it (replay, 422 mismatch, 409 in flight). The request then runs holding the claim, its
answer is captured, and the store keeps it (committing the write it protects with it) or,
for a 5xx or 429, releases the claim; only then does the answer go out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import Any, Protocol, cast
from uuid import UUID

import msgspec
from litestar.enums import ParamType, ScopeType
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    Schema,
)
from litestar.openapi.spec import Parameter as OpenAPIParameter
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from budget.domain.errors import RuleViolationError
from budget.domain.model.idempotency import Decision, fingerprint, kept, valid_key

HEADER = b"idempotency-key"
WRITES = frozenset({"POST", "PATCH", "DELETE"})
PREFIX = "/api/v1/"
MAX_BODY = 1024 * 1024
PROBLEM_JSON = b"application/problem+json"
REQUEST_ID = "X-Request-ID"


class Answer(Protocol):
    status: int
    location: str | None
    content_type: str | None
    body: bytes


class Outcome(Protocol):
    decision: Decision
    claim: Any
    answer: Any


class IdempotencyStore(Protocol):
    """What the composition root gives the middleware (``adapters.idempotency``)."""

    async def begin(self, user_id: UUID, key: str, fingerprint: str, now: datetime) -> Any: ...

    async def finish(self, claim: Any, answer: Any) -> None: ...

    async def release(self, claim: Any) -> None: ...


class RequestContext(Protocol):
    """Sets, for the running request, who writes and which claim it holds."""

    def act_as(self, user_id: UUID) -> Callable[[], None]: ...

    def hold(self, claim: Any) -> Callable[[], None]: ...

    def answer(
        self, status: int, location: str | None, content_type: str | None, body: bytes
    ) -> Any: ...


class IdempotencyMiddleware:
    """See the module."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        store: IdempotencyStore,
        context: RequestContext,
        now: Callable[[], datetime],
    ) -> None:
        self.app, self.store, self.context, self.now = app, store, context, now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user") if scope["type"] == ScopeType.HTTP else None
        if (
            user is None
            or scope.get("method") not in WRITES
            or not scope["path"].startswith(PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        reset = self.context.act_as(user.id)
        try:
            key = _header(scope, HEADER)
            if key is None:
                await self.app(scope, receive, send)
            else:
                await self._idempotent(user.id, key, scope, receive, send)
        finally:
            reset()

    async def _idempotent(
        self, user_id: UUID, key: bytes, scope: Scope, receive: Receive, send: Send
    ) -> None:
        text = key.decode("latin-1")
        if not valid_key(text):
            detail = "Idempotency-Key must be 1-255 characters, each 0x21-0x7E"
            await _problem(send, 400, detail)
            return
        body, replay = await _read_body(receive)
        if body is None:  # over the cap: the app answers 413
            await self.app(scope, replay, send)
            return
        target = scope["path"] + (
            f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else ""
        )
        content_type = (_header(scope, b"content-type") or b"").decode("latin-1")
        digest = fingerprint(str(scope.get("method")), target, content_type, body)
        outcome = await self.store.begin(user_id, text, digest, self.now())
        if outcome.decision is Decision.MISMATCH:
            detail = "This key was used with another method, path or body"
            await _problem(send, 422, detail, pointer="Idempotency-Key")
        elif outcome.decision is Decision.IN_FLIGHT:
            await _problem(send, 409, "A request with this Idempotency-Key is still running")
        elif outcome.decision is Decision.REPLAY:
            await _replay(send, outcome.answer)
        else:
            await self._run(outcome.claim, scope, replay, send)

    async def _run(self, claim: Any, scope: Scope, receive: Receive, send: Send) -> None:
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        reset = self.context.hold(claim)
        kept_answer = False
        try:
            await self.app(scope, receive, capture)
            start = next(m for m in captured if m["type"] == "http.response.start")
            status = int(start["status"])
            if kept(status):
                headers = dict(start.get("headers", []))
                body = b"".join(
                    m.get("body", b"") for m in captured if m["type"] == "http.response.body"
                )
                location = headers.get(b"location")
                media = headers.get(b"content-type")
                answer = self.context.answer(
                    status,
                    None if location is None else location.decode("latin-1"),
                    None if media is None else media.decode("latin-1"),
                    body,
                )
                await self.store.finish(claim, answer)
                kept_answer = True
        finally:
            reset()
            if not kept_answer:
                await self.store.release(claim)
        for message in captured:
            await send(message)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value
    return None


async def _read_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """The whole body (None past the cap), and a ``receive`` that hands it on unchanged."""
    messages: list[Any] = []
    size, more = 0, True
    while more:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
        if size > MAX_BODY:
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    pending = iter(messages)

    async def replay() -> Any:
        return next(pending, None) or await receive()

    return (None if size > MAX_BODY else body), cast("Receive", replay)


async def _replay(send: Send, answer: Any) -> None:
    headers = [
        (b"idempotent-replayed", b"true"),
        (b"content-length", str(len(answer.body)).encode()),
    ]
    if answer.content_type:
        headers.append((b"content-type", answer.content_type.encode("latin-1")))
    if answer.location:
        headers.append((b"location", answer.location.encode("latin-1")))
    await _send(send, answer.status, headers, answer.body)


async def _problem(send: Send, status: int, detail: str, pointer: str | None = None) -> None:
    phrase = HTTPStatus(status).phrase
    problem: dict[str, Any] = {
        "type": f"https://budget.invalid/problems/{phrase.lower().replace(' ', '-')}",
        "title": RuleViolationError.title if status == 422 else phrase,
        "status": status,
        "detail": detail,
    }
    if pointer is not None:
        problem["errors"] = [{"pointer": pointer, "detail": detail}]
    body = msgspec.json.encode(problem)
    headers = [(b"content-type", PROBLEM_JSON), (b"content-length", str(len(body)).encode())]
    await _send(send, status, headers, body)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    start: Any = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    end: Any = {"type": "http.response.body", "body": body}
    await send(end)


KEY_DESCRIPTION = (
    "Makes the write safe to retry (contract section 11): 1-255 characters, each 0x21-0x7E"
    " (else 400). The first request with a key runs; its answer (status, body, Location) is"
    " kept for 24 hours per user and key, and the same request again gets it back with"
    " `Idempotent-Replayed: true`. The key with another method, path or body is a 422"
    " (pointer `Idempotency-Key`); while the first is still running, a 409. Answers with a"
    " 5xx or 429 are not kept."
)
_KEY_ERRORS = {
    "400": "Malformed `Idempotency-Key`, or a body that is not valid JSON",
    "409": "A request with this `Idempotency-Key` is still running (or a conflict)",
    "422": "Validation failed, or the `Idempotency-Key` was used for another request",
}


def document_idempotency(document: OpenAPI) -> OpenAPI:
    """Declare the header, its errors and ``Idempotent-Replayed`` on every authenticated
    write under ``/api/v1`` (in place)."""
    problem = OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))
    for path, item in (document.paths or {}).items():
        if not path.startswith(PREFIX):
            continue
        for method in ("post", "patch", "delete"):
            operation: Operation | None = getattr(item, method)
            if operation is None or not operation.security:
                continue
            operation.parameters = [*(operation.parameters or []), _key_parameter()]
            responses = operation.responses or {}
            for status, description in _KEY_ERRORS.items():
                responses.setdefault(
                    status,
                    OpenAPIResponse(
                        description,
                        headers={REQUEST_ID: Reference(ref=f"#/components/headers/{REQUEST_ID}")},
                        content={PROBLEM_JSON.decode(): problem},
                    ),
                )
            for status, response in responses.items():
                if status.startswith("2") and isinstance(response, OpenAPIResponse):
                    headers = response.headers or {}
                    headers["Idempotent-Replayed"] = OpenAPIHeader(
                        schema=Schema(type=OpenAPIType.STRING, enum=["true"]),
                        description="Present (true) when this is a kept answer replayed",
                    )
                    response.headers = headers
            operation.responses = responses
    return document


def _key_parameter() -> OpenAPIParameter:
    return OpenAPIParameter(
        name="Idempotency-Key",
        param_in=ParamType.HEADER,
        required=False,
        description=KEY_DESCRIPTION,
        schema=Schema(
            type=OpenAPIType.STRING, min_length=1, max_length=255, pattern="^[\\x21-\\x7E]+$"
        ),
    )
