"""Wire shapes of auth and users (msgspec; unknown or read-only fields are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar.params import KwargDefinition

from budget.domain.model.auth import TokenPair
from budget.domain.model.ids import HouseholdId
from budget.domain.model.user import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    User,
)
from budget.domain.services.users import AdminChanges, ProfileChanges
from budget.entrypoints.http.schemas.common import (
    EMAIL_PATTERN,
    CurrencyText,
    Strict,
    Text,
    sent_or_none,
)
from budget.entrypoints.http.schemas.paging import Page

Email = Annotated[
    str,
    msgspec.Meta(
        pattern=EMAIL_PATTERN,
        max_length=MAX_EMAIL_LENGTH,
        description="Trimmed and compared case-insensitively",
        examples=["ada@example.com"],
    ),
]
NewPassword = Annotated[
    Text,
    msgspec.Meta(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        description=(
            f"{MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} characters, not the e-mail "
            "address, not a common password"
        ),
    ),
]
# Any length up to a bound that keeps hashing cheap: a wrong password is a 401 (login) or a
# 422 on the field (password change), never a hint about the policy.
CurrentPassword = Annotated[Text, msgspec.Meta(max_length=1024)]
DisplayName = Annotated[
    Text,
    msgspec.Meta(
        max_length=MAX_DISPLAY_NAME_LENGTH,
        description=(
            f"At most {MAX_DISPLAY_NAME_LENGTH} characters, trimmed; blank or null clears it"
        ),
        examples=["Ada"],
    ),
]
CurrencyCode = Annotated[
    CurrencyText, msgspec.Meta(examples=["EUR"], description="ISO 4217 code, upper case")
]
RefreshToken = Annotated[
    Text, msgspec.Meta(max_length=4096, description="The refresh token from login or refresh")
]


class RegisterBody(Strict):
    email: Email
    password: NewPassword
    display_name: DisplayName | None = None
    default_currency: CurrencyCode | None = None


class LoginBody(Strict):
    email: Email
    password: CurrentPassword


class RefreshBody(Strict):
    refresh_token: RefreshToken


class TokenPairRead(msgspec.Struct):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: Annotated[int, msgspec.Meta(description="Access-token lifetime in seconds")]

    @classmethod
    def of(cls, pair: TokenPair) -> TokenPairRead:
        return cls(pair.access_token, pair.refresh_token, "Bearer", pair.expires_in)


DefaultHousehold = Annotated[
    UUID,
    msgspec.Meta(
        description=(
            "Where new resources go and what reports cover unless told otherwise: always one"
            ' of your households (registration makes your "Personal" one)'
        )
    ),
]


class UserRead(msgspec.Struct):
    id: UUID
    email: str
    display_name: str | None
    default_currency: str
    default_household_id: DefaultHousehold
    is_admin: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> UserRead:
        return cls(
            user.id,
            user.email,
            user.display_name,
            user.default_currency,
            _default_household(user),
            user.is_admin,
            user.created_at,
            user.updated_at,
        )


def _default_household(user: User) -> UUID:
    if user.default_household_id is None:
        # Registration sets it and every change of memberships keeps one: a broken invariant.
        raise RuntimeError(f"user {user.id} has no default household")
    return user.default_household_id


class ProfileUpdate(Strict):
    display_name: DisplayName | msgspec.UnsetType | None = msgspec.UNSET
    default_currency: CurrencyCode | msgspec.UnsetType = msgspec.UNSET
    default_household_id: (
        Annotated[
            UUID,
            msgspec.Meta(description="One of your households (any role); else 422"),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET

    def changes(self) -> ProfileChanges:
        household = sent_or_none(self.default_household_id)
        return ProfileChanges(
            display_name=sent_or_none(self.display_name),
            set_display_name=not isinstance(self.display_name, msgspec.UnsetType),
            default_currency=sent_or_none(self.default_currency),
            default_household_id=None if household is None else HouseholdId(household),
        )


class PasswordChange(Strict):
    current_password: CurrentPassword
    new_password: NewPassword


class AdminUserRead(msgspec.Struct):
    id: UUID
    email: str
    display_name: str | None
    default_currency: str
    default_household_id: DefaultHousehold
    is_admin: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> AdminUserRead:
        """The user's own view (``UserRead``) plus ``is_active``."""
        return cls(**msgspec.structs.asdict(UserRead.of(user)), is_active=user.is_active)


AdminUserPage = Annotated[
    Page[AdminUserRead], KwargDefinition(schema_component_key="AdminUserPage")
]


class AdminUserUpdate(Strict):
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    is_admin: bool | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> AdminChanges:
        return AdminChanges(
            is_active=sent_or_none(self.is_active), is_admin=sent_or_none(self.is_admin)
        )
