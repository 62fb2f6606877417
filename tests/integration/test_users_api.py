"""The signed-in user's profile, password and deletion; users never see one another."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import PASSWORD, SignedIn, unique_email

ME = "/api/v1/users/me"
CHANGE_PASSWORD = "/api/v1/users/me/password"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
REGISTER = "/api/v1/auth/register"
NEW_PASSWORD = "a completely new passphrase"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


async def _login(client: Client, email: str, password: str) -> Any:
    return await client.post(LOGIN, json={"email": email, "password": password})


async def _refresh(client: Client, token: str) -> Any:
    return await client.post(REFRESH, json={"refresh_token": token})


# --- me ------------------------------------------------------------------------------------


async def test_me_answers_the_signed_in_user(client: Client, new_user: NewUser) -> None:
    user = await new_user(display_name="Ada", default_currency="GBP")

    response = await client.get(ME, headers=user.headers)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "email",
        "display_name",
        "default_currency",
        "default_household_id",
        "is_admin",
        "created_at",
        "updated_at",
    }
    assert (body["id"], body["email"]) == (user.id, user.email)
    assert (body["display_name"], body["default_currency"], body["is_admin"]) == (
        "Ada",
        "GBP",
        False,
    )


async def test_patching_me_changes_display_name_and_default_currency(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    before = (await client.get(ME, headers=user.headers)).json()

    response = await client.patch(
        ME, json={"display_name": "  Grace  ", "default_currency": "JPY"}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["display_name"], body["default_currency"]) == ("Grace", "JPY")
    assert body["updated_at"] >= before["updated_at"]
    assert body["created_at"] == before["created_at"]
    assert (await client.get(ME, headers=user.headers)).json() == body


async def test_patching_only_the_currency_keeps_the_display_name(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user(display_name="Ada")

    response = await client.patch(ME, json={"default_currency": "USD"}, headers=user.headers)

    assert response.json()["display_name"] == "Ada"
    assert response.json()["default_currency"] == "USD"


async def test_patching_the_display_name_to_null_clears_it(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user(display_name="Ada")

    response = await client.patch(ME, json={"display_name": None}, headers=user.headers)

    assert response.status_code == 200
    assert response.json()["display_name"] is None


@pytest.mark.parametrize("currency", ["XYZ", "eur", "EURO", ""])
async def test_an_unknown_currency_answers_422_pointing_at_it(
    client: Client, new_user: NewUser, currency: str
) -> None:
    user = await new_user()

    response = await client.patch(ME, json={"default_currency": currency}, headers=user.headers)

    assert response.status_code == 422
    assert _pointers(response) == ["#/default_currency"]
    assert (await client.get(ME, headers=user.headers)).json()["default_currency"] == "EUR"


@pytest.mark.parametrize(
    ("field", "value"),
    [("nickname", "x"), ("email", "new@example.com"), ("is_admin", True), ("id", "x")],
)
async def test_an_unknown_or_read_only_field_answers_422_pointing_at_it(
    client: Client, new_user: NewUser, field: str, value: object
) -> None:
    user = await new_user()

    response = await client.patch(ME, json={field: value}, headers=user.headers)

    assert response.status_code == 422
    assert _pointers(response) == [f"#/{field}"]
    assert (await client.get(ME, headers=user.headers)).json()["is_admin"] is False


# --- password ------------------------------------------------------------------------------


async def _change_password(client: Client, user: SignedIn, current: str, new: str) -> Any:
    return await client.post(
        CHANGE_PASSWORD,
        json={"current_password": current, "new_password": new},
        headers=user.headers,
    )


async def test_changing_the_password_answers_204_and_the_new_one_logs_in(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await _change_password(client, user, PASSWORD, NEW_PASSWORD)

    assert response.status_code == 204
    assert (await _login(client, user.email, NEW_PASSWORD)).status_code == 200
    assert (await _login(client, user.email, PASSWORD)).status_code == 401


async def test_changing_the_password_revokes_every_refresh_token_of_the_user(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    second_login = (await _login(client, user.email, PASSWORD)).json()

    await _change_password(client, user, PASSWORD, NEW_PASSWORD)

    assert (await _refresh(client, user.refresh_token)).status_code == 401
    assert (await _refresh(client, second_login["refresh_token"])).status_code == 401


async def test_access_tokens_issued_before_a_password_change_run_until_they_expire(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    await _change_password(client, user, PASSWORD, NEW_PASSWORD)

    assert (await client.get(ME, headers=user.headers)).status_code == 200


async def test_a_wrong_current_password_answers_422_pointing_at_current_password(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await _change_password(client, user, "not my password", NEW_PASSWORD)

    assert response.status_code == 422
    assert _pointers(response) == ["#/current_password"]
    assert (await _login(client, user.email, PASSWORD)).status_code == 200
    assert (await _refresh(client, user.refresh_token)).status_code == 200


async def test_repeated_wrong_current_passwords_answer_429_with_retry_after(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    wrong = [
        (await _change_password(client, user, "not my password", NEW_PASSWORD)).status_code
        for _ in range(10)  # the default per-account limit of failed logins
    ]

    response = await _change_password(client, user, PASSWORD, NEW_PASSWORD)

    assert wrong == [422] * 10
    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["retry-after"]) <= 901
    assert (await _login(client, user.email, PASSWORD)).status_code == 429


async def test_a_weak_new_password_answers_422_pointing_at_new_password(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await _change_password(client, user, PASSWORD, "password")

    assert response.status_code == 422
    assert _pointers(response) == ["#/new_password"]


# --- delete --------------------------------------------------------------------------------


async def test_deleting_me_answers_204_and_the_token_stops_working(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.delete(ME, headers=user.headers)

    assert response.status_code == 204
    assert (await client.get(ME, headers=user.headers)).status_code == 401
    assert (await _refresh(client, user.refresh_token)).status_code == 401
    assert (await _login(client, user.email, PASSWORD)).status_code == 401


async def test_a_deleted_users_email_can_register_again(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    await client.delete(ME, headers=user.headers)

    response = await client.post(REGISTER, json={"email": user.email, "password": NEW_PASSWORD})

    assert response.status_code == 201
    assert response.json()["id"] != user.id
    assert response.json()["email"] == user.email


# --- isolation -----------------------------------------------------------------------------


def test_no_route_outside_administration_takes_a_user_id(app: Litestar) -> None:
    user_routes = [
        route.path
        for route in app.routes
        if re.search(r"/users/\{", route.path) and not route.path.startswith("/api/v1/admin/")
    ]

    assert user_routes == []
    assert any(route.path == ME for route in app.routes)


async def test_a_users_token_only_ever_shows_that_user(client: Client, new_user: NewUser) -> None:
    ada = await new_user(display_name="Ada")
    grace = await new_user(display_name="Grace")

    await client.patch(ME, json={"display_name": "Ada L."}, headers=ada.headers)

    seen_by_ada = (await client.get(ME, headers=ada.headers)).json()
    seen_by_grace = (await client.get(ME, headers=grace.headers)).json()
    assert (seen_by_ada["id"], seen_by_ada["display_name"]) == (ada.id, "Ada L.")
    assert (seen_by_grace["id"], seen_by_grace["display_name"]) == (grace.id, "Grace")


async def test_a_user_cannot_list_users_through_the_admin_route(
    client: Client, new_user: NewUser
) -> None:
    ada = await new_user()

    response = await client.get("/api/v1/admin/users", headers=ada.headers)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert ada.email not in response.text


async def test_a_user_cannot_change_another_user_through_the_admin_route(
    client: Client, new_user: NewUser
) -> None:
    ada, grace = await new_user(), await new_user()

    response = await client.patch(
        f"/api/v1/admin/users/{grace.id}", json={"is_active": False}, headers=ada.headers
    )

    assert response.status_code == 403
    assert (await client.get(ME, headers=grace.headers)).status_code == 200


async def test_a_user_cannot_make_themselves_an_administrator(
    client: Client, new_user: NewUser
) -> None:
    ada = await new_user()

    response = await client.patch(
        f"/api/v1/admin/users/{ada.id}", json={"is_admin": True}, headers=ada.headers
    )

    assert response.status_code == 403
    assert (await client.get(ME, headers=ada.headers)).json()["is_admin"] is False


async def test_deleting_a_user_leaves_other_users_alone(client: Client, new_user: NewUser) -> None:
    ada, grace = await new_user(), await new_user()

    await client.delete(ME, headers=ada.headers)

    assert (await client.get(ME, headers=grace.headers)).json()["id"] == grace.id
    assert (await _login(client, grace.email, PASSWORD)).status_code == 200


async def test_changing_ones_password_leaves_other_users_sessions_alone(
    client: Client, new_user: NewUser
) -> None:
    ada, grace = await new_user(), await new_user(email=unique_email("grace"))

    await _change_password(client, ada, PASSWORD, NEW_PASSWORD)

    assert (await _refresh(client, grace.refresh_token)).status_code == 200
