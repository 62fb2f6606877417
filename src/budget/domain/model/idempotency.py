"""Safe retries: the rules of the ``Idempotency-Key`` header (contract section 11).

A key is 1-255 characters, each a visible ASCII character (0x21-0x7E). The first request
with a key claims it; its answer is kept, per user and key, with a fingerprint of the
request (method, path with query string, and body: parsed JSON compared canonically; for
multipart bodies the form fields and the SHA-256 of each file). ``decide`` is the state
machine a request with a key goes through; it is pure (the store reads and writes).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from enum import Enum
from uuid import UUID

MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(hours=24)
"""How long an answer is kept (at least; expired keys are purged in small batches)."""
LEASE = timedelta(minutes=5)
"""A claim whose request has not finished after this long is taken to be abandoned (its
process died): the next request with the key runs. Its own write, if it ever commits,
would need the claim token it no longer has, so it cannot commit."""


def valid_key(key: str) -> bool:
    """The header is 1-255 characters, each 0x21-0x7E."""
    return 0 < len(key) <= MAX_KEY_LENGTH and all(0x21 <= ord(c) <= 0x7E for c in key)


def fingerprint(method: str, target: str, content_type: str, body: bytes) -> str:
    """A digest of the request: ``target`` is the path with its query string."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), target.encode(), canonical_body(content_type, body)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def canonical_body(content_type: str, body: bytes) -> bytes:
    """The body in a form where equal requests are equal: parsed JSON written with sorted
    keys and no spaces; multipart as its fields and the SHA-256 of each file; else as is."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media.startswith("multipart/"):
        return _canonical_multipart(content_type, body)
    if not body.strip():
        return b""
    try:
        parsed = json.loads(body)
    except ValueError:
        return b"raw:" + body
    return b"json:" + json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()


def _canonical_multipart(content_type: str, body: bytes) -> bytes:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        if part.get_filename() is not None:
            parts.append([str(name), "file", hashlib.sha256(payload).hexdigest()])
        else:
            parts.append([str(name), "field", payload.decode("utf-8", "replace")])
    parts.sort()
    return b"multipart:" + json.dumps(parts, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class StoredKey:
    """What the store holds for one user and key."""

    fingerprint: str
    token: UUID
    done: bool
    created_at: datetime


class Decision(Enum):
    RUN = "run"
    """Nothing usable is stored (none, expired or abandoned): claim it and run."""
    REPLAY = "replay"
    """The same request finished: answer what it answered."""
    MISMATCH = "mismatch"
    """The key was used for another request: 422 on ``Idempotency-Key``."""
    IN_FLIGHT = "in_flight"
    """The same request is still running: 409."""


def decide(stored: StoredKey | None, request_fingerprint: str, now: datetime) -> Decision:
    """What a request with a key does, given what is stored for the key."""
    if stored is None or stored.created_at <= now - KEEP_FOR:
        return Decision.RUN
    if stored.fingerprint != request_fingerprint:
        return Decision.MISMATCH
    if stored.done:
        return Decision.REPLAY
    if stored.created_at <= now - LEASE:
        return Decision.RUN
    return Decision.IN_FLIGHT


def kept(status: int) -> bool:
    """Whether an answer with ``status`` is kept: not a 5xx, not a 429 (a retry runs again)."""
    return status < 500 and status != 429
