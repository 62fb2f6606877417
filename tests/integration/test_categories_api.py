"""Categories over HTTP (contract section 5), against the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

CATEGORIES = "/api/v1/categories"
ACCOUNTS = "/api/v1/accounts"
TRANSACTIONS = "/api/v1/transactions"

DEFAULT_INCOME = {"Salary", "Other income"}
DEFAULT_EXPENSE = {
    "Groceries",
    "Rent",
    "Transport",
    "Utilities",
    "Eating out",
    "Health",
    "Entertainment",
    "Other",
}

SOME_ID = "0190b5a0-0000-7000-8000-0000000000ff"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


async def _create(client: Client, user: SignedIn, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Category {uuid.uuid4().hex[:8]}", "kind": "expense", **fields}
    response = await client.post(CATEGORIES, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _default_household(client: Client, user: SignedIn) -> str:
    response = await client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 200, response.text
    household: str = response.json()["default_household_id"]
    return household


async def _get(client: Client, user: SignedIn, category_id: str) -> dict[str, Any]:
    response = await client.get(f"{CATEGORIES}/{category_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _list(client: Client, user: SignedIn, query: str = "") -> list[dict[str, Any]]:
    response = await client.get(f"{CATEGORIES}?limit=500{query}", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _record(client: Client, user: SignedIn, **fields: Any) -> dict[str, Any]:
    if "account_id" not in fields:
        body = {"name": f"A {uuid.uuid4().hex[:8]}", "type": "cash", "currency": "EUR"}
        account = await client.post(ACCOUNTS, json=body, headers=user.headers)
        fields["account_id"] = account.json()["id"]
    body = {"type": "expense", "amount": "9.99", "date": "2026-11-01", **fields}
    response = await client.post(TRANSACTIONS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


# --- defaults and create -------------------------------------------------------------------


async def test_a_new_user_starts_with_the_default_categories(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    items = await _list(client, user)

    income = {c["name"] for c in items if c["kind"] == "income"}
    expense = {c["name"] for c in items if c["kind"] == "expense"}
    assert (income, expense) == (DEFAULT_INCOME, DEFAULT_EXPENSE)
    assert all(c["parent_id"] is None and c["archived"] is False for c in items)


async def test_creating_a_category_answers_201_with_its_location_and_fields(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(
        CATEGORIES,
        json={"name": " Pets ", "kind": "expense", "color": "#A1B2C3"},
        headers=user.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{CATEGORIES}/{body['id']}"
    assert set(body) == {
        "id",
        "household_id",
        "name",
        "kind",
        "parent_id",
        "color",
        "archived",
        "created_at",
        "updated_at",
    }
    assert (body["name"], body["kind"], body["parent_id"]) == ("Pets", "expense", None)
    assert (body["color"], body["archived"]) == ("#a1b2c3", False)
    assert body["household_id"] == await _default_household(client, user)
    assert await _get(client, user, body["id"]) == body


async def test_a_subcategory_takes_a_top_level_parent_of_the_same_kind(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    parent = await _create(client, user, name="Home")

    child = await _create(client, user, name="Furniture", parent_id=parent["id"])

    assert child["parent_id"] == parent["id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "transfer"),
        ("color", "red"),
        ("color", "#12345"),
        ("color", "#1234567"),
        ("color", "#gggggg"),
        ("name", ""),
        ("name", "  "),
        ("name", "x" * 101),
        ("parent_id", "not-a-uuid"),
    ],
)
async def test_invalid_fields_are_rejected_on_create(
    client: Client, new_user: NewUser, field: str, value: Any
) -> None:
    user = await new_user()
    body = {"name": "Pets", "kind": "expense", field: value}

    response = await client.post(CATEGORIES, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


@pytest.mark.parametrize(
    "field", ["id", "owner", "owner_id", "created_at", "updated_at", "is_admin", "budget"]
)
async def test_read_only_and_unknown_fields_are_rejected_on_create(
    client: Client, new_user: NewUser, field: str
) -> None:
    user = await new_user()
    body = {"name": "Pets", "kind": "expense", field: "x"}

    response = await client.post(CATEGORIES, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


async def test_a_parent_of_another_kind_is_rejected(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    income_parent = await _create(client, user, kind="income")

    response = await client.post(
        CATEGORIES,
        json={"name": "Sub", "kind": "expense", "parent_id": income_parent["id"]},
        headers=user.headers,
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/parent_id"]


async def test_a_parent_that_is_itself_a_subcategory_is_rejected(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    top = await _create(client, user)
    middle = await _create(client, user, parent_id=top["id"])

    response = await client.post(
        CATEGORIES,
        json={"name": "Deep", "kind": "expense", "parent_id": middle["id"]},
        headers=user.headers,
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/parent_id"]


async def test_a_missing_parent_is_rejected(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.post(
        CATEGORIES,
        json={"name": "Sub", "kind": "expense", "parent_id": str(uuid.uuid4())},
        headers=user.headers,
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/parent_id"]


async def test_a_duplicate_name_within_kind_and_parent_is_a_conflict(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(
        CATEGORIES, json={"name": "Groceries", "kind": "expense"}, headers=user.headers
    )

    assert response.status_code == 409, response.text


async def test_a_duplicate_name_under_the_same_parent_is_a_conflict(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    parent = await _create(client, user)
    await _create(client, user, name="Sub", parent_id=parent["id"])

    response = await client.post(
        CATEGORIES,
        json={"name": "Sub", "kind": "expense", "parent_id": parent["id"]},
        headers=user.headers,
    )

    assert response.status_code == 409, response.text


async def test_the_same_name_is_allowed_in_another_kind_or_under_another_parent(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    parent = await _create(client, user)

    as_income = await _create(client, user, name="Groceries", kind="income")
    as_child = await _create(client, user, name="Groceries", parent_id=parent["id"])

    assert (as_income["kind"], as_child["parent_id"]) == ("income", parent["id"])


# --- update --------------------------------------------------------------------------------


async def test_patching_changes_only_the_sent_fields(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    category = await _create(client, user, name="Pets", color="#000000")

    response = await client.patch(
        f"{CATEGORIES}/{category['id']}", json={"name": "Animals"}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["color"], body["kind"]) == ("Animals", "#000000", "expense")
    assert body["updated_at"] >= category["updated_at"]
    assert await _get(client, user, category["id"]) == body


async def test_null_clears_the_colour_and_the_parent(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    parent = await _create(client, user)
    child = await _create(client, user, parent_id=parent["id"], color="#ffffff")

    response = await client.patch(
        f"{CATEGORIES}/{child['id']}",
        json={"color": None, "parent_id": None},
        headers=user.headers,
    )

    assert response.status_code == 200, response.text
    assert (response.json()["color"], response.json()["parent_id"]) == (None, None)


async def test_a_category_can_be_moved_under_a_parent(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    parent, other = await _create(client, user), await _create(client, user)

    response = await client.patch(
        f"{CATEGORIES}/{other['id']}", json={"parent_id": parent["id"]}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["parent_id"] == parent["id"]


async def test_a_category_cannot_be_its_own_parent(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    category = await _create(client, user)

    response = await client.patch(
        f"{CATEGORIES}/{category['id']}", json={"parent_id": category["id"]}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/parent_id"]


async def test_a_category_with_subcategories_cannot_get_a_parent(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    parent, other = await _create(client, user), await _create(client, user)
    await _create(client, user, parent_id=parent["id"])

    response = await client.patch(
        f"{CATEGORIES}/{parent['id']}", json={"parent_id": other["id"]}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/parent_id"]


async def test_the_kind_of_an_unused_category_can_change(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    category = await _create(client, user, kind="expense")

    response = await client.patch(
        f"{CATEGORIES}/{category['id']}", json={"kind": "income"}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "income"


async def test_changing_the_kind_of_a_category_used_by_a_transaction_is_a_conflict(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    category = await _create(client, user, kind="expense")
    await _record(client, user, category_id=category["id"])

    response = await client.patch(
        f"{CATEGORIES}/{category['id']}", json={"kind": "income"}, headers=user.headers
    )

    assert response.status_code == 409, response.text
    assert (await _get(client, user, category["id"]))["kind"] == "expense"


async def test_changing_the_kind_of_a_category_with_subcategories_is_rejected(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    parent = await _create(client, user)
    await _create(client, user, parent_id=parent["id"])

    response = await client.patch(
        f"{CATEGORIES}/{parent['id']}", json={"kind": "income"}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/kind"]


async def test_renaming_into_a_taken_name_is_a_conflict(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    category = await _create(client, user)

    response = await client.patch(
        f"{CATEGORIES}/{category['id']}", json={"name": "Rent"}, headers=user.headers
    )

    assert response.status_code == 409, response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "x"), ("created_at", "2026-01-01T00:00:00Z"), ("name", None), ("kind", None)],
)
async def test_read_only_fields_and_nulls_are_rejected_on_patch(
    client: Client, new_user: NewUser, field: str, value: Any
) -> None:
    user = await new_user()
    category = await _create(client, user)

    response = await client.patch(
        f"{CATEGORIES}/{category['id']}", json={field: value}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


# --- delete --------------------------------------------------------------------------------


async def test_deleting_a_category_answers_204_and_it_is_gone(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    category = await _create(client, user)

    response = await client.delete(f"{CATEGORIES}/{category['id']}", headers=user.headers)

    assert response.status_code == 204, response.text
    gone = await client.get(f"{CATEGORIES}/{category['id']}", headers=user.headers)
    assert gone.status_code == 404


async def test_deleting_a_category_leaves_its_transactions_uncategorised(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    category = await _create(client, user)
    txn = await _record(client, user, category_id=category["id"])

    await client.delete(f"{CATEGORIES}/{category['id']}", headers=user.headers)

    after = await client.get(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)
    assert after.status_code == 200, after.text
    assert after.json()["category_id"] is None
    assert after.json()["amount"] == txn["amount"]


async def test_deleting_a_category_makes_its_children_top_level(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    parent = await _create(client, user)
    child = await _create(client, user, parent_id=parent["id"])

    await client.delete(f"{CATEGORIES}/{parent['id']}", headers=user.headers)

    assert (await _get(client, user, child["id"]))["parent_id"] is None


async def test_deleting_a_parent_whose_child_has_its_name_answers_204_and_keeps_the_name(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    parent = await _create(client, user, name="Household")
    child = await _create(client, user, name="Household", parent_id=parent["id"])

    response = await client.delete(f"{CATEGORIES}/{parent['id']}", headers=user.headers)

    assert response.status_code == 204, response.text
    freed = await _get(client, user, child["id"])
    assert (freed["name"], freed["parent_id"]) == ("Household", None)


async def test_children_whose_names_are_taken_at_the_top_level_get_numbered_names(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    parent = await _create(client, user, name="Household")
    clash = await _create(client, user, name="Groceries", parent_id=parent["id"])
    sibling = await _create(client, user, name="Groceries (2)", parent_id=parent["id"])
    keeps = await _create(client, user, name="Cleaning", parent_id=parent["id"])

    response = await client.delete(f"{CATEGORIES}/{parent['id']}", headers=user.headers)

    assert response.status_code == 204, response.text
    names = {c["id"]: (c["name"], c["parent_id"]) for c in await _list(client, user)}
    assert names[clash["id"]] == ("Groceries (3)", None)
    assert names[sibling["id"]] == ("Groceries (2)", None)
    assert names[keeps["id"]] == ("Cleaning", None)
    assert sorted(name for name, _ in names.values()).count("Groceries") == 1


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_a_missing_category_answers_404(
    client: Client, new_user: NewUser, method: str
) -> None:
    user = await new_user()
    body = {"name": "X"} if method == "PATCH" else None

    response = await client.request(
        method, f"{CATEGORIES}/{uuid.uuid4()}", json=body, headers=user.headers
    )

    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# --- list ----------------------------------------------------------------------------------


async def test_the_list_answers_the_paging_envelope_sorted_by_name(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(CATEGORIES, headers=user.headers)

    body = response.json()
    assert set(body) == {"items", "total", "limit", "offset"}
    assert (body["total"], body["limit"], body["offset"]) == (10, 50, 0)
    names = [c["name"] for c in body["items"]]
    assert names == sorted(names)


async def test_the_list_filters_by_kind(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    income = await _list(client, user, "&kind=income")

    assert {c["name"] for c in income} == DEFAULT_INCOME


async def test_the_list_filters_by_parent(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    parent = await _create(client, user)
    child = await _create(client, user, parent_id=parent["id"])

    children = await _list(client, user, f"&parent_id={parent['id']}")

    assert [c["id"] for c in children] == [child["id"]]


async def test_the_list_filters_by_archived(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    old = await _create(client, user, archived=True)

    archived = await _list(client, user, "&archived=true")
    active = await _list(client, user, "&archived=false")

    assert [c["id"] for c in archived] == [old["id"]]
    assert len(active) == 10


async def test_the_filters_combine(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    parent = await _create(client, user)
    await _create(client, user, parent_id=parent["id"], archived=True)
    active = await _create(client, user, parent_id=parent["id"])

    found = await _list(client, user, f"&parent_id={parent['id']}&archived=false&kind=expense")

    assert [c["id"] for c in found] == [active["id"]]


async def test_the_list_sorts_by_created_at_and_reversed_name(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    first = await _create(client, user, name="Zoo")
    second = await _create(client, user, name="Aquarium")

    by_created = await _list(client, user, "&sort=-created_at")
    by_name = await _list(client, user, "&sort=-name")

    assert [c["id"] for c in by_created[:2]] == [second["id"], first["id"]]
    assert by_name[0]["id"] == first["id"]
    assert [c["name"] for c in by_name] == sorted((c["name"] for c in by_name), reverse=True)


async def test_pages_walk_every_category_once(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    seen: list[str] = []
    for offset in range(0, 10, 3):
        response = await client.get(
            f"{CATEGORIES}?limit=3&offset={offset}&sort=created_at", headers=user.headers
        )
        seen += [c["id"] for c in response.json()["items"]]

    assert len(seen) == len(set(seen)) == 10


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        ("sort=kind", "sort"),
        ("sort=balance", "sort"),
        ("kind=transfer", "kind"),
        ("parent_id=nope", "parent_id"),
        ("archived=yes-please", "archived"),
        ("limit=501", "limit"),
        ("offset=-3", "offset"),
    ],
)
async def test_invalid_list_parameters_are_rejected_with_their_name(
    client: Client, new_user: NewUser, query: str, pointer: str
) -> None:
    user = await new_user()

    response = await client.get(f"{CATEGORIES}?{query}", headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [pointer]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", CATEGORIES),
        ("POST", CATEGORIES),
        ("GET", f"{CATEGORIES}/{SOME_ID}"),
        ("PATCH", f"{CATEGORIES}/{SOME_ID}"),
        ("DELETE", f"{CATEGORIES}/{SOME_ID}"),
    ],
)
async def test_every_category_route_needs_a_token(client: Client, method: str, path: str) -> None:
    response = await client.request(method, path)

    assert response.status_code == 401, response.text
