"""The signed-in user's profile, and user administration."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from budget.domain.model.ids import UserId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.user import User
from budget.domain.services.users import (
    USER_SORTS,
    AdminChanges,
    AdministerUser,
    ChangePassword,
    DeleteAccount,
    ListUsers,
    ProfileChanges,
    UpdateProfile,
)
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.schemas.users import (
    AdminUserPage,
    AdminUserRead,
    AdminUserUpdate,
    PasswordChange,
    ProfileUpdate,
    UserRead,
)

Limit = Annotated[int, Parameter(ge=1, le=500, description="Page size (1-500)")]
Offset = Annotated[int, Parameter(ge=0, description="Items to skip")]


class MeController(Controller):
    path = "/api/v1/users/me"
    tags = ["users"]
    security = SECURED

    @get(operation_id="getMe", summary="The signed-in user", responses=problems(401))
    async def get_me(self, user: User) -> UserRead:
        return UserRead.of(user)

    @patch(
        operation_id="updateMe",
        summary="Change display name or default currency",
        responses=problems(400, 401, 413, 422),
    )
    async def update_me(
        self, data: ProfileUpdate, user: User, update_profile: UpdateProfile
    ) -> UserRead:
        changes = ProfileChanges(
            display_name=None if data.display_name is msgspec.UNSET else data.display_name,
            set_display_name=data.display_name is not msgspec.UNSET,
            default_currency=None
            if data.default_currency is msgspec.UNSET
            else data.default_currency,
        )
        return UserRead.of(await update_profile.execute(user.id, changes))

    @post(
        "/password",
        operation_id="changePassword",
        summary="Change password (revokes every refresh token)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(400, 401, 413, 422),
    )
    async def change_password(
        self, data: PasswordChange, user: User, change_password: ChangePassword
    ) -> None:
        await change_password.execute(user.id, data.current_password, data.new_password)

    @delete(
        operation_id="deleteMe",
        summary="Delete the user and all their data",
        responses=problems(401),
    )
    async def delete_me(self, user: User, delete_account: DeleteAccount) -> None:
        await delete_account.execute(user.id)


class AdminUsersController(Controller):
    path = "/api/v1/admin/users"
    tags = ["admin"]
    security = SECURED

    @get(
        operation_id="listUsers",
        summary="List users (administrators only)",
        responses=problems(401, 403, 422),
    )
    async def list_users(
        self,
        user: User,
        list_users: ListUsers,
        limit: Limit = 50,
        offset: Offset = 0,
        sort: Annotated[
            str, Parameter(description="email, created_at; prefix - to reverse")
        ] = "created_at",
    ) -> AdminUserPage:
        page = await list_users.execute(
            user, PageRequest(limit, offset), Sort.parse(sort, USER_SORTS)
        )
        items = [AdminUserRead.of(u) for u in page.items]
        return AdminUserPage(items, page.total or 0, page.limit, page.offset or 0)

    @patch(
        "/{user_id:uuid}",
        operation_id="administerUser",
        summary="Activate, deactivate or grant admin (administrators only)",
        responses=problems(400, 401, 403, 404, 413, 422),
    )
    async def administer(
        self, user_id: UUID, data: AdminUserUpdate, user: User, administer_user: AdministerUser
    ) -> AdminUserRead:
        changes = AdminChanges(
            is_active=None if data.is_active is msgspec.UNSET else data.is_active,
            is_admin=None if data.is_admin is msgspec.UNSET else data.is_admin,
        )
        return AdminUserRead.of(await administer_user.execute(user, UserId(user_id), changes))
