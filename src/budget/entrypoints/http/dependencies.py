"""Litestar providers: each request gets fresh use cases over a fresh unit of work.

Handlers are annotated with concrete use-case classes (never Protocols).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from budget.domain.model.user import User
from budget.domain.services.auth import LogIn, LogOut, RefreshTokens, RegisterUser
from budget.domain.services.users import (
    AdministerUser,
    ChangePassword,
    DeleteUser,
    ListUsers,
    UpdateProfile,
)
from budget.entrypoints.container import Container


def container_of(state: State) -> Container:
    container: Container = state.container
    return container


def provide_user(request: Request[User, Any, Any]) -> User:
    return request.user


def provide_client_address(request: Request[Any, Any, Any]) -> str:
    container = container_of(request.app.state)
    if container.settings.trust_forwarded_for:
        # The right-most entry is the one our own proxy appended; the left ones are
        # whatever the client chose to send.
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.client.host if request.client else "unknown"


def provide(factory: Any) -> Provide:
    return Provide(factory, sync_to_thread=False)


def from_container(build: Callable[[Container], object]) -> Provide:
    """A provider that builds a use case with ``build`` from the app's container."""

    def provider(state: State) -> object:
        return build(container_of(state))

    return provide(provider)


DEPENDENCIES: dict[str, Provide] = {
    "user": provide(provide_user),
    "client_address": provide(provide_client_address),
    "register_user": from_container(lambda c: RegisterUser(c.uow(), c.hasher, c.clock, c.ids)),
    "log_in": from_container(lambda c: LogIn(c.uow(), c.hasher, c.clock, c.issuer(), c.throttle())),
    "refresh_tokens": from_container(
        lambda c: RefreshTokens(c.uow(), c.codec, c.clock, c.issuer())
    ),
    "log_out": from_container(lambda c: LogOut(c.uow(), c.codec, c.clock)),
    "update_profile": from_container(lambda c: UpdateProfile(c.uow(), c.clock)),
    "change_password": from_container(
        lambda c: ChangePassword(c.uow(), c.hasher, c.clock, c.throttle())
    ),
    "delete_user": from_container(lambda c: DeleteUser(c.uow())),
    "list_users": from_container(lambda c: ListUsers(c.read_uow())),
    "administer_user": from_container(lambda c: AdministerUser(c.uow(), c.clock)),
}
