"""Idempotency keys: the header's shape, the request fingerprint and the state machine."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from budget.domain.model.idempotency import (
    KEEP_FOR,
    LEASE,
    Decision,
    StoredKey,
    decide,
    fingerprint,
    kept,
    valid_key,
)

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
JSON = "application/json"


@pytest.mark.parametrize("key", ["a", "~" * 255, "!", "order-42/retry_1"])
def test_visible_ascii_keys_of_1_to_255_characters_are_valid(key: str) -> None:
    assert valid_key(key)


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "tab\t", "caf\u00e9", "\x7f"])
def test_empty_long_or_invisible_keys_are_invalid(key: str) -> None:
    assert not valid_key(key)


def test_json_bodies_are_compared_as_parsed_json() -> None:
    one = fingerprint("POST", "/api/v1/accounts", JSON, b'{"a": 1, "b": [1, 2]}')
    other = fingerprint("POST", "/api/v1/accounts", JSON, b'{"b":[1,2],"a":1}')

    assert one == other


def test_another_body_method_path_or_query_gives_another_fingerprint() -> None:
    base = fingerprint("POST", "/api/v1/accounts", JSON, b'{"a": 1}')

    assert base != fingerprint("POST", "/api/v1/accounts", JSON, b'{"a": 2}')
    assert base != fingerprint("PATCH", "/api/v1/accounts", JSON, b'{"a": 1}')
    assert base != fingerprint("POST", "/api/v1/categories", JSON, b'{"a": 1}')
    assert base != fingerprint("POST", "/api/v1/accounts?x=1", JSON, b'{"a": 1}')


def _multipart(file_content: bytes, field: str = "bank") -> tuple[str, bytes]:
    boundary = "XyZ"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\n{field}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + file_content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", body


def test_multipart_bodies_are_compared_by_fields_and_file_digests() -> None:
    kind, body = _multipart(b"date,amount\n2026-01-01,1.00\n")
    other_kind, other_boundary_body = kind.replace("XyZ", "QqQ"), body.replace(b"XyZ", b"QqQ")

    same = fingerprint("POST", "/api/v1/imports", other_kind, other_boundary_body)

    assert fingerprint("POST", "/api/v1/imports", kind, body) == same


def test_a_multipart_body_with_another_file_is_another_request() -> None:
    kind, body = _multipart(b"one")
    _, other = _multipart(b"two")

    assert fingerprint("POST", "/i", kind, body) != fingerprint("POST", "/i", kind, other)


def _stored(*, done: bool, age: timedelta, print_: str = "f") -> StoredKey:
    return StoredKey(print_, UUID(int=1), done, NOW - age)


def test_a_new_key_runs() -> None:
    assert decide(None, "f", NOW) is Decision.RUN


def test_a_finished_request_is_replayed() -> None:
    assert decide(_stored(done=True, age=timedelta(hours=1)), "f", NOW) is Decision.REPLAY


def test_a_key_used_for_another_request_is_a_mismatch() -> None:
    assert decide(_stored(done=True, age=timedelta(0)), "g", NOW) is Decision.MISMATCH


def test_a_running_request_is_in_flight() -> None:
    assert decide(_stored(done=False, age=timedelta(seconds=1)), "f", NOW) is Decision.IN_FLIGHT


def test_an_expired_key_runs_again_whatever_was_stored() -> None:
    assert decide(_stored(done=True, age=KEEP_FOR, print_="g"), "f", NOW) is Decision.RUN


def test_an_abandoned_claim_is_taken_over_after_its_lease() -> None:
    assert decide(_stored(done=False, age=LEASE), "f", NOW) is Decision.RUN


@pytest.mark.parametrize(
    ("status", "keep"),
    [(201, True), (422, True), (409, True), (429, False), (500, False), (503, False)],
)
def test_server_errors_and_rate_limits_are_not_kept(status: int, keep: bool) -> None:
    assert kept(status) is keep
