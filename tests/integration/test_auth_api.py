"""Registration, login, refresh rotation and logout over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from budget.adapters.database import ALL_HOUSEHOLDS
from budget.domain.errors import AuthenticationError, ConflictError
from budget.domain.model.auth import TokenPair
from budget.domain.model.user import User
from budget.domain.services.auth import RefreshTokens, RegisterUser, Registration
from tests.integration.conftest import PASSWORD, SignedIn, make_app, sign_up, unique_email

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"
PROBLEM_JSON = "application/problem+json"
USER_FIELDS = {
    "id",
    "email",
    "display_name",
    "default_currency",
    "default_household_id",
    "is_admin",
    "created_at",
    "updated_at",
}

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


# --- register ------------------------------------------------------------------------------


async def test_registering_answers_201_with_the_user_and_a_location(client: Client) -> None:
    email = unique_email()

    response = await client.post(
        REGISTER,
        json={
            "email": email,
            "password": PASSWORD,
            "display_name": "Ada",
            "default_currency": "USD",
        },
    )

    assert response.status_code == 201, response.text
    assert response.headers["location"] == ME
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == USER_FIELDS
    UUID(body["id"])
    UUID(body["default_household_id"])
    assert body["email"] == email
    assert (body["display_name"], body["default_currency"]) == ("Ada", "USD")
    assert body["is_admin"] is False
    assert body["created_at"].endswith("Z")
    datetime.fromisoformat(body["created_at"])
    assert "password" not in response.text
    assert "hash" not in response.text


async def test_registering_trims_and_lower_cases_the_email(client: Client) -> None:
    email = unique_email()

    response = await client.post(
        REGISTER, json={"email": f"  {email.upper()} ", "password": PASSWORD}
    )

    assert response.status_code == 201, response.text
    assert response.json()["email"] == email
    assert response.json()["default_currency"] == "EUR"


async def test_registering_a_taken_email_in_another_case_answers_409(client: Client) -> None:
    email = unique_email()
    await client.post(REGISTER, json={"email": email, "password": PASSWORD})

    response = await client.post(
        REGISTER, json={"email": email.upper(), "password": "another fine passphrase"}
    )

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["status"] == 409


def test_two_simultaneous_registrations_of_one_email_create_one_user(client: Client) -> None:
    email = unique_email()

    async def race() -> list[object]:
        c = client.app.state.container

        async def register() -> User:
            use_case = RegisterUser(c.uow(ALL_HOUSEHOLDS), c.hasher, c.clock, c.ids)
            return await use_case.execute(Registration(email, PASSWORD))

        return await asyncio.gather(register(), register(), return_exceptions=True)

    outcomes = client.blocking_portal.call(race)

    assert sum(isinstance(o, User) for o in outcomes) == 1
    assert sum(isinstance(o, ConflictError) for o in outcomes) == 1


@pytest.mark.parametrize(
    "password",
    ["short", "x" * 129, "password", "PASSWORD", "self"],
    ids=["too-short", "too-long", "common", "common-upper", "the-email"],
)
async def test_a_weak_password_answers_422_pointing_at_password(
    client: Client, password: str
) -> None:
    email = unique_email()
    if password == "self":
        password = email

    response = await client.post(REGISTER, json={"email": email, "password": password})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert _pointers(response) == ["#/password"]


async def test_a_malformed_email_answers_422_pointing_at_email(client: Client) -> None:
    response = await client.post(REGISTER, json={"email": "not-an-email", "password": PASSWORD})

    assert response.status_code == 422
    assert _pointers(response) == ["#/email"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("is_admin", True),
        ("id", "01900000-0000-7000-8000-000000000001"),
        ("created_at", "2026-01-01T00:00:00Z"),
        ("is_active", True),
    ],
)
async def test_read_only_fields_in_the_body_answer_422_pointing_at_them(
    client: Client, field: str, value: object
) -> None:
    email = unique_email()

    response = await client.post(
        REGISTER, json={"email": email, "password": PASSWORD, field: value}
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]
    login = await client.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert login.status_code == 401  # nobody was created


async def test_a_missing_field_answers_422_pointing_at_it(client: Client) -> None:
    response = await client.post(REGISTER, json={"email": unique_email()})

    assert response.status_code == 422
    assert _pointers(response) == ["#/password"]


@pytest.mark.parametrize("body", [b"{not json", b'{"email": "a@example.com", ', b""])
async def test_malformed_json_answers_400(client: Client, body: bytes) -> None:
    response = await client.post(
        REGISTER, content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    assert set(response.json()) >= {"type", "title", "status", "detail"}


async def test_a_body_over_1_mib_answers_413(client: Client) -> None:
    body = b'{"email": "' + b"a" * (1024 * 1024) + b'@example.com", "password": "x"}'

    response = await client.post(
        REGISTER, content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON


async def test_every_error_is_an_rfc_9457_problem(client: Client) -> None:
    response = await client.post(REGISTER, json={"email": "x", "password": "y"})

    body = response.json()
    assert response.headers["content-type"] == PROBLEM_JSON
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == response.status_code == 422
    assert all(set(e) == {"pointer", "detail"} for e in body["errors"])


# --- login ---------------------------------------------------------------------------------


async def test_logging_in_answers_200_with_a_bearer_token_pair(client: Client) -> None:
    email = unique_email()
    await client.post(REGISTER, json={"email": email, "password": PASSWORD})

    response = await client.post(LOGIN, json={"email": email.upper(), "password": PASSWORD})

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    me = await client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == email


async def _failed_login(client: Client, email: str, password: str) -> Any:
    response = await client.post(LOGIN, json={"email": email, "password": password})
    assert response.status_code == 401
    return response


async def test_unknown_email_wrong_password_and_deactivated_user_answer_the_same_401(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    inactive = await new_user()
    _deactivate(client, inactive.id)

    unknown = await _failed_login(client, unique_email(), PASSWORD)
    wrong = await _failed_login(client, user.email, "not the password at all")
    deactivated = await _failed_login(client, inactive.email, PASSWORD)

    assert unknown.json() == wrong.json() == deactivated.json()
    assert unknown.headers["content-type"] == PROBLEM_JSON
    assert all(
        r.headers["www-authenticate"].startswith("Bearer") for r in (unknown, wrong, deactivated)
    )


def _deactivate(client: Client, user_id: str) -> None:
    """Deactivate a user straight in the database, on the app's own event loop."""

    async def deactivate() -> None:
        async with client.app.state.container.uow() as uow:
            user = await uow.users.get(UUID(user_id))
            assert user is not None
            user.is_active = False
            await uow.commit()

    client.blocking_portal.call(deactivate)


