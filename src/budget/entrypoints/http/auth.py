"""Bearer authentication: every route needs an access token unless it opts out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware
from litestar.types import ASGIApp

from budget.domain.errors import AuthenticationError
from budget.domain.services.auth import Authenticate

BEARER = "BearerToken"
# OpenAPI security requirement of every route that needs an access token.
SECURED: list[dict[str, list[str]]] = [{BEARER: []}]

# Anchored: Litestar treats these as regular expressions searched anywhere in the path.
PUBLIC_PATHS = [r"^/schema(/.*)?$"]


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Resolves ``Authorization: Bearer <access token>`` to an active user.

    ``authenticate`` (given by the composition root) builds the use case for one request.
    """

    def __init__(
        self, app: ASGIApp, *, authenticate: Callable[[], Authenticate], **options: Any
    ) -> None:
        super().__init__(app, **options)
        self.authenticate = authenticate

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:  # type: ignore[type-arg]
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("A bearer access token is required.")
        user = await self.authenticate().execute(token.strip())
        return AuthenticationResult(user=user, auth=token)


def auth_middleware(authenticate: Callable[[], Authenticate]) -> DefineMiddleware:
    return DefineMiddleware(BearerAuthMiddleware, exclude=PUBLIC_PATHS, authenticate=authenticate)
