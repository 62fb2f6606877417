"""JWT access and refresh tokens with PyJWT: pinned algorithm, every claim required."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import jwt

from budget.domain.errors import AuthenticationError
from budget.domain.model.auth import TokenClaims, TokenType
from budget.domain.model.ids import UserId

REQUIRED_CLAIMS = ["sub", "iat", "nbf", "exp", "jti", "iss", "aud", "typ"]
MIN_HMAC_KEY_BYTES = 32
VERIFIED_TOKENS_KEPT = 4096
"""How many verified tokens a codec remembers (a few hundred bytes each)."""


class JwtTokenCodec:
    """Signs with one pinned algorithm and accepts nothing else (no ``alg: none``).

    A token that PyJWT verified is remembered (the last ``VERIFIED_TOKENS_KEPT``), so that
    a client's next requests with the same token skip parsing and the signature check: its
    signature, issuer, audience and claims cannot change, while its lifetime (``nbf``,
    ``iat``, ``exp``) is checked again against the clock on every use.
    """

    def __init__(
        self,
        *,
        algorithm: str,
        signing_key: Any,
        verifying_key: Any,
        issuer: str,
        audience: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if algorithm == "HS256" and len(str(signing_key).encode()) < MIN_HMAC_KEY_BYTES:
            raise ValueError(f"the HS256 secret must be at least {MIN_HMAC_KEY_BYTES} bytes")
        self._algorithm = algorithm
        self._signing_key = signing_key
        self._verifying_key = verifying_key
        self._issuer = issuer
        self._audience = audience
        self._clock = clock
        # token -> (claims, not before, expires), both as POSIX seconds
        self._verified: OrderedDict[str, tuple[TokenClaims, float, float]] = OrderedDict()

    @classmethod
    def from_key_files(
        cls,
        *,
        algorithm: str,
        private_key_file: str,
        public_key_file: str,
        issuer: str,
        audience: str,
    ) -> JwtTokenCodec:
        """An RS256 or EdDSA codec from PEM files."""
        return cls(
            algorithm=algorithm,
            signing_key=Path(private_key_file).read_text("utf-8"),
            verifying_key=Path(public_key_file).read_text("utf-8"),
            issuer=issuer,
            audience=audience,
        )

    def encode(self, claims: TokenClaims) -> str:
        payload = {
            "sub": str(claims.subject),
            "iat": int(claims.issued_at.timestamp()),
            "nbf": int(claims.issued_at.timestamp()),
            "exp": int(claims.expires_at.timestamp()),
            "jti": str(claims.token_id),
            "iss": self._issuer,
            "aud": self._audience,
            "typ": claims.token_type.value,
        }
        return jwt.encode(payload, self._signing_key, algorithm=self._algorithm)

    def decode(self, token: str, expected: TokenType) -> TokenClaims:
        known = self._verified.get(token)
        if known is not None:
            return self._still_valid(token, *known, expected)
        claims, not_before_seconds, expires_seconds = self._verify(token, expected)
        self._verified[token] = (claims, not_before_seconds, expires_seconds)
        if len(self._verified) > VERIFIED_TOKENS_KEPT:
            self._verified.popitem(last=False)
        return claims

    def _still_valid(
        self,
        token: str,
        claims: TokenClaims,
        not_before_seconds: float,
        expires_seconds: float,
        expected: TokenType,
    ) -> TokenClaims:
        """A remembered token, judged as PyJWT would judge it now (no leeway)."""
        now = self._clock()
        if expires_seconds <= now:
            del self._verified[token]
            raise AuthenticationError("The token has expired.")
        if not_before_seconds > now:
            raise AuthenticationError("The token is invalid.")
        if claims.token_type is not expected:
            raise AuthenticationError(f"An {expected.value} token is required.")
        self._verified.move_to_end(token)
        return claims

    def _verify(self, token: str, expected: TokenType) -> tuple[TokenClaims, float, float]:
        try:
            payload = jwt.decode(
                token,
                self._verifying_key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": REQUIRED_CLAIMS},
            )
            if payload["typ"] != expected.value:
                raise AuthenticationError(f"An {expected.value} token is required.")
            claims = TokenClaims(
                UserId(UUID(payload["sub"])),
                expected,
                UUID(payload["jti"]),
                datetime.fromtimestamp(payload["iat"], UTC),
                datetime.fromtimestamp(payload["exp"], UTC),
            )
            not_before_seconds = float(max(payload["nbf"], payload["iat"]))
            return claims, not_before_seconds, float(payload["exp"])  # POSIX seconds
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("The token has expired.") from exc
        except (jwt.InvalidTokenError, ValueError, TypeError, KeyError) as exc:
            raise AuthenticationError("The token is invalid.") from exc
