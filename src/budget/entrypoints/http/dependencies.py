"""Litestar providers: each request gets fresh use cases over a fresh unit of work.

Handlers are annotated with concrete use-case classes (never Protocols).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from budget.domain.model.user import User
from budget.domain.services.auth import LogIn, LogOut, RefreshTokens, RegisterUser
from budget.domain.services.users import (
    AdministerUser,
    ChangePassword,
    DeleteAccount,
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


def _register(state: State) -> RegisterUser:
    c = container_of(state)
    return RegisterUser(c.uow(), c.hasher, c.clock, c.ids)


def _login(state: State) -> LogIn:
    c = container_of(state)
    return LogIn(c.uow(), c.hasher, c.clock, c.issuer(), c.throttle())


def _refresh(state: State) -> RefreshTokens:
    c = container_of(state)
    return RefreshTokens(c.uow(), c.codec, c.clock, c.issuer())


def _logout(state: State) -> LogOut:
    c = container_of(state)
    return LogOut(c.uow(), c.codec, c.clock)


def _update_profile(state: State) -> UpdateProfile:
    c = container_of(state)
    return UpdateProfile(c.uow(), c.clock)


def _change_password(state: State) -> ChangePassword:
    c = container_of(state)
    return ChangePassword(c.uow(), c.hasher, c.clock)


def _delete_account(state: State) -> DeleteAccount:
    return DeleteAccount(container_of(state).uow())


def _list_users(state: State) -> ListUsers:
    return ListUsers(container_of(state).read_uow())


def _administer_user(state: State) -> AdministerUser:
    c = container_of(state)
    return AdministerUser(c.uow(), c.clock)


def provide(factory: Any) -> Provide:
    return Provide(factory, sync_to_thread=False)


DEPENDENCIES: dict[str, Provide] = {
    "user": provide(provide_user),
    "client_address": provide(provide_client_address),
    "register_user": provide(_register),
    "log_in": provide(_login),
    "refresh_tokens": provide(_refresh),
    "log_out": provide(_logout),
    "update_profile": provide(_update_profile),
    "change_password": provide(_change_password),
    "delete_account": provide(_delete_account),
    "list_users": provide(_list_users),
    "administer_user": provide(_administer_user),
}
