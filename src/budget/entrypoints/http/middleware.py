"""ASGI middleware: a request id on every response, one JSON access-log line per request, and
the one logging configuration of the process (``configure_logging``: every logger of the
app, ours, Litestar's and SQLAlchemy's, writes JSON lines through the root handler)."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from budget.domain.model.household import Caller

access_log = logging.getLogger("budget.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class RequestIdMiddleware:
    """Reuses a sane incoming ``X-Request-ID`` or makes one, and notes when the request began."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            request_id_of(scope)
            scope["state"].setdefault("started", time.perf_counter())
        await self.app(scope, receive, send)


def new_request_id() -> str:
    """32 random hex digits (128 bits, the size of a UUID, without its formatting cost)."""
    return os.urandom(16).hex()


def request_id_of(scope: Scope) -> str:
    """The request's id: set by ``RequestIdMiddleware``, or made here for an answer given
    before it ran (a 404 or 405 from the router)."""
    state = scope.setdefault("state", {})
    request_id: str | None = state.get("request_id")
    if request_id is None:
        request_id = state["request_id"] = _incoming_id(scope) or new_request_id()
    return request_id


def stamp_response(log_requests: bool) -> Any:
    """A ``before_send`` hook: every answer, errors included, gets the id and a log line."""

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        request_id = request_id_of(scope)
        headers = list(message.get("headers", []))
        headers.append((b"x-request-id", request_id.encode()))
        if scope.get("method") == "OPTIONS":
            headers = _allow_every_method(headers, scope)
        message["headers"] = headers
        if log_requests:
            started = scope["state"].get("started")
            elapsed = time.perf_counter() - started if started else 0.0
            log_request(scope, message["status"], request_id, elapsed)

    return before_send


def _allow_every_method(
    headers: list[tuple[bytes, bytes]], scope: Scope
) -> list[tuple[bytes, bytes]]:
    """An OPTIONS answer's ``Allow`` names every method of its path.

    Litestar (2.25) registers a controller's handlers one at a time and makes the automatic
    OPTIONS handler with the first one's route, so it keeps that route's methods (``Allow:
    OPTIONS, POST`` where GET is served too). The app's final routes know them all.
    """
    if not any(name.lower() == b"allow" for name, _ in headers):
        return headers
    template = scope.get("path_template")
    methods = next(
        (
            route.methods
            for route in scope["app"].routes
            if isinstance(route, HTTPRoute) and route.path_format == template
        ),
        None,
    )
    if not methods:
        return headers
    allow = ", ".join(sorted(methods)).encode()
    return [(n, allow if n.lower() == b"allow" else v) for n, v in headers]


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _VALID_ID.match(text) else None
    return None


def log_request(scope: Scope, status: int, request_id: str, seconds: float) -> None:
    """One JSON access-log line: who asked what, through which route, and how it went.

    Never the query string, headers or bodies: tokens and passwords travel there. The user
    is the authenticated caller's id; the household is the one the request names (a path
    parameter or the ``household_id`` query parameter), where it names one.
    """
    client = scope.get("client")
    caller = scope.get("user")
    record: dict[str, Any] = {
        "event": "request",
        "method": scope.get("method"),
        "path": scope.get("path"),
        "route": scope.get("path_template"),
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "request_id": request_id,
        "client": client[0] if client else None,
        "user_id": str(caller.user.id) if isinstance(caller, Caller) else None,
        "household_id": _household_of(scope),
    }
    level = logging.ERROR if status >= 500 else logging.INFO
    access_log.log(level, json.dumps(record))


_HOUSEHOLD_QUERY = re.compile(rb"(?:^|&)household_id=([0-9A-Fa-f-]{32,36})(?:&|$)")


def _household_of(scope: Scope) -> str | None:
    household = scope.get("path_params", {}).get("household_id")
    if household is not None:
        return str(household)
    query: bytes = scope.get("query_string", b"")
    if b"household_id=" not in query:
        return None
    found = _HOUSEHOLD_QUERY.search(query)
    return found.group(1).decode() if found else None


class JsonFormatter(logging.Formatter):
    """Log records as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        try:
            payload = json.loads(message) if message.startswith("{") else {"message": message}
        except ValueError:
            payload = {"message": message}
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            **payload,
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
