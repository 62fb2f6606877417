"""The liveness lane answers ``GET /up`` exactly as the app would, and passes the rest on."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from budget.entrypoints.http.liveness import LivenessLane
from tests.integration.conftest import make_app

Answer = tuple[int, dict[str, str], bytes]
COMPARED_HEADERS = ("content-type", "content-length")
ORIGIN = "https://app.example"


@pytest.fixture
async def own_app(database_url: str) -> AsyncIterator[Litestar]:
    """An app of this module's own: requests here run on the test's event loop, so its
    pooled connections must not be left to the shared app (whose clients run elsewhere)."""
    app = make_app(database_url)
    yield app
    await app.state.container.engine.dispose()


@pytest.fixture
async def lane(own_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=LivenessLane(own_app, log_requests=True))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def framework(own_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=own_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def answer(response: httpx.Response) -> Answer:
    headers = {name: response.headers[name] for name in COMPARED_HEADERS}
    return response.status_code, headers, response.content


async def test_up_through_the_lane_answers_what_the_app_answers(
    lane: httpx.AsyncClient, framework: httpx.AsyncClient
) -> None:
    assert answer(await lane.get("/up")) == answer(await framework.get("/up"))


async def test_up_through_the_lane_carries_a_fresh_request_id_per_request(
    lane: httpx.AsyncClient,
) -> None:
    first, second = await lane.get("/up"), await lane.get("/up")

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_up_through_the_lane_echoes_a_sane_incoming_request_id(
    lane: httpx.AsyncClient,
) -> None:
    response = await lane.get("/up", headers={"X-Request-ID": "probe-7"})

    assert response.headers["x-request-id"] == "probe-7"


async def test_up_through_the_lane_is_logged_like_any_request(
    lane: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="budget.access"):
        response = await lane.get("/up")

    logged = [json.loads(r.getMessage()) for r in caplog.records if r.name == "budget.access"]
    assert [(line["path"], line["status"], line["request_id"]) for line in logged] == [
        ("/up", 200, response.headers["x-request-id"])
    ]


async def test_other_paths_pass_through_the_lane_to_the_app(
    lane: httpx.AsyncClient, framework: httpx.AsyncClient
) -> None:
    assert answer(await lane.get("/ready")) == answer(await framework.get("/ready"))


async def test_another_method_on_up_is_left_to_the_app(lane: httpx.AsyncClient) -> None:
    response = await lane.post("/up")

    assert response.status_code == 405


async def test_up_with_an_origin_is_left_to_the_app_and_its_cors_answer(
    database_url: str,
) -> None:
    app = make_app(database_url, cors_origins=(ORIGIN,))
    transport = httpx.ASGITransport(app=LivenessLane(app, log_requests=False))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/up", headers={"Origin": ORIGIN})
    await app.state.container.engine.dispose()

    assert response.headers["access-control-allow-origin"] == ORIGIN
