"""Split transactions over HTTP (contract section 10): parts, their rules and pointers."""

from __future__ import annotations

import pytest

from tests.integration.conftest import SignedIn
from tests.integration.ledger import (
    MISSING_ID,
    Client,
    NewUser,
    account,
    body,
    fetch,
    new_category,
    open_account,
    parts,
    patch,
    pointers,
    post,
    record,
)


async def _split_expense(client: Client, user: SignedIn) -> tuple[str, dict[str, object]]:
    """An account and a 30.00 expense on it split 10.00 + 20.00 (uncategorised parts)."""
    account_id = await open_account(client, user)
    txn = await record(client, user, account_id=account_id, amount="30", splits=parts("10", "20"))
    return account_id, txn


# --- create and read -------------------------------------------------------------------------


async def test_a_split_expense_answers_its_parts_in_the_order_sent(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    sent = [
        {"amount": "12.5", "category_id": food, "description": "Soap"},
        {"amount": "17.5"},
    ]

    txn = await record(client, user, account_id=account_id, amount="30", splits=sent)

    assert txn["splits"] == [
        {"category_id": food, "amount": "12.50", "description": "Soap"},
        {"category_id": None, "amount": "17.50", "description": ""},
    ]
    assert txn["category_id"] is None
    assert await fetch(client, user, str(txn["id"])) == txn


async def test_parts_print_the_decimals_of_the_transactions_currency(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    yen = await open_account(client, user, currency="JPY", opening_balance="10000")

    txn = await record(client, user, account_id=yen, amount="1000", splits=parts("400", "600"))

    assert [part["amount"] for part in txn["splits"]] == ["400", "600"]


@pytest.mark.parametrize("sent", [{}, {"splits": []}], ids=["absent", "empty"])
async def test_a_transaction_without_parts_answers_an_empty_splits_list(
    client: Client, new_user: NewUser, sent: dict[str, object]
) -> None:
    user = await new_user()

    txn = await record(client, user, account_id=await open_account(client, user), **sent)

    assert txn["splits"] == []


async def test_a_transfer_may_send_an_empty_splits_list(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    source, target = await open_account(client, user), await open_account(client, user)

    txn = await record(
        client, user, type="transfer", account_id=source, to_account_id=target, splits=[]
    )

    assert txn["splits"] == []


async def test_a_split_expense_moves_the_balance_by_its_amount_once(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    account_id, _txn = await _split_expense(client, user)

    assert (await account(client, user, account_id))["balance"] == "70.00"


# --- the rules of a body ---------------------------------------------------------------------


async def test_parts_that_do_not_add_up_to_the_amount_are_a_422_on_splits(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await post(
        client,
        user,
        account_id=await open_account(client, user),
        amount="30",
        splits=parts("10", "19.99"),
    )

    assert pointers(response) == ["#/splits"]


@pytest.mark.parametrize("count", [1, 51])
async def test_a_split_of_one_part_or_more_than_fifty_is_a_422_on_splits(
    client: Client, new_user: NewUser, count: int
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)

    response = await post(
        client, user, account_id=account_id, amount=str(count), splits=parts(*["1"] * count)
    )

    assert pointers(response) == ["#/splits"]


async def test_fifty_parts_are_a_split(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)

    txn = await record(client, user, account_id=account_id, amount="50", splits=parts(*["1"] * 50))

    assert len(txn["splits"]) == 50


async def test_every_bad_part_field_is_named_with_its_index(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    sent = [
        {"amount": "1e3"},
        {"amount": "5", "category_id": "not-a-uuid"},
        {"amount": "5", "description": "x" * 501},
        {"colour": "red"},
    ]

    response = await post(
        client, user, account_id=await open_account(client, user), date="2026-02-30", splits=sent
    )

    assert pointers(response) == [
        "#/date",
        "#/splits/0/amount",
        "#/splits/1/category_id",
        "#/splits/2/description",
        "#/splits/3/amount",
        "#/splits/3/colour",
    ]


async def test_a_part_that_is_not_an_object_is_named_by_its_index(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await post(
        client, user, account_id=await open_account(client, user), splits=[{"amount": "5"}, 5]
    )

    assert pointers(response) == ["#/splits/1"]


async def test_a_wrong_count_is_named_with_the_other_invalid_fields(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await post(
        client, user, account_id=await open_account(client, user), amount=10, splits=parts("10")
    )

    assert pointers(response) == ["#/amount", "#/splits"]


@pytest.mark.parametrize("amount", ["0", "-5", "5.001"])
async def test_a_part_amount_that_is_not_a_positive_amount_of_the_currency_is_named(
    client: Client, new_user: NewUser, amount: str
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)

    response = await post(client, user, account_id=account_id, splits=parts("10", amount))

    assert pointers(response) == ["#/splits/1/amount"]


async def test_a_part_category_of_the_other_kind_is_a_422_on_that_part(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    salary = await new_category(client, user, "income")
    sent = [{"amount": "4"}, {"amount": "6", "category_id": salary}]

    response = await post(client, user, account_id=await open_account(client, user), splits=sent)

    assert pointers(response) == ["#/splits/1/category_id"]


async def test_a_part_category_of_another_household_or_missing_is_a_422_on_that_part(
    client: Client, new_user: NewUser
) -> None:
    user, stranger = await new_user(), await new_user()
    theirs = await new_category(client, stranger)
    sent = [{"amount": "4", "category_id": theirs}, {"amount": "6", "category_id": MISSING_ID}]

    response = await post(client, user, account_id=await open_account(client, user), splits=sent)

    assert pointers(response) == ["#/splits/0/category_id", "#/splits/1/category_id"]


async def test_splits_on_a_transfer_are_a_422_on_splits(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    source, target = await open_account(client, user), await open_account(client, user)

    response = await post(
        client,
        user,
        type="transfer",
        account_id=source,
        to_account_id=target,
        splits=parts("4", "6"),
    )

    assert pointers(response) == ["#/splits"]


async def test_splits_beside_a_category_are_a_422_on_category_id(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    food = await new_category(client, user)

    response = await post(
        client,
        user,
        account_id=await open_account(client, user),
        category_id=food,
        splits=parts("4", "6"),
    )

    assert pointers(response) == ["#/category_id"]


async def test_a_one_part_split_is_refused_before_the_transaction_is_looked_up(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await patch(client, user, MISSING_ID, amount="10", splits=parts("10"))

    assert pointers(response) == ["#/splits"]


async def test_splits_beside_a_category_are_refused_before_the_transaction_is_looked_up(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    food = await new_category(client, user)

    response = await patch(client, user, MISSING_ID, category_id=food, splits=parts("4", "6"))

    assert pointers(response) == ["#/category_id"]


# --- PATCH -----------------------------------------------------------------------------------


async def test_a_patch_with_splits_replaces_every_part(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    _account_id, txn = await _split_expense(client, user)
    food = await new_category(client, user)

    response = await patch(
        client, user, str(txn["id"]), splits=parts("5", "5", category_id=food) + parts("20")
    )

    assert [(p["category_id"], p["amount"]) for p in body(response)["splits"]] == [
        (food, "5.00"),
        (food, "5.00"),
        (None, "20.00"),
    ]


async def test_a_patch_with_an_empty_splits_list_clears_them(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    _account_id, txn = await _split_expense(client, user)

    response = await patch(client, user, str(txn["id"]), splits=[])

    assert body(response)["splits"] == []


async def test_clearing_the_parts_and_setting_a_category_go_together(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    _account_id, txn = await _split_expense(client, user)
    food = await new_category(client, user)

    response = await patch(client, user, str(txn["id"]), splits=[], category_id=food)

    assert (body(response)["splits"], body(response)["category_id"]) == ([], food)


async def test_sending_parts_alone_clears_the_category(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    food = await new_category(client, user)
    txn = await record(client, user, account_id=await open_account(client, user), category_id=food)

    response = await patch(client, user, str(txn["id"]), splits=parts("4", "6"))

    assert body(response)["category_id"] is None
    assert len(body(response)["splits"]) == 2


async def test_a_category_on_a_split_transaction_without_clearing_its_parts_is_a_422(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    _account_id, txn = await _split_expense(client, user)
    food = await new_category(client, user)

    response = await patch(client, user, str(txn["id"]), category_id=food)

    assert pointers(response) == ["#/category_id"]


async def test_a_null_category_on_a_split_transaction_keeps_its_parts(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    _account_id, txn = await _split_expense(client, user)

    response = await patch(client, user, str(txn["id"]), category_id=None)

    assert body(response)["splits"] == txn["splits"]


async def test_a_new_amount_on_a_split_transaction_without_new_parts_is_a_422_on_splits(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    _account_id, txn = await _split_expense(client, user)

    response = await patch(client, user, str(txn["id"]), amount="31")

    assert pointers(response) == ["#/splits"]


async def test_a_new_amount_with_new_parts_that_add_up_is_taken(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id, txn = await _split_expense(client, user)

    response = await patch(client, user, str(txn["id"]), amount="31", splits=parts("11", "20"))

    assert body(response)["amount"] == "31.00"
    assert (await account(client, user, account_id))["balance"] == "69.00"


async def test_a_new_amount_with_parts_that_do_not_add_up_is_a_422_on_splits(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    _account_id, txn = await _split_expense(client, user)

    response = await patch(client, user, str(txn["id"]), amount="31", splits=parts("10", "20"))

    assert pointers(response) == ["#/splits"]


async def test_a_patch_of_other_fields_keeps_the_parts(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    _account_id, txn = await _split_expense(client, user)

    response = await patch(client, user, str(txn["id"]), description="Shop", amount="30.00")

    assert body(response)["splits"] == txn["splits"]


async def test_a_split_transaction_becomes_a_transfer_only_without_parts(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    _account_id, txn = await _split_expense(client, user)
    target = await open_account(client, user)

    kept = await patch(client, user, str(txn["id"]), type="transfer", to_account_id=target)
    cleared = await patch(
        client, user, str(txn["id"]), type="transfer", to_account_id=target, splits=[]
    )

    assert pointers(kept) == ["#/splits"]
    assert body(cleared)["type"] == "transfer"


async def test_parts_kept_across_a_change_of_type_must_fit_it(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    food = await new_category(client, user)
    sent = [{"amount": "4"}, {"amount": "6", "category_id": food}]
    txn = await record(client, user, account_id=await open_account(client, user), splits=sent)

    response = await patch(client, user, str(txn["id"]), type="income")

    assert pointers(response) == ["#/splits/1/category_id"]


async def test_deleting_a_category_leaves_its_parts_uncategorised(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    food = await new_category(client, user)
    sent = [{"amount": "4", "category_id": food}, {"amount": "6"}]
    txn = await record(client, user, account_id=await open_account(client, user), splits=sent)

    deleted = await client.delete(f"/api/v1/categories/{food}", headers=user.headers)

    assert deleted.status_code == 204
    found = await fetch(client, user, str(txn["id"]))
    assert [(p["category_id"], p["amount"]) for p in found["splits"]] == [
        (None, "4.00"),
        (None, "6.00"),
    ]
