"""A database outage answers 503 (never 500), and the app recovers without a restart.

A small TCP proxy sits between the app and PostgreSQL; cutting it drops every connection
and refuses new ones, restoring it lets them through again. The proxy runs on its own
event loop in a thread, because the test client blocks the test's loop during requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from tests.integration.conftest import PASSWORD, SignedIn, make_app, sign_up, unique_email

ME = "/api/v1/users/me"
PROBLEM_JSON = "application/problem+json"


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the target; ``cut``, ``stall`` and ``restore`` the link."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._open = True
        self._flowing = asyncio.Event()
        self._transports: set[asyncio.WriteTransport] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    def start(self) -> None:
        self._thread.start()
        self._server = self._call(self._serve())

    def stop(self) -> None:
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def cut(self) -> None:
        """Drop every open connection and refuse new ones."""
        self._call(self._cut())

    def stall(self) -> None:
        """Keep every connection open but stop passing bytes (a database that hangs)."""
        self._loop.call_soon_threadsafe(self._flowing.clear)

    def restore(self) -> None:
        self._open = True
        self._loop.call_soon_threadsafe(self._flowing.set)

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _serve(self) -> asyncio.Server:
        self._flowing.set()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _shutdown(self) -> None:
        self._server.close()
        await self._cut()
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _cut(self) -> None:
        self._open = False
        for transport in list(self._transports):
            transport.abort()
        self._transports.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._open:
            writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        pair = {writer.transport, upstream_writer.transport}
        self._transports |= pair
        await asyncio.gather(
            self._pipe(reader, upstream_writer),
            self._pipe(upstream_reader, writer),
            return_exceptions=True,
        )
        self._transports -= pair

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.transport.abort()


@pytest.fixture
def proxy(database_url: str) -> Iterator[CuttableProxy]:
    if not database_url.startswith("postgresql"):
        pytest.skip("an outage of an embedded SQLite file is not a network failure")
    url = make_url(database_url)
    running = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    running.start()
    yield running
    running.stop()


@pytest.fixture
async def outage_client(
    database_url: str, proxy: CuttableProxy
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    through_proxy = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    app = make_app(
        through_proxy.render_as_string(hide_password=False),
        database_connect_timeout_seconds=1,
        database_statement_timeout_seconds=2,
    )
    async with AsyncTestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
async def signed_in(outage_client: AsyncTestClient[Litestar]) -> SignedIn:
    return await sign_up(outage_client)


def _assert_unavailable_problem(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert "Traceback" not in response.text
    assert "asyncpg" not in response.text


async def test_the_proxy_passes_traffic_while_the_link_is_up(
    outage_client: AsyncTestClient[Litestar], signed_in: SignedIn
) -> None:
    response = await outage_client.get(ME, headers=signed_in.headers)

    assert response.status_code == 200
    assert response.json()["id"] == signed_in.id


async def test_ready_answers_503_with_retry_after_during_an_outage(
    outage_client: AsyncTestClient[Litestar], signed_in: SignedIn, proxy: CuttableProxy
) -> None:
    proxy.cut()

    response = await outage_client.get("/ready")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
    assert int(response.headers["retry-after"]) > 0


async def test_liveness_stays_up_during_an_outage(
    outage_client: AsyncTestClient[Litestar], proxy: CuttableProxy
) -> None:
    proxy.cut()

    response = await outage_client.get("/up")

    assert response.status_code == 200


async def test_an_authenticated_request_answers_a_503_problem_during_an_outage(
    outage_client: AsyncTestClient[Litestar], signed_in: SignedIn, proxy: CuttableProxy
) -> None:
    proxy.cut()

    response = await outage_client.get(ME, headers=signed_in.headers)

    _assert_unavailable_problem(response)


async def test_a_503_is_logged_with_the_request_id_the_response_carries(
    outage_client: AsyncTestClient[Litestar],
    signed_in: SignedIn,
    proxy: CuttableProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxy.cut()

    with caplog.at_level(logging.WARNING, logger="budget.http"):
        response = await outage_client.get(ME, headers=signed_in.headers)

    assert response.status_code == 503
    request_id = response.headers["x-request-id"]
    assert any(request_id in record.getMessage() for record in caplog.records)


async def test_registering_answers_a_503_problem_during_an_outage(
    outage_client: AsyncTestClient[Litestar], signed_in: SignedIn, proxy: CuttableProxy
) -> None:
    proxy.cut()

    response = await outage_client.post(
        "/api/v1/auth/register", json={"email": unique_email(), "password": PASSWORD}
    )

    _assert_unavailable_problem(response)


async def test_logging_in_answers_a_503_problem_during_an_outage(
    outage_client: AsyncTestClient[Litestar], signed_in: SignedIn, proxy: CuttableProxy
) -> None:
    proxy.cut()

    response = await outage_client.post(
        "/api/v1/auth/login", json={"email": signed_in.email, "password": PASSWORD}
    )

    _assert_unavailable_problem(response)


async def test_the_app_recovers_once_the_database_is_back_without_a_restart(
    outage_client: AsyncTestClient[Litestar], signed_in: SignedIn, proxy: CuttableProxy
) -> None:
    proxy.cut()
    assert (await outage_client.get("/ready")).status_code == 503
    assert (await outage_client.get(ME, headers=signed_in.headers)).status_code == 503

    proxy.restore()

    ready = await outage_client.get("/ready")
    me = await outage_client.get(ME, headers=signed_in.headers)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok"}
    assert me.status_code == 200
    assert me.json()["id"] == signed_in.id
    login = await outage_client.post(
        "/api/v1/auth/login", json={"email": signed_in.email, "password": PASSWORD}
    )
    assert login.status_code == 200


async def test_a_database_that_stops_answering_gives_503_within_the_timeouts(
    outage_client: AsyncTestClient[Litestar], signed_in: SignedIn, proxy: CuttableProxy
) -> None:
    proxy.stall()

    started = time.monotonic()
    me = await outage_client.get(ME, headers=signed_in.headers)
    ready = await outage_client.get("/ready")
    elapsed = time.monotonic() - started

    _assert_unavailable_problem(me)
    assert ready.status_code == 503
    assert elapsed < 15  # connect 1 s and statement 2 s timeouts, plus clean-up; never a hang
    proxy.restore()
    assert (await outage_client.get(ME, headers=signed_in.headers)).status_code == 200
