"""Wire shapes of auth and users (msgspec; unknown or read-only fields are refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from budget.domain.model.auth import TokenPair
from budget.domain.model.paging import Page
from budget.domain.model.user import User
from budget.domain.services.users import AdminChanges, ProfileChanges
from budget.entrypoints.http.schemas.common import Strict, sent_or_none

Email = Annotated[str, msgspec.Meta(max_length=320, examples=["ada@example.com"])]
Password = Annotated[str, msgspec.Meta(max_length=1024, description="8-128 characters")]
CurrencyCode = Annotated[str, msgspec.Meta(examples=["EUR"], description="ISO 4217 code")]


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

    def changes(self) -> ProfileChanges:
        return ProfileChanges(
            display_name=sent_or_none(self.display_name),
            set_display_name=not isinstance(self.display_name, msgspec.UnsetType),
            default_currency=sent_or_none(self.default_currency),
        )


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
        """The user's own view (``UserRead``) plus ``is_active``."""
        return cls(**msgspec.structs.asdict(UserRead.of(user)), is_active=user.is_active)


class AdminUserPage(msgspec.Struct):
    items: list[AdminUserRead]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, page: Page[User]) -> AdminUserPage:
        items = [AdminUserRead.of(u) for u in page.items]
        return cls(items, page.total or 0, page.limit, page.offset or 0)


class AdminUserUpdate(Strict):
    is_active: bool | msgspec.UnsetType = msgspec.UNSET
    is_admin: bool | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> AdminChanges:
        return AdminChanges(
            is_active=sent_or_none(self.is_active), is_admin=sent_or_none(self.is_admin)
        )
