"""Input no client should send: NUL characters, broken UTF-8, absurd nesting, huge offsets.

Each must be a 4xx problem on both databases, never a 500 (PostgreSQL rejects NUL in text,
and offsets beyond 64 bits overflow every driver).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import PASSWORD, SignedIn, unique_email

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]

PROBLEM_JSON = "application/problem+json"
JSON = {"Content-Type": "application/json"}
NUL = "\u0000"
MAX_OFFSET = 2**31 - 1


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


async def _account(client: Client, user: SignedIn) -> str:
    body = {"name": "Main", "type": "cash", "currency": "EUR"}
    response = await client.post("/api/v1/accounts", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    account_id: str = response.json()["id"]
    return account_id


def _expense(account_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "expense",
        "account_id": account_id,
        "amount": "1.00",
        "date": "2026-11-02",
        **fields,
    }


# --- NUL characters --------------------------------------------------------------------------

PUBLIC_NUL_BODIES = [
    ("/api/v1/auth/register", {"email": f"nul{NUL}@example.com", "password": PASSWORD}, "email"),
    (
        "/api/v1/auth/register",
        {"email": unique_email(), "password": f"correct{NUL}horse battery"},
        "password",
    ),
    (
        "/api/v1/auth/register",
        {"email": unique_email(), "password": PASSWORD, "display_name": f"A{NUL}"},
        "display_name",
    ),
    ("/api/v1/auth/login", {"email": f"nul{NUL}@example.com", "password": "x"}, "email"),
    ("/api/v1/auth/login", {"email": unique_email(), "password": f"x{NUL}"}, "password"),
    ("/api/v1/auth/refresh", {"refresh_token": f"a{NUL}b"}, "refresh_token"),
]


@pytest.mark.parametrize(("path", "body", "field"), PUBLIC_NUL_BODIES)
async def test_a_nul_character_in_a_public_body_is_422_with_its_pointer(
    client: Client, path: str, body: dict[str, Any], field: str
) -> None:
    response = await client.post(path, json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert _pointers(response) == [f"#/{field}"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "POST",
            "/api/v1/accounts",
            {"name": f"a{NUL}b", "type": "cash", "currency": "EUR"},
            "name",
        ),
        ("POST", "/api/v1/categories", {"name": f"a{NUL}", "kind": "expense"}, "name"),
        ("POST", "/api/v1/budgets", {"name": f"{NUL}", "amount": "1", "currency": "EUR"}, "name"),
        ("PATCH", "/api/v1/users/me", {"display_name": f"Ada{NUL}"}, "display_name"),
        ("POST", "/api/v1/auth/logout", {"refresh_token": f"x{NUL}"}, "refresh_token"),
    ],
)
async def test_a_nul_character_in_a_body_is_422_with_its_pointer(
    client: Client, new_user: NewUser, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    user = await new_user()

    response = await client.request(method, path, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"description": f"Weekly{NUL}shop"}, "#/description"),
        ({"payee": f"{NUL}"}, "#/payee"),
        ({"tags": ["food", f"we{NUL}ekly"]}, "#/tags"),
    ],
)
async def test_a_nul_character_in_a_transaction_is_422_with_its_pointer(
    client: Client, new_user: NewUser, fields: dict[str, Any], pointer: str
) -> None:
    user = await new_user()
    body = _expense(await _account(client, user), **fields)

    response = await client.post("/api/v1/transactions", json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [pointer]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/transactions", "q"),
        ("/api/v1/transactions", "tag"),
        ("/api/v1/transactions", "cursor"),
        ("/api/v1/transactions", "sort"),
        ("/api/v1/transactions", "min_amount"),
        ("/api/v1/accounts", "sort"),
        ("/api/v1/accounts", "currency"),
        ("/api/v1/categories", "sort"),
        ("/api/v1/budgets", "sort"),
        ("/api/v1/budgets", "currency"),
        ("/api/v1/admin/users", "sort"),
    ],
)
async def test_a_nul_character_in_a_query_parameter_is_422_naming_it(
    client: Client, new_user: NewUser, path: str, parameter: str
) -> None:
    user = await new_user()

    response = await client.get(f"{path}?{parameter}=a%00b", headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [parameter]


async def test_the_nul_problem_says_what_is_wrong(client: Client) -> None:
    response = await client.post(
        "/api/v1/auth/login", json={"email": f"a{NUL}@example.com", "password": "x"}
    )

    assert response.json()["errors"][0]["detail"] == "must not contain the NUL character (\\u0000)"


async def test_text_in_any_script_and_emoji_is_accepted(client: Client, new_user: NewUser) -> None:
    user = await new_user(display_name="Zoë 日本 ✓")
    account = await client.post(
        "/api/v1/accounts",
        json={"name": "Café ☕ Ünïcödé 😀", "type": "cash", "currency": "EUR"},
        headers=user.headers,
    )
    assert account.status_code == 201, account.text
    fields = {"description": "Einkauf “Markt” — 𝄞 \t\n", "payee": "Łódź", "tags": ["日本", "😀"]}
    body = _expense(account.json()["id"], **fields)

    recorded = await client.post("/api/v1/transactions", json=body, headers=user.headers)
    found = await client.get(
        f"/api/v1/transactions?q={quote('MARKT”')}&tag={quote('😀')}", headers=user.headers
    )

    assert recorded.status_code == 201, recorded.text
    assert account.json()["name"] == "Café ☕ Ünïcödé 😀"
    assert {k: recorded.json()[k] for k in fields} == fields
    assert found.status_code == 200, found.text
    assert [t["id"] for t in found.json()["items"]] == [recorded.json()["id"]]


# --- bodies the JSON decoder cannot walk -----------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"email": "x\xff@example.com", "password": "correct horse battery"}',
        b'{"email": "\xc3\x28@example.com", "password": "correct horse battery"}',
        b"[" * 1000 + b"]" * 1000,
        b'{"email": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
    ids=["invalid-utf-8", "truncated-utf-8-sequence", "nested-arrays", "nested-field"],
)
async def test_a_body_that_is_not_utf_8_or_is_nested_absurdly_deep_is_400(
    client: Client, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = await client.post("/api/v1/auth/register", content=body, headers=JSON)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"].startswith("The request body is not valid JSON")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_authenticated_body_that_is_not_utf_8_is_400(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(
        "/api/v1/accounts",
        content=b'{"name": "x\xff", "type": "cash", "currency": "EUR"}',
        headers={**user.headers, **JSON},
    )

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM_JSON


# --- offsets ---------------------------------------------------------------------------------

LISTS = [
    "/api/v1/accounts",
    "/api/v1/categories",
    "/api/v1/transactions",
    "/api/v1/budgets",
    "/api/v1/admin/users",
]


@pytest.mark.parametrize("offset", [MAX_OFFSET + 1, 2**63, 10**30])
@pytest.mark.parametrize("path", LISTS)
async def test_an_offset_beyond_the_largest_is_422_on_offset(
    client: Client, new_user: NewUser, path: str, offset: int
) -> None:
    user = await new_user()

    response = await client.get(f"{path}?offset={offset}", headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["offset"]


@pytest.mark.parametrize("path", LISTS[:4])
async def test_the_largest_offset_answers_an_empty_page(
    client: Client, new_user: NewUser, path: str
) -> None:
    user = await new_user()

    response = await client.get(f"{path}?offset={MAX_OFFSET}", headers=user.headers)

    assert response.status_code == 200, response.text
    assert (response.json()["items"], response.json()["offset"]) == ([], MAX_OFFSET)


# --- one title for every 422 -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"name": 5, "type": "cash", "currency": "EUR"},
        {"name": "Main", "type": "cash", "currency": "EUR", "id": "x"},
        {"name": "   ", "type": "cash", "currency": "EUR"},
        {"name": "Main", "type": "cash", "currency": "XXX"},
    ],
    ids=["wrong-type", "unknown-field", "blank-name", "unknown-currency"],
)
async def test_every_validation_problem_is_titled_validation_failed(
    client: Client, new_user: NewUser, body: dict[str, Any]
) -> None:
    user = await new_user()

    response = await client.post("/api/v1/accounts", json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert response.json()["title"] == "Validation failed"
