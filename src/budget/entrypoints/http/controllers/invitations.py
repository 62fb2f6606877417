"""The caller's own invitations: list, accept, decline (contract section 9; a household's
invitations are managed under ``/households``, ``households.py``)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from budget.domain.model.household import Caller
from budget.domain.model.ids import InvitationId
from budget.domain.services.invitations import (
    AcceptInvitation,
    DeclineInvitation,
    ListMyInvitations,
)
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.schemas.households import (
    HouseholdRead,
    InvitationList,
    InvitationRead,
)

INVITATIONS = "/api/v1/invitations"

MY_INVITATIONS_DESCRIPTION = """\
The pending, unexpired invitations addressed to your e-mail address, newest first, not
paged.
"""

ACCEPT_DESCRIPTION = """\
Accept an invitation addressed to your e-mail address: you join the household with the
invitation's role. Answers the household with your new `role`. Someone else's invitation,
and one that was revoked, declined, accepted or has expired, answers 404; if you are
already a member, 409.
"""

DECLINE_DESCRIPTION = """\
Decline an invitation addressed to your e-mail address. The same 404s as accepting.
"""


class InvitationsController(Controller):
    path = INVITATIONS
    tags = ["invitations"]
    security = SECURED

    @get(
        operation_id="listMyInvitations",
        summary="List the invitations addressed to you",
        description=MY_INVITATIONS_DESCRIPTION,
        responses=problems(401),
    )
    async def list_my_invitations(
        self,
        caller: NamedDependency[Caller],
        list_my_invitations: NamedDependency[ListMyInvitations],
    ) -> InvitationList:
        pending = await list_my_invitations.execute(caller)
        return InvitationList([InvitationRead.of(invitation) for invitation in pending])

    @post(
        "/{invitation_id:uuid}/accept",
        operation_id="acceptInvitation",
        summary="Accept an invitation and join its household",
        description=ACCEPT_DESCRIPTION,
        status_code=HTTP_200_OK,
        responses=problems(401, 404, 409),
    )
    async def accept_invitation(
        self,
        invitation_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        accept_invitation: NamedDependency[AcceptInvitation],
    ) -> HouseholdRead:
        joined = await accept_invitation.execute(caller, InvitationId(invitation_id))
        return HouseholdRead.of(joined)

    @post(
        "/{invitation_id:uuid}/decline",
        operation_id="declineInvitation",
        summary="Decline an invitation",
        description=DECLINE_DESCRIPTION,
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(401, 404),
    )
    async def decline_invitation(
        self,
        invitation_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        decline_invitation: NamedDependency[DeclineInvitation],
    ) -> None:
        await decline_invitation.execute(caller, InvitationId(invitation_id))
