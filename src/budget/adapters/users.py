"""SQLAlchemy repositories of users and refresh tokens, with their row mappers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from budget.adapters.database import plain_row
from budget.adapters.tables import RefreshTokenRow, UserRow
from budget.adapters.tracking import Tracker
from budget.domain.model.auth import RefreshToken
from budget.domain.model.ids import TokenFamilyId, TokenId, UserId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.user import User

USERS = cast("Table", UserRow.__table__)
_USER_BY_ID = select(USERS).where(USERS.c.id == bindparam("user_id"))


def user_from_row(row: UserRow | Row[Any]) -> User:
    return User(
        UserId(row.id),
        row.email,
        row.password_hash,
        row.display_name,
        row.default_currency,
        row.is_admin,
        row.is_active,
        row.created_at,
        row.updated_at,
    )


def user_to_row(user: User, row: UserRow | None = None) -> UserRow:
    row = row or UserRow(id=user.id)
    row.email = user.email
    row.password_hash = user.password_hash
    row.display_name = user.display_name
    row.default_currency = user.default_currency
    row.is_admin = user.is_admin
    row.is_active = user.is_active
    row.created_at = user.created_at
    row.updated_at = user.updated_at
    return row


def token_from_row(row: RefreshTokenRow) -> RefreshToken:
    return RefreshToken(
        TokenId(row.id),
        TokenFamilyId(row.family_id),
        UserId(row.owner_id),
        row.token_hash,
        row.issued_at,
        row.expires_at,
        row.used_at,
        row.revoked_at,
    )


def token_to_row(token: RefreshToken) -> RefreshTokenRow:
    return RefreshTokenRow(
        id=token.id,
        owner_id=token.user_id,
        family_id=token.family_id,
        token_hash=token.token_hash,
        issued_at=token.issued_at,
        expires_at=token.expires_at,
        used_at=token.used_at,
        revoked_at=token.revoked_at,
    )


class SqlAlchemyUserRepository:
    def __init__(self, session: AsyncSession, tracker: Tracker, *, read_only: bool = False) -> None:
        self._session = session
        self._tracker = tracker
        self._read_only = read_only

    async def get(self, user_id: UserId) -> User | None:
        if self._read_only:
            found = await plain_row(self._session, _USER_BY_ID, {"user_id": user_id})
            return None if found is None else user_from_row(found)
        row = await self._session.get(UserRow, user_id)
        return None if row is None else self._tracker.seen(user_from_row(row), row, user_to_row)

    async def get_by_email(self, email: str) -> User | None:
        row = await self._session.scalar(select(UserRow).where(UserRow.email == email))
        return None if row is None else self._tracker.seen(user_from_row(row), row, user_to_row)

    def add(self, user: User) -> None:
        row = user_to_row(user)
        self._session.add(row)
        self._tracker.seen(user, row, user_to_row)

    async def delete(self, user: User) -> None:
        # Owned rows go with the user through ON DELETE CASCADE foreign keys.
        self._tracker.forget(user)
        await self._session.execute(delete(UserRow).where(UserRow.id == user.id))

    async def list(self, page: PageRequest, sort: Sort) -> Page[User]:
        column = getattr(UserRow, sort.field)
        order = (column.desc(), UserRow.id.desc()) if sort.descending else (column, UserRow.id)
        rows = await self._session.scalars(
            select(UserRow).order_by(*order).limit(page.limit).offset(page.offset)
        )
        total = await self._session.scalar(select(func.count()).select_from(UserRow))
        users = [user_from_row(row) for row in rows]
        return Page(users, total or 0, page.limit, page.offset)


class SqlAlchemyRefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, token: RefreshToken) -> None:
        self._session.add(token_to_row(token))

    async def get(self, token_id: TokenId) -> RefreshToken | None:
        row = await self._session.get(RefreshTokenRow, token_id)
        return None if row is None else token_from_row(row)

    async def mark_used(self, token_id: TokenId, now: datetime) -> bool:
        result = await self._session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.id == token_id, RefreshTokenRow.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def revoke_family(self, family_id: TokenFamilyId, now: datetime) -> None:
        await self._revoke(RefreshTokenRow.family_id == family_id, now)

    async def revoke_all_for_user(self, user_id: UserId, now: datetime) -> None:
        await self._revoke(RefreshTokenRow.owner_id == user_id, now)

    async def _revoke(self, condition: object, now: datetime) -> None:
        await self._session.execute(
            update(RefreshTokenRow)
            .where(condition, RefreshTokenRow.revoked_at.is_(None))  # type: ignore[arg-type]
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
