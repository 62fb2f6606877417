"""GET /metrics (contract section 16): Prometheus text, series by route template, access."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from budget.adapters.metrics import SCHEDULER_RUNS, register_gauge_callback
from budget.entrypoints.http.liveness import LivenessLane
from budget.settings import Environment
from tests.integration.conftest import SignedIn, make_app

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
TOKEN = "metrics-token-0123456789abcdef"


@asynccontextmanager
async def app_client(database_url: str, **overrides: Any) -> AsyncIterator[Client]:
    async with AsyncTestClient(make_app(database_url, **overrides)) as client:
        yield client


def _series(text: str, name: str) -> dict[str, float]:
    """``{labels: value}`` of the samples of ``name`` in a Prometheus text answer."""
    found = {}
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            labels, _, value = line.rpartition(" ")
            found[labels[len(name) :]] = float(value)
    return found


async def test_metrics_answer_prometheus_text(client: Client) -> None:
    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE budget_http_requests_total counter" in response.text
    assert "# TYPE budget_http_request_duration_seconds histogram" in response.text


async def test_requests_are_counted_by_route_template_never_by_raw_path(
    database_url: str, new_user: NewUser
) -> None:
    user = await new_user()
    missing = uuid.uuid4()
    async with app_client(database_url) as client:
        await client.get(f"/api/v1/accounts/{missing}", headers=user.headers)
        text = (await client.get("/metrics")).text

    labels = '{method="GET",route="/api/v1/accounts/{account_id}",status="404"}'
    assert _series(text, "budget_http_requests_total")[labels] == 1
    assert _series(text, "budget_http_request_duration_seconds_count")[labels] == 1
    assert str(missing) not in text


async def test_requests_no_route_matches_are_counted_as_unmatched(database_url: str) -> None:
    async with app_client(database_url) as client:
        await client.get("/no/such/place/4242")
        await client.get("/another/unknown/path")
        text = (await client.get("/metrics")).text

    labels = '{method="GET",route="<unmatched>",status="404"}'
    assert _series(text, "budget_http_requests_total")[labels] == 2
    assert "/no/such/place" not in text


async def test_the_pool_the_webhook_queue_and_the_scheduler_are_reported(client: Client) -> None:
    SCHEDULER_RUNS.labels(job="recurring", outcome="ok").inc()

    text = (await client.get("/metrics")).text

    assert "budget_database_pool_connections_in_use " in text
    assert "budget_webhook_deliveries_pending " in text
    assert 'budget_scheduler_runs_total{job="recurring",outcome="ok"}' in text


async def test_a_registered_gauge_is_read_from_its_callback_at_each_scrape(
    client: Client,
) -> None:
    values = iter([3.0, 5.0])

    async def pending() -> float:
        return next(values)

    register_gauge_callback("budget_test_pending", "A test gauge", pending)
    first = (await client.get("/metrics")).text
    second = (await client.get("/metrics")).text

    assert _series(first, "budget_test_pending") == {"": 3.0}
    assert _series(second, "budget_test_pending") == {"": 5.0}


async def test_in_production_metrics_without_a_configured_token_are_not_found(
    database_url: str,
) -> None:
    async with app_client(database_url, env=Environment.PRODUCTION) as client:
        response = await client.get("/metrics", headers={"Authorization": "Bearer anything"})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_in_production_metrics_without_the_token_or_with_another_answer_401(
    database_url: str,
) -> None:
    async with app_client(database_url, env=Environment.PRODUCTION, metrics_token=TOKEN) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})

    assert [missing.status_code, wrong.status_code] == [401, 401]
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "budget_http_requests_total" not in wrong.text


async def test_in_production_metrics_answer_the_bearer_of_the_token(database_url: str) -> None:
    async with app_client(database_url, env=Environment.PRODUCTION, metrics_token=TOKEN) as client:
        response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert "budget_http_requests_total" in response.text


async def test_outside_production_the_token_is_not_needed(database_url: str) -> None:
    async with app_client(database_url, metrics_token=TOKEN) as client:
        response = await client.get("/metrics")

    assert response.status_code == 200


async def test_the_liveness_lane_counts_its_answers_in_the_apps_metrics(
    database_url: str,
) -> None:
    app = make_app(database_url)
    lane = LivenessLane(app, log_requests=False, metrics=app.state.metrics)
    transport = httpx.ASGITransport(app=lane)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await client.get("/up")
        text = (await client.get("/metrics")).text
    await app.state.container.close()

    assert (
        _series(text, "budget_http_requests_total")['{method="GET",route="/up",status="200"}'] == 1
    )
