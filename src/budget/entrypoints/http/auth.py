"""Bearer authentication: every route needs an access token unless it opts out."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware

from budget.domain.errors import AuthenticationError
from budget.domain.services.auth import Authenticate
from budget.entrypoints.http.dependencies import container_of

BEARER = "BearerToken"
# OpenAPI security requirement of every route that needs an access token.
SECURED: list[dict[str, list[str]]] = [{BEARER: []}]

# Anchored: Litestar treats these as regular expressions searched anywhere in the path.
PUBLIC_PATHS = [r"^/schema(/.*)?$"]


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Resolves ``Authorization: Bearer <access token>`` to an active user."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:  # type: ignore[type-arg]
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("A bearer access token is required.")
        container = container_of(connection.app.state)
        user = await Authenticate(container.read_uow(), container.codec).execute(token.strip())
        return AuthenticationResult(user=user, auth=token)


def auth_middleware() -> DefineMiddleware:
    return DefineMiddleware(BearerAuthMiddleware, exclude=PUBLIC_PATHS)
