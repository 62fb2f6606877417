"""OPTIONS answers ``Allow`` with every method of the path, as the OpenAPI document lists them.

Litestar's automatic OPTIONS handler keeps the methods of the first handler registered on a
path; ``budget.entrypoints.http.middleware`` names them all. No database is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from budget.entrypoints.app import create_app
from tests.integration.conftest import make_settings

SOME_ID = "0190b5a0-0000-7000-8000-0000000000ff"
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Litestar]]:
    directory = tmp_path_factory.mktemp("allow")
    app = create_app(make_settings(f"sqlite+aiosqlite:///{directory / 'never-opened.sqlite3'}"))
    with TestClient(app) as test_client:
        yield test_client


def _allowed(client: TestClient[Litestar], path: str) -> set[str]:
    response = client.options(re.sub(r"\{[^}]+\}", SOME_ID, path))
    assert response.status_code == 204, response.text
    return {method.strip() for method in response.headers["allow"].split(",")}


def test_options_on_a_list_names_both_get_and_post(client: TestClient[Litestar]) -> None:
    assert _allowed(client, "/api/v1/accounts") == {"GET", "OPTIONS", "POST"}


def test_options_on_an_item_names_get_patch_and_delete(client: TestClient[Litestar]) -> None:
    assert _allowed(client, "/api/v1/accounts/{id}") == {"DELETE", "GET", "OPTIONS", "PATCH"}


def test_options_names_exactly_the_documented_methods_of_every_path(
    client: TestClient[Litestar],
) -> None:
    document = client.get("/schema/openapi.json").json()
    documented = {
        path: {method.upper() for method in item if method in METHODS} | {"OPTIONS"}
        for path, item in document["paths"].items()
    }

    assert {path: _allowed(client, path) for path in documented} == documented


def test_options_names_the_methods_of_every_route_the_app_serves(
    client: TestClient[Litestar],
) -> None:
    routes = [route for route in client.app.routes if isinstance(route, HTTPRoute)]
    served = {route.path_format: set(route.methods) for route in routes}

    assert len(served) > 20
    assert {path: _allowed(client, path) for path in served} == served
