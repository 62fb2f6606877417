"""Households: shared ledgers with roles, their members, and invitations into them.

``/api/v1/households``: the households the caller belongs to, and what an owner manages in
one (the caller's own invitations: ``invitations.py``). A household the caller is not a
member of answers 404, exactly like a missing one; a member whose role does not allow a
route gets 403.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId, InvitationId, UserId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.services.households import (
    HOUSEHOLD_SORTS,
    ChangeMemberRole,
    CreateHousehold,
    DeleteHousehold,
    GetHousehold,
    ListHouseholds,
    ListMembers,
    RemoveMember,
    RenameHousehold,
)
from budget.domain.services.invitations import (
    InviteMember,
    ListHouseholdInvitations,
    RevokeInvitation,
)
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import Limit, Offset, sort_parameter
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.households import (
    HouseholdCreate,
    HouseholdPage,
    HouseholdRead,
    HouseholdUpdate,
    InvitationCreate,
    InvitationList,
    InvitationRead,
    MemberList,
    MemberRead,
    MemberUpdate,
)
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.sorts import HOUSEHOLDS_BY_DEFAULT, HouseholdSort

BASE = "/api/v1/households"
ONE = "/{household_id:uuid}"
MEMBER = f"{ONE}/members/{{user_id:uuid}}"

ROLES = """\
Roles: `owner` (everything, including members, invitations, renaming and deleting the
household), `editor` (create, change and delete the household's data), `viewer` (read
only). Role changes and removals apply from the member's next request."""

LIST_DESCRIPTION = f"""\
The households you belong to, each with your own `role` in it, paged with `limit` and
`offset`.

* Sort: `created_at` (default) or `name`; prefix `-` to reverse. Ties break on `id`, so
  pages never overlap or skip.

{ROLES}
"""

CREATE_DESCRIPTION = """\
Found a household: you are its owner, and it gets the default categories. The name is
trimmed, 1-100 characters, and need not be unique. Answers 201 with `Location`, the
household with your `role` (`owner`).
"""

GET_DESCRIPTION = """\
A household you are a member of, with your `role` in it. Any other id answers 404.
"""

UPDATE_DESCRIPTION = """\
Rename the household (owners only; other members get 403). The name is trimmed, 1-100
characters, and need not be unique.
"""

DELETE_DESCRIPTION = """\
Delete the household with all its data (owners only). Members whose default household it
was get a new default: their oldest remaining membership, or, with none left, a new
`"Personal"` household with the default categories.
"""

MEMBERS_DESCRIPTION = """\
Every member with their role, oldest member first (ties on `user_id`); not paged.
"""

CHANGE_ROLE_DESCRIPTION = f"""\
Change a member's role (owners only). Demoting the household's last owner answers 409:
make someone else an owner first. A user who is not a member answers 404.

{ROLES}
"""

REMOVE_DESCRIPTION = """\
Remove a member (owners only), or leave the household (any member, with their own
`user_id`). Removing the household's last owner answers 409: make someone else an owner
first. Whoever leaves their default household gets a new default: their oldest remaining
membership, or, with none left, a new `"Personal"` household with the default categories.
"""

INVITE_DESCRIPTION = """\
Invite an e-mail address into the household with a role (owners only; any role). The
address is trimmed and lower-cased as at registration. The answer is the same whether or
not the address belongs to a user. The invitation expires 7 days after it is made. It has
no URL of its own (no `Location`): the invitee finds it under `GET /api/v1/invitations`.

409 when the address is a current member's, or has a pending invitation to this household.
"""

HOUSEHOLD_INVITATIONS_DESCRIPTION = """\
The household's pending invitations (owners only), newest first, not paged. Accepted,
declined, revoked and expired invitations are not pending.
"""

REVOKE_DESCRIPTION = """\
Revoke an invitation of the household (owners only); it can no longer be accepted. An
invitation that is not pending (or of another household) answers 404.
"""

LOCATION = location_header("household", f"{BASE}/{{id}}")

HouseholdSortParameter = Annotated[
    HouseholdSort,
    sort_parameter("name or created_at; prefix - to reverse (default created_at)"),
]


