"""Structured logs (contract section 16): one JSON line per request, and never a secret."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from budget.entrypoints.http.middleware import JsonFormatter
from tests.integration.conftest import make_app, unique_email

SECRET_PASSWORD = "a distinctive passphrase 7f3a"
NEW_PASSWORD = "another distinctive phrase 9c1d"
CLIENT_LOGGERS = ("httpx", "httpcore")


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "budget.access"
    ]


async def test_logging_in_and_using_the_tokens_logs_no_password_and_no_token(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    email = unique_email()
    async with AsyncTestClient(make_app(database_url, access_log=True)) as client:
        await client.post(
            "/api/v1/auth/register", json={"email": email, "password": SECRET_PASSWORD}
        )
        await client.post("/api/v1/auth/login", json={"email": email, "password": "wrong one"})
        tokens = (
            await client.post(
                "/api/v1/auth/login", json={"email": email, "password": SECRET_PASSWORD}
            )
        ).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        await client.get("/api/v1/users/me", headers=auth)
        await client.get(f"/api/v1/accounts?token={tokens['access_token']}", headers=auth)
        await client.post(
            "/api/v1/users/me/password",
            json={"current_password": SECRET_PASSWORD, "new_password": NEW_PASSWORD},
            headers=auth,
        )
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    formatter = JsonFormatter()
    # Everything the server logged: the test's own HTTP client (httpx) logs the URLs it
    # asks for, which is the client's business.
    output = "\n".join(
        formatter.format(record)
        for record in caplog.records
        if not record.name.startswith(CLIENT_LOGGERS)
    )

    assert len(_access_lines(caplog)) >= 7
    for secret in (
        SECRET_PASSWORD,
        NEW_PASSWORD,
        "wrong one",
        tokens["access_token"],
        tokens["refresh_token"],
    ):
        assert secret not in output


async def test_a_request_logs_its_id_user_route_status_and_duration(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="budget.access")
    email = unique_email()
    async with AsyncTestClient(make_app(database_url, access_log=True)) as client:
        registered = await client.post(
            "/api/v1/auth/register", json={"email": email, "password": SECRET_PASSWORD}
        )
        tokens = (
            await client.post(
                "/api/v1/auth/login", json={"email": email, "password": SECRET_PASSWORD}
            )
        ).json()
        household = registered.json()["default_household_id"]
        caplog.clear()
        response = await client.get(
            f"/api/v1/households/{household}",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )

    [line] = _access_lines(caplog)
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["user_id"] == registered.json()["id"]
    assert line["household_id"] == household
    assert line["route"] == "/api/v1/households/{household_id}"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
