"""Health probes, request ids, the auth wall around every private route, and the docs."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from uuid import uuid4

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from budget.domain.model.auth import TokenClaims, TokenType
from tests.integration.conftest import SignedIn, make_app

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]

PUBLIC_OPERATIONS = {
    ("GET", "/"),
    ("GET", "/metrics"),
    ("GET", "/up"),
    ("GET", "/ready"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
}
BEARER = "BearerToken"


def _is_public(method: str, path: str) -> bool:
    return (
        (method, path) in PUBLIC_OPERATIONS
        or path == "/schema"
        or path.startswith(("/schema/", "/static/docs/"))
    )


def _private_operations(app: Litestar) -> list[tuple[str, str]]:
    """Every (method, concrete path) the contract protects, path parameters filled in."""
    operations = []
    for route in app.routes:
        for method in sorted(getattr(route, "methods", set()) - {"OPTIONS", "HEAD"}):
            if not _is_public(method, route.path):
                operations.append((method, re.sub(r"\{[^}]+\}", str(uuid4()), route.path)))
    return operations


# --- probes --------------------------------------------------------------------------------


async def test_up_answers_200_ok(client: Client) -> None:
    response = await client.get("/up")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_answers_200_when_the_database_answers(client: Client) -> None:
    response = await client.get("/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


# --- request ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/up", 200),
        ("GET", "/ready", 200),
        ("GET", "/api/v1/users/me", 401),
        ("GET", "/no/such/route", 404),
        ("POST", "/api/v1/auth/login", 400),
        ("GET", "/schema/openapi.json", 200),
    ],
)
async def test_every_response_carries_a_request_id(
    client: Client, method: str, path: str, status: int
) -> None:
    response = await client.request(
        method, path, content=b"{", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == status
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,128}", response.headers["x-request-id"])


async def test_each_request_gets_its_own_request_id(client: Client) -> None:
    first = await client.get("/up")
    second = await client.get("/up")

    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("path", ["/up", "/api/v1/users/me", "/no/such/route"])
async def test_a_sane_incoming_request_id_is_echoed(client: Client, path: str) -> None:
    response = await client.get(path, headers={"X-Request-ID": "trace-42.abc_DEF"})

    assert response.headers["x-request-id"] == "trace-42.abc_DEF"


@pytest.mark.parametrize("incoming", ["has spaces", "x" * 129, "<script>", "a,b"])
async def test_an_insane_incoming_request_id_is_replaced(client: Client, incoming: str) -> None:
    response = await client.get("/up", headers={"X-Request-ID": incoming})

    assert response.headers["x-request-id"] != incoming
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,128}", response.headers["x-request-id"])


class _ExplodingCodec:
    """A codec with a bug: every decode blows up with internals in the message."""

    def encode(self, claims: TokenClaims) -> str:
        raise RuntimeError("SELECT secret FROM internals")

    def decode(self, token: str, expected: TokenType) -> TokenClaims:
        raise RuntimeError("SELECT secret FROM internals")


async def test_an_unexpected_error_is_a_bare_500_problem_logged_with_its_request_id(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(database_url)
    app.state.container.codec = _ExplodingCodec()
    async with AsyncTestClient(app, raise_server_exceptions=False) as client:
        with caplog.at_level(logging.ERROR, logger="budget.http"):
            response = await client.get(
                "/api/v1/users/me", headers={"Authorization": "Bearer x.y.z"}
            )

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "An unexpected error occurred."
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    request_id = response.headers["x-request-id"]
    assert any(request_id in record.getMessage() for record in caplog.records)


# --- the auth wall -------------------------------------------------------------------------


def test_the_app_has_private_routes_to_check(app: Litestar) -> None:
    operations = _private_operations(app)

    assert ("GET", "/api/v1/users/me") in operations
    assert ("POST", "/api/v1/auth/logout") in operations
    assert any(path.startswith("/api/v1/admin/users/") for _, path in operations)


async def test_every_private_route_answers_401_without_a_token(
    client: Client, app: Litestar
) -> None:
    answers = {}
    for method, path in _private_operations(app):
        response = await client.request(method, path, json={})
        answers[(method, path)] = (
            response.status_code,
            response.headers.get("www-authenticate", "").startswith("Bearer"),
        )

    assert {op: answer for op, answer in answers.items() if answer != (401, True)} == {}


async def test_every_private_route_answers_401_for_a_garbage_token(
    client: Client, app: Litestar
) -> None:
    statuses = {
        (method, path): (
            await client.request(
                method, path, json={}, headers={"Authorization": "Bearer not.a.token"}
            )
        ).status_code
        for method, path in _private_operations(app)
    }

    assert {op: status for op, status in statuses.items() if status != 401} == {}


@pytest.mark.parametrize(
    "path",
    ["/up", "/ready", "/schema/openapi.json", "/schema/swagger", "/schema/scalar"],
)
async def test_public_reads_need_no_token(client: Client, path: str) -> None:
    assert (await client.get(path)).status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh"]
)
async def test_public_auth_routes_answer_without_asking_for_a_token(
    client: Client, path: str
) -> None:
    response = await client.post(path, json={})

    assert response.status_code == 422  # the body is checked, not the missing token


async def test_a_path_that_merely_contains_schema_is_not_public(client: Client) -> None:
    response = await client.get("/api/v1/users/me", params={"x": "/schema"})

    assert response.status_code == 401


# --- the OpenAPI document ------------------------------------------------------------------


async def _document(client: Client) -> dict:  # type: ignore[type-arg]
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document: dict = response.json()  # type: ignore[type-arg]
    return document


def _operations(document: dict) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


async def test_the_openapi_document_is_version_3_1_and_includes_the_probes(client: Client) -> None:
    document = await _document(client)

    assert document["openapi"].startswith("3.1")
    assert {"/up", "/ready", "/api/v1/auth/register", "/api/v1/users/me"} <= set(document["paths"])


async def test_every_operation_has_an_operation_id_tags_and_a_summary(client: Client) -> None:
    document = await _document(client)

    missing = [
        (method, path)
        for method, path, operation in _operations(document)
        if not (operation.get("operationId") and operation.get("tags") and operation.get("summary"))
    ]

    assert missing == []


async def test_operation_ids_are_unique(client: Client) -> None:
    ids = [operation["operationId"] for _, _, operation in _operations(await _document(client))]

    assert len(ids) == len(set(ids))


async def test_the_bearer_scheme_is_declared(client: Client) -> None:
    schemes = (await _document(client))["components"]["securitySchemes"]

    assert schemes[BEARER]["type"] == "http"
    assert schemes[BEARER]["scheme"] == "bearer"


async def test_every_protected_operation_lists_the_bearer_scheme(client: Client) -> None:
    document = await _document(client)

    unsecured = [
        (method, path)
        for method, path, operation in _operations(document)
        if not _is_public(method, path)
        and {BEARER: []} not in operation.get("security", document.get("security", []))
    ]

    assert unsecured == []


async def test_public_operations_do_not_demand_the_bearer_scheme(client: Client) -> None:
    document = await _document(client)

    demanding = [
        (method, path)
        for method, path, operation in _operations(document)
        if _is_public(method, path)
        and {BEARER: []} in operation.get("security", document.get("security", []))
    ]

    assert demanding == []


async def test_every_operation_documents_its_error_responses(client: Client) -> None:
    document = await _document(client)

    undocumented = [
        (method, path)
        for method, path, operation in _operations(document)
        if path not in {"/", "/up", "/ready"}
        and not any(code.startswith(("4", "5")) for code in operation.get("responses", {}))
    ]

    assert undocumented == []


@pytest.mark.parametrize("path", ["/schema/swagger", "/schema/scalar"])
async def test_the_interactive_docs_are_served(client: Client, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
