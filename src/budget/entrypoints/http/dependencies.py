"""Litestar providers of the HTTP layer itself: the signed-in caller (the user with their roles
in their households) and the client's address.

The use-case providers are wired by the composition root (``budget.entrypoints.app``),
which alone knows the adapters. Handlers are annotated with concrete use-case classes
(never Protocols); every provider is synchronous and runs inline (``sync_to_thread=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.di import Provide

from budget.domain.model.household import Caller
from budget.domain.model.user import User


def provide(factory: Callable[..., Any]) -> Provide:
    """A provider that runs ``factory`` inline on the event loop (it must not block)."""
    return Provide(factory, sync_to_thread=False)


def provide_caller(request: Request[Caller, Any, Any]) -> Caller:
    return request.user


def provide_user(request: Request[Caller, Any, Any]) -> User:
    return request.user.user


def client_address(trust_forwarded_for: bool) -> Callable[[Request[Any, Any, Any]], str]:
    """The client's address: the socket's peer, or our own proxy's ``X-Forwarded-For`` hop."""

    def provide_client_address(request: Request[Any, Any, Any]) -> str:
        if trust_forwarded_for:
            # The right-most entry is the one our own proxy appended; the left ones are
            # whatever the client chose to send.
            forwarded = request.headers.get("x-forwarded-for", "")
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            if hops:
                return hops[-1]
        return request.client.host if request.client else "unknown"

    return provide_client_address


def request_dependencies(*, trust_forwarded_for: bool) -> dict[str, Provide]:
    """``caller``, ``user`` and ``client_address``, for any handler that asks for them."""
    return {
        "caller": provide(provide_caller),
        "user": provide(provide_user),
        "client_address": provide(client_address(trust_forwarded_for)),
    }
