"""Register, log in, refresh and log out."""

from __future__ import annotations

from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from budget.domain.model.user import User
from budget.domain.services.auth import LogIn, LogOut, RefreshTokens, RegisterUser, Registration
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.users import (
    LoginBody,
    RefreshBody,
    RegisterBody,
    TokenPairRead,
    UserRead,
)

ME = "/api/v1/users/me"


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/register",
        operation_id="register",
        summary="Create a user",
        exclude_from_auth=True,
        response_headers=location_header("user", ME),
        responses=problems(400, 409, 413, 422),
    )
    async def register(
        self, data: JSONBody[RegisterBody], register_user: NamedDependency[RegisterUser]
    ) -> Response[UserRead]:
        user = await register_user.execute(
            Registration(data.email, data.password, data.display_name, data.default_currency)
        )
        return created(UserRead.of(user), ME)

    @post(
        "/login",
        operation_id="login",
        summary="Exchange e-mail and password for tokens",
        status_code=HTTP_200_OK,
        exclude_from_auth=True,
        responses=problems(400, 401, 413, 422, 429),
    )
    async def login(
        self,
        data: JSONBody[LoginBody],
        log_in: NamedDependency[LogIn],
        client_address: NamedDependency[str],
    ) -> TokenPairRead:
        return TokenPairRead.of(await log_in.execute(data.email, data.password, client_address))

    @post(
        "/refresh",
        operation_id="refresh",
        summary="Rotate a refresh token for a new token pair",
        status_code=HTTP_200_OK,
        exclude_from_auth=True,
        responses=problems(400, 401, 413, 422),
    )
    async def refresh(
        self, data: JSONBody[RefreshBody], refresh_tokens: NamedDependency[RefreshTokens]
    ) -> TokenPairRead:
        return TokenPairRead.of(await refresh_tokens.execute(data.refresh_token))

    @post(
        "/logout",
        operation_id="logout",
        summary="Revoke the refresh tokens of this login",
        status_code=HTTP_204_NO_CONTENT,
        security=SECURED,
        responses=problems(400, 401, 413, 422),
    )
    async def logout(
        self,
        data: JSONBody[RefreshBody],
        log_out: NamedDependency[LogOut],
        user: NamedDependency[User],
    ) -> None:
        await log_out.execute(user, data.refresh_token)
