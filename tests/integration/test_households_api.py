"""Households over HTTP (contract section 9): roles, members, invitations, default households
and the scoping of the ledger, against the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.tables import InvitationRow
from budget.domain.model.category import DEFAULT_CATEGORIES
from tests.integration.conftest import SignedIn, unique_email

HOUSEHOLDS = "/api/v1/households"
INVITATIONS = "/api/v1/invitations"
ME = "/api/v1/users/me"
ACCOUNTS = "/api/v1/accounts"
CATEGORIES = "/api/v1/categories"
TRANSACTIONS = "/api/v1/transactions"
SUMMARY = "/api/v1/reports/summary"
DAY = "2026-11-01"

SOME_ID = "0190b5a0-0000-7000-8000-0000000000ff"
HOUSEHOLD_FIELDS = {"id", "name", "role", "created_at", "updated_at"}
MEMBER_FIELDS = {"user_id", "email", "display_name", "role", "joined_at"}
INVITATION_FIELDS = {
    "id",
    "household_id",
    "household_name",
    "email",
    "role",
    "created_at",
    "expires_at",
}

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
Json = dict[str, Any]


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _me(client: Client, user: SignedIn) -> Json:
    body: Json = _json(await client.get(ME, headers=user.headers))
    return body


async def _default(client: Client, user: SignedIn) -> str:
    household: str = (await _me(client, user))["default_household_id"]
    return household


async def _found(client: Client, user: SignedIn, name: str | None = None) -> Json:
    name = name or f"Household {uuid.uuid4().hex[:8]}"
    response = await client.post(HOUSEHOLDS, json={"name": name}, headers=user.headers)
    body: Json = _json(response, 201)
    return body


async def _households(client: Client, user: SignedIn, query: str = "") -> list[Json]:
    page = _json(await client.get(f"{HOUSEHOLDS}{query}", headers=user.headers))
    return cast("list[Json]", page["items"])


async def _invite(
    client: Client, owner: SignedIn, household_id: str, email: str, role: str = "editor"
) -> Json:
    response = await client.post(
        f"{HOUSEHOLDS}/{household_id}/invitations",
        json={"email": email, "role": role},
        headers=owner.headers,
    )
    body: Json = _json(response, 201)
    return body


async def _accept(client: Client, user: SignedIn, invitation_id: str) -> Any:
    return await client.post(f"{INVITATIONS}/{invitation_id}/accept", headers=user.headers)


async def _join(
    client: Client, owner: SignedIn, member: SignedIn, household_id: str, role: str
) -> None:
    """``member`` joins ``owner``'s household with ``role`` (invited, then accepting)."""
    invitation = await _invite(client, owner, household_id, member.email, role)
    _json(await _accept(client, member, invitation["id"]))


async def _shared(client: Client, new_user: NewUser, role: str) -> tuple[SignedIn, SignedIn, str]:
    """An owner, a member with ``role``, and the owner's new household they share."""
    owner, member = await new_user(), await new_user()
    household = await _found(client, owner)
    await _join(client, owner, member, household["id"], role)
    return owner, member, household["id"]


async def _members(client: Client, user: SignedIn, household_id: str) -> list[Json]:
    response = await client.get(f"{HOUSEHOLDS}/{household_id}/members", headers=user.headers)
    return cast("list[Json]", _json(response)["items"])


async def _pending(client: Client, owner: SignedIn, household_id: str) -> list[Json]:
    response = await client.get(f"{HOUSEHOLDS}/{household_id}/invitations", headers=owner.headers)
    return cast("list[Json]", _json(response)["items"])


async def _mine(client: Client, user: SignedIn) -> list[Json]:
    return cast("list[Json]", _json(await client.get(INVITATIONS, headers=user.headers))["items"])


async def _open_account(client: Client, user: SignedIn, **fields: Any) -> Json:
    body = {"name": f"Account {uuid.uuid4().hex[:8]}", "type": "checking", "currency": "EUR"}
    response = await client.post(ACCOUNTS, json={**body, **fields}, headers=user.headers)
    account: Json = _json(response, 201)
    return account


async def _expense(client: Client, user: SignedIn, account_id: str, amount: str = "10") -> Json:
    body = {"type": "expense", "account_id": account_id, "amount": amount, "date": DAY}
    transaction: Json = _json(await client.post(TRANSACTIONS, json=body, headers=user.headers), 201)
    return transaction


async def _expire(
    engine: AsyncEngine, invitation_id: str, after: dt.timedelta = -dt.timedelta(seconds=1)
) -> None:
    """Move an invitation's expiry to ``after`` from now, in the database itself."""
    invitations = cast("Table", InvitationRow.__table__)
    async with engine.begin() as connection:
        await connection.execute(
            update(invitations)
            .where(invitations.c.id == uuid.UUID(invitation_id))
            .values(expires_at=dt.datetime.now(dt.UTC) + after)
        )


# --- registration and the user's default household ---------------------------------------


async def test_registration_makes_a_personal_household_owned_by_the_user_as_their_default(
    client: Client, new_user: NewUser
) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={"email": unique_email(), "password": "long enough pw 1"}
    )
    registered = _json(response, 201)
    user = await new_user()

    households = await _households(client, user)

    assert uuid.UUID(registered["default_household_id"])
    assert [(h["name"], h["role"]) for h in households] == [("Personal", "owner")]
    assert households[0]["id"] == await _default(client, user)
    assert set(households[0]) == HOUSEHOLD_FIELDS