async def test_repeated_failures_answer_429_with_retry_after(database_url: str) -> None:
    app = make_app(database_url, login_max_failures_per_account=3)
    async with AsyncTestClient(app) as client:
        user = await sign_up(client)
        for _ in range(3):
            await _failed_login(client, user.email, "not the password at all")

        response = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})

        assert response.status_code == 429
        assert response.headers["content-type"] == PROBLEM_JSON
        assert 0 < int(response.headers["retry-after"]) <= 901


async def test_repeated_failures_from_one_client_answer_429_for_every_account(
    database_url: str,
) -> None:
    # An address of its own: failed logins are counted in the database every app shares.
    app = make_app(database_url, login_max_failures_per_client=3, trust_forwarded_for=True)
    address = {"X-Forwarded-For": f"client-{uuid4().hex}"}
    async with AsyncTestClient(app) as client:
        email = unique_email()
        registered = await client.post(REGISTER, json={"email": email, "password": PASSWORD})
        assert registered.status_code == 201
        for _ in range(3):
            failed = await client.post(
                LOGIN, json={"email": unique_email(), "password": PASSWORD}, headers=address
            )
            assert failed.status_code == 401

        response = await client.post(
            LOGIN, json={"email": email, "password": PASSWORD}, headers=address
        )

        assert response.status_code == 429
        assert int(response.headers["retry-after"]) > 0


