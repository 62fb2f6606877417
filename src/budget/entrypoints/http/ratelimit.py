"""The API-wide rate limit (contract section 16): a fixed 60 s window per caller.

The caller is the signed-in user, or the client's address when there is none. The
middleware runs after authentication (it needs the user), counts the request with the
shared counter the composition root gives it (``adapters/counters.py``: database or
Redis, so every replica counts together), keeps the verdict in the request's state and
answers 429 past the limit. ``RateLimitHeaders.stamp`` (a ``before_send`` step) writes
``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` on every answer under
``/api/v1``; an answer given before the middleware ran (a 401 from authentication, a 404
or 405 from the router) is counted there, by address, so it carries them too.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from budget.domain.errors import RateLimitedError
from budget.domain.model.household import Caller

log = logging.getLogger("budget.ratelimit")

API_PREFIX = "/api/v1"
WINDOW_SECONDS = 60
STATE_KEY = "rate_limit"

HitCounter = Callable[[str, int, int], Awaitable[int]]
"""``hit(key, window_start, window_seconds)`` → the window's count so far, this hit included."""


class Verdict:
    """One request's count against the limit; ``headers`` are the three ``RateLimit-*``."""

    __slots__ = ("allowed", "headers", "reset")

    def __init__(self, limit: int, limit_header: bytes, hits: int, reset: int) -> None:
        self.allowed = hits <= limit
        self.reset = reset
        self.headers = (
            (b"ratelimit-limit", limit_header),
            (b"ratelimit-remaining", str(max(0, limit - hits)).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        )


class RateLimiter:
    """Counts a key's requests in the current fixed window with the shared counter."""

    __slots__ = ("_clock", "_hit", "_limit_header", "limit", "trust_forwarded_for")

    def __init__(
        self,
        limit: int,
        hit: HitCounter,
        *,
        trust_forwarded_for: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self._limit_header = str(limit).encode()
        self._hit = hit
        self._clock = clock
        self.trust_forwarded_for = trust_forwarded_for

    async def count(self, key: str) -> Verdict:
        now = self._clock()
        window_start = int(now) // WINDOW_SECONDS * WINDOW_SECONDS
        hits = await self._hit(key, window_start, WINDOW_SECONDS)
        # Whole seconds until the window ends, at least 1 (what Retry-After needs too).
        reset = max(1, math.ceil(window_start + WINDOW_SECONDS - now))
        return Verdict(self.limit, self._limit_header, hits, reset)

    async def safely_count(self, key: str) -> Verdict | None:
        """``count``, or None when the shared store fails: the limit fails open (the
        request goes on without ``RateLimit-*`` headers) rather than failing the API."""
        try:
            return await self.count(key)
        except Exception:
            log.warning("rate limit not counted: the shared counter failed", exc_info=True)
            return None

    def key_of(self, scope: Scope) -> str:
        caller = scope.get("user")
        if isinstance(caller, Caller):
            return f"user:{caller.user.id}"
        return f"addr:{client_address(scope, self.trust_forwarded_for)}"


def client_address(scope: Scope, trust_forwarded_for: bool) -> str:
    """The socket's peer, or the right-most ``X-Forwarded-For`` hop (our own proxy's) when
    trusted: the same rule as ``dependencies.client_address``."""
    if trust_forwarded_for:
        for name, value in scope.get("headers", ()):
            if name == b"x-forwarded-for":
                hops = [hop.strip() for hop in value.decode("latin-1").split(",") if hop.strip()]
                if hops:
                    return hops[-1]
    client = scope.get("client")
    return client[0] if client else "unknown"


def is_limited(scope: Scope) -> bool:
    return scope["type"] == ScopeType.HTTP and scope["path"].startswith(API_PREFIX)


class RateLimitMiddleware:
    """Counts every request under ``/api/v1`` (after authentication); 429 past the limit."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_limited(scope):
            verdict = await self.limiter.safely_count(self.limiter.key_of(scope))
            scope["state"][STATE_KEY] = verdict
            if verdict is not None and not verdict.allowed:
                raise RateLimitedError(
                    verdict.reset, f"Too many requests; retry in {verdict.reset} seconds."
                )
        await self.app(scope, receive, send)


def rate_limit_middleware(limiter: RateLimiter) -> DefineMiddleware:
    return DefineMiddleware(RateLimitMiddleware, limiter=limiter)


class RateLimitHeaders:
    """A ``before_send`` step: the ``RateLimit-*`` headers on every answer under ``/api/v1``."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or not is_limited(scope):
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        if STATE_KEY in state:
            verdict: Verdict | None = state[STATE_KEY]
        else:
            # Answered before the middleware ran: count it by address.
            key = f"addr:{client_address(scope, self.limiter.trust_forwarded_for)}"
            verdict = state[STATE_KEY] = await self.limiter.safely_count(key)
        if verdict is not None:
            message["headers"] = [*message.get("headers", ()), *verdict.headers]
