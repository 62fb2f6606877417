"""A reconciled transaction is locked (contract section 10): its amounts, dates, accounts,
type and parts cannot change, nor can it be deleted, until its status moves back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.conftest import SignedIn
from tests.integration.ledger import (
    Client,
    NewUser,
    account,
    body,
    delete,
    fetch,
    joined,
    new_category,
    open_account,
    parts,
    patch,
    record,
)


@dataclass
class Locked:
    """A reconciled 10.00 expense split 4.00 + 6.00 on ``account_id``, and a reconciled
    10.00 EUR -> 12.00 USD transfer from it to a dollar account."""

    user: SignedIn
    account_id: str
    other_account: str
    dollars: str
    other_dollars: str
    expense: dict[str, Any]
    transfer: dict[str, Any]


async def _locked(client: Client, new_user: NewUser) -> Locked:
    user = await new_user()
    account_id, other = await open_account(client, user), await open_account(client, user)
    dollars = await open_account(client, user, currency="USD")
    other_dollars = await open_account(client, user, currency="USD")
    expense = await record(
        client, user, account_id=account_id, splits=parts("4", "6"), status="reconciled"
    )
    transfer = await record(
        client,
        user,
        type="transfer",
        account_id=account_id,
        to_account_id=dollars,
        to_amount="12",
        status="reconciled",
    )
    return Locked(user, account_id, other, dollars, other_dollars, expense, transfer)


EXPENSE_CHANGES: dict[str, Any] = {
    "type": {"type": "income"},
    "amount": {"amount": "11", "splits": parts("5", "6")},
    "date": {"date": "2026-11-03"},
    "account_id": "other account",
    "splits": {"splits": parts("3", "7")},
}


@pytest.mark.parametrize("field", list(EXPENSE_CHANGES))
async def test_changing_a_locked_field_of_a_reconciled_expense_is_a_409(
    client: Client, new_user: NewUser, field: str
) -> None:
    locked = await _locked(client, new_user)
    change = EXPENSE_CHANGES[field]
    sent = {"account_id": locked.other_account} if change == "other account" else change

    response = await patch(client, locked.user, str(locked.expense["id"]), **sent)

    assert response.status_code == 409, response.text
    assert await fetch(client, locked.user, str(locked.expense["id"])) == locked.expense


@pytest.mark.parametrize("field", ["to_account_id", "to_amount"])
async def test_changing_a_locked_field_of_a_reconciled_transfer_is_a_409(
    client: Client, new_user: NewUser, field: str
) -> None:
    locked = await _locked(client, new_user)
    sent = {"to_account_id": locked.other_dollars} if field == "to_account_id" else {field: "13"}

    response = await patch(client, locked.user, str(locked.transfer["id"]), **sent)

    assert response.status_code == 409, response.text


async def test_deleting_a_reconciled_transaction_is_a_409(
    client: Client, new_user: NewUser
) -> None:
    locked = await _locked(client, new_user)

    response = await delete(client, locked.user, str(locked.expense["id"]))

    assert response.status_code == 409, response.text
    assert (await account(client, locked.user, locked.account_id))["balance"] == "80.00"


async def test_the_unlocked_fields_of_a_reconciled_transaction_still_change(
    client: Client, new_user: NewUser
) -> None:
    locked = await _locked(client, new_user)
    food = await new_category(client, locked.user)
    sent = {"category_id": None, "payee": "Shop", "description": "Weekly", "tags": ["food"]}

    split = body(await patch(client, locked.user, str(locked.expense["id"]), **sent))
    whole = await record(client, locked.user, account_id=locked.account_id, status="reconciled")
    categorised = body(await patch(client, locked.user, str(whole["id"]), category_id=food))

    assert (split["payee"], split["description"], split["tags"]) == ("Shop", "Weekly", ["food"])
    assert categorised["category_id"] == food


async def test_sending_the_current_values_of_locked_fields_is_not_a_change(
    client: Client, new_user: NewUser
) -> None:
    locked = await _locked(client, new_user)
    expense = locked.expense
    sent = {
        "type": "expense",
        "amount": "10.00",
        "date": expense["date"],
        "account_id": locked.account_id,
        "splits": parts("4", "6"),
        "payee": "Shop",
    }

    response = await patch(client, locked.user, str(expense["id"]), **sent)

    assert body(response)["payee"] == "Shop"


async def test_moving_the_status_back_unlocks_the_transaction(
    client: Client, new_user: NewUser
) -> None:
    locked = await _locked(client, new_user)
    txn_id = str(locked.transfer["id"])

    moved = body(await patch(client, locked.user, txn_id, status="cleared"))
    changed = body(await patch(client, locked.user, txn_id, amount="20", to_amount="24"))
    deleted = await delete(client, locked.user, txn_id)

    assert moved["status"] == "cleared"
    assert (changed["amount"], changed["to_amount"]) == ("20.00", "24.00")
    assert deleted.status_code == 204


async def test_moving_the_status_back_and_changing_a_locked_field_at_once_is_a_409(
    client: Client, new_user: NewUser
) -> None:
    locked = await _locked(client, new_user)
    txn_id = str(locked.expense["id"])

    response = await patch(client, locked.user, txn_id, status="uncleared", date="2026-11-03")

    assert response.status_code == 409, response.text
    assert (await fetch(client, locked.user, txn_id))["status"] == "reconciled"


async def test_a_viewers_change_of_a_reconciled_transaction_is_a_403(
    client: Client, new_user: NewUser
) -> None:
    owner, viewer = await joined(client, new_user, "viewer")
    txn = await record(
        client, owner, account_id=await open_account(client, owner), status="reconciled"
    )

    response = await patch(client, viewer, str(txn["id"]), amount="11")

    assert response.status_code == 403, response.text
