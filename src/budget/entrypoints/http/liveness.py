"""The liveness probe's own lane: ``GET /up`` answered before the framework runs.

Load balancers and orchestrators ask ``/up`` every few seconds per replica; the answer is
a constant, so it needs no routing, dependency injection or serialisation. ``LivenessLane``
wraps the Litestar app and answers exactly what ``HealthController.up`` answers (the
same status, body and headers, the request id included), and hands every other request
(``/up`` with another method or an ``Origin`` header, which CORS may have to answer, too)
to the app unchanged. ``HealthController.up`` stays the route the OpenAPI document
describes and the answer a test compares with (docs/adr/0008).
"""

from __future__ import annotations

import time

import msgspec
from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from budget.entrypoints.http.metrics import RequestMetrics
from budget.entrypoints.http.middleware import log_request, request_id_of

PATH = "/up"
BODY = msgspec.json.encode({"status": "ok"})
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


class LivenessLane:
    """Answers ``GET /up`` itself; everything else goes to ``app``."""

    def __init__(
        self, app: ASGIApp, *, log_requests: bool, metrics: RequestMetrics | None = None
    ) -> None:
        self.app = app
        self.log_requests = log_requests
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_liveness_probe(scope):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 200,
            "headers": [*_HEADERS, (b"x-request-id", request_id.encode())],
        }
        body: HTTPResponseBodyEvent = {
            "type": "http.response.body",
            "body": BODY,
            "more_body": False,
        }
        await send(start)
        await send(body)
        if self.metrics is not None:
            self.metrics.observe("GET", PATH, 200, time.perf_counter() - started)
        if self.log_requests:
            log_request(scope, 200, request_id, time.perf_counter() - started)


def _is_liveness_probe(scope: Scope) -> bool:
    if scope["type"] != ScopeType.HTTP or scope["path"] != PATH or scope["method"] != "GET":
        return False
    return not any(name == b"origin" for name, _ in scope["headers"])