# --- refresh -------------------------------------------------------------------------------


async def _refresh(client: Client, token: str) -> Any:
    return await client.post(REFRESH, json={"refresh_token": token})


async def test_refreshing_answers_a_new_pair_and_the_old_token_stops_working(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await _refresh(client, user.refresh_token)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["refresh_token"] != user.refresh_token
    me = await client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["id"] == user.id
    assert (await _refresh(client, body["refresh_token"])).status_code == 200


async def test_reusing_a_rotated_refresh_token_answers_401_and_revokes_the_newer_one(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    newer = (await _refresh(client, user.refresh_token)).json()["refresh_token"]

    reused = await _refresh(client, user.refresh_token)

    assert reused.status_code == 401
    assert reused.headers["www-authenticate"].startswith("Bearer")
    assert (await _refresh(client, newer)).status_code == 401


async def test_two_simultaneous_refreshes_of_one_token_let_only_one_through(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    async def race() -> list[object]:
        c = client.app.state.container

        async def refresh() -> TokenPair:
            return await RefreshTokens(c.uow(), c.codec, c.clock, c.issuer()).execute(
                user.refresh_token
            )

        return await asyncio.gather(refresh(), refresh(), return_exceptions=True)

    outcomes = client.blocking_portal.call(race)

    winners = [o for o in outcomes if isinstance(o, TokenPair)]
    assert len(winners) == 1
    assert sum(isinstance(o, AuthenticationError) for o in outcomes) == 1
    # The loser looked like a replay, so the whole login is revoked, the winner's token too.
    assert (await _refresh(client, winners[0].refresh_token)).status_code == 401


async def test_reuse_detection_leaves_the_users_other_logins_working(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    other_login = await client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    await _refresh(client, user.refresh_token)

    await _refresh(client, user.refresh_token)

    assert (await _refresh(client, other_login.json()["refresh_token"])).status_code == 200


async def test_refreshing_with_an_access_token_answers_401(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await _refresh(client, user.access_token)

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM_JSON


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
async def test_refreshing_with_garbage_answers_401(client: Client, token: str) -> None:
    assert (await _refresh(client, token)).status_code == 401


async def test_refreshing_with_an_unknown_field_answers_422(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(
        REFRESH, json={"refresh_token": user.refresh_token, "user_id": user.id}
    )

    assert response.status_code == 422
    assert _pointers(response) == ["#/user_id"]


# --- logout --------------------------------------------------------------------------------


async def test_logging_out_answers_204_and_that_refresh_token_stops_working(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(
        LOGOUT, json={"refresh_token": user.refresh_token}, headers=user.headers
    )

    assert response.status_code == 204
    assert response.content == b""
    assert (await _refresh(client, user.refresh_token)).status_code == 401


async def test_logging_out_revokes_the_rotated_tokens_of_that_login_too(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    newer = (await _refresh(client, user.refresh_token)).json()["refresh_token"]

    await client.post(LOGOUT, json={"refresh_token": newer}, headers=user.headers)

    assert (await _refresh(client, newer)).status_code == 401


async def test_logging_out_needs_an_access_token(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.post(LOGOUT, json={"refresh_token": user.refresh_token})

    assert response.status_code == 401
    assert (await _refresh(client, user.refresh_token)).status_code == 200


async def test_logging_out_with_another_users_refresh_token_answers_401(
    client: Client, new_user: NewUser
) -> None:
    ada, grace = await new_user(), await new_user()

    response = await client.post(
        LOGOUT, json={"refresh_token": grace.refresh_token}, headers=ada.headers
    )

    assert response.status_code == 401
    assert (await _refresh(client, grace.refresh_token)).status_code == 200
