"""The landing page and the self-hosted docs (contract section 16), without a browser."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

import budget

Client = AsyncTestClient[Litestar]
ANOTHER_ORIGIN = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


async def test_the_landing_page_shows_the_product_its_version_and_readiness(
    client: Client,
) -> None:
    response = await client.get("/")
    document = (await client.get("/schema/openapi.json")).json()

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<h1 id="product">Budget</h1>' in response.text
    assert f'<strong id="version">{document["info"]["version"]}</strong>' in response.text
    assert document["info"]["version"] == budget.__version__
    assert '<strong id="ready-status">ok</strong>' in response.text


async def test_the_landing_page_links_the_docs_and_the_document(client: Client) -> None:
    text = (await client.get("/")).text

    for link in ("/schema/swagger", "/schema/scalar", "/schema/openapi.json"):
        assert f'href="{link}"' in text


async def test_the_landing_page_needs_no_token(client: Client) -> None:
    response = await client.get("/", headers={"Authorization": "Bearer garbage"})

    assert response.status_code == 200


async def test_the_landing_page_and_the_docs_load_nothing_from_another_origin(
    client: Client,
) -> None:
    pages = [await client.get(path) for path in ("/", "/schema/swagger", "/schema/scalar")]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert [ANOTHER_ORIGIN.findall(page.text) for page in pages] == [[], [], []]


async def test_the_docs_assets_are_served_by_the_app(client: Client) -> None:
    paths = [
        "/static/docs/swagger-ui/swagger-ui-bundle.js",
        "/static/docs/swagger-ui/swagger-ui-standalone-preset.js",
        "/static/docs/swagger-ui/swagger-ui.css",
        "/static/docs/scalar/standalone.js",
        "/static/docs/scalar.css",
    ]

    answers = [await client.get(path) for path in paths]

    assert [answer.status_code for answer in answers] == [200] * len(paths)
    assert all(len(answer.content) > 100 for answer in answers)


async def test_scalar_is_told_not_to_load_its_fonts_from_a_cdn(client: Client) -> None:
    text = (await client.get("/schema/scalar")).text

    assert '"withDefaultFonts":false' in text
