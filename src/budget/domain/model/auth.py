"""Tokens: what a signed token says, and refresh-token families with rotation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from budget.domain.model.ids import TokenFamilyId, TokenId, UserId


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """The verified content of a token: who, what kind, which one, and when it expires."""

    subject: UserId
    token_type: TokenType
    token_id: UUID
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What a successful login or refresh hands out."""

    access_token: str
    refresh_token: str
    expires_in: int


def hash_token(token: str) -> str:
    """The stored fingerprint of a refresh token; the token itself is never stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(eq=False, slots=True)
class RefreshToken:
    """One refresh token of a login's family.

    Rule: a token is used at most once. Presenting one that was already rotated means it
    leaked, so the whole family (every token of that login) is revoked.
    """

    id: TokenId
    family_id: TokenFamilyId
    user_id: UserId
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RefreshToken) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def was_used(self) -> bool:
        return self.used_at is not None
