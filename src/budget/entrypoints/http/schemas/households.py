"""Wire shapes of households, their members and invitations (msgspec).

A household answers with the caller's own ``role`` in it, everywhere (``POST`` too).
Members and invitations are short lists answered as ``{"items": [...]}``, not paged.
Read-only fields (``id``, ``role`` of a household, timestamps) are absent from the request
structs, so sending one is a 422.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.model.household import (
    MAX_HOUSEHOLD_NAME_LENGTH,
    Household,
    Invitation,
    Member,
    Role,
)
from budget.entrypoints.http.schemas.common import Strict, Text, Timestamp
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.schemas.users import Email

Name = Annotated[
    Text,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_HOUSEHOLD_NAME_LENGTH,
        description=(
            f"1-{MAX_HOUSEHOLD_NAME_LENGTH} characters after trimming surrounding whitespace;"
            " not unique"
        ),
        examples=["Family"],
    ),
]


class HouseholdCreate(Strict):
    name: Name


class HouseholdUpdate(Strict):
    name: Name


class HouseholdRead(msgspec.Struct):
    """A household you belong to, with your own ``role`` in it."""

    id: UUID
    name: str
    role: Role
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, household_and_role: tuple[Household, Role]) -> HouseholdRead:
        household, role = household_and_role
        return cls(household.id, household.name, role, household.created_at, household.updated_at)


HouseholdPage = Annotated[
    Page[HouseholdRead], KwargDefinition(schema_component_key="HouseholdPage")
]


class MemberRead(msgspec.Struct):
    user_id: UUID
    email: str
    display_name: str | None
    role: Role
    joined_at: Annotated[
        Timestamp, msgspec.Meta(description="When they became a member; RFC 3339, UTC")
    ]

    @classmethod
    def of(cls, member: Member) -> MemberRead:
        return cls(member.user_id, member.email, member.display_name, member.role, member.joined_at)


class MemberList(msgspec.Struct):
    items: Annotated[
        list[MemberRead], msgspec.Meta(description="Every member, oldest member first")
    ]


class MemberUpdate(Strict):
    """The member's new role."""

    role: Role


class InvitationCreate(Strict):
    """Invite an e-mail address with the ``role`` it gets on accepting."""

    email: Annotated[
        Email,
        msgspec.Meta(
            description=(
                "Who is invited: trimmed and compared case-insensitively, as at registration;"
                " it need not belong to a user yet"
            )
        ),
    ]
    role: Role


class InvitationRead(msgspec.Struct):
    """An invitation into ``household_id`` with the ``role`` the invitee gets on accepting."""

    id: UUID
    household_id: UUID
    household_name: str
    email: Annotated[str, msgspec.Meta(description="The invited address, normalised")]
    role: Role
    created_at: Timestamp
    expires_at: Annotated[
        Timestamp,
        msgspec.Meta(description="7 days after created_at; after it the invitation is void"),
    ]

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationRead:
        return cls(
            invitation.id,
            invitation.household_id,
            invitation.household_name,
            invitation.email,
            invitation.role,
            invitation.created_at,
            invitation.expires_at,
        )


class InvitationList(msgspec.Struct):
    items: Annotated[
        list[InvitationRead], msgspec.Meta(description="Pending invitations, newest first")
    ]
