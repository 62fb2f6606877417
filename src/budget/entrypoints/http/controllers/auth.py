"""Register, log in, refresh and log out."""

from __future__ import annotations

from litestar import Controller, Response, post
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from budget.domain.model.user import User
from budget.domain.services.auth import LogIn, LogOut, RefreshTokens, RegisterUser, Registration
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.schemas.users import (
    LoginBody,
    RefreshBody,
    RegisterBody,
    TokenPairRead,
    UserRead,
)


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/register",
        operation_id="register",
        summary="Create a user",
        exclude_from_auth=True,
        responses=problems(400, 409, 413, 422),
    )
    async def register(self, data: RegisterBody, register_user: RegisterUser) -> Response[UserRead]:
        user = await register_user.execute(
            Registration(data.email, data.password, data.display_name, data.default_currency)
        )
        return Response(
            UserRead.of(user), status_code=201, headers={"Location": "/api/v1/users/me"}
        )

    @post(
        "/login",
        operation_id="login",
        summary="Exchange e-mail and password for tokens",
        status_code=HTTP_200_OK,
        exclude_from_auth=True,
        responses=problems(400, 401, 422, 429),
    )
    async def login(self, data: LoginBody, log_in: LogIn, client_address: str) -> TokenPairRead:
        return TokenPairRead.of(await log_in.execute(data.email, data.password, client_address))

    @post(
        "/refresh",
        operation_id="refresh",
        summary="Rotate a refresh token for a new token pair",
        status_code=HTTP_200_OK,
        exclude_from_auth=True,
        responses=problems(400, 401, 422),
    )
    async def refresh(self, data: RefreshBody, refresh_tokens: RefreshTokens) -> TokenPairRead:
        return TokenPairRead.of(await refresh_tokens.execute(data.refresh_token))

    @post(
        "/logout",
        operation_id="logout",
        summary="Revoke the refresh tokens of this login",
        status_code=HTTP_204_NO_CONTENT,
        security=SECURED,
        responses=problems(400, 401, 422),
    )
    async def logout(self, data: RefreshBody, log_out: LogOut, user: User) -> None:
        await log_out.execute(user, data.refresh_token)
