"""Transactions over HTTP (contract section 6): their rules and their effect on balances."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

ACCOUNTS = "/api/v1/accounts"
CATEGORIES = "/api/v1/categories"
TRANSACTIONS = "/api/v1/transactions"
DAY = "2026-11-01"

SOME_ID = "0190b5a0-0000-7000-8000-0000000000ff"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


async def _open(
    client: Client, user: SignedIn, currency: str = "EUR", opening_balance: str = "1000"
) -> str:
    body = {
        "name": f"Account {uuid.uuid4().hex[:8]}",
        "type": "checking",
        "currency": currency,
        "opening_balance": opening_balance,
    }
    response = await client.post(ACCOUNTS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    account_id: str = response.json()["id"]
    return account_id


async def _default_household(client: Client, user: SignedIn) -> str:
    response = await client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 200, response.text
    household: str = response.json()["default_household_id"]
    return household


async def _balance(client: Client, user: SignedIn, account_id: str) -> str:
    response = await client.get(f"{ACCOUNTS}/{account_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    balance: str = response.json()["balance"]
    return balance


async def _category(client: Client, user: SignedIn, kind: str) -> str:
    body = {"name": f"Cat {uuid.uuid4().hex[:8]}", "kind": kind}
    response = await client.post(CATEGORIES, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    category_id: str = response.json()["id"]
    return category_id


async def _post(client: Client, user: SignedIn, **fields: Any) -> Any:
    body = {"type": "expense", "amount": "10", "date": DAY, **fields}
    return await client.post(TRANSACTIONS, json=body, headers=user.headers)


async def _record(client: Client, user: SignedIn, **fields: Any) -> dict[str, Any]:
    response = await _post(client, user, **fields)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _patch(client: Client, user: SignedIn, txn_id: str, **fields: Any) -> Any:
    return await client.patch(f"{TRANSACTIONS}/{txn_id}", json=fields, headers=user.headers)


# --- create --------------------------------------------------------------------------------


async def test_recording_an_expense_answers_201_with_its_location_and_fields(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    category = await _category(client, user, "expense")

    response = await _post(
        client,
        user,
        account_id=account,
        amount="12.5",
        category_id=category,
        description="Weekly shop",
        payee="Market",
        tags=["food", " weekly "],
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{TRANSACTIONS}/{body['id']}"
    assert set(body) == {
        "id",
        "household_id",
        "type",
        "account_id",
        "to_account_id",
        "amount",
        "to_amount",
        "currency",
        "category_id",
        "date",
        "description",
        "payee",
        "tags",
        "splits",
        "status",
        "import_id",
        "recurring_id",
        "created_at",
        "updated_at",
    }
    assert body["type"] == "expense"
    assert (body["account_id"], body["to_account_id"], body["category_id"]) == (
        account,
        None,
        category,
    )
    assert (body["amount"], body["to_amount"], body["currency"]) == ("12.50", None, "EUR")
    assert (body["date"], body["description"], body["payee"]) == (DAY, "Weekly shop", "Market")
    assert body["tags"] == ["food", "weekly"]
    assert (body["splits"], body["status"]) == ([], "uncleared")
    assert (body["import_id"], body["recurring_id"]) == (None, None)
    assert body["household_id"] == await _default_household(client, user)
    assert body["created_at"].endswith("Z")


async def test_getting_a_transaction_answers_what_recording_it_answered(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    txn = await _record(client, user, account_id=await _open(client, user), tags=["a", "b"])

    response = await client.get(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)

    assert response.status_code == 200, response.text
    assert response.json() == txn


async def test_an_expense_lowers_the_balance(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user, opening_balance="1000")

    await _record(client, user, account_id=account, amount="12.34")

    assert await _balance(client, user, account) == "987.66"


async def test_income_raises_the_balance(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user, opening_balance="1000")

    await _record(client, user, type="income", account_id=account, amount="250.5")

    assert await _balance(client, user, account) == "1250.50"


async def test_a_transfer_moves_money_between_accounts_of_one_currency(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user), await _open(client, user, opening_balance="0")

    txn = await _record(
        client, user, type="transfer", account_id=source, to_account_id=target, amount="100"
    )

    assert (txn["amount"], txn["to_amount"], txn["currency"]) == ("100.00", "100.00", "EUR")
    assert await _balance(client, user, source) == "900.00"
    assert await _balance(client, user, target) == "100.00"


async def test_a_same_currency_transfer_accepts_an_equal_to_amount(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user), await _open(client, user)

    txn = await _record(
        client,
        user,
        type="transfer",
        account_id=source,
        to_account_id=target,
        amount="100",
        to_amount="100.00",
    )

    assert txn["to_amount"] == "100.00"


async def test_a_same_currency_transfer_with_another_to_amount_is_rejected(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user), await _open(client, user)

    response = await _post(
        client,
        user,
        type="transfer",
        account_id=source,
        to_account_id=target,
        amount="100",
        to_amount="99",
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_amount"]
    assert await _balance(client, user, source) == "1000.00"


async def test_a_cross_currency_transfer_requires_to_amount(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user, "EUR"), await _open(client, user, "JPY")

    response = await _post(
        client, user, type="transfer", account_id=source, to_account_id=target, amount="10"
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_amount"]


async def test_a_cross_currency_transfer_moves_each_side_in_its_currency(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user, "EUR"), await _open(client, user, "JPY", "0")

    txn = await _record(
        client,
        user,
        type="transfer",
        account_id=source,
        to_account_id=target,
        amount="10",
        to_amount="1620",
    )

    assert (txn["amount"], txn["to_amount"], txn["currency"]) == ("10.00", "1620", "EUR")
    assert await _balance(client, user, source) == "990.00"
    assert await _balance(client, user, target) == "1620"


@pytest.mark.parametrize("to_amount", ["16.5", "0", "-5", 1620])
async def test_a_to_amount_that_is_not_money_of_the_destination_is_rejected(
    client: Client, new_user: NewUser, to_amount: Any
) -> None:
    user = await new_user()
    source, target = await _open(client, user, "EUR"), await _open(client, user, "JPY")

    response = await _post(
        client,
        user,
        type="transfer",
        account_id=source,
        to_account_id=target,
        amount="10",
        to_amount=to_amount,
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_amount"]


async def test_a_transfer_needs_a_destination(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await _post(client, user, type="transfer", account_id=await _open(client, user))

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_account_id"]


async def test_a_transfer_to_its_own_account_is_rejected(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user)

    response = await _post(client, user, type="transfer", account_id=account, to_account_id=account)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_account_id"]


async def test_a_transfer_with_a_category_is_rejected(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    source, target = await _open(client, user), await _open(client, user)

    response = await _post(
        client,
        user,
        type="transfer",
        account_id=source,
        to_account_id=target,
        category_id=await _category(client, user, "expense"),
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/category_id"]


@pytest.mark.parametrize("kind", ["income", "expense"])
async def test_a_destination_is_forbidden_outside_transfers(
    client: Client, new_user: NewUser, kind: str
) -> None:
    user = await new_user()
    source, target = await _open(client, user), await _open(client, user)

    response = await _post(client, user, type=kind, account_id=source, to_account_id=target)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_account_id"]


async def test_a_to_amount_is_forbidden_outside_transfers(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await _post(client, user, account_id=await _open(client, user), to_amount="10")

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_amount"]


@pytest.mark.parametrize(("kind", "category_kind"), [("expense", "income"), ("income", "expense")])
async def test_a_category_of_the_other_kind_is_rejected(
    client: Client, new_user: NewUser, kind: str, category_kind: str
) -> None:
    user = await new_user()
    category = await _category(client, user, category_kind)

    response = await _post(
        client, user, type=kind, account_id=await _open(client, user), category_id=category
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/category_id"]


@pytest.mark.parametrize(
    ("currency", "amount"),
    [
        ("EUR", 12.5),
        ("EUR", 12),
        ("EUR", "1e3"),
        ("EUR", "1E3"),
        ("EUR", "NaN"),
        ("EUR", "Infinity"),
        ("EUR", "-Infinity"),
        ("EUR", "1.234"),
        ("EUR", "0.001"),
        ("JPY", "1.5"),
        ("JPY", "1.0"),
        ("BHD", "0.0001"),
        ("EUR", "1000000000000.01"),
        ("EUR", "1000000000001"),
        ("EUR", "0"),
        ("EUR", "0.00"),
        ("EUR", "-5"),
        ("EUR", ""),
        ("EUR", "12,50"),
        ("EUR", "1_000"),
        ("EUR", " 12"),
        ("EUR", "0x10"),
        ("EUR", None),
    ],
)
async def test_an_amount_that_is_not_valid_money_is_rejected_on_amount(
    client: Client, new_user: NewUser, currency: str, amount: Any
) -> None:
    user = await new_user()
    account = await _open(client, user, currency, "0")

    response = await _post(client, user, account_id=account, amount=amount)

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/amount"]
    assert await _balance(client, user, account) in {"0", "0.00", "0.000"}


@pytest.mark.parametrize(
    ("currency", "amount", "printed"),
    [
        ("EUR", "1000000000000", "1000000000000.00"),
        ("EUR", "0.01", "0.01"),
        ("JPY", "7", "7"),
        ("BHD", "1.5", "1.500"),
        ("EUR", "007.10", "7.10"),
    ],
)
async def test_valid_amounts_are_printed_with_the_currencys_decimals(
    client: Client, new_user: NewUser, currency: str, amount: str, printed: str
) -> None:
    user = await new_user()
    account = await _open(client, user, currency, "0")

    txn = await _record(client, user, type="income", account_id=account, amount=amount)

    assert txn["amount"] == printed
    assert await _balance(client, user, account) == printed


@pytest.mark.parametrize("field", ["type", "account_id", "amount", "date"])
async def test_a_missing_required_field_is_rejected(
    client: Client, new_user: NewUser, field: str
) -> None:
    user = await new_user()
    body = {
        "type": "expense",
        "account_id": await _open(client, user),
        "amount": "1",
        "date": DAY,
    }
    del body[field]

    response = await client.post(TRANSACTIONS, json=body, headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "refund"),
        ("date", "2026-02-30"),
        ("date", "01/11/2026"),
        ("date", "2026-11-01T10:00:00Z"),
        ("description", "x" * 501),
        ("payee", "x" * 201),
        ("tags", [f"t{i}" for i in range(21)]),
        ("tags", ["x" * 51]),
        ("tags", [""]),
        ("tags", "food"),
        ("category_id", "not-a-uuid"),
    ],
)
async def test_invalid_fields_are_rejected_with_their_pointer(
    client: Client, new_user: NewUser, field: str, value: Any
) -> None:
    user = await new_user()

    response = await _post(client, user, account_id=await _open(client, user), **{field: value})

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


async def test_limits_of_description_payee_and_tags_are_accepted(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    tags = [f"{i:02d}" + "x" * 48 for i in range(20)]

    txn = await _record(
        client,
        user,
        account_id=await _open(client, user),
        description="d" * 500,
        payee="p" * 200,
        tags=tags,
    )

    assert (len(txn["description"]), len(txn["payee"]), txn["tags"]) == (500, 200, tags)


async def test_repeated_tags_are_kept_once(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    txn = await _record(client, user, account_id=await _open(client, user), tags=["a", "b", "a"])

    assert txn["tags"] == ["a", "b"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "0190b5a0-0000-7000-8000-000000000001"),
        ("currency", "EUR"),
        ("owner", "me"),
        ("created_at", "2026-11-22T09:30:00Z"),
        ("updated_at", "2026-11-22T09:30:00Z"),
        ("balance", "1.00"),
        ("category", "Groceries"),
    ],
)
async def test_read_only_and_unknown_fields_are_rejected(
    client: Client, new_user: NewUser, field: str, value: Any
) -> None:
    user = await new_user()

    response = await _post(client, user, account_id=await _open(client, user), **{field: value})

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]


async def test_a_missing_account_is_rejected_on_account_id(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await _post(client, user, account_id=str(uuid.uuid4()))

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/account_id"]


async def test_a_missing_category_is_rejected_on_category_id(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await _post(
        client, user, account_id=await _open(client, user), category_id=str(uuid.uuid4())
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/category_id"]


async def test_an_archived_account_still_takes_transactions(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    await client.patch(f"{ACCOUNTS}/{account}", json={"archived": True}, headers=user.headers)

    await _record(client, user, account_id=account, amount="1")

    assert await _balance(client, user, account) == "999.00"


# --- update --------------------------------------------------------------------------------


async def test_changing_the_amount_moves_the_balance_by_the_difference(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    txn = await _record(client, user, account_id=account, amount="100")

    response = await _patch(client, user, txn["id"], amount="40.5")

    assert response.status_code == 200, response.text
    assert response.json()["amount"] == "40.50"
    assert await _balance(client, user, account) == "959.50"


async def test_a_patch_changes_only_the_sent_fields(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    txn = await _record(
        client, user, account_id=await _open(client, user), description="old", tags=["x"]
    )

    response = await _patch(client, user, txn["id"], payee="Shop", date="2026-10-31")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["payee"], body["date"], body["description"], body["tags"]) == (
        "Shop",
        "2026-10-31",
        "old",
        ["x"],
    )
    assert body["updated_at"] >= txn["updated_at"]
    assert body["created_at"] == txn["created_at"]
    assert (await client.get(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)).json() == body


async def test_moving_an_expense_to_another_account_moves_its_effect(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    first, second = await _open(client, user), await _open(client, user)
    txn = await _record(client, user, account_id=first, amount="25")

    response = await _patch(client, user, txn["id"], account_id=second)

    assert response.status_code == 200, response.text
    assert await _balance(client, user, first) == "1000.00"
    assert await _balance(client, user, second) == "975.00"


async def test_turning_an_expense_into_income_flips_its_effect(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    txn = await _record(client, user, account_id=account, amount="25")

    response = await _patch(client, user, txn["id"], type="income")

    assert response.status_code == 200, response.text
    assert await _balance(client, user, account) == "1025.00"


async def test_a_category_that_no_longer_fits_the_new_type_is_rejected(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    category = await _category(client, user, "expense")
    txn = await _record(client, user, account_id=account, category_id=category)

    response = await _patch(client, user, txn["id"], type="income")

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/category_id"]
    assert await _balance(client, user, account) == "990.00"


async def test_a_type_change_with_a_fitting_category_is_accepted(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    txn = await _record(
        client, user, account_id=account, category_id=await _category(client, user, "expense")
    )
    income_category = await _category(client, user, "income")

    response = await _patch(client, user, txn["id"], type="income", category_id=income_category)

    assert response.status_code == 200, response.text
    assert response.json()["category_id"] == income_category


async def test_null_clears_the_category(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    txn = await _record(
        client,
        user,
        account_id=await _open(client, user),
        category_id=await _category(client, user, "expense"),
    )

    response = await _patch(client, user, txn["id"], category_id=None)

    assert response.status_code == 200, response.text
    assert response.json()["category_id"] is None


async def test_turning_an_expense_into_a_transfer_moves_both_balances(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user), await _open(client, user)
    txn = await _record(
        client,
        user,
        account_id=source,
        amount="30",
        category_id=await _category(client, user, "expense"),
    )

    response = await _patch(client, user, txn["id"], type="transfer", to_account_id=target)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["to_account_id"], body["to_amount"], body["category_id"]) == (
        target,
        "30.00",
        None,
    )
    assert await _balance(client, user, source) == "970.00"
    assert await _balance(client, user, target) == "1030.00"


async def test_becoming_a_transfer_without_a_destination_is_rejected(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    txn = await _record(client, user, account_id=await _open(client, user))

    response = await _patch(client, user, txn["id"], type="transfer")

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/to_account_id"]


async def test_turning_a_transfer_into_an_expense_drops_the_destination(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user), await _open(client, user)
    txn = await _record(
        client, user, type="transfer", account_id=source, to_account_id=target, amount="30"
    )

    response = await _patch(client, user, txn["id"], type="expense")

    assert response.status_code == 200, response.text
    assert (response.json()["to_account_id"], response.json()["to_amount"]) == (None, None)
    assert await _balance(client, user, source) == "970.00"
    assert await _balance(client, user, target) == "1000.00"


async def test_a_same_currency_to_amount_follows_the_amount(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user), await _open(client, user)
    txn = await _record(
        client, user, type="transfer", account_id=source, to_account_id=target, amount="30"
    )

    response = await _patch(client, user, txn["id"], amount="45")

    assert response.status_code == 200, response.text
    assert (response.json()["amount"], response.json()["to_amount"]) == ("45.00", "45.00")
    assert await _balance(client, user, target) == "1045.00"


async def test_a_cross_currency_to_amount_is_kept_unless_sent(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user, "EUR"), await _open(client, user, "JPY", "0")
    txn = await _record(
        client,
        user,
        type="transfer",
        account_id=source,
        to_account_id=target,
        amount="10",
        to_amount="1600",
    )

    kept = await _patch(client, user, txn["id"], amount="11")
    changed = await _patch(client, user, txn["id"], to_amount="1700")

    assert kept.json()["to_amount"] == "1600"
    assert (changed.json()["amount"], changed.json()["to_amount"]) == ("11.00", "1700")
    assert await _balance(client, user, source) == "989.00"
    assert await _balance(client, user, target) == "1700"


async def test_moving_a_transfer_destination_to_another_currency_needs_a_to_amount(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await _open(client, user), await _open(client, user)
    yen = await _open(client, user, "JPY", "0")
    txn = await _record(
        client, user, type="transfer", account_id=source, to_account_id=target, amount="10"
    )

    missing = await _patch(client, user, txn["id"], to_account_id=yen)
    sent = await _patch(client, user, txn["id"], to_account_id=yen, to_amount="1500")

    assert missing.status_code == 422, missing.text
    assert _pointers(missing) == ["#/to_amount"]
    assert sent.status_code == 200, sent.text
    assert await _balance(client, user, target) == "1000.00"
    assert await _balance(client, user, yen) == "1500"


async def test_moving_to_an_account_in_another_currency_requires_the_amount_again(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    euros, yen = await _open(client, user, "EUR"), await _open(client, user, "JPY", "0")
    txn = await _record(client, user, account_id=euros, amount="10")

    missing = await _patch(client, user, txn["id"], account_id=yen)
    sent = await _patch(client, user, txn["id"], account_id=yen, amount="1500")

    assert missing.status_code == 422, missing.text
    assert _pointers(missing) == ["#/amount"]
    assert sent.status_code == 200, sent.text
    assert sent.json()["currency"] == "JPY"
    assert await _balance(client, user, euros) == "1000.00"
    assert await _balance(client, user, yen) == "-1500"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "0"),
        ("amount", 5),
        ("amount", "1.001"),
        ("amount", None),
        ("currency", "EUR"),
        ("id", "0190b5a0-0000-7000-8000-000000000001"),
        ("type", None),
        ("date", None),
        ("account_id", None),
        ("to_amount", "5"),
    ],
)
async def test_an_invalid_patch_is_rejected_and_changes_nothing(
    client: Client, new_user: NewUser, field: str, value: Any
) -> None:
    user = await new_user()
    account = await _open(client, user)
    txn = await _record(client, user, account_id=account, amount="10")

    response = await _patch(client, user, txn["id"], **{field: value})

    assert response.status_code == 422, response.text
    assert _pointers(response) == [f"#/{field}"]
    assert (await client.get(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)).json() == txn
    assert await _balance(client, user, account) == "990.00"


# --- delete --------------------------------------------------------------------------------


async def test_deleting_an_expense_gives_its_amount_back(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user)
    txn = await _record(client, user, account_id=account, amount="10")

    response = await client.delete(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)

    assert response.status_code == 204, response.text
    assert await _balance(client, user, account) == "1000.00"
    gone = await client.get(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)
    assert gone.status_code == 404


async def test_deleting_a_transfer_reverses_both_sides(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    source, target = await _open(client, user, "EUR"), await _open(client, user, "USD")
    txn = await _record(
        client,
        user,
        type="transfer",
        account_id=source,
        to_account_id=target,
        amount="10",
        to_amount="11.2",
    )

    await client.delete(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)

    assert await _balance(client, user, source) == "1000.00"
    assert await _balance(client, user, target) == "1000.00"


async def test_deleting_twice_answers_404_the_second_time(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    txn = await _record(client, user, account_id=account)
    await client.delete(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)

    response = await client.delete(f"{TRANSACTIONS}/{txn['id']}", headers=user.headers)

    assert response.status_code == 404, response.text
    assert await _balance(client, user, account) == "1000.00"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_a_missing_transaction_answers_404(
    client: Client, new_user: NewUser, method: str
) -> None:
    user = await new_user()
    body = {"description": "x"} if method == "PATCH" else None

    response = await client.request(
        method, f"{TRANSACTIONS}/{uuid.uuid4()}", json=body, headers=user.headers
    )

    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", TRANSACTIONS),
        ("POST", TRANSACTIONS),
        ("GET", f"{TRANSACTIONS}/{SOME_ID}"),
        ("PATCH", f"{TRANSACTIONS}/{SOME_ID}"),
        ("DELETE", f"{TRANSACTIONS}/{SOME_ID}"),
    ],
)
async def test_every_transaction_route_needs_a_token(
    client: Client, method: str, path: str
) -> None:
    response = await client.request(method, path)

    assert response.status_code == 401, response.text
