"""Cleared status, cleared balances and import ids over HTTP (contract section 10)."""

from __future__ import annotations

import pytest

from tests.integration.conftest import SignedIn
from tests.integration.ledger import (
    ACCOUNTS,
    MISSING_ID,
    Client,
    NewUser,
    account,
    body,
    delete,
    fetch,
    open_account,
    patch,
    pointers,
    post,
    record,
)


async def _cleared(client: Client, user: SignedIn, account_id: str) -> str:
    return str((await account(client, user, account_id))["cleared_balance"])


# --- status ----------------------------------------------------------------------------------


async def test_a_new_transaction_is_uncleared_without_import_or_recurring_id(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    txn = await record(client, user, account_id=await open_account(client, user))

    assert (txn["status"], txn["import_id"], txn["recurring_id"]) == ("uncleared", None, None)


@pytest.mark.parametrize("status", ["uncleared", "cleared", "reconciled"])
async def test_a_client_may_record_any_status(
    client: Client, new_user: NewUser, status: str
) -> None:
    user = await new_user()

    txn = await record(client, user, account_id=await open_account(client, user), status=status)

    assert (await fetch(client, user, str(txn["id"])))["status"] == status


async def test_an_unknown_status_is_a_422_on_status(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await post(
        client, user, account_id=await open_account(client, user), status="pending"
    )

    assert pointers(response) == ["#/status"]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_recurring_id_is_read_only(client: Client, new_user: NewUser, method: str) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    if method == "POST":
        response = await post(client, user, account_id=account_id, recurring_id=MISSING_ID)
    else:
        txn = await record(client, user, account_id=account_id)
        response = await patch(client, user, str(txn["id"]), recurring_id=MISSING_ID)

    assert pointers(response) == ["#/recurring_id"]


async def test_a_transfer_has_one_status_for_both_sides(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    source, target = await open_account(client, user), await open_account(client, user)
    txn = await record(
        client, user, type="transfer", account_id=source, to_account_id=target, amount="40"
    )

    changed = body(await patch(client, user, str(txn["id"]), status="cleared"))

    assert changed["status"] == "cleared"
    assert await _cleared(client, user, source) == "60.00"
    assert await _cleared(client, user, target) == "140.00"


# --- cleared balance -------------------------------------------------------------------------


async def test_a_new_account_has_its_opening_balance_cleared_and_was_never_reconciled(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    found = await account(client, user, await open_account(client, user, opening_balance="12.5"))

    assert (found["cleared_balance"], found["last_reconciled_on"]) == ("12.50", None)


async def test_an_uncleared_transaction_moves_the_balance_but_not_the_cleared_balance(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)

    await record(client, user, account_id=account_id, amount="10")

    found = await account(client, user, account_id)
    assert (found["balance"], found["cleared_balance"]) == ("90.00", "100.00")


@pytest.mark.parametrize("status", ["cleared", "reconciled"])
async def test_a_cleared_or_reconciled_transaction_moves_the_cleared_balance(
    client: Client, new_user: NewUser, status: str
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)

    await record(client, user, type="income", account_id=account_id, amount="25", status=status)

    assert await _cleared(client, user, account_id) == "125.00"


async def test_clearing_a_transaction_moves_the_cleared_balance(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    txn = await record(client, user, account_id=account_id, amount="10")

    body(await patch(client, user, str(txn["id"]), status="cleared"))

    assert await _cleared(client, user, account_id) == "90.00"


async def test_a_new_amount_of_a_cleared_transaction_moves_the_cleared_balance(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    txn = await record(client, user, account_id=account_id, amount="10", status="cleared")

    body(await patch(client, user, str(txn["id"]), amount="12.5"))

    assert await _cleared(client, user, account_id) == "87.50"


async def test_unclearing_a_transaction_takes_it_off_the_cleared_balance(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    txn = await record(client, user, account_id=account_id, amount="10", status="cleared")

    body(await patch(client, user, str(txn["id"]), status="uncleared"))

    assert await _cleared(client, user, account_id) == "100.00"


async def test_deleting_a_cleared_transaction_restores_the_cleared_balance(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    txn = await record(client, user, account_id=account_id, amount="10", status="cleared")

    assert (await delete(client, user, str(txn["id"]))).status_code == 204

    assert await _cleared(client, user, account_id) == "100.00"


async def test_a_new_opening_balance_moves_the_cleared_balance(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    await record(client, user, account_id=account_id, amount="10", status="cleared")

    response = await client.patch(
        f"{ACCOUNTS}/{account_id}", json={"opening_balance": "50"}, headers=user.headers
    )

    assert body(response)["cleared_balance"] == "40.00"


@pytest.mark.parametrize("field", ["cleared_balance", "last_reconciled_on"])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_the_reconciliation_fields_of_an_account_are_read_only(
    client: Client, new_user: NewUser, field: str, method: str
) -> None:
    user = await new_user()
    value = "1.00" if field == "cleared_balance" else "2026-11-01"
    if method == "POST":
        sent = {"name": "Main", "type": "cash", "currency": "EUR", field: value}
        response = await client.post(ACCOUNTS, json=sent, headers=user.headers)
    else:
        url = f"{ACCOUNTS}/{await open_account(client, user)}"
        response = await client.patch(url, json={field: value}, headers=user.headers)

    assert pointers(response) == [f"#/{field}"]


# --- import ids ------------------------------------------------------------------------------


async def test_an_import_id_is_answered(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    txn = await record(client, user, account_id=await open_account(client, user), import_id="b-1")

    assert (await fetch(client, user, str(txn["id"])))["import_id"] == "b-1"


async def test_a_second_transaction_with_an_import_id_on_the_same_account_is_a_409(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    await record(client, user, account_id=account_id, import_id="b-1")

    response = await post(client, user, account_id=account_id, import_id="b-1")

    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_an_import_id_may_repeat_on_another_account(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    await record(client, user, account_id=await open_account(client, user), import_id="b-1")

    response = await post(
        client, user, account_id=await open_account(client, user), import_id="b-1"
    )

    assert response.status_code == 201, response.text


async def test_a_transfer_holds_its_import_id_on_its_source_account(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source, target = await open_account(client, user), await open_account(client, user)
    await record(
        client, user, type="transfer", account_id=source, to_account_id=target, import_id="b-1"
    )

    on_source = await post(client, user, account_id=source, import_id="b-1")
    on_target = await post(client, user, account_id=target, import_id="b-1")

    assert on_source.status_code == 409, on_source.text
    assert on_target.status_code == 201, on_target.text


async def test_deleting_a_transaction_frees_its_import_id(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    txn = await record(client, user, account_id=account_id, import_id="b-1")
    assert (await delete(client, user, str(txn["id"]))).status_code == 204

    response = await post(client, user, account_id=account_id, import_id="b-1")

    assert response.status_code == 201, response.text


@pytest.mark.parametrize("import_id", ["", "x" * 101])
async def test_an_import_id_outside_1_to_100_characters_is_a_422(
    client: Client, new_user: NewUser, import_id: str
) -> None:
    user = await new_user()

    response = await post(
        client, user, account_id=await open_account(client, user), import_id=import_id
    )

    assert pointers(response) == ["#/import_id"]


@pytest.mark.parametrize(
    ("before", "sent"), [("b-1", "b-2"), (None, "b-2"), ("b-1", None)], ids=str
)
async def test_a_patch_changing_the_import_id_is_a_422_on_import_id(
    client: Client, new_user: NewUser, before: str | None, sent: str | None
) -> None:
    user = await new_user()
    txn = await record(client, user, account_id=await open_account(client, user), import_id=before)

    response = await patch(client, user, str(txn["id"]), import_id=sent)

    assert pointers(response) == ["#/import_id"]


@pytest.mark.parametrize("current", ["b-1", None])
async def test_a_patch_sending_the_current_import_id_is_taken(
    client: Client, new_user: NewUser, current: str | None
) -> None:
    user = await new_user()
    txn = await record(client, user, account_id=await open_account(client, user), import_id=current)

    response = await patch(client, user, str(txn["id"]), import_id=current, payee="Bank")

    assert (body(response)["import_id"], body(response)["payee"]) == (current, "Bank")
