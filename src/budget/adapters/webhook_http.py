"""The way out to webhook receivers: an ``httpx`` client and the system resolver.

The client follows no redirect (a 3xx is a failed attempt), so a receiver cannot send an
attempt on to an address the URL policy refuses; it waits 10 s at most for an answer.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from standardwebhooks import Webhook as StandardWebhook

from budget.domain.model.webhook import DELIVERY_TIMEOUT, SECRET_BYTES

log = logging.getLogger("budget.webhooks")


def signed_headers(secret: str, message_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt, signed by the specification's own
    library (``standardwebhooks``; ADR 0021): ``v1,<base64 HMAC-SHA256 over
    "<id>.<timestamp>.<body>">`` keyed with the bytes the secret's base64 decodes to."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": StandardWebhook(secret).sign(message_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": "budget-webhooks",
    }


class HttpxWebhookSender:
    """``WebhookSender`` over one ``httpx.AsyncClient`` per tick's attempts."""

    def __init__(self, timeout: float = DELIVERY_TIMEOUT.total_seconds()) -> None:
        self._timeout = timeout

    async def send(
        self, url: str, secret: str, message_id: str, timestamp: datetime, body: str
    ) -> int | None:
        headers = signed_headers(secret, message_id, timestamp, body)
        try:
            async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as client:
                answer = await client.post(url, content=body.encode(), headers=headers)
        except httpx.HTTPError as error:
            log.info(
                "webhook delivery to %s failed: %s", urlsplit(url).hostname, type(error).__name__
            )
            return None
        return answer.status_code


class SystemAddressResolver:
    """``AddressResolver`` through the system's resolver (``getaddrinfo``)."""

    async def resolve(self, url: str) -> Sequence[str]:
        parts = urlsplit(url)
        host = parts.hostname
        if not host:
            return []
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host,
                parts.port or (443 if parts.scheme == "https" else 80),
                type=socket.SOCK_STREAM,
            )
        except (OSError, UnicodeError):
            return []
        return sorted({str(info[4][0]) for info in infos})


class RandomWebhookSecrets:
    """``WebhookSecrets`` from the operating system's random source."""

    def new_key(self) -> bytes:
        return secrets.token_bytes(SECRET_BYTES)
