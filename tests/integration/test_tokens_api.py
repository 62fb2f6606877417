"""Access tokens at the door of a protected route: anything but a valid one is a 401."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from budget.adapters.tokens import JwtTokenCodec
from budget.domain.model.auth import TokenClaims, TokenType
from budget.domain.model.ids import UserId
from tests.integration.conftest import SECRET, SignedIn

ME = "/api/v1/users/me"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


def _codec(*, secret: str = SECRET, audience: str = "budget-api", issuer: str = "budget") -> Any:
    return JwtTokenCodec(
        algorithm="HS256",
        signing_key=secret,
        verifying_key=secret,
        issuer=issuer,
        audience=audience,
    )


def _token(
    user: SignedIn,
    token_type: TokenType = TokenType.ACCESS,
    *,
    issued: timedelta = timedelta(seconds=-5),
    lifetime: timedelta = timedelta(minutes=15),
    **codec: str,
) -> str:
    issued_at = datetime.now(UTC) + issued
    claims = TokenClaims(
        UserId(UUID(user.id)), token_type, uuid4(), issued_at, issued_at + lifetime
    )
    token: str = _codec(**codec).encode(claims)
    return token


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def _refused(client: Client, headers: dict[str, str]) -> Any:
    response = await client.get(ME, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401
    return response


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_made_with_the_apps_secret_and_current_times_is_accepted(
    client: Client, new_user: NewUser
) -> None:
    # The control for the forgeries below: only what each of them changes is wrong.
    user = await new_user()

    response = await client.get(ME, headers=_bearer(_token(user)))

    assert response.status_code == 200
    assert response.json()["id"] == user.id


async def test_a_request_without_an_authorization_header_answers_401(client: Client) -> None:
    await _refused(client, {})


@pytest.mark.parametrize(
    "value",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "bearer-abc", "Bearer a.b.c"],
)
async def test_a_malformed_authorization_header_answers_401(client: Client, value: str) -> None:
    await _refused(client, {"Authorization": value})


async def test_the_scheme_name_is_case_insensitive(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.get(ME, headers={"Authorization": f"bearer {user.access_token}"})

    assert response.status_code == 200


async def test_a_token_with_a_tampered_signature_answers_401(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    header, payload, signature = user.access_token.split(".")
    middle = len(signature) // 2
    tampered = (
        signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    )

    await _refused(client, _bearer(f"{header}.{payload}.{tampered}"))


async def test_a_token_with_a_tampered_payload_answers_401(
    client: Client, new_user: NewUser
) -> None:
    ada, grace = await new_user(), await new_user()
    header, _, signature = ada.access_token.split(".")
    claims = jwt.decode(ada.access_token, options={"verify_signature": False})
    forged = _b64({**claims, "sub": grace.id})

    await _refused(client, _bearer(f"{header}.{forged}.{signature}"))


async def test_an_expired_token_answers_401(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    expired = _token(user, issued=timedelta(hours=-1), lifetime=timedelta(minutes=15))

    await _refused(client, _bearer(expired))


async def test_an_alg_none_token_answers_401(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    claims = jwt.decode(user.access_token, options={"verify_signature": False})

    await _refused(client, _bearer(f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."))


async def test_a_token_signed_with_another_algorithm_answers_401(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    claims = jwt.decode(user.access_token, options={"verify_signature": False})

    await _refused(client, _bearer(jwt.encode(claims, SECRET + SECRET, algorithm="HS512")))


async def test_a_token_signed_with_another_secret_answers_401(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    await _refused(client, _bearer(_token(user, secret="x" * 64)))


async def test_a_refresh_token_used_as_an_access_token_answers_401(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    await _refused(client, _bearer(user.refresh_token))


async def test_a_token_for_another_audience_answers_401(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    await _refused(client, _bearer(_token(user, audience="another-api")))


async def test_a_token_from_another_issuer_answers_401(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    await _refused(client, _bearer(_token(user, issuer="someone-else")))


async def test_a_token_for_a_user_that_never_existed_answers_401(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    stranger = SignedIn(str(uuid4()), "", "", "", "")

    await _refused(client, _bearer(_token(stranger)))
    assert (await client.get(ME, headers=user.headers)).status_code == 200


async def test_a_deleted_users_access_token_answers_401(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    deleted = await client.delete(ME, headers=user.headers)
    assert deleted.status_code == 204

    await _refused(client, user.headers)


async def test_a_deactivated_users_access_token_answers_401(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    async def deactivate() -> None:
        async with client.app.state.container.uow() as uow:
            found = await uow.users.get(UUID(user.id))
            assert found is not None
            found.is_active = False
            await uow.commit()

    client.blocking_portal.call(deactivate)

    await _refused(client, user.headers)
