"""A 422 lists every invalid field of the body and the query at once (contract, Part II).

msgspec stops at the first bad field and Litestar at the first bad handler or dependency;
the second pass in ``budget.entrypoints.http.validation`` names the rest. Against the real
app on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

ACCOUNTS = "/api/v1/accounts"
TRANSACTIONS = "/api/v1/transactions"
MISSING_ID = "0190b5a0-0000-7000-8000-0000000000ff"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {error["pointer"]: error["detail"] for error in response.json()["errors"]}


def _pointers(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["pointer"] for error in response.json()["errors"]]


async def _account(client: Client, user: SignedIn) -> str:
    body = {"name": "Main", "type": "checking", "currency": "EUR"}
    response = await client.post(ACCOUNTS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    account_id: str = response.json()["id"]
    return account_id


# --- bodies ----------------------------------------------------------------------------------


async def test_an_account_with_an_empty_name_and_an_unknown_type_names_both(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(
        ACCOUNTS, json={"name": "", "type": "spaceship", "currency": "EUR"}, headers=user.headers
    )

    assert _pointers(response) == ["#/name", "#/type"]


async def test_missing_unknown_and_read_only_fields_are_all_named(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(
        ACCOUNTS, json={"type": "cash", "id": MISSING_ID, "balance": "1.00"}, headers=user.headers
    )

    assert _errors(response) == {
        "#/name": "is required",
        "#/currency": "is required",
        "#/id": "is not allowed",
        "#/balance": "is not allowed",
    }


async def test_a_transaction_with_several_bad_fields_names_every_one(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    body = {
        "type": "gift",
        "account_id": "not-a-uuid",
        "amount": 12,
        "date": "2026-02-30",
        "tags": ["food", ""],
    }

    response = await client.post(TRANSACTIONS, json=body, headers=user.headers)

    assert _pointers(response) == ["#/type", "#/account_id", "#/amount", "#/date", "#/tags"]


async def test_a_patch_names_every_bad_field_it_sends(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await _account(client, user)

    response = await client.patch(
        f"{ACCOUNTS}/{account_id}",
        json={"name": "", "currency": "eur", "archived": "yes"},
        headers=user.headers,
    )

    assert _pointers(response) == ["#/name", "#/currency", "#/archived"]


async def test_a_patch_with_bad_fields_is_refused_before_the_account_is_looked_up(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.patch(
        f"{ACCOUNTS}/{MISSING_ID}", json={"name": "", "archived": "yes"}, headers=user.headers
    )

    assert _pointers(response) == ["#/name", "#/archived"]


async def test_a_single_bad_field_keeps_the_words_the_contract_uses(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.post(
        ACCOUNTS, json={"name": "Main", "type": "cash", "currency": "XYZ"}, headers=user.headers
    )

    assert _errors(response) == {"#/currency": "must be an ISO 4217 currency code such as EUR"}


async def test_a_number_is_not_a_boolean_in_a_body(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.post(
        ACCOUNTS,
        json={"name": "Main", "type": "cash", "currency": "EUR", "archived": 0},
        headers=user.headers,
    )

    assert _pointers(response) == ["#/archived"]


async def test_a_rule_across_fields_waits_until_each_field_is_valid(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await _account(client, user)
    # A transfer without its destination breaks a rule across fields; the amount alone is bad.
    body = {"type": "transfer", "account_id": account_id, "amount": "1e3", "date": "2026-11-01"}

    response = await client.post(TRANSACTIONS, json=body, headers=user.headers)

    assert _pointers(response) == ["#/amount"]


# --- query parameters ------------------------------------------------------------------------


async def test_a_list_with_two_bad_query_parameters_names_both(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(f"{ACCOUNTS}?currency=XYZ&archived=maybe", headers=user.headers)

    assert _pointers(response) == ["currency", "archived"]


async def test_bad_parameters_of_the_paging_and_of_the_list_are_named_together(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(
        f"{TRANSACTIONS}?limit=0&sort=bogus&date_from=2026-02-30", headers=user.headers
    )

    assert _pointers(response) == ["limit", "sort", "date_from"]


async def test_an_amount_bound_the_use_case_refuses_is_named_with_a_bad_sort(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.get(
        f"{TRANSACTIONS}?min_amount=99999999999999999&sort=bogus", headers=user.headers
    )

    assert _pointers(response) == ["sort", "min_amount"]


async def test_a_bad_sort_names_the_allowed_keys(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.get(f"{ACCOUNTS}?sort=-owner", headers=user.headers)

    assert _errors(response) == {
        "sort": "must be one of name, -name, created_at, -created_at, balance, -balance"
    }


async def test_a_part_missing_its_amount_is_named_inside_its_part(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await _account(client, user)
    body = {
        "type": "expense",
        "account_id": account_id,
        "amount": "10",
        "date": "2026-11-01",
        "splits": [{"amount": "5"}, {"description": "no amount"}],
    }

    response = await client.post(TRANSACTIONS, json=body, headers=user.headers)

    assert _errors(response) == {"#/splits/1/amount": "is required"}


async def test_bad_fields_of_several_parts_are_all_named(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await _account(client, user)
    body = {
        "type": "expense",
        "account_id": account_id,
        "amount": "10",
        "date": "2026-11-01",
        "splits": [{"amount": 5}, {"amount": "5", "category_id": "nope", "id": MISSING_ID}],
    }

    response = await client.post(TRANSACTIONS, json=body, headers=user.headers)

    assert _pointers(response) == ["#/splits/0/amount", "#/splits/1/category_id", "#/splits/1/id"]