class HouseholdsController(Controller):
    path = BASE
    tags = ["households"]
    security = SECURED

    @get(
        operation_id="listHouseholds",
        summary="List your households",
        description=LIST_DESCRIPTION,
        responses=problems(401, 422),
    )
    async def list_households(
        self,
        caller: NamedDependency[Caller],
        list_households: NamedDependency[ListHouseholds],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: HouseholdSortParameter = HOUSEHOLDS_BY_DEFAULT,
    ) -> HouseholdPage:
        page = await list_households.execute(
            caller, PageRequest(limit, offset), Sort.parse(sort, HOUSEHOLD_SORTS)
        )
        return Page.of(page, HouseholdRead.of)

    @post(
        operation_id="createHousehold",
        response_headers=LOCATION,
        summary="Found a household",
        description=CREATE_DESCRIPTION,
        responses=problems(400, 401, 413, 422),
    )
    async def create_household(
        self,
        data: JSONBody[HouseholdCreate],
        caller: NamedDependency[Caller],
        create_household: NamedDependency[CreateHousehold],
    ) -> Response[HouseholdRead]:
        household, role = await create_household.execute(caller, data.name)
        return created(HouseholdRead.of((household, role)), f"{BASE}/{household.id}")

    @get(
        ONE,
        operation_id="getHousehold",
        summary="Get a household",
        description=GET_DESCRIPTION,
        responses=problems(401, 404),
    )
    async def get_household(
        self,
        household_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_household: NamedDependency[GetHousehold],
    ) -> HouseholdRead:
        return HouseholdRead.of(await get_household.execute(caller, HouseholdId(household_id)))

    @patch(
        ONE,
        operation_id="updateHousehold",
        summary="Rename a household",
        description=UPDATE_DESCRIPTION,
        responses=problems(400, 401, 403, 404, 413, 422),
    )
    async def update_household(
        self,
        household_id: FromPath[UUID],
        data: JSONBody[HouseholdUpdate],
        caller: NamedDependency[Caller],
        rename_household: NamedDependency[RenameHousehold],
    ) -> HouseholdRead:
        renamed = await rename_household.execute(caller, HouseholdId(household_id), data.name)
        return HouseholdRead.of(renamed)

    @delete(
        ONE,
        operation_id="deleteHousehold",
        summary="Delete a household and all its data",
        description=DELETE_DESCRIPTION,
        responses=problems(401, 403, 404),
    )
    async def delete_household(
        self,
        household_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        delete_household: NamedDependency[DeleteHousehold],
    ) -> None:
        await delete_household.execute(caller, HouseholdId(household_id))

    @get(
        f"{ONE}/members",
        operation_id="listMembers",
        summary="List a household's members",
        description=MEMBERS_DESCRIPTION,
        responses=problems(401, 404),
    )
    async def list_members(
        self,
        household_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        list_members: NamedDependency[ListMembers],
    ) -> MemberList:
        members = await list_members.execute(caller, HouseholdId(household_id))
        return MemberList([MemberRead.of(member) for member in members])

    @patch(
        MEMBER,
        operation_id="changeMemberRole",
        summary="Change a member's role",
        description=CHANGE_ROLE_DESCRIPTION,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    async def change_member_role(
        self,
        household_id: FromPath[UUID],
        user_id: FromPath[UUID],
        data: JSONBody[MemberUpdate],
        caller: NamedDependency[Caller],
        change_member_role: NamedDependency[ChangeMemberRole],
    ) -> MemberRead:
        member = await change_member_role.execute(
            caller, HouseholdId(household_id), UserId(user_id), data.role
        )
        return MemberRead.of(member)

    @delete(
        MEMBER,
        operation_id="removeMember",
        summary="Remove a member, or leave a household",
        description=REMOVE_DESCRIPTION,
        responses=problems(401, 403, 404, 409),
    )
    async def remove_member(
        self,
        household_id: FromPath[UUID],
        user_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        remove_member: NamedDependency[RemoveMember],
    ) -> None:
        await remove_member.execute(caller, HouseholdId(household_id), UserId(user_id))

    @post(
        f"{ONE}/invitations",
        operation_id="inviteMember",
        summary="Invite someone into a household",
        description=INVITE_DESCRIPTION,
        status_code=HTTP_201_CREATED,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    async def invite_member(
        self,
        household_id: FromPath[UUID],
        data: JSONBody[InvitationCreate],
        caller: NamedDependency[Caller],
        invite_member: NamedDependency[InviteMember],
    ) -> InvitationRead:
        invitation = await invite_member.execute(
            caller, HouseholdId(household_id), data.email, data.role
        )
        return InvitationRead.of(invitation)

    @get(
        f"{ONE}/invitations",
        operation_id="listHouseholdInvitations",
        summary="List a household's pending invitations",
        description=HOUSEHOLD_INVITATIONS_DESCRIPTION,
        responses=problems(401, 403, 404),
    )
    async def list_household_invitations(
        self,
        household_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        list_household_invitations: NamedDependency[ListHouseholdInvitations],
    ) -> InvitationList:
        pending = await list_household_invitations.execute(caller, HouseholdId(household_id))
        return InvitationList([InvitationRead.of(invitation) for invitation in pending])

    @delete(
        f"{ONE}/invitations/{{invitation_id:uuid}}",
        operation_id="revokeInvitation",
        summary="Revoke an invitation",
        description=REVOKE_DESCRIPTION,
        responses=problems(401, 403, 404),
    )
    async def revoke_invitation(
        self,
        household_id: FromPath[UUID],
        invitation_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        revoke_invitation: NamedDependency[RevokeInvitation],
    ) -> None:
        await revoke_invitation.execute(
            caller, HouseholdId(household_id), InvitationId(invitation_id)
        )
