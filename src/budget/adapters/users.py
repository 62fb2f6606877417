"""The repositories of users and refresh tokens, with their row mappers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, delete, select, update

from budget.adapters.database import RowValues, UnitSession, plain_row, plain_rows
from budget.adapters.paging import ordered, page_of
from budget.adapters.tables import MembershipRow, RefreshTokenRow, UserRow
from budget.adapters.webhook_tables import WebhookSubscriptionRow
from budget.adapters.writes import PendingWrites, TableWrites
from budget.domain.model.auth import RefreshToken
from budget.domain.model.household import Caller, Role
from budget.domain.model.ids import HouseholdId, TokenFamilyId, TokenId, UserId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.user import User

USERS = cast("Table", UserRow.__table__)
REFRESH_TOKENS = cast("Table", RefreshTokenRow.__table__)
_users = USERS.c
_tokens = REFRESH_TOKENS.c
_USER_BY_ID = select(USERS).where(_users.id == bindparam("user_id"))
_memberships = cast("Table", MembershipRow.__table__).c
_subscriptions = cast("Table", WebhookSubscriptionRow.__table__).c
_CALLER = (
    select(
        USERS,
        _memberships.household_id.label("member_of"),
        _memberships.role.label("role"),
        _subscriptions.event_mask.label("webhook_events"),
    )
    .outerjoin(MembershipRow, _memberships.user_id == _users.id)
    .outerjoin(WebhookSubscriptionRow, _subscriptions.household_id == _memberships.household_id)
    .where(_users.id == bindparam("user_id"))
)
"""The user with one row per membership (one row with NULLs without any), with each
household's webhook event mask (a primary-key probe per membership): what a request's
authentication reads, in one round trip."""
_USER_BY_EMAIL = select(USERS).where(_users.email == bindparam("email"))
_TOKEN_BY_ID = select(REFRESH_TOKENS).where(_tokens.id == bindparam("token_id"))


def user_from_row(row: RowValues) -> User:
    """A user from a row of ``users`` (a plain row's ``_mapping``)."""
    return User(
        UserId(row["id"]),
        row["email"],
        row["password_hash"],
        row["display_name"],
        row["default_currency"],
        row["is_admin"],
        row["is_active"],
        row["created_at"],
        row["updated_at"],
        None if row["default_household_id"] is None else HouseholdId(row["default_household_id"]),
    )


def user_columns(user: User) -> dict[str, Any]:
    """Every column of a user's row."""
    return {
        "id": user.id,
        "email": user.email,
        "password_hash": user.password_hash,
        "display_name": user.display_name,
        "default_currency": user.default_currency,
        "is_admin": user.is_admin,
        "is_active": user.is_active,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "default_household_id": user.default_household_id,
    }


def token_from_row(row: RowValues) -> RefreshToken:
    """A refresh token from a row of ``refresh_tokens`` (a plain row's ``_mapping``)."""
    return RefreshToken(
        TokenId(row["id"]),
        TokenFamilyId(row["family_id"]),
        UserId(row["owner_id"]),
        row["token_hash"],
        row["issued_at"],
        row["expires_at"],
        row["used_at"],
        row["revoked_at"],
    )


def token_columns(token: RefreshToken) -> dict[str, Any]:
    """Every column of a refresh token's row."""
    return {
        "id": token.id,
        "owner_id": token.user_id,
        "family_id": token.family_id,
        "token_hash": token.token_hash,
        "issued_at": token.issued_at,
        "expires_at": token.expires_at,
        "used_at": token.used_at,
        "revoked_at": token.revoked_at,
    }


class SqlAlchemyUserRepository:
    """``UserRepository`` in the unit of work's session: plain-row reads, Core writes at
    commit (``TableWrites``)."""

    def __init__(
        self, session: UnitSession, writes: PendingWrites, *, read_only: bool = False
    ) -> None:
        self._session = session
        self._read_only = read_only
        self._rows = writes.register(TableWrites(USERS, user_columns))

    async def _one(self, statement: Any, params: Mapping[str, Any]) -> User | None:
        found = await plain_row(self._session, statement, params)
        if found is None:
            return None
        user = user_from_row(found._mapping)
        return user if self._read_only else self._rows.seen(user)

    async def get(self, user_id: UserId) -> User | None:
        return await self._one(_USER_BY_ID, {"user_id": user_id})

    async def get_caller(self, user_id: UserId) -> Caller | None:
        rows = await plain_rows(self._session, _CALLER, {"user_id": user_id})
        if not rows:
            return None
        roles = {
            HouseholdId(row.member_of): Role(row.role) for row in rows if row.member_of is not None
        }
        events = {
            HouseholdId(row.member_of): row.webhook_events for row in rows if row.webhook_events
        }
        return Caller(user_from_row(rows[0]._mapping), roles, events)

    async def get_by_email(self, email: str) -> User | None:
        return await self._one(_USER_BY_EMAIL, {"email": email})

    def add(self, user: User) -> None:
        self._rows.add(user)

    async def delete(self, user: User) -> None:
        # Memberships and refresh tokens go with the user (ON DELETE CASCADE); the
        # households' data stays with the households (``DeleteUser`` decides about those).
        if self._rows.forget(user):
            return
        connection = await self._session.connection()
        await connection.execute(delete(USERS).where(_users.id == user.id))

    async def list(self, page: PageRequest, sort: Sort) -> Page[User]:
        statement = ordered(select(USERS), _users[sort.field], _users.id, sort)
        rows, total = await page_of(self._session, USERS, statement, [], page)
        return Page([user_from_row(r._mapping) for r in rows], total, page.limit, page.offset)


class SqlAlchemyRefreshTokenRepository:
    """``RefreshTokenRepository``: new tokens are inserted at commit (``TableWrites``);
    marking and revoking are atomic ``UPDATE``s run at once (their outcome is needed)."""

    def __init__(self, session: UnitSession, writes: PendingWrites) -> None:
        self._session = session
        self._rows = writes.register(TableWrites(REFRESH_TOKENS, token_columns))

    def add(self, token: RefreshToken) -> None:
        self._rows.add(token)

    async def get(self, token_id: TokenId) -> RefreshToken | None:
        found = await plain_row(self._session, _TOKEN_BY_ID, {"token_id": token_id})
        return None if found is None else token_from_row(found._mapping)

    async def mark_used(self, token_id: TokenId, now: datetime) -> bool:
        connection = await self._session.connection()
        result = await connection.execute(
            update(REFRESH_TOKENS)
            .where(_tokens.id == token_id, _tokens.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(result.rowcount)

    async def revoke_family(self, family_id: TokenFamilyId, now: datetime) -> None:
        await self._revoke(_tokens.family_id == family_id, now)

    async def revoke_all_for_user(self, user_id: UserId, now: datetime) -> None:
        await self._revoke(_tokens.owner_id == user_id, now)

    async def _revoke(self, condition: ColumnElement[bool], now: datetime) -> None:
        connection = await self._session.connection()
        await connection.execute(
            update(REFRESH_TOKENS)
            .where(condition, _tokens.revoked_at.is_(None))
            .values(revoked_at=now)
        )
