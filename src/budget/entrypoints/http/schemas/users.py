"""Wire shapes of auth and users (msgspec; unknown or read-only fields are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from budget.domain.model.auth import TokenPair
from budget.domain.model.user import User

Email = Annotated[str, msgspec.Meta(max_length=320, examples=["ada@example.com"])]
Password = Annotated[str, msgspec.Meta(max_length=1024, description="8-128 characters")]
CurrencyCode = Annotated[str, msgspec.Meta(examples=["EUR"], description="ISO 4217 code")]


class Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Request bodies: unknown and read-only fields are rejected with 422."""


class RegisterBody(Strict):
    email: Email
    password: Password
    display_name: str | None = None
    default_currency: CurrencyCode | None = None


class LoginBody(Strict):
    email: Email
    password: Password


class RefreshBody(Strict):
    refresh_token: str


class TokenPairRead(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: Annotated[int, msgspec.Meta(description="Access-token lifetime in seconds")]
    token_type: Literal["Bearer"] = "Bearer"

    @classmethod
    def of(cls, pair: TokenPair) -> TokenPairRead:
        return cls(pair.access_token, pair.refresh_token, pair.expires_in)


class UserRead(msgspec.Struct):
    id: UUID
    email: str
    display_name: str | None
    default_currency: str
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
            user.is_admin,
            user.created_at,
            user.updated_at,
        )


class ProfileUpdate(Strict):
    display_name: str | msgspec.UnsetType | None = msgspec.UNSET
    default_currency: CurrencyCode | msgspec.UnsetType = msgspec.UNSET


class PasswordChange(Strict):
    current_password: Password
    new_password: Password


class AdminUserRead(msgspec.Struct):
    id: UUID
    email: str
    display_name: str | None
    default_currency: str
    is_admin: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> AdminUserRead:
        return cls(
            user.id,
            user.email,
            user.display_name,
            user.default_currency,
            user.is_admin,
            user.is_active,
            user.created_at,
            user.updated_at,
        )


class AdminUserPage(msgspec.Struct):
    items: list[AdminUserRead]
    total: int
    limit: int
    offset: int


class AdminUserUpdate(Strict):
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    is_admin: bool | msgspec.UnsetType = msgspec.UNSET
