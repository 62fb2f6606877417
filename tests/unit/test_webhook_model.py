"""The pure rules of webhooks: fields, event masks, retries, the URL policy, secrets."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain.errors import RuleViolationError
from budget.domain.model.webhook import (
    BUDGET_EVENTS_MASK,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    EventType,
    UrlPolicy,
    WebhookFields,
    event_mask,
    format_secret,
    listens_to,
    next_attempt_after,
    refused_address,
    secret_key,
    succeeded,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def fields_problems(**changes: object) -> list[str]:
    values: dict[str, object] = {
        "url": "https://example.com/hook",
        "events": (EventType.ACCOUNT_CREATED,),
    }
    values.update(changes)
    with pytest.raises(RuleViolationError) as raised:
        WebhookFields(**values).checked()  # type: ignore[arg-type]
    return [problem.field for problem in raised.value.problems]


def test_good_fields_are_kept() -> None:
    fields = WebhookFields("https://example.com/hook", (EventType.ACCOUNT_CREATED,))
    assert fields.checked() == fields


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "example.com/hook",
        "https://",
        "javascript:alert(1)",
        "http://h:99999/",
    ],
)
def test_a_url_that_is_not_absolute_http_is_refused(url: str) -> None:
    assert fields_problems(url=url) == ["url"]


@pytest.mark.parametrize(
    "events",
    [
        (),
        (EventType.ACCOUNT_CREATED, EventType.ACCOUNT_CREATED),
        (EventType.WEBHOOK_TEST,),
    ],
)
def test_events_must_be_one_or_more_distinct_subscribable_types(
    events: tuple[EventType, ...],
) -> None:
    assert fields_problems(events=events) == ["events"]


def test_every_bad_field_is_reported_at_once() -> None:
    assert fields_problems(url="ftp://x", events=(), description="d" * 501) == [
        "url",
        "events",
        "description",
    ]


def test_each_event_type_has_a_bit_of_its_own() -> None:
    bits = [event.bit for event in EventType]
    assert len(set(bits)) == len(bits)
    assert event_mask(EventType) == (1 << len(bits)) - 1


def test_a_mask_listens_to_its_events_alone() -> None:
    mask = event_mask([EventType.BUDGET_WARNING, EventType.TRANSACTION_CREATED])
    assert listens_to(mask, EventType.BUDGET_WARNING)
    assert not listens_to(mask, EventType.TRANSACTION_UPDATED)
    assert mask & BUDGET_EVENTS_MASK == EventType.BUDGET_WARNING.bit


# -- retries --


def test_the_first_retry_comes_within_30_seconds() -> None:
    retry = next_attempt_after(1, NOW, jitter=0.999)
    assert retry is not None
    assert retry - NOW <= timedelta(seconds=30)


def test_retry_delays_grow() -> None:
    assert all(later >= earlier for earlier, later in pairwise(RETRY_DELAYS))
    assert RETRY_DELAYS[-1] > RETRY_DELAYS[0]


def test_attempts_go_on_for_more_than_a_day() -> None:
    assert sum(RETRY_DELAYS, timedelta()) >= timedelta(hours=24)


def test_after_the_last_attempt_the_delivery_gives_up() -> None:
    assert next_attempt_after(MAX_ATTEMPTS, NOW) is None
    assert next_attempt_after(MAX_ATTEMPTS - 1, NOW) is not None


@given(st.integers(1, MAX_ATTEMPTS - 1), st.floats(0, 1, exclude_max=True))
def test_jitter_stretches_a_delay_by_at_most_a_tenth(attempts: int, jitter: float) -> None:
    retry = next_attempt_after(attempts, NOW, jitter)
    delay = RETRY_DELAYS[attempts - 1]
    assert retry is not None
    assert delay <= retry - NOW <= delay * 1.1


@pytest.mark.parametrize(
    ("status", "ok"),
    [
        (200, True),
        (204, True),
        (299, True),
        (301, False),
        (404, False),
        (500, False),
        (None, False),
    ],
)
def test_only_a_2xx_answer_succeeds(status: int | None, ok: bool) -> None:
    assert succeeded(status) is ok


# -- the URL policy --


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",
        "224.0.0.1",
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert refused_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not refused_address(address)


def test_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    with pytest.raises(RuleViolationError) as raised:
        UrlPolicy(allow_private=False).check(["93.184.216.34", "10.0.0.1"])
    assert raised.value.problems[0].field == "url"


def test_a_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(RuleViolationError):
        UrlPolicy(allow_private=False).check([])


def test_private_addresses_pass_when_allowed() -> None:
    UrlPolicy(allow_private=True).check(["127.0.0.1"])


# -- secrets --


def test_a_secret_is_whsec_and_the_base64_of_its_key() -> None:
    key = bytes(range(32))
    secret = format_secret(key)
    assert secret == "whsec_" + base64.b64encode(key).decode()
    assert secret_key(secret) == key
