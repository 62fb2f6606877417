"""User administration: an administrator lists users and (de)activates them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import uuid4

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from budget.adapters.database import ALL_HOUSEHOLDS
from budget.domain.services.admin import EnsureAdministrator
from budget.domain.services.auth import Registration
from tests.integration.conftest import PASSWORD, SignedIn, unique_email

USERS = "/api/v1/admin/users"
ME = "/api/v1/users/me"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


async def _administrator(client: Client) -> SignedIn:
    """An administrator made the way ``budget create-admin`` makes one, then signed in."""
    email = unique_email("admin")

    async def create() -> str:
        container = client.app.state.container
        # Registering makes a household with its default categories: a unit of work over
        # every household, as the app's registration (row-level security on PostgreSQL).
        ensure = EnsureAdministrator(
            container.uow(ALL_HOUSEHOLDS), container.hasher, container.clock, container.ids
        )
        return str((await ensure.execute(Registration(email, PASSWORD))).id)

    user_id = client.blocking_portal.call(create)
    tokens = (await client.post(LOGIN, json={"email": email, "password": PASSWORD})).json()
    return SignedIn(user_id, email, PASSWORD, tokens["access_token"], tokens["refresh_token"])


async def _all_users(client: Client, admin: SignedIn, sort: str) -> list[dict[str, Any]]:
    """Every user, walking the pages."""
    items: list[dict[str, Any]] = []
    while True:
        page = (
            await client.get(
                USERS,
                params={"sort": sort, "limit": 500, "offset": len(items)},
                headers=admin.headers,
            )
        ).json()
        items.extend(page["items"])
        if not page["items"] or len(items) >= page["total"]:
            return items


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


async def test_an_administrator_made_by_ensure_administrator_is_an_admin(client: Client) -> None:
    admin = await _administrator(client)

    me = (await client.get(ME, headers=admin.headers)).json()

    assert me["is_admin"] is True


async def test_listing_users_answers_a_paginated_envelope(
    client: Client, new_user: NewUser
) -> None:
    admin = await _administrator(client)
    await new_user()

    response = await client.get(USERS, params={"limit": 1}, headers=admin.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"items", "total", "limit", "offset"}
    assert (body["limit"], body["offset"]) == (1, 0)
    assert body["total"] >= 2
    assert len(body["items"]) == 1
    assert set(body["items"][0]) == {
        "id",
        "email",
        "display_name",
        "default_currency",
        "default_household_id",
        "is_admin",
        "is_active",
        "created_at",
        "updated_at",
    }
    assert "password" not in response.text


async def test_listing_users_defaults_to_limit_50_and_offset_0(client: Client) -> None:
    admin = await _administrator(client)

    body = (await client.get(USERS, headers=admin.headers)).json()

    assert (body["limit"], body["offset"]) == (50, 0)
    assert len(body["items"]) == min(50, body["total"])


async def test_consecutive_pages_neither_overlap_nor_skip(
    client: Client, new_user: NewUser
) -> None:
    admin = await _administrator(client)
    for _ in range(3):
        await new_user()
    everyone = await _all_users(client, admin, "created_at")

    pages = [
        (
            await client.get(USERS, params={"limit": 2, "offset": offset}, headers=admin.headers)
        ).json()["items"]
        for offset in (0, 2, 4)
    ]

    assert [u["id"] for page in pages for u in page] == [u["id"] for u in everyone[:6]]


async def _three_users(new_user: NewUser) -> list[SignedIn]:
    tag = uuid4().hex[:8]
    # Created out of alphabetical order, so the e-mail order differs from the creation order.
    return [await new_user(email=f"sort{tag}{letter}@example.com") for letter in "bca"]


async def test_sorting_by_email_orders_users_by_email(client: Client, new_user: NewUser) -> None:
    admin = await _administrator(client)
    mine = await _three_users(new_user)
    ids = {u.id for u in mine}

    listed = [u["email"] for u in await _all_users(client, admin, "email") if u["id"] in ids]

    assert listed == sorted(u.email for u in mine)


async def test_sorting_by_minus_email_reverses_the_order(client: Client, new_user: NewUser) -> None:
    admin = await _administrator(client)
    mine = await _three_users(new_user)
    ids = {u.id for u in mine}

    listed = [u["email"] for u in await _all_users(client, admin, "-email") if u["id"] in ids]

    assert listed == sorted((u.email for u in mine), reverse=True)


async def test_sorting_by_created_at_orders_users_by_creation(
    client: Client, new_user: NewUser
) -> None:
    admin = await _administrator(client)
    mine = await _three_users(new_user)
    ids = {u.id for u in mine}

    listed = [u["id"] for u in await _all_users(client, admin, "created_at") if u["id"] in ids]

    assert listed == [u.id for u in mine]


@pytest.mark.parametrize("sort", ["password_hash", "name", "-", "", "email,created_at", "+email"])
async def test_an_unknown_sort_answers_422_pointing_at_sort(client: Client, sort: str) -> None:
    admin = await _administrator(client)

    response = await client.get(USERS, params={"sort": sort}, headers=admin.headers)

    assert response.status_code == 422
    assert _pointers(response) == ["sort"]


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
async def test_out_of_range_paging_answers_422_pointing_at_the_parameter(
    client: Client, params: dict[str, Any], pointer: str
) -> None:
    admin = await _administrator(client)

    response = await client.get(USERS, params=params, headers=admin.headers)

    assert response.status_code == 422
    assert _pointers(response) == [pointer]


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (500, 0), (50, 10_000)])
async def test_paging_at_the_edges_of_the_range_is_accepted(
    client: Client, limit: int, offset: int
) -> None:
    admin = await _administrator(client)

    response = await client.get(
        USERS, params={"limit": limit, "offset": offset}, headers=admin.headers
    )

    assert response.status_code == 200
    assert (response.json()["limit"], response.json()["offset"]) == (limit, offset)


async def test_deactivating_a_user_stops_their_refresh_and_access_tokens(
    client: Client, new_user: NewUser
) -> None:
    admin = await _administrator(client)
    user = await new_user()

    response = await client.patch(
        f"{USERS}/{user.id}", json={"is_active": False}, headers=admin.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    assert response.json()["id"] == user.id
    assert (await client.get(ME, headers=user.headers)).status_code == 401
    refresh = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert refresh.status_code == 401
    login = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 401


async def test_reactivating_a_user_lets_them_log_in_again(
    client: Client, new_user: NewUser
) -> None:
    admin = await _administrator(client)
    user = await new_user()
    await client.patch(f"{USERS}/{user.id}", json={"is_active": False}, headers=admin.headers)

    response = await client.patch(
        f"{USERS}/{user.id}", json={"is_active": True}, headers=admin.headers
    )

    assert response.json()["is_active"] is True
    login = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert login.status_code == 200


async def test_granting_admin_lets_the_user_administer(client: Client, new_user: NewUser) -> None:
    admin = await _administrator(client)
    user = await new_user()

    response = await client.patch(
        f"{USERS}/{user.id}", json={"is_admin": True}, headers=admin.headers
    )

    assert response.json()["is_admin"] is True
    assert (await client.get(USERS, headers=user.headers)).status_code == 200


async def test_administering_an_unknown_user_answers_404(client: Client) -> None:
    admin = await _administrator(client)

    response = await client.patch(
        f"{USERS}/{uuid4()}", json={"is_active": False}, headers=admin.headers
    )

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_administering_with_a_read_only_field_answers_422(
    client: Client, new_user: NewUser
) -> None:
    admin = await _administrator(client)
    user = await new_user()

    response = await client.patch(
        f"{USERS}/{user.id}", json={"email": "x@example.com"}, headers=admin.headers
    )

    assert response.status_code == 422
    assert _pointers(response) == ["#/email"]


async def test_a_normal_user_gets_403_on_every_admin_route(
    client: Client, new_user: NewUser
) -> None:
    user, other = await new_user(), await new_user()

    listed = await client.get(USERS, headers=user.headers)
    patched = await client.patch(
        f"{USERS}/{other.id}", json={"is_active": False}, headers=user.headers
    )

    assert (listed.status_code, patched.status_code) == (403, 403)
    assert (await client.get(ME, headers=other.headers)).status_code == 200


async def test_a_demoted_administrator_gets_403_at_once(client: Client) -> None:
    admin, other_admin = await _administrator(client), await _administrator(client)

    await client.patch(f"{USERS}/{other_admin.id}", json={"is_admin": False}, headers=admin.headers)

    assert (await client.get(USERS, headers=other_admin.headers)).status_code == 403


@pytest.mark.parametrize("field", ["is_admin", "is_active"])
async def test_an_administrator_cannot_demote_or_deactivate_themselves(
    client: Client, field: str
) -> None:
    admin = await _administrator(client)

    response = await client.patch(f"{USERS}/{admin.id}", json={field: False}, headers=admin.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]
    assert (await client.get(USERS, headers=admin.headers)).status_code == 200
    me = (await client.get(ME, headers=admin.headers)).json()
    assert me["is_admin"] is True
    assert (
        await client.post(REFRESH, json={"refresh_token": admin.refresh_token})
    ).status_code == 200