async def test_the_personal_household_gets_the_default_categories(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    personal = await _default(client, user)

    page = _json(
        await client.get(f"{CATEGORIES}?household_id={personal}&limit=500", headers=user.headers)
    )

    assert {item["name"] for item in page["items"]} == {name for _, name in DEFAULT_CATEGORIES}


async def test_every_user_representation_carries_the_default_household_id(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    me = await _me(client, user)
    patched = _json(await client.patch(ME, json={"display_name": "Ada"}, headers=user.headers))

    assert me["default_household_id"] == patched["default_household_id"]
    assert uuid.UUID(me["default_household_id"])


async def test_a_user_sets_their_default_household_to_any_household_they_belong_to(
    client: Client, new_user: NewUser
) -> None:
    _owner, viewer, shared = await _shared(client, new_user, "viewer")

    response = await client.patch(ME, json={"default_household_id": shared}, headers=viewer.headers)

    assert _json(response)["default_household_id"] == shared
    assert await _default(client, viewer) == shared


async def test_a_default_household_the_user_is_not_in_is_422_on_default_household_id(
    client: Client, new_user: NewUser
) -> None:
    user, stranger = await new_user(), await new_user()
    before = await _default(client, user)

    foreign = await client.patch(
        ME, json={"default_household_id": await _default(client, stranger)}, headers=user.headers
    )
    missing = await client.patch(ME, json={"default_household_id": SOME_ID}, headers=user.headers)
    malformed = await client.patch(ME, json={"default_household_id": "nope"}, headers=user.headers)

    for response in (foreign, missing, malformed):
        assert response.status_code == 422, response.text
        assert _pointers(response) == ["#/default_household_id"]
    assert await _default(client, user) == before


# --- households ---------------------------------------------------------------------------


async def test_creating_a_household_answers_201_with_its_location_and_the_caller_as_owner(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(HOUSEHOLDS, json={"name": "  Family  "}, headers=user.headers)

    body = _json(response, 201)
    assert response.headers["location"] == f"{HOUSEHOLDS}/{body['id']}"
    assert set(body) == HOUSEHOLD_FIELDS
    assert (body["name"], body["role"]) == ("Family", "owner")
    assert body["created_at"].endswith("Z")
    assert body["created_at"] == body["updated_at"]


async def test_a_new_household_gets_the_default_categories(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    household = await _found(client, user)

    page = _json(
        await client.get(
            f"{CATEGORIES}?household_id={household['id']}&limit=500", headers=user.headers
        )
    )

    assert sorted(item["name"] for item in page["items"]) == sorted(
        name for _, name in DEFAULT_CATEGORIES
    )


async def test_household_names_need_not_be_unique(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    first, second = await _found(client, user, "Home"), await _found(client, user, "Home")

    assert first["id"] != second["id"]


@pytest.mark.parametrize(
    "body",
    [{"name": "   "}, {"name": "x" * 101}, {"name": ""}, {}, {"name": 5}, {"name": "a\x00b"}],
    ids=["blank", "too-long", "empty", "missing", "number", "nul"],
)
async def test_a_household_name_outside_1_to_100_characters_is_422_on_name(
    client: Client, new_user: NewUser, body: Json
) -> None:
    user = await new_user()

    response = await client.post(HOUSEHOLDS, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/name"]


async def test_a_household_name_of_100_characters_is_accepted(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    household = await _found(client, user, "n" * 100)

    assert household["name"] == "n" * 100


@pytest.mark.parametrize("field", ["id", "role", "created_at", "owner", "color"])
async def test_read_only_and_unknown_fields_in_a_household_body_are_422(
    client: Client, new_user: NewUser, field: str
) -> None:
    user = await new_user()

    response = await client.post(
        HOUSEHOLDS, json={"name": "Home", field: "owner"}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


async def test_listing_households_answers_a_page_of_the_callers_households_with_their_role(
    client: Client, new_user: NewUser
) -> None:
    _owner, viewer, shared = await _shared(client, new_user, "viewer")

    page = _json(await client.get(HOUSEHOLDS, headers=viewer.headers))

    assert (page["total"], page["limit"], page["offset"]) == (2, 50, 0)
    roles = {item["id"]: item["role"] for item in page["items"]}
    assert roles == {await _default(client, viewer): "owner", shared: "viewer"}
    assert page["items"][0]["name"] == "Personal"  # created_at ascending


async def test_households_sort_by_name_and_by_created_at_either_way(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    for name in ("b", "c", "a"):
        await _found(client, user, name)

    by_name = [h["name"] for h in await _households(client, user, "?sort=name")]
    by_name_desc = [h["name"] for h in await _households(client, user, "?sort=-name")]
    by_age = [h["name"] for h in await _households(client, user, "?sort=created_at")]
    newest_first = [h["name"] for h in await _households(client, user, "?sort=-created_at")]

    assert by_name == ["Personal", "a", "b", "c"]
    assert by_name_desc == ["c", "b", "a", "Personal"]
    assert by_age == ["Personal", "b", "c", "a"]
    assert newest_first == ["a", "c", "b", "Personal"]


async def test_households_page_with_limit_and_offset(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    for name in ("b", "c"):
        await _found(client, user, name)

    page = _json(await client.get(f"{HOUSEHOLDS}?sort=name&limit=1&offset=1", headers=user.headers))

    assert ([h["name"] for h in page["items"]], page["total"]) == (["b"], 3)
    assert (page["limit"], page["offset"]) == (1, 1)


async def test_a_bad_sort_limit_or_offset_of_the_household_list_is_422_naming_each(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(f"{HOUSEHOLDS}?sort=role&limit=0&offset=-1", headers=user.headers)

    assert response.status_code == 422, response.text
    assert sorted(_pointers(response)) == ["limit", "offset", "sort"]


async def test_getting_a_household_answers_what_creating_it_answered(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    household = await _found(client, user)

    response = await client.get(f"{HOUSEHOLDS}/{household['id']}", headers=user.headers)

    assert _json(response) == household


async def test_a_member_gets_the_household_with_their_own_role(
    client: Client, new_user: NewUser
) -> None:
    _owner, editor, shared = await _shared(client, new_user, "editor")

    response = await client.get(f"{HOUSEHOLDS}/{shared}", headers=editor.headers)

    assert _json(response)["role"] == "editor"


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"name": "Mine now"}),
        ("DELETE", "", None),
        ("GET", "/members", None),
        ("GET", "/invitations", None),
        ("POST", "/invitations", {"email": "someone@example.com", "role": "viewer"}),
    ],
)
async def test_another_households_routes_answer_404_exactly_like_a_missing_household(
    client: Client, new_user: NewUser, method: str, suffix: str, body: Json | None
) -> None:
    owner, stranger = await new_user(), await new_user()
    household = await _found(client, owner)

    foreign = await client.request(
        method, f"{HOUSEHOLDS}/{household['id']}{suffix}", json=body, headers=stranger.headers
    )
    missing = await client.request(
        method, f"{HOUSEHOLDS}/{SOME_ID}{suffix}", json=body, headers=stranger.headers
    )

    assert foreign.status_code == missing.status_code == 404, foreign.text
    assert foreign.json() == missing.json()


async def test_a_malformed_household_id_in_the_path_is_404(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(f"{HOUSEHOLDS}/not-a-uuid", headers=user.headers)

    assert response.status_code == 404


async def test_household_routes_need_a_bearer_token(client: Client) -> None:
    responses = [
        await client.get(HOUSEHOLDS),
        await client.post(HOUSEHOLDS, json={"name": "x"}),
        await client.get(f"{HOUSEHOLDS}/{SOME_ID}/members"),
        await client.get(INVITATIONS),
        await client.post(f"{INVITATIONS}/{SOME_ID}/accept"),
    ]

    assert [r.status_code for r in responses] == [401] * 5
    assert all(r.headers["www-authenticate"].startswith("Bearer") for r in responses)


async def test_renaming_a_household_answers_200_with_the_trimmed_new_name(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    household = await _found(client, user, "Old")

    response = await client.patch(
        f"{HOUSEHOLDS}/{household['id']}", json={"name": "  New  "}, headers=user.headers
    )

    body = _json(response)
    assert (body["id"], body["name"], body["role"]) == (household["id"], "New", "owner")
    assert body["created_at"] == household["created_at"]
    assert _instant(body["updated_at"]) >= _instant(household["updated_at"])
    assert (
        _json(await client.get(f"{HOUSEHOLDS}/{household['id']}", headers=user.headers))["name"]
        == "New"
    )


async def test_a_name_blank_after_trimming_is_422_before_the_household_is_looked_up(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.patch(
        f"{HOUSEHOLDS}/{SOME_ID}", json={"name": "  "}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/name"]


async def test_deleting_a_household_answers_204_and_takes_its_data_with_it(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    household = await _found(client, user)
    account = await _open_account(client, user, household_id=household["id"])
    await _expense(client, user, account["id"])

    response = await client.delete(f"{HOUSEHOLDS}/{household['id']}", headers=user.headers)

    assert response.status_code == 204, response.text
    gone = await client.get(f"{HOUSEHOLDS}/{household['id']}", headers=user.headers)
    assert gone.status_code == 404
    assert (
        await client.get(f"{ACCOUNTS}/{account['id']}", headers=user.headers)
    ).status_code == 404
    assert household["id"] not in {h["id"] for h in await _households(client, user)}


# --- members ------------------------------------------------------------------------------


async def test_members_are_listed_oldest_first_with_their_profile_and_role(
    client: Client, new_user: NewUser
) -> None:
    owner = await new_user(display_name="Owner")
    editor, viewer = await new_user(display_name="Ed"), await new_user()
    household = await _found(client, owner)
    await _join(client, owner, editor, household["id"], "editor")
    await _join(client, owner, viewer, household["id"], "viewer")

    members = await _members(client, viewer, household["id"])

    assert [(m["user_id"], m["email"], m["display_name"], m["role"]) for m in members] == [
        (owner.id, owner.email, "Owner", "owner"),
        (editor.id, editor.email, "Ed", "editor"),
        (viewer.id, viewer.email, None, "viewer"),
    ]
    assert all(set(member) == MEMBER_FIELDS for member in members)
    joined = [_instant(m["joined_at"]) for m in members]
    assert joined == sorted(joined)


async def test_the_members_list_is_a_plain_items_object(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.get(
        f"{HOUSEHOLDS}/{await _default(client, user)}/members", headers=user.headers
    )

    assert set(_json(response)) == {"items"}


async def test_an_owner_changes_a_members_role_which_applies_from_their_next_request(
    client: Client, new_user: NewUser
) -> None:
    owner, member, shared = await _shared(client, new_user, "editor")
    await _open_account(client, member, household_id=shared)

    response = await client.patch(
        f"{HOUSEHOLDS}/{shared}/members/{member.id}", json={"role": "viewer"}, headers=owner.headers
    )

    body = _json(response)
    assert set(body) == MEMBER_FIELDS
    assert (body["user_id"], body["email"], body["role"]) == (member.id, member.email, "viewer")
    refused = await client.post(
        ACCOUNTS,
        json={"name": "No", "type": "cash", "currency": "EUR", "household_id": shared},
        headers=member.headers,
    )
    assert refused.status_code == 403, refused.text


async def test_an_owner_may_make_another_member_an_owner(client: Client, new_user: NewUser) -> None:
    owner, member, shared = await _shared(client, new_user, "viewer")

    _json(
        await client.patch(
            f"{HOUSEHOLDS}/{shared}/members/{member.id}",
            json={"role": "owner"},
            headers=owner.headers,
        )
    )

    renamed = await client.patch(
        f"{HOUSEHOLDS}/{shared}", json={"name": "Co-owned"}, headers=member.headers
    )
    assert _json(renamed)["role"] == "owner"


async def test_demoting_the_last_owner_is_409(client: Client, new_user: NewUser) -> None:
    owner, _member, shared = await _shared(client, new_user, "editor")

    response = await client.patch(
        f"{HOUSEHOLDS}/{shared}/members/{owner.id}", json={"role": "editor"}, headers=owner.headers
    )

    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (
        _json(await client.get(f"{HOUSEHOLDS}/{shared}", headers=owner.headers))["role"] == "owner"
    )


async def test_an_owner_may_step_down_while_another_owner_remains(
    client: Client, new_user: NewUser
) -> None:
    owner, _other, shared = await _shared(client, new_user, "owner")

    response = await client.patch(
        f"{HOUSEHOLDS}/{shared}/members/{owner.id}", json={"role": "viewer"}, headers=owner.headers
    )

    assert _json(response)["role"] == "viewer"


async def test_a_role_outside_owner_editor_viewer_is_422_on_role(
    client: Client, new_user: NewUser
) -> None:
    owner, member, shared = await _shared(client, new_user, "editor")

    response = await client.patch(
        f"{HOUSEHOLDS}/{shared}/members/{member.id}", json={"role": "admin"}, headers=owner.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/role"]


async def test_changing_the_role_of_a_user_who_is_not_a_member_is_404(
    client: Client, new_user: NewUser
) -> None:
    owner, stranger = await new_user(), await new_user()
    household = await _found(client, owner)

    response = await client.patch(
        f"{HOUSEHOLDS}/{household['id']}/members/{stranger.id}",
        json={"role": "viewer"},
        headers=owner.headers,
    )

    assert response.status_code == 404, response.text


async def test_an_owner_removes_a_member_who_then_no_longer_sees_the_household(
    client: Client, new_user: NewUser
) -> None:
    owner, member, shared = await _shared(client, new_user, "editor")

    response = await client.delete(
        f"{HOUSEHOLDS}/{shared}/members/{member.id}", headers=owner.headers
    )

    assert response.status_code == 204, response.text
    assert (await client.get(f"{HOUSEHOLDS}/{shared}", headers=member.headers)).status_code == 404
    assert [m["user_id"] for m in await _members(client, owner, shared)] == [owner.id]


async def test_a_member_leaves_a_household_by_removing_themself(
    client: Client, new_user: NewUser
) -> None:
    _owner, member, shared = await _shared(client, new_user, "viewer")

    response = await client.delete(
        f"{HOUSEHOLDS}/{shared}/members/{member.id}", headers=member.headers
    )

    assert response.status_code == 204, response.text
    assert shared not in {h["id"] for h in await _households(client, member)}


async def test_removing_the_last_owner_is_409(client: Client, new_user: NewUser) -> None:
    owner, member, shared = await _shared(client, new_user, "editor")

    response = await client.delete(
        f"{HOUSEHOLDS}/{shared}/members/{owner.id}", headers=owner.headers
    )

    assert response.status_code == 409, response.text
    assert [m["user_id"] for m in await _members(client, owner, shared)] == [owner.id, member.id]


async def test_the_only_member_cannot_leave_as_the_last_owner(
    client: Client, new_user: NewUser
) -> None:
    owner = await new_user()
    household = await _found(client, owner)

    response = await client.delete(
        f"{HOUSEHOLDS}/{household['id']}/members/{owner.id}", headers=owner.headers
    )

    assert response.status_code == 409, response.text


async def test_removing_a_user_who_is_not_a_member_is_404(
    client: Client, new_user: NewUser
) -> None:
    owner, stranger = await new_user(), await new_user()
    household = await _found(client, owner)

    response = await client.delete(
        f"{HOUSEHOLDS}/{household['id']}/members/{stranger.id}", headers=owner.headers
    )

    assert response.status_code == 404, response.text


async def test_leaving_ones_default_household_moves_the_default_to_the_oldest_membership(
    client: Client, new_user: NewUser
) -> None:
    _owner, member, shared = await _shared(client, new_user, "editor")
    personal = await _default(client, member)
    await client.patch(ME, json={"default_household_id": shared}, headers=member.headers)

    await client.delete(f"{HOUSEHOLDS}/{shared}/members/{member.id}", headers=member.headers)

    assert await _default(client, member) == personal


# --- owner-only routes --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "viewer"])
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"name": "Taken over"}),
        ("DELETE", "", None),
        ("PATCH", "/members/{owner}", {"role": "viewer"}),
        ("DELETE", "/members/{owner}", None),
        ("POST", "/invitations", {"email": "friend@example.com", "role": "viewer"}),
        ("GET", "/invitations", None),
        ("DELETE", "/invitations/{invitation}", None),
    ],
)
async def test_members_who_are_not_owners_get_403_on_owner_only_routes(
    client: Client,
    new_user: NewUser,
    role: str,
    method: str,
    suffix: str,
    body: Json | None,
) -> None:
    owner, member, shared = await _shared(client, new_user, role)
    invitation = await _invite(client, owner, shared, unique_email("pending"))
    path = suffix.format(owner=owner.id, invitation=invitation["id"])

    response = await client.request(
        method, f"{HOUSEHOLDS}/{shared}{path}", json=body, headers=member.headers
    )

    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- invitations --------------------------------------------------------------------------


async def test_inviting_answers_201_with_the_invitation_and_no_location(
    client: Client, new_user: NewUser
) -> None:
    owner = await new_user()
    household = await _found(client, owner, "Flat")

    response = await client.post(
        f"{HOUSEHOLDS}/{household['id']}/invitations",
        json={"email": "  Friend.X@Example.COM ", "role": "viewer"},
        headers=owner.headers,
    )

    body = _json(response, 201)
    assert "location" not in response.headers
    assert set(body) == INVITATION_FIELDS
    assert (body["household_id"], body["household_name"]) == (household["id"], "Flat")
    assert (body["email"], body["role"]) == ("friend.x@example.com", "viewer")
    lifetime = _instant(body["expires_at"]) - _instant(body["created_at"])
    assert lifetime == dt.timedelta(days=7)
    assert body["created_at"].endswith("Z")


async def test_inviting_an_unknown_email_answers_exactly_like_inviting_a_user(
    client: Client, new_user: NewUser
) -> None:
    owner, known = await new_user(), await new_user()
    household = await _found(client, owner)
    unknown = unique_email("nobody")

    for_user = await _invite(client, owner, household["id"], known.email, "editor")
    for_nobody = await _invite(client, owner, household["id"], unknown, "editor")

    def shape(body: Json) -> Json:
        return {
            k: v for k, v in body.items() if k not in {"id", "email", "created_at", "expires_at"}
        }

    assert shape(for_user) == shape(for_nobody)
    assert set(for_user) == set(for_nobody)
    assert (for_user["email"], for_nobody["email"]) == (known.email, unknown)


async def test_inviting_a_current_member_is_409(client: Client, new_user: NewUser) -> None:
    owner, member, shared = await _shared(client, new_user, "viewer")

    response = await client.post(
        f"{HOUSEHOLDS}/{shared}/invitations",
        json={"email": member.email.upper(), "role": "editor"},
        headers=owner.headers,
    )

    assert response.status_code == 409, response.text


async def test_inviting_an_address_with_a_pending_invitation_is_409(
    client: Client, new_user: NewUser
) -> None:
    owner = await new_user()
    household = await _found(client, owner)
    email = unique_email("twice")
    await _invite(client, owner, household["id"], email)

    response = await client.post(
        f"{HOUSEHOLDS}/{household['id']}/invitations",
        json={"email": f" {email.upper()} ", "role": "viewer"},
        headers=owner.headers,
    )

    assert response.status_code == 409, response.text


async def test_the_same_address_may_be_invited_to_two_households(
    client: Client, new_user: NewUser
) -> None:
    owner = await new_user()
    first, second = await _found(client, owner), await _found(client, owner)
    email = unique_email("popular")

    await _invite(client, owner, first["id"], email)
    await _invite(client, owner, second["id"], email)


async def test_a_bad_email_and_role_are_both_422(client: Client, new_user: NewUser) -> None:
    owner = await new_user()
    household = await _found(client, owner)

    response = await client.post(
        f"{HOUSEHOLDS}/{household['id']}/invitations",
        json={"email": "not-an-address", "role": "boss"},
        headers=owner.headers,
    )

    assert response.status_code == 422, response.text
    assert sorted(_pointers(response)) == ["#/email", "#/role"]


async def test_a_households_pending_invitations_are_listed_newest_first(
    client: Client, new_user: NewUser
) -> None:
    owner = await new_user()
    household = await _found(client, owner)
    sent = [await _invite(client, owner, household["id"], unique_email("p")) for _ in range(3)]

    pending = await _pending(client, owner, household["id"])

    assert pending == list(reversed(sent))


async def test_revoking_an_invitation_answers_204_and_it_can_no_longer_be_accepted(
    client: Client, new_user: NewUser
) -> None:
    owner, invitee = await new_user(), await new_user()
    household = await _found(client, owner)
    invitation = await _invite(client, owner, household["id"], invitee.email)

    response = await client.delete(
        f"{HOUSEHOLDS}/{household['id']}/invitations/{invitation['id']}", headers=owner.headers
    )

    assert response.status_code == 204, response.text
    assert await _pending(client, owner, household["id"]) == []
    assert await _mine(client, invitee) == []
    assert (await _accept(client, invitee, invitation["id"])).status_code == 404


async def test_revoking_an_unknown_invitation_is_404(client: Client, new_user: NewUser) -> None:
    owner = await new_user()
    household = await _found(client, owner)

    response = await client.delete(
        f"{HOUSEHOLDS}/{household['id']}/invitations/{SOME_ID}", headers=owner.headers
    )

    assert response.status_code == 404, response.text


async def test_revoking_another_households_invitation_through_mine_is_404(
    client: Client, new_user: NewUser
) -> None:
    owner = await new_user()
    first, second = await _found(client, owner), await _found(client, owner)
    invitation = await _invite(client, owner, first["id"], unique_email())

    response = await client.delete(
        f"{HOUSEHOLDS}/{second['id']}/invitations/{invitation['id']}", headers=owner.headers
    )

    assert response.status_code == 404, response.text
    assert [i["id"] for i in await _pending(client, owner, first["id"])] == [invitation["id"]]


async def test_my_invitations_are_the_pending_ones_addressed_to_me_newest_first(
    client: Client, new_user: NewUser
) -> None:
    first_owner, second_owner, invitee = await new_user(), await new_user(), await new_user()
    first, second = await _found(client, first_owner), await _found(client, second_owner)
    older = await _invite(client, first_owner, first["id"], invitee.email.upper(), "viewer")
    newer = await _invite(client, second_owner, second["id"], invitee.email, "editor")
    await _invite(client, second_owner, second["id"], unique_email("other"))

    mine = await _mine(client, invitee)

    assert mine == [newer, older]
    assert set(_json(await client.get(INVITATIONS, headers=invitee.headers))) == {"items"}


async def test_accepting_an_invitation_joins_the_household_with_its_role(
    client: Client, new_user: NewUser
) -> None:
    owner, invitee = await new_user(), await new_user()
    household = await _found(client, owner, "Shared flat")
    invitation = await _invite(client, owner, household["id"], invitee.email, "viewer")

    response = await _accept(client, invitee, invitation["id"])

    body = _json(response)
    assert set(body) == HOUSEHOLD_FIELDS
    assert (body["id"], body["name"], body["role"]) == (household["id"], "Shared flat", "viewer")
    roles = {h["id"]: h["role"] for h in await _households(client, invitee)}
    assert roles[household["id"]] == "viewer"
    assert [m["role"] for m in await _members(client, owner, household["id"])] == [
        "owner",
        "viewer",
    ]
    assert await _mine(client, invitee) == []
    assert await _pending(client, owner, household["id"]) == []


async def test_accepting_does_not_change_the_default_household(
    client: Client, new_user: NewUser
) -> None:
    _owner, member, shared = await _shared(client, new_user, "editor")

    assert await _default(client, member) != shared


async def test_accepting_while_already_a_member_is_409(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    owner, invitee = await new_user(), await new_user()
    household = await _found(client, owner)
    # Two live invitations of one address to one household can only exist through an
    # expiry that is undone behind the API's back.
    first = await _invite(client, owner, household["id"], invitee.email)
    await _expire(engine, first["id"])
    second = await _invite(client, owner, household["id"], invitee.email)
    _json(await _accept(client, invitee, second["id"]))
    await _expire(engine, first["id"], dt.timedelta(days=1))

    response = await _accept(client, invitee, first["id"])

    assert response.status_code == 409, response.text


async def test_accepting_someone_elses_invitation_is_404_like_a_missing_one(
    client: Client, new_user: NewUser
) -> None:
    owner, invitee, stranger = await new_user(), await new_user(), await new_user()
    household = await _found(client, owner)
    invitation = await _invite(client, owner, household["id"], invitee.email)

    foreign = await _accept(client, stranger, invitation["id"])
    missing = await _accept(client, stranger, SOME_ID)

    assert foreign.status_code == missing.status_code == 404, foreign.text
    assert foreign.json() == missing.json()
    assert (await _accept(client, invitee, invitation["id"])).status_code == 200


async def test_accepting_a_declined_invitation_is_404(client: Client, new_user: NewUser) -> None:
    owner, invitee = await new_user(), await new_user()
    household = await _found(client, owner)
    invitation = await _invite(client, owner, household["id"], invitee.email)
    await client.post(f"{INVITATIONS}/{invitation['id']}/decline", headers=invitee.headers)

    response = await _accept(client, invitee, invitation["id"])

    assert response.status_code == 404, response.text


async def test_accepting_an_accepted_invitation_again_is_404(
    client: Client, new_user: NewUser
) -> None:
    owner, invitee = await new_user(), await new_user()
    household = await _found(client, owner)
    invitation = await _invite(client, owner, household["id"], invitee.email)
    _json(await _accept(client, invitee, invitation["id"]))
    await client.delete(
        f"{HOUSEHOLDS}/{household['id']}/members/{invitee.id}", headers=invitee.headers
    )

    response = await _accept(client, invitee, invitation["id"])

    assert response.status_code == 404, response.text


async def test_an_expired_invitation_is_no_longer_pending_and_cannot_be_accepted(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    owner, invitee = await new_user(), await new_user()
    household = await _found(client, owner)
    invitation = await _invite(client, owner, household["id"], invitee.email)
    await _expire(engine, invitation["id"])

    accepted = await _accept(client, invitee, invitation["id"])
    declined = await client.post(
        f"{INVITATIONS}/{invitation['id']}/decline", headers=invitee.headers
    )

    assert (accepted.status_code, declined.status_code) == (404, 404)
    assert await _mine(client, invitee) == []
    assert await _pending(client, owner, household["id"]) == []


async def test_an_address_whose_invitation_expired_may_be_invited_again(
    client: Client, new_user: NewUser, engine: AsyncEngine
) -> None:
    owner = await new_user()
    household = await _found(client, owner)
    email = unique_email("again")
    first = await _invite(client, owner, household["id"], email)
    await _expire(engine, first["id"])

    second = await _invite(client, owner, household["id"], email)

    assert second["id"] != first["id"]


async def test_declining_answers_204_and_the_invitation_leaves_both_lists(
    client: Client, new_user: NewUser
) -> None:
    owner, invitee = await new_user(), await new_user()
    household = await _found(client, owner)
    invitation = await _invite(client, owner, household["id"], invitee.email)

    response = await client.post(
        f"{INVITATIONS}/{invitation['id']}/decline", headers=invitee.headers
    )

    assert response.status_code == 204, response.text
    assert await _mine(client, invitee) == []
    assert await _pending(client, owner, household["id"]) == []
    assert household["id"] not in {h["id"] for h in await _households(client, invitee)}


async def test_declining_someone_elses_or_a_revoked_invitation_is_404(
    client: Client, new_user: NewUser
) -> None:
    owner, invitee, stranger = await new_user(), await new_user(), await new_user()
    household = await _found(client, owner)
    invitation = await _invite(client, owner, household["id"], invitee.email)

    foreign = await client.post(
        f"{INVITATIONS}/{invitation['id']}/decline", headers=stranger.headers
    )
    await client.delete(
        f"{HOUSEHOLDS}/{household['id']}/invitations/{invitation['id']}", headers=owner.headers
    )
    revoked = await client.post(
        f"{INVITATIONS}/{invitation['id']}/decline", headers=invitee.headers
    )

    assert (foreign.status_code, revoked.status_code) == (404, 404)


# --- the ledger across households ---------------------------------------------------------


async def test_a_viewer_reads_the_shared_households_accounts_and_transactions(
    client: Client, new_user: NewUser
) -> None:
    owner, viewer, shared = await _shared(client, new_user, "viewer")
    account = await _open_account(client, owner, household_id=shared)
    transaction = await _expense(client, owner, account["id"])

    got_account = await client.get(f"{ACCOUNTS}/{account['id']}", headers=viewer.headers)
    got_transaction = await client.get(
        f"{TRANSACTIONS}/{transaction['id']}", headers=viewer.headers
    )
    listed = _json(await client.get(ACCOUNTS, headers=viewer.headers))

    assert _json(got_account)["household_id"] == shared
    assert _json(got_transaction)["id"] == transaction["id"]
    assert account["id"] in {item["id"] for item in listed["items"]}


async def test_a_viewer_gets_403_on_writes_in_the_shared_household(
    client: Client, new_user: NewUser
) -> None:
    owner, viewer, shared = await _shared(client, new_user, "viewer")
    account = await _open_account(client, owner, household_id=shared)
    transaction = await _expense(client, owner, account["id"])
    new_account = {"name": "Mine", "type": "cash", "currency": "EUR", "household_id": shared}
    expense = {"type": "expense", "account_id": account["id"], "amount": "1", "date": DAY}

    responses = [
        await client.post(ACCOUNTS, json=new_account, headers=viewer.headers),
        await client.patch(
            f"{ACCOUNTS}/{account['id']}", json={"name": "Renamed"}, headers=viewer.headers
        ),
        await client.delete(f"{ACCOUNTS}/{account['id']}", headers=viewer.headers),
        await client.post(TRANSACTIONS, json=expense, headers=viewer.headers),
        await client.patch(
            f"{TRANSACTIONS}/{transaction['id']}", json={"amount": "2"}, headers=viewer.headers
        ),
        await client.delete(f"{TRANSACTIONS}/{transaction['id']}", headers=viewer.headers),
    ]

    assert [r.status_code for r in responses] == [403] * 6


async def test_an_editor_writes_in_the_shared_household(client: Client, new_user: NewUser) -> None:
    owner, editor, shared = await _shared(client, new_user, "editor")

    account = await _open_account(client, editor, household_id=shared)
    await _expense(client, editor, account["id"])

    assert account["household_id"] == shared
    assert (
        await client.get(f"{ACCOUNTS}/{account['id']}", headers=owner.headers)
    ).status_code == 200


async def test_a_non_member_gets_404_on_another_households_account_by_id(
    client: Client, new_user: NewUser
) -> None:
    owner, stranger = await new_user(), await new_user()
    account = await _open_account(client, owner)

    foreign = await client.get(f"{ACCOUNTS}/{account['id']}", headers=stranger.headers)
    missing = await client.get(f"{ACCOUNTS}/{SOME_ID}", headers=stranger.headers)

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


async def test_creating_in_a_household_the_caller_is_not_in_is_422_on_household_id(
    client: Client, new_user: NewUser
) -> None:
    owner, stranger = await new_user(), await new_user()
    theirs = await _default(client, owner)

    response = await client.post(
        ACCOUNTS,
        json={"name": "Sneaky", "type": "cash", "currency": "EUR", "household_id": theirs},
        headers=stranger.headers,
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/household_id"]


async def test_lists_cover_all_the_callers_households_and_filter_by_household_id(
    client: Client, new_user: NewUser
) -> None:
    owner, editor, shared = await _shared(client, new_user, "editor")
    mine = await _open_account(client, editor)
    ours = await _open_account(client, owner, household_id=shared)

    everything = _json(await client.get(ACCOUNTS, headers=editor.headers))
    only_shared = _json(
        await client.get(f"{ACCOUNTS}?household_id={shared}", headers=editor.headers)
    )

    assert {item["id"] for item in everything["items"]} == {mine["id"], ours["id"]}
    assert [item["id"] for item in only_shared["items"]] == [ours["id"]]


@pytest.mark.parametrize("path", [ACCOUNTS, CATEGORIES, TRANSACTIONS, "/api/v1/budgets"])
async def test_a_household_filter_the_caller_is_not_in_gives_an_empty_list(
    client: Client, new_user: NewUser, path: str
) -> None:
    owner, stranger = await new_user(), await new_user()
    theirs = await _default(client, owner)
    await _open_account(client, owner)

    response = await client.get(f"{path}?household_id={theirs}", headers=stranger.headers)

    assert _json(response)["items"] == []


@pytest.mark.parametrize("path", [ACCOUNTS, CATEGORIES, TRANSACTIONS, "/api/v1/budgets"])
async def test_a_malformed_household_filter_is_422_on_household_id(
    client: Client, new_user: NewUser, path: str
) -> None:
    user = await new_user()

    response = await client.get(f"{path}?household_id=nope", headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["household_id"]


async def test_reports_cover_the_default_household_unless_told_otherwise(
    client: Client, new_user: NewUser
) -> None:
    _owner, editor, shared = await _shared(client, new_user, "editor")
    await _expense(client, editor, (await _open_account(client, editor))["id"], "5")
    await _expense(
        client, editor, (await _open_account(client, editor, household_id=shared))["id"], "7"
    )
    period = "date_from=2026-11-01&date_to=2026-11-30"

    default = _json(await client.get(f"{SUMMARY}?{period}", headers=editor.headers))
    chosen = _json(
        await client.get(f"{SUMMARY}?{period}&household_id={shared}", headers=editor.headers)
    )

    assert [(row["currency"], row["expense"]) for row in default] == [("EUR", "5.00")]
    assert [(row["currency"], row["expense"]) for row in chosen] == [("EUR", "7.00")]


async def test_reports_on_a_household_the_caller_is_not_in_are_404(
    client: Client, new_user: NewUser
) -> None:
    owner, stranger = await new_user(), await new_user()

    response = await client.get(
        f"{SUMMARY}?household_id={await _default(client, owner)}", headers=stranger.headers
    )

    assert response.status_code == 404, response.text


# --- default households when households go ------------------------------------------------


async def test_deleting_a_default_household_moves_each_members_default_to_their_oldest_one(
    client: Client, new_user: NewUser
) -> None:
    owner, member, shared = await _shared(client, new_user, "editor")
    member_personal = await _default(client, member)
    await client.patch(ME, json={"default_household_id": shared}, headers=member.headers)
    await client.patch(ME, json={"default_household_id": shared}, headers=owner.headers)
    owner_personal = (await _households(client, owner, "?sort=created_at"))[0]["id"]

    response = await client.delete(f"{HOUSEHOLDS}/{shared}", headers=owner.headers)

    assert response.status_code == 204, response.text
    assert await _default(client, member) == member_personal
    assert await _default(client, owner) == owner_personal


async def test_deleting_ones_only_household_makes_a_new_personal_one_as_default(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    personal = await _default(client, user)

    await client.delete(f"{HOUSEHOLDS}/{personal}", headers=user.headers)

    households = await _households(client, user)
    assert [(h["name"], h["role"]) for h in households] == [("Personal", "owner")]
    assert households[0]["id"] != personal
    assert await _default(client, user) == households[0]["id"]
    categories = _json(
        await client.get(
            f"{CATEGORIES}?household_id={households[0]['id']}&limit=500", headers=user.headers
        )
    )
    assert len(categories["items"]) == len(DEFAULT_CATEGORIES)


async def test_a_removed_member_with_no_household_left_gets_a_new_personal_one(
    client: Client, new_user: NewUser
) -> None:
    owner, member, shared = await _shared(client, new_user, "editor")
    personal = await _default(client, member)
    deleted = await client.delete(f"{HOUSEHOLDS}/{personal}", headers=member.headers)
    assert deleted.status_code == 204, deleted.text
    assert await _default(client, member) == shared

    await client.delete(f"{HOUSEHOLDS}/{shared}/members/{member.id}", headers=owner.headers)

    households = await _households(client, member)
    assert [(h["name"], h["role"]) for h in households] == [("Personal", "owner")]
    assert households[0]["id"] not in {personal, shared}
    assert await _default(client, member) == households[0]["id"]


# --- deleting a user ----------------------------------------------------------------------


async def test_deleting_oneself_as_the_last_owner_of_a_household_with_others_is_409(
    client: Client, new_user: NewUser
) -> None:
    owner, _member, _household = await _shared(client, new_user, "editor")

    response = await client.delete(ME, headers=owner.headers)

    assert response.status_code == 409, response.text
    assert (await client.get(ME, headers=owner.headers)).status_code == 200


async def test_deleting_oneself_leaves_shared_households_and_removes_ones_invitations(
    client: Client, new_user: NewUser
) -> None:
    owner, member, shared = await _shared(client, new_user, "editor")
    other_owner = await new_user()
    other = await _found(client, other_owner)
    await _invite(client, other_owner, other["id"], member.email)

    response = await client.delete(ME, headers=member.headers)

    assert response.status_code == 204, response.text
    assert [m["user_id"] for m in await _members(client, owner, shared)] == [owner.id]
    assert await _pending(client, other_owner, other["id"]) == []


# --- every household-owned resource: 403 for viewers, 404 for strangers, 422 across households


BUDGETS = "/api/v1/budgets"


async def _category(client: Client, user: SignedIn, **fields: Any) -> Json:
    body = {"name": f"Category {uuid.uuid4().hex[:8]}", "kind": "expense", **fields}
    category: Json = _json(await client.post(CATEGORIES, json=body, headers=user.headers), 201)
    return category


async def _budget(client: Client, user: SignedIn, **fields: Any) -> Json:
    body = {"name": f"Budget {uuid.uuid4().hex[:8]}", "amount": "300", "currency": "EUR"}
    budget: Json = _json(
        await client.post(BUDGETS, json={**body, **fields}, headers=user.headers), 201
    )
    return budget


async def _resources(client: Client, owner: SignedIn, household_id: str) -> dict[str, str]:
    """One of each household-owned resource in ``household_id``: their paths by kind."""
    account = await _open_account(client, owner, household_id=household_id)
    category = await _category(client, owner, household_id=household_id)
    transaction = await _expense(client, owner, account["id"])
    budget = await _budget(client, owner, household_id=household_id)
    return {
        "account": f"{ACCOUNTS}/{account['id']}",
        "category": f"{CATEGORIES}/{category['id']}",
        "transaction": f"{TRANSACTIONS}/{transaction['id']}",
        "budget": f"{BUDGETS}/{budget['id']}",
    }


CHANGES: dict[str, Json] = {
    "account": {"name": "Renamed"},
    "category": {"name": "Renamed"},
    "transaction": {"amount": "2"},
    "budget": {"name": "Renamed"},
}


@pytest.mark.parametrize("kind", sorted(CHANGES))
async def test_a_viewers_patch_and_delete_are_403_on_every_kind_of_resource(
    client: Client, new_user: NewUser, kind: str
) -> None:
    owner, viewer, shared = await _shared(client, new_user, "viewer")
    path = (await _resources(client, owner, shared))[kind]

    changed = await client.patch(path, json=CHANGES[kind], headers=viewer.headers)
    deleted = await client.delete(path, headers=viewer.headers)
    still_there = await client.get(path, headers=viewer.headers)

    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert still_there.status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (ACCOUNTS, {"name": "Mine", "type": "cash", "currency": "EUR"}),
        (CATEGORIES, {"name": "Mine", "kind": "expense"}),
        (BUDGETS, {"name": "Mine", "amount": "10", "currency": "EUR"}),
    ],
)
async def test_a_viewers_create_in_the_shared_household_is_403(
    client: Client, new_user: NewUser, path: str, body: Json
) -> None:
    _, viewer, shared = await _shared(client, new_user, "viewer")

    response = await client.post(
        path, json={**body, "household_id": shared}, headers=viewer.headers
    )

    assert response.status_code == 403, response.text


@pytest.mark.parametrize("kind", sorted(CHANGES))
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_a_strangers_access_by_id_is_404_exactly_like_a_missing_id(
    client: Client, new_user: NewUser, kind: str, method: str
) -> None:
    owner, stranger = await new_user(), await new_user()
    path = (await _resources(client, owner, await _default(client, owner)))[kind]
    missing = path.rsplit("/", 1)[0] + f"/{SOME_ID}"
    body = CHANGES[kind] if method == "PATCH" else None

    foreign = await client.request(method, path, json=body, headers=stranger.headers)
    unknown = await client.request(method, missing, json=body, headers=stranger.headers)

    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()


@pytest.mark.parametrize("suffix", ["status", "history"])
async def test_a_strangers_budget_status_and_history_are_404_like_a_missing_budget(
    client: Client, new_user: NewUser, suffix: str
) -> None:
    owner, stranger = await new_user(), await new_user()
    budget = await _budget(client, owner)

    foreign = await client.get(f"{BUDGETS}/{budget['id']}/{suffix}", headers=stranger.headers)
    unknown = await client.get(f"{BUDGETS}/{SOME_ID}/{suffix}", headers=stranger.headers)

    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()


async def _two_households(client: Client, new_user: NewUser) -> tuple[SignedIn, str, str]:
    """An editor of a shared household, their own default household and the shared one."""
    _, editor, shared = await _shared(client, new_user, "editor")
    return editor, await _default(client, editor), shared


async def test_a_transactions_category_from_another_household_is_422_on_category_id(
    client: Client, new_user: NewUser
) -> None:
    user, mine, shared = await _two_households(client, new_user)
    account = await _open_account(client, user, household_id=mine)
    elsewhere = await _category(client, user, household_id=shared)
    body = {"type": "expense", "account_id": account["id"], "amount": "1", "date": DAY}

    response = await client.post(
        TRANSACTIONS, json={**body, "category_id": elsewhere["id"]}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/category_id"]


async def test_a_transfer_to_an_account_of_another_household_is_422_on_to_account_id(
    client: Client, new_user: NewUser
) -> None:
    user, mine, shared = await _two_households(client, new_user)
    source = await _open_account(client, user, household_id=mine)
    target = await _open_account(client, user, household_id=shared)
    body = {"type": "transfer", "amount": "1", "date": DAY}

    response = await client.post(
        TRANSACTIONS,
        json={**body, "account_id": source["id"], "to_account_id": target["id"]},
        headers=user.headers,
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_account_id"]


async def test_moving_a_transaction_to_an_account_of_another_household_is_422_on_account_id(
    client: Client, new_user: NewUser
) -> None:
    user, mine, shared = await _two_households(client, new_user)
    account = await _open_account(client, user, household_id=mine)
    elsewhere = await _open_account(client, user, household_id=shared)
    transaction = await _expense(client, user, account["id"])

    response = await client.patch(
        f"{TRANSACTIONS}/{transaction['id']}",
        json={"account_id": elsewhere["id"]},
        headers=user.headers,
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/account_id"]


async def test_a_budgets_category_from_another_household_is_422_on_category_id(
    client: Client, new_user: NewUser
) -> None:
    user, mine, shared = await _two_households(client, new_user)
    elsewhere = await _category(client, user, household_id=shared)
    body = {"name": "Food", "amount": "10", "currency": "EUR", "household_id": mine}

    response = await client.post(
        BUDGETS, json={**body, "category_id": elsewhere["id"]}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/category_id"]


async def test_a_categorys_parent_from_another_household_is_422_on_parent_id(
    client: Client, new_user: NewUser
) -> None:
    user, mine, shared = await _two_households(client, new_user)
    parent = await _category(client, user, household_id=shared)

    response = await client.post(
        CATEGORIES,
        json={"name": "Child", "kind": "expense", "household_id": mine, "parent_id": parent["id"]},
        headers=user.headers,
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/parent_id"]


async def test_a_transaction_takes_its_accounts_household_and_refuses_a_household_id(
    client: Client, new_user: NewUser
) -> None:
    user, _, shared = await _two_households(client, new_user)
    account = await _open_account(client, user, household_id=shared)
    body = {"type": "expense", "account_id": account["id"], "amount": "1", "date": DAY}

    recorded = _json(await client.post(TRANSACTIONS, json=body, headers=user.headers), 201)
    refused = await client.post(
        TRANSACTIONS, json={**body, "household_id": shared}, headers=user.headers
    )

    assert recorded["household_id"] == shared
    assert refused.status_code == 422, refused.text
    assert _pointers(refused) == ["#/household_id"]


async def test_an_all_expenses_budget_counts_only_its_own_households_expenses(
    client: Client, new_user: NewUser
) -> None:
    user, mine, shared = await _two_households(client, new_user)
    here = await _open_account(client, user, household_id=mine)
    there = await _open_account(client, user, household_id=shared)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    for account, amount in ((here, "7"), (there, "50")):
        body = {"type": "expense", "account_id": account["id"], "amount": amount, "date": today}
        _json(await client.post(TRANSACTIONS, json=body, headers=user.headers), 201)
    budget = await _budget(client, user, household_id=mine)

    status = _json(await client.get(f"{BUDGETS}/{budget['id']}/status", headers=user.headers))

    assert status["spent"] == "7.00"
