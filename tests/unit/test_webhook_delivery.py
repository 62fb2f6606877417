"""What an attempt's answer makes of a delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from budget.domain.model.ids import WebhookId
from budget.domain.model.webhook import MAX_ATTEMPTS, DeliveryStatus, DueDelivery
from budget.domain.services.webhooks import outcome

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def claimed(attempts: int) -> DueDelivery:
    return DueDelivery(
        UUID(int=1),
        WebhookId(UUID(int=2)),
        "https://example.com",
        "whsec_AAAA",
        "{}",
        attempts,
        NOW,
    )


def test_a_2xx_answer_settles_the_delivery() -> None:
    assert outcome(claimed(1), 200, NOW, 0.0) == (DeliveryStatus.SUCCEEDED, 200, None)


def test_a_failed_attempt_is_retried_later() -> None:
    status, answer, retry = outcome(claimed(1), 500, NOW, 0.0)
    assert (status, answer) == (DeliveryStatus.PENDING, 500)
    assert retry is not None
    assert NOW < retry <= NOW + timedelta(seconds=30)


def test_no_answer_is_a_failed_attempt() -> None:
    status, answer, _ = outcome(claimed(2), None, NOW, 0.0)
    assert (status, answer) == (DeliveryStatus.PENDING, None)


def test_the_last_failed_attempt_fails_the_delivery() -> None:
    assert outcome(claimed(MAX_ATTEMPTS), 500, NOW, 0.0) == (DeliveryStatus.FAILED, 500, None)
