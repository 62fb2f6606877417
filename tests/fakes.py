"""In-memory fakes of the domain's ports, behaving like the real adapters."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from budget.domain.errors import AuthenticationError
from budget.domain.model.auth import RefreshToken, TokenClaims, TokenType
from budget.domain.model.category import Category
from budget.domain.model.ids import CategoryId, TokenFamilyId, TokenId, UserId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.user import User


class FakeClock:
    """A clock that stands still until told to move."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 22, 9, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def today(self) -> date:
        return self.current.date()

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeIds:
    """Sequential, time-ordered-looking UUIDs."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new_id(self) -> UUID:
        return UUID(int=(0x0190 << 112) + next(self._counter))


class FakeHasher:
    """Reversible 'hashing' that records which verifications happened."""

    def __init__(self) -> None:
        self.verified: list[str] = []
        self.dummy_verifications = 0

    async def hash(self, password: str) -> str:
        return f"hashed:{password}"

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return password_hash == f"hashed:{password}"

    async def verify_dummy(self, password: str) -> None:
        self.dummy_verifications += 1


class FakeCodec:
    """Tokens as readable strings; decoding checks the type like the real codec."""

    def __init__(self) -> None:
        self._issued: dict[str, TokenClaims] = {}

    def encode(self, claims: TokenClaims) -> str:
        token = f"{claims.token_type}.{claims.token_id}"
        self._issued[token] = claims
        return token

    def decode(self, token: str, expected: TokenType) -> TokenClaims:
        claims = self._issued.get(token)
        if claims is None or claims.token_type is not expected:
            raise AuthenticationError("bad token")
        return claims


class _Store:
    """What the fake database holds; shared by every unit of work over it."""

    def __init__(self) -> None:
        self.users: dict[UUID, User] = {}
        self.refresh_tokens: dict[UUID, RefreshToken] = {}
        self.categories: dict[UUID, Category] = {}
        self.extra: dict[str, dict[UUID, Any]] = defaultdict(dict)


class FakeUserRepository:
    def __init__(self, rows: dict[UUID, User]) -> None:
        self.rows = rows

    async def get(self, user_id: UserId) -> User | None:
        return self.rows.get(user_id)

    async def get_by_email(self, email: str) -> User | None:
        return next((u for u in self.rows.values() if u.email == email), None)

    def add(self, user: User) -> None:
        self.rows[user.id] = user

    async def delete(self, user: User) -> None:
        del self.rows[user.id]

    async def list(self, page: PageRequest, sort: Sort) -> Page[User]:
        users = sorted(
            self.rows.values(),
            key=lambda u: (getattr(u, sort.field), u.id),
            reverse=sort.descending,
        )
        return Page(
            users[page.offset : page.offset + page.limit], len(users), page.limit, page.offset
        )


class FakeRefreshTokenRepository:
    def __init__(self, rows: dict[UUID, RefreshToken]) -> None:
        self.rows = rows

    def add(self, token: RefreshToken) -> None:
        self.rows[token.id] = token

    async def get(self, token_id: TokenId) -> RefreshToken | None:
        return self.rows.get(token_id)

    async def mark_used(self, token_id: TokenId, now: datetime) -> bool:
        token = self.rows[token_id]
        if token.used_at is not None:
            return False
        token.used_at = now
        return True

    async def revoke_family(self, family_id: TokenFamilyId, now: datetime) -> None:
        for token in self.rows.values():
            if token.family_id == family_id and token.revoked_at is None:
                token.revoked_at = now

    async def revoke_all_for_user(self, user_id: UserId, now: datetime) -> None:
        for token in self.rows.values():
            if token.user_id == user_id and token.revoked_at is None:
                token.revoked_at = now


class FakeCategoryRepository:
    def __init__(self, rows: dict[UUID, Category]) -> None:
        self.rows = rows

    def add(self, category: Category) -> None:
        self.rows[category.id] = category

    async def get(self, owner: UserId, category_id: CategoryId) -> Category | None:
        category = self.rows.get(category_id)
        return category if category is not None and category.owner_id == owner else None


class FakeLoginAttemptStore:
    def __init__(self) -> None:
        self.failures: dict[str, list[datetime]] = defaultdict(list)

    async def recent_failures(self, key: str, since: datetime) -> list[datetime]:
        return [at for at in self.failures[key] if at > since]

    async def record_failure(self, key: str, at: datetime) -> None:
        self.failures[key].append(at)

    async def clear(self, key: str) -> None:
        self.failures.pop(key, None)


class FakeUnitOfWork:
    """Works on copies; ``commit`` publishes them, leaving without commit discards them."""

    def __init__(self, store: _Store | None = None) -> None:
        self.store = store or _Store()
        self.commits = 0
        self._bind(self.store)

    def _bind(self, store: _Store) -> None:
        self.users = FakeUserRepository(store.users)
        self.refresh_tokens = FakeRefreshTokenRepository(store.refresh_tokens)
        self.categories = FakeCategoryRepository(store.categories)

    async def __aenter__(self) -> Self:
        self._working = _Store()
        self._working.users = {k: replace(v) for k, v in self.store.users.items()}
        self._working.refresh_tokens = {k: replace(v) for k, v in self.store.refresh_tokens.items()}
        self._working.categories = {k: replace(v) for k, v in self.store.categories.items()}
        self._working.extra = defaultdict(
            dict,
            {n: {k: _copy(v) for k, v in rows.items()} for n, rows in self.store.extra.items()},
        )
        self._bind(self._working)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bind(self.store)

    async def commit(self) -> None:
        self.store.users = self._working.users
        self.store.refresh_tokens = self._working.refresh_tokens
        self.store.categories = self._working.categories
        self.store.extra = self._working.extra
        self.commits += 1

    @property
    def committed(self) -> bool:
        return self.commits > 0


def _copy(value: Any) -> Any:
    try:
        return replace(value)
    except TypeError:
        return value
