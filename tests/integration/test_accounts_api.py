"""Accounts over HTTP (contract section 4), against the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

ACCOUNTS = "/api/v1/accounts"
TRANSACTIONS = "/api/v1/transactions"

SOME_ID = "0190b5a0-0000-7000-8000-0000000000ff"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


async def _open(client: Client, user: SignedIn, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Account {uuid.uuid4().hex[:8]}", "type": "checking", "currency": "EUR"}
    response = await client.post(ACCOUNTS, json={**body, **fields}, headers=user.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _get(client: Client, user: SignedIn, account_id: str) -> dict[str, Any]:
    response = await client.get(f"{ACCOUNTS}/{account_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _expense(client: Client, user: SignedIn, account_id: str, amount: str) -> None:
    body = {"type": "expense", "account_id": account_id, "amount": amount, "date": "2026-11-01"}
    response = await client.post(TRANSACTIONS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text


async def _default_household(client: Client, user: SignedIn) -> str:
    response = await client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 200, response.text
    household: str = response.json()["default_household_id"]
    return household


async def _names(client: Client, user: SignedIn, query: str = "") -> list[str]:
    response = await client.get(f"{ACCOUNTS}{query}", headers=user.headers)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


# --- create --------------------------------------------------------------------------------


async def test_creating_an_account_answers_201_with_its_location_and_fields(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(
        ACCOUNTS,
        json={
            "name": "Main",
            "type": "savings",
            "currency": "EUR",
            "opening_balance": "1000",
            "archived": False,
        },
        headers=user.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{ACCOUNTS}/{body['id']}"
    assert set(body) == {
        "id",
        "household_id",
        "name",
        "type",
        "currency",
        "opening_balance",
        "balance",
        "cleared_balance",
        "last_reconciled_on",
        "archived",
        "created_at",
        "updated_at",
    }
    assert (body["name"], body["type"], body["currency"]) == ("Main", "savings", "EUR")
    assert (body["opening_balance"], body["balance"], body["archived"]) == (
        "1000.00",
        "1000.00",
        False,
    )
    assert (body["cleared_balance"], body["last_reconciled_on"]) == ("1000.00", None)
    assert body["created_at"].endswith("Z")
    assert body["created_at"] == body["updated_at"]
    assert uuid.UUID(body["id"])
    assert body["household_id"] == await _default_household(client, user)


async def test_getting_an_account_answers_what_creating_it_answered(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    created = await _open(client, user, opening_balance="12.5")

    assert await _get(client, user, created["id"]) == created


@pytest.mark.parametrize(("currency", "printed"), [("EUR", "0.00"), ("JPY", "0"), ("BHD", "0.000")])
async def test_opening_balance_defaults_to_zero_with_the_currencys_decimals(
    client: Client, new_user: NewUser, currency: str, printed: str
) -> None:
    user = await new_user()

    account = await _open(client, user, currency=currency)

    assert (account["opening_balance"], account["balance"]) == (printed, printed)


async def test_opening_balance_may_be_negative(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    account = await _open(client, user, type="credit_card", opening_balance="-250.5")

    assert (account["opening_balance"], account["balance"]) == ("-250.50", "-250.50")


@pytest.mark.parametrize("amount", ["1000000000000", "-1000000000000"])
async def test_opening_balance_at_the_limit_is_accepted(
    client: Client, new_user: NewUser, amount: str
) -> None:
    user = await new_user()

    account = await _open(client, user, currency="JPY", opening_balance=amount)

    assert account["opening_balance"] == amount


@pytest.mark.parametrize(
    ("currency", "amount"),
    [
        ("EUR", 12.5),
        ("EUR", 12),
        ("EUR", "1e3"),
        ("EUR", "NaN"),
        ("EUR", "Infinity"),
        ("EUR", "1.234"),
        ("EUR", "1.500"),
        ("JPY", "1.5"),
        ("BHD", "1.2345"),
        ("EUR", "1000000000000.01"),
        ("EUR", "-1000000000001"),
        ("EUR", ""),
        ("EUR", "+5"),
        ("EUR", " 5"),
        ("EUR", "5."),
    ],
)
async def test_a_malformed_opening_balance_is_rejected_with_its_pointer(
    client: Client, new_user: NewUser, currency: str, amount: Any
) -> None:
    user = await new_user()
    body = {"name": "Main", "type": "cash", "currency": currency, "opening_balance": amount}

    response = await client.post(ACCOUNTS, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _pointers(response) == ["#/opening_balance"]
    assert await _names(client, user) == []


async def test_the_name_is_trimmed(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    account = await _open(client, user, name="  Wallet  ")

    assert account["name"] == "Wallet"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_a_name_outside_1_to_100_characters_is_rejected(
    client: Client, new_user: NewUser, name: str
) -> None:
    user = await new_user()
    body = {"name": name, "type": "cash", "currency": "EUR"}

    response = await client.post(ACCOUNTS, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/name"]


async def test_a_name_of_exactly_100_characters_is_accepted(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    account = await _open(client, user, name="x" * 100)

    assert account["name"] == "x" * 100


@pytest.mark.parametrize(
    ("field", "value"),
    [("currency", "XXX"), ("currency", "eur"), ("currency", 978), ("type", "wallet")],
)
async def test_an_unknown_currency_or_type_is_rejected(
    client: Client, new_user: NewUser, field: str, value: Any
) -> None:
    user = await new_user()
    body = {"name": "Main", "type": "cash", "currency": "EUR", field: value}

    response = await client.post(ACCOUNTS, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


@pytest.mark.parametrize("field", ["name", "type", "currency"])
async def test_a_missing_required_field_is_rejected(
    client: Client, new_user: NewUser, field: str
) -> None:
    user = await new_user()
    body = {"name": "Main", "type": "cash", "currency": "EUR"}
    del body[field]

    response = await client.post(ACCOUNTS, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "0190b5a0-0000-7000-8000-000000000001"),
        ("balance", "10.00"),
        ("owner", "someone"),
        ("owner_id", "0190b5a0-0000-7000-8000-000000000001"),
        ("created_at", "2026-11-22T09:30:00Z"),
        ("updated_at", "2026-11-22T09:30:00Z"),
        ("colour", "blue"),
    ],
)
async def test_read_only_and_unknown_fields_are_rejected_on_create(
    client: Client, new_user: NewUser, field: str, value: Any
) -> None:
    user = await new_user()
    body = {"name": "Main", "type": "cash", "currency": "EUR", field: value}

    response = await client.post(ACCOUNTS, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


async def test_malformed_json_is_a_400(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.post(
        ACCOUNTS,
        content=b'{"name": "Main",',
        headers={**user.headers, "content-type": "application/json"},
    )

    assert response.status_code == 400, response.text


async def test_a_second_unarchived_account_with_the_same_name_is_a_conflict(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    await _open(client, user, name="Main")

    response = await client.post(
        ACCOUNTS, json={"name": "  Main ", "type": "cash", "currency": "USD"}, headers=user.headers
    )

    assert response.status_code == 409, response.text
    assert response.json()["status"] == 409
    assert await _names(client, user) == ["Main"]


async def test_an_archived_account_frees_its_name(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    old = await _open(client, user, name="Main")
    archived = await client.patch(
        f"{ACCOUNTS}/{old['id']}", json={"archived": True}, headers=user.headers
    )
    assert archived.status_code == 200, archived.text

    new = await _open(client, user, name="Main")

    assert new["id"] != old["id"]
    assert await _names(client, user, "?sort=created_at") == ["Main", "Main"]


async def test_an_account_created_archived_does_not_take_the_name(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    await _open(client, user, name="Main", archived=True)

    account = await _open(client, user, name="Main")

    assert account["archived"] is False


async def test_two_users_may_use_the_same_account_name(client: Client, new_user: NewUser) -> None:
    alice, bob = await new_user(), await new_user()
    await _open(client, alice, name="Main")

    account = await _open(client, bob, name="Main")

    assert account["name"] == "Main"


# --- update --------------------------------------------------------------------------------


async def test_patching_changes_only_the_sent_fields(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user, name="Main", opening_balance="10")

    response = await client.patch(
        f"{ACCOUNTS}/{account['id']}",
        json={"name": " Daily ", "type": "cash"},
        headers=user.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["type"]) == ("Daily", "cash")
    unchanged = ("id", "currency", "opening_balance", "balance", "archived", "created_at")
    assert {k: body[k] for k in unchanged} == {k: account[k] for k in unchanged}
    assert body["updated_at"] >= account["updated_at"]
    assert await _get(client, user, account["id"]) == body


async def test_an_empty_patch_changes_nothing(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user)

    response = await client.patch(f"{ACCOUNTS}/{account['id']}", json={}, headers=user.headers)

    assert response.status_code == 200, response.text
    assert {k: v for k, v in response.json().items() if k != "updated_at"} == {
        k: v for k, v in account.items() if k != "updated_at"
    }


async def test_changing_the_currency_is_rejected(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user, currency="EUR")

    response = await client.patch(
        f"{ACCOUNTS}/{account['id']}", json={"currency": "USD"}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/currency"]
    assert (await _get(client, user, account["id"]))["currency"] == "EUR"


async def test_sending_the_same_currency_in_a_patch_is_accepted(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user, currency="EUR")

    response = await client.patch(
        f"{ACCOUNTS}/{account['id']}", json={"currency": "EUR", "name": "X"}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    assert (response.json()["currency"], response.json()["name"]) == ("EUR", "X")


async def test_a_rejected_patch_changes_nothing(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user, name="Main")

    response = await client.patch(
        f"{ACCOUNTS}/{account['id']}",
        json={"name": "Renamed", "currency": "USD"},
        headers=user.headers,
    )

    assert response.status_code == 422, response.text
    assert await _get(client, user, account["id"]) == account


async def test_a_new_opening_balance_moves_the_balance_by_the_difference(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user, opening_balance="100")
    await _expense(client, user, account["id"], "30")

    response = await client.patch(
        f"{ACCOUNTS}/{account['id']}", json={"opening_balance": "200.5"}, headers=user.headers
    )

    assert response.status_code == 200, response.text
    assert (response.json()["opening_balance"], response.json()["balance"]) == (
        "200.50",
        "170.50",
    )
    assert (await _get(client, user, account["id"]))["balance"] == "170.50"


async def test_a_malformed_opening_balance_in_a_patch_is_rejected(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user, currency="JPY")

    response = await client.patch(
        f"{ACCOUNTS}/{account['id']}", json={"opening_balance": "1.5"}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/opening_balance"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("balance", "5.00"), ("id", "0190b5a0-0000-7000-8000-000000000001"), ("name", None)],
)
async def test_read_only_fields_and_nulls_are_rejected_on_patch(
    client: Client, new_user: NewUser, field: str, value: Any
) -> None:
    user = await new_user()
    account = await _open(client, user)

    response = await client.patch(
        f"{ACCOUNTS}/{account['id']}", json={field: value}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


async def test_renaming_to_a_taken_name_is_a_conflict(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    await _open(client, user, name="Main")
    other = await _open(client, user, name="Other")

    response = await client.patch(
        f"{ACCOUNTS}/{other['id']}", json={"name": "Main"}, headers=user.headers
    )

    assert response.status_code == 409, response.text


async def test_unarchiving_into_a_taken_name_is_a_conflict(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    archived = await _open(client, user, name="Main", archived=True)
    await _open(client, user, name="Main")

    response = await client.patch(
        f"{ACCOUNTS}/{archived['id']}", json={"archived": False}, headers=user.headers
    )

    assert response.status_code == 409, response.text
    assert (await _get(client, user, archived["id"]))["archived"] is True


# --- delete --------------------------------------------------------------------------------


async def test_deleting_an_account_without_transactions_answers_204_and_it_is_gone(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)

    response = await client.delete(f"{ACCOUNTS}/{account['id']}", headers=user.headers)

    assert response.status_code == 204, response.text
    assert response.content == b""
    gone = await client.get(f"{ACCOUNTS}/{account['id']}", headers=user.headers)
    assert gone.status_code == 404


async def test_deleting_an_account_with_transactions_is_a_conflict(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    await _expense(client, user, account["id"], "1")

    response = await client.delete(f"{ACCOUNTS}/{account['id']}", headers=user.headers)

    assert response.status_code == 409, response.text
    assert (await _get(client, user, account["id"]))["balance"] == "-1.00"


async def test_deleting_the_destination_of_a_transfer_is_a_conflict(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, destination = await _open(client, user), await _open(client, user)
    transfer = {
        "type": "transfer",
        "account_id": source["id"],
        "to_account_id": destination["id"],
        "amount": "5",
        "date": "2026-11-01",
    }
    created = await client.post(TRANSACTIONS, json=transfer, headers=user.headers)
    assert created.status_code == 201, created.text

    response = await client.delete(f"{ACCOUNTS}/{destination['id']}", headers=user.headers)

    assert response.status_code == 409, response.text


async def test_an_account_whose_transactions_were_deleted_can_be_deleted(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    body = {"type": "income", "account_id": account["id"], "amount": "3", "date": "2026-11-01"}
    txn = (await client.post(TRANSACTIONS, json=body, headers=user.headers)).json()
    await client.delete(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)

    response = await client.delete(f"{ACCOUNTS}/{account['id']}", headers=user.headers)

    assert response.status_code == 204, response.text


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_a_missing_account_answers_404_problem_details(
    client: Client, new_user: NewUser, method: str
) -> None:
    user = await new_user()
    missing = f"{ACCOUNTS}/{uuid.uuid4()}"
    body = {"name": "X"} if method == "PATCH" else None

    response = await client.request(method, missing, json=body, headers=user.headers)

    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {"type", "title", "status", "detail"} <= set(response.json())


async def test_a_malformed_id_in_the_path_answers_404(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.get(f"{ACCOUNTS}/not-a-uuid", headers=user.headers)

    assert response.status_code == 404, response.text


# --- list ----------------------------------------------------------------------------------


async def test_the_list_answers_the_paging_envelope_with_defaults(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)

    response = await client.get(ACCOUNTS, headers=user.headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"items": [account], "total": 1, "limit": 50, "offset": 0}


async def test_the_list_pages_with_limit_and_offset_and_counts_every_match(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    for name in ["a", "b", "c", "d", "e"]:
        await _open(client, user, name=name)

    response = await client.get(f"{ACCOUNTS}?limit=2&offset=2", headers=user.headers)

    body = response.json()
    assert [item["name"] for item in body["items"]] == ["c", "d"]
    assert (body["total"], body["limit"], body["offset"]) == (5, 2, 2)


async def test_an_offset_past_the_end_answers_no_items_and_the_total(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    await _open(client, user)

    response = await client.get(f"{ACCOUNTS}?offset=10", headers=user.headers)

    assert (response.json()["items"], response.json()["total"]) == ([], 1)


async def test_the_list_filters_by_archived(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    await _open(client, user, name="active")
    await _open(client, user, name="old", archived=True)

    assert await _names(client, user, "?archived=true") == ["old"]
    assert await _names(client, user, "?archived=false") == ["active"]
    assert await _names(client, user) == ["active", "old"]


async def test_the_list_filters_by_type_and_currency(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    await _open(client, user, name="a", type="cash", currency="EUR")
    await _open(client, user, name="b", type="cash", currency="USD")
    await _open(client, user, name="c", type="loan", currency="EUR")

    assert await _names(client, user, "?type=cash") == ["a", "b"]
    assert await _names(client, user, "?currency=EUR") == ["a", "c"]
    assert await _names(client, user, "?type=cash&currency=USD") == ["b"]


async def test_the_list_sorts_by_name_by_default_and_reverses_with_a_minus(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    for name in ["b", "c", "a"]:
        await _open(client, user, name=name)

    assert await _names(client, user) == ["a", "b", "c"]
    assert await _names(client, user, "?sort=-name") == ["c", "b", "a"]
    assert await _names(client, user, "?sort=created_at") == ["b", "c", "a"]
    assert await _names(client, user, "?sort=-created_at") == ["a", "c", "b"]


async def test_the_list_sorts_by_balance(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    await _open(client, user, name="mid", opening_balance="5")
    await _open(client, user, name="low", opening_balance="-20")
    await _open(client, user, name="high", opening_balance="100.01")

    assert await _names(client, user, "?sort=balance") == ["low", "mid", "high"]
    assert await _names(client, user, "?sort=-balance") == ["high", "mid", "low"]


async def test_ties_in_the_sort_never_overlap_or_skip_across_pages(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    ids = {(await _open(client, user, opening_balance="7"))["id"] for _ in range(5)}

    seen: list[str] = []
    for offset in range(0, 5, 2):
        page = await client.get(
            f"{ACCOUNTS}?sort=balance&limit=2&offset={offset}", headers=user.headers
        )
        seen += [item["id"] for item in page.json()["items"]]

    assert sorted(seen) == sorted(ids)


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        ("sort=owner", "sort"),
        ("sort=-", "sort"),
        ("sort=+name", "sort"),
        ("archived=maybe", "archived"),
        ("type=wallet", "type"),
        ("currency=XXX", "currency"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
    ],
)
async def test_invalid_list_parameters_are_rejected_with_their_name(
    client: Client, new_user: NewUser, query: str, pointer: str
) -> None:
    user = await new_user()

    response = await client.get(f"{ACCOUNTS}?{query}", headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [pointer]


async def test_a_limit_of_500_is_accepted(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.get(f"{ACCOUNTS}?limit=500", headers=user.headers)

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ACCOUNTS),
        ("POST", ACCOUNTS),
        ("GET", f"{ACCOUNTS}/{SOME_ID}"),
        ("PATCH", f"{ACCOUNTS}/{SOME_ID}"),
        ("DELETE", f"{ACCOUNTS}/{SOME_ID}"),
    ],
)
async def test_every_account_route_needs_a_token(client: Client, method: str, path: str) -> None:
    response = await client.request(method, path)

    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
