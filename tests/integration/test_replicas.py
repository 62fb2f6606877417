"""Two ``budget serve`` processes on one PostgreSQL behave as one service (contract section 16).

Each replica is a real server process (Granian, one worker) on a port of its own, over the
session's PostgreSQL database; the tests spread their requests across both.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import PASSWORD, SECRET, unique_email

LIMIT = 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(database_url: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "BUDGET_ENV": "test",
        "BUDGET_DATABASE_URL": database_url,
        "BUDGET_SECRET_KEY": SECRET,
        "BUDGET_RATE_LIMIT_PER_MINUTE": str(LIMIT),
        "BUDGET_ACCESS_LOG": "false",
        "BUDGET_DATABASE_POOL_SIZE": "4",
    }
    budget = str(Path(sys.executable).with_name("budget"))
    process = subprocess.Popen(
        [budget, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"budget serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/ready", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("budget serve did not become ready in time")


@pytest.fixture(scope="module")
def replicas(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """Two replicas' base URLs (PostgreSQL only: SQLite is one host's database)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database")
    folder = tmp_path_factory.mktemp("replicas")
    started = [_start(database_url, folder) for _ in range(2)]
    try:
        for process, url in started:
            _wait_until_up(url, process)
        yield started[0][1], started[1][1]
    finally:
        for process, _ in started:
            process.send_signal(signal.SIGTERM)
        for process, _ in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def _sign_up(http: httpx.AsyncClient, url: str) -> dict[str, str]:
    email = unique_email()
    registered = await http.post(
        f"{url}/api/v1/auth/register", json={"email": email, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    tokens = await http.post(
        f"{url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert tokens.status_code == 200, tokens.text
    return dict(tokens.json())


def _bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def test_concurrent_writes_split_across_replicas_all_count_in_the_balance(
    replicas: tuple[str, str], http: httpx.AsyncClient
) -> None:
    one, other = replicas
    tokens = await _sign_up(http, one)
    account = await http.post(
        f"{one}/api/v1/accounts",
        json={"name": "Shared", "type": "checking", "currency": "EUR", "opening_balance": "0"},
        headers=_bearer(tokens),
    )
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]

    async def spend(url: str) -> int:
        body = {
            "account_id": account_id,
            "type": "expense",
            "amount": "1.25",
            "date": "2026-11-20",
        }
        answer = await http.post(f"{url}/api/v1/transactions", json=body, headers=_bearer(tokens))
        return answer.status_code

    statuses = await asyncio.gather(*(spend(url) for url in [one, other] * 10))
    balance = await http.get(f"{other}/api/v1/accounts/{account_id}", headers=_bearer(tokens))

    assert statuses == [201] * 20
    assert balance.json()["balance"] == "-25.00"


async def test_a_refresh_token_rotated_on_one_replica_is_detected_as_reused_on_the_other(
    replicas: tuple[str, str], http: httpx.AsyncClient
) -> None:
    one, other = replicas
    tokens = await _sign_up(http, one)
    rotated = await http.post(
        f"{one}/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )

    reused = await http.post(
        f"{other}/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    successor = await http.post(
        f"{one}/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]}
    )

    assert rotated.status_code == 200
    assert reused.status_code == 401
    assert successor.status_code == 401  # the whole family was revoked


async def test_the_rate_limit_is_one_limit_across_replicas(
    replicas: tuple[str, str], http: httpx.AsyncClient
) -> None:
    one, other = replicas
    tokens = await _sign_up(http, one)
    left = 60 - time.time() % 60
    if left < 10:  # the whole run inside one fixed window
        await asyncio.sleep(left + 0.1)

    answers = [
        await http.get(f"{url}/api/v1/users/me", headers=_bearer(tokens))
        for url in [one, other] * (LIMIT // 2)
    ]
    refused = await http.get(f"{other}/api/v1/users/me", headers=_bearer(tokens))

    assert [a.status_code for a in answers] == [200] * LIMIT
    assert answers[-1].headers["ratelimit-remaining"] == "0"
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1


def test_on_sigterm_a_replica_finishes_the_request_in_flight(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database")
    process, url = _start(database_url, tmp_path)
    try:
        _wait_until_up(url, process)
        port = int(url.rsplit(":", 1)[1])
        body = f'{{"email": "{unique_email()}", "password": "{PASSWORD}"}}'.encode()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            connection.sendall(
                b"POST /api/v1/auth/register HTTP/1.1\r\nHost: replica\r\n"
                b"Content-Type: application/json\r\nConnection: close\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body[:10]
            )
            time.sleep(0.5)  # the request is in flight: its body is half sent
            process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            connection.sendall(body[10:])
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert answer.startswith(b"HTTP/1.1 201")
    assert process.returncode == 0
