"""The signed-in user's profile, and user administration."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from budget.domain.model.ids import UserId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.user import User
from budget.domain.services.users import (
    USER_SORTS,
    AdministerUser,
    ChangePassword,
    DeleteUser,
    ListUsers,
    UpdateProfile,
)
from budget.entrypoints.http import sorts
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import Limit, Offset, sort_parameter
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.schemas.users import (
    AdminUserPage,
    AdminUserRead,
    AdminUserUpdate,
    PasswordChange,
    ProfileUpdate,
    UserRead,
)

UPDATE_ME_DESCRIPTION = """\
Change the sent fields only. `default_household_id` may be any household you are a member
of, whatever your role (else 422 on `#/default_household_id`).
"""

DELETE_ME_DESCRIPTION = """\
Delete your user. Households where you are the only member are deleted with their data;
your other memberships, and the pending invitations addressed to your e-mail address, are
removed. If you are the last owner of a household that has other members, 409: make
someone else an owner first.
"""


class MeController(Controller):
    path = "/api/v1/users/me"
    tags = ["users"]
    security = SECURED

    @get(operation_id="getMe", summary="The signed-in user", responses=problems(401))
    async def get_me(self, user: NamedDependency[User]) -> UserRead:
        return UserRead.of(user)

    @patch(
        operation_id="updateMe",
        summary="Change display name, default currency or default household",
        description=UPDATE_ME_DESCRIPTION,
        responses=problems(400, 401, 413, 422),
    )
    async def update_me(
        self,
        data: JSONBody[ProfileUpdate],
        user: NamedDependency[User],
        update_profile: NamedDependency[UpdateProfile],
    ) -> UserRead:
        return UserRead.of(await update_profile.execute(user.id, data.changes()))

    @post(
        "/password",
        operation_id="changePassword",
        summary="Change password (revokes every refresh token)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(400, 401, 413, 422),
    )
    async def change_password(
        self,
        data: JSONBody[PasswordChange],
        user: NamedDependency[User],
        change_password: NamedDependency[ChangePassword],
    ) -> None:
        await change_password.execute(user.id, data.current_password, data.new_password)

    @delete(
        operation_id="deleteMe",
        summary="Delete the user and all their data",
        description=DELETE_ME_DESCRIPTION,
        responses=problems(401, 409),
    )
    async def delete_me(
        self, user: NamedDependency[User], delete_user: NamedDependency[DeleteUser]
    ) -> None:
        await delete_user.execute(user.id)


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
        user: NamedDependency[User],
        list_users: NamedDependency[ListUsers],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: Annotated[
            sorts.UserSort,
            sort_parameter("email or created_at; prefix - to reverse (default created_at)"),
        ] = sorts.USERS_BY_DEFAULT,
    ) -> AdminUserPage:
        page = await list_users.execute(
            user, PageRequest(limit, offset), Sort.parse(sort, USER_SORTS)
        )
        return Page.of(page, AdminUserRead.of)

    @patch(
        "/{user_id:uuid}",
        operation_id="administerUser",
        summary="Activate, deactivate or grant admin (administrators only)",
        responses=problems(400, 401, 403, 404, 413, 422),
    )
    async def administer(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[AdminUserUpdate],
        user: NamedDependency[User],
        administer_user: NamedDependency[AdministerUser],
    ) -> AdminUserRead:
        changes = data.changes()
        return AdminUserRead.of(await administer_user.execute(user, UserId(user_id), changes))
