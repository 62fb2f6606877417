"""The change feed's rules: signed walk tokens and what a walk reads (contract section 11).

A token is ``base64url(json payload) "." base64url(HMAC-SHA256)`` over the user it was
issued to, when, and per household the caller belonged to the last change position the
walk has passed. A household in the token that the caller no longer belongs to is answered
as its ``delete``; a household the caller belongs to that the token does not name is
walked from the start (every live entity, tombstones left out). A token older than the
tombstones' retention could miss a purged delete: 410, resync from scratch.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from budget.domain.errors import GoneError, RuleViolationError
from budget.domain.model.ids import HouseholdId, UserId

MAX_TOKEN_LENGTH = 64 * 1024
MIN_KEY_BYTES = 16
INVALID_TOKEN = "is not a change token issued to you"
DEFAULT_RETENTION = timedelta(days=30)


class Entity(StrEnum):
    HOUSEHOLD = "household"
    ACCOUNT = "account"
    CATEGORY = "category"
    TRANSACTION = "transaction"
    BUDGET = "budget"


class Op(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One row of the feed: the entity's latest change in its household."""

    entity: Entity
    entity_id: UUID
    op: Op
    position: int


@dataclass(frozen=True, slots=True)
class FeedToken:
    """Where a walk stands: per household, the last position it passed."""

    user_id: UserId
    issued_at: datetime
    positions: Mapping[HouseholdId, int] = field(default_factory=dict)

    def check(self, user_id: UserId, now: datetime, retention: timedelta) -> None:
        """Raises:
        RuleViolationError: on ``since``, a token issued to another user.
        GoneError: a token older than ``retention`` (deletes since may be purged)."""
        if self.user_id != user_id:
            raise RuleViolationError.on_query("since", INVALID_TOKEN)
        if self.issued_at < now - retention:
            raise GoneError("The token is older than the change retention: resync from scratch.")


def encode_token(token: FeedToken, key: bytes) -> str:
    """Sign and encode ``token`` with ``key`` (HMAC-SHA256)."""
    _check_key(key)
    payload = json.dumps(
        {
            "u": str(token.user_id),
            "t": int(token.issued_at.timestamp()),
            "p": {str(household): position for household, position in token.positions.items()},
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    mac = hmac.new(key, payload, hashlib.sha256).digest()
    return f"{_b64encode(payload)}.{_b64encode(mac)}"


def decode_token(text: str, key: bytes) -> FeedToken:
    """Verify and read a token.

    Raises:
        RuleViolationError: on ``since`` when it is malformed or forged.
    """
    _check_key(key)
    try:
        return _read(_verified(text, key))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise RuleViolationError.on_query("since", INVALID_TOKEN) from None


def _read(payload: bytes) -> FeedToken:
    data: Any = json.loads(payload)
    positions = {HouseholdId(UUID(h)): int(p) for h, p in data["p"].items()}
    if any(p < 0 for p in positions.values()):
        raise ValueError("negative position")
    issued = datetime.fromtimestamp(int(data["t"]), UTC)
    return FeedToken(UserId(UUID(data["u"])), issued, positions)


def _verified(text: str, key: bytes) -> bytes:
    if len(text) > MAX_TOKEN_LENGTH or text.count(".") != 1:
        raise ValueError("malformed")
    body, signature = text.split(".")
    try:
        payload, mac = _b64decode(body), _b64decode(signature)
    except binascii.Error:
        raise ValueError("malformed") from None
    if not hmac.compare_digest(mac, hmac.new(key, payload, hashlib.sha256).digest()):
        raise ValueError("forged")
    return payload


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the feed key must be at least {MIN_KEY_BYTES} bytes")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)


@dataclass(frozen=True, slots=True)
class Walk:
    """What one page reads: the households whose membership ended (answered as deletes),
    then each current household from its position (``fresh``: from the start, without
    tombstones), in household id order."""

    ended: tuple[HouseholdId, ...]
    households: tuple[tuple[HouseholdId, int, bool], ...]


def plan_walk(token: FeedToken | None, member_of: set[HouseholdId]) -> Walk:
    """The walk of a page for a caller who belongs to ``member_of``."""
    known = dict(token.positions) if token is not None else {}
    ended = tuple(sorted(h for h in known if h not in member_of))
    households = tuple((h, known.get(h, 0), h not in known) for h in sorted(member_of))
    return Walk(ended, households)
