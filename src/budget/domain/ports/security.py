"""Hashing passwords, signing tokens and counting failed logins."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from budget.domain.model.auth import TokenClaims, TokenType


class PasswordHasher(Protocol):
    """One-way password hashing; slow on purpose, so both calls are async."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    async def verify_dummy(self, password: str) -> None:
        """Spend the same time as a real verification (for unknown accounts)."""
        ...


class TokenCodec(Protocol):
    """Signs and verifies tokens.

    ``decode`` raises ``AuthenticationError`` for anything not valid, including a token of
    the wrong type.
    """

    def encode(self, claims: TokenClaims) -> str: ...

    def decode(self, token: str, expected: TokenType) -> TokenClaims: ...


class LoginAttemptStore(Protocol):
    """Counts failed logins per key in a sliding window (a shared store fits several replicas)."""

    async def recent_failures(self, key: str, since: datetime) -> list[datetime]: ...

    async def record_failure(self, key: str, at: datetime) -> None: ...

    async def clear(self, key: str) -> None: ...
