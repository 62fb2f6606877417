"""Deliveries are signed as Standard Webhooks prescribes."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from budget.adapters.webhook_http import signed_headers

# The specification's reference vector (standard-webhooks, libraries' shared test).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_matches_the_specifications_reference_vector() -> None:
    at = datetime.fromtimestamp(SPEC_TIMESTAMP, UTC)
    headers = signed_headers(SPEC_SECRET, SPEC_ID, at, SPEC_BODY)
    assert headers["webhook-signature"] == SPEC_SIGNATURE


def test_the_signature_is_the_hmac_of_id_timestamp_and_body_under_the_secrets_bytes() -> None:
    key = bytes(range(32))
    secret = "whsec_" + base64.b64encode(key).decode()
    body = '{"type":"webhook.test","data":{"b":"é"}}'
    at = datetime(2026, 12, 6, 9, 30, 15, 700000, tzinfo=UTC)
    headers = signed_headers(secret, "evt-1", at, body)
    signed = f"evt-1.{int(at.timestamp())}.{body}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"


def test_the_headers_carry_the_id_and_the_whole_seconds_of_the_attempt() -> None:
    at = datetime(2026, 12, 6, 9, 30, 15, 700000, tzinfo=UTC)
    headers = signed_headers(SPEC_SECRET, "evt-1", at, "{}")
    assert (headers["webhook-id"], headers["webhook-timestamp"]) == (
        "evt-1",
        str(int(at.timestamp())),
    )
