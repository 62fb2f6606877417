"""Reconciling an account with a bank statement over HTTP (contract section 10)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.conftest import SignedIn
from tests.integration.ledger import (
    ACCOUNTS,
    MISSING_ID,
    Client,
    NewUser,
    account,
    body,
    fetch,
    joined,
    open_account,
    patch,
    pointers,
    record,
)


async def _reconcile(client: Client, user: SignedIn, account_id: str, **fields: Any) -> Any:
    return await client.post(
        f"{ACCOUNTS}/{account_id}/reconcile", json=fields, headers=user.headers
    )


@dataclass
class Statement:
    """An account opened with 100.00 and, before any reconciliation:

    * Nov 2: a cleared expense of 10.00 and an uncleared one of 5.00;
    * Nov 3: a cleared income of 30.00 and an already reconciled expense of 1.00;
    * Nov 9: a cleared expense of 40.00 (after the statement date, Nov 5).

    The cleared balance as of Nov 5 is 100 - 10 + 30 - 1 = 119.00.
    """

    user: SignedIn
    account_id: str
    cleared: list[str]
    uncleared: str
    later: str


async def _statement(client: Client, new_user: NewUser) -> Statement:
    user = await new_user()
    account_id = await open_account(client, user)
    first = await record(client, user, account_id=account_id, status="cleared")
    uncleared = await record(client, user, account_id=account_id, amount="5")
    second = await record(
        client,
        user,
        type="income",
        account_id=account_id,
        amount="30",
        date="2026-11-03",
        status="cleared",
    )
    await record(
        client, user, account_id=account_id, amount="1", date="2026-11-03", status="reconciled"
    )
    later = await record(
        client, user, account_id=account_id, amount="40", date="2026-11-09", status="cleared"
    )
    return Statement(
        user,
        account_id,
        [str(first["id"]), str(second["id"])],
        str(uncleared["id"]),
        str(later["id"]),
    )


async def _statuses(client: Client, user: SignedIn, ids: list[str]) -> list[str]:
    return [str((await fetch(client, user, txn_id))["status"]) for txn_id in ids]


# --- a statement that matches ----------------------------------------------------------------


async def test_a_matching_statement_answers_what_it_reconciled(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _statement(client, new_user)

    response = await _reconcile(
        client, seeded.user, seeded.account_id, statement_date="2026-11-05", statement_balance="119"
    )

    assert body(response) == {
        "account_id": seeded.account_id,
        "statement_date": "2026-11-05",
        "statement_balance": "119.00",
        "cleared_balance": "119.00",
        "difference": "0.00",
        "reconciled_count": 2,
        "adjustment_transaction_id": None,
    }


async def test_a_match_reconciles_the_cleared_transactions_up_to_the_statement_date(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _statement(client, new_user)

    await _reconcile(
        client, seeded.user, seeded.account_id, statement_date="2026-11-05", statement_balance="119"
    )

    ids = [*seeded.cleared, seeded.uncleared, seeded.later]
    assert await _statuses(client, seeded.user, ids) == [
        "reconciled",
        "reconciled",
        "uncleared",
        "cleared",
    ]
    assert (await account(client, seeded.user, seeded.account_id))[
        "last_reconciled_on"
    ] == "2026-11-05"


async def test_a_second_reconciliation_counts_only_what_it_moved(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _statement(client, new_user)
    sent = {"statement_date": "2026-11-05", "statement_balance": "119.00"}
    body(await _reconcile(client, seeded.user, seeded.account_id, **sent))

    again = await _reconcile(client, seeded.user, seeded.account_id, **sent)

    assert body(again)["reconciled_count"] == 0


async def test_the_difference_prints_the_decimals_of_the_accounts_currency(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    yen = await open_account(client, user, currency="JPY", opening_balance="500")

    response = await _reconcile(
        client, user, yen, statement_date="2026-11-05", statement_balance="500"
    )

    assert (body(response)["difference"], body(response)["cleared_balance"]) == ("0", "500")


async def test_a_transfer_is_reconciled_from_either_side(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    source, target = await open_account(client, user), await open_account(client, user)
    txn = await record(
        client, user, type="transfer", account_id=source, to_account_id=target, status="cleared"
    )

    response = await _reconcile(
        client, user, target, statement_date="2026-11-05", statement_balance="110"
    )

    assert body(response)["reconciled_count"] == 1
    assert (await fetch(client, user, str(txn["id"])))["status"] == "reconciled"


async def test_last_reconciled_on_never_moves_back(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    later = {"statement_date": "2026-11-20", "statement_balance": "100"}
    body(await _reconcile(client, user, account_id, **later))

    earlier = await _reconcile(
        client, user, account_id, statement_date="2026-11-05", statement_balance="100"
    )

    assert earlier.status_code == 200, earlier.text
    assert (await account(client, user, account_id))["last_reconciled_on"] == "2026-11-20"


async def test_a_reconciled_transaction_is_then_locked(client: Client, new_user: NewUser) -> None:
    seeded = await _statement(client, new_user)
    body(
        await _reconcile(
            client,
            seeded.user,
            seeded.account_id,
            statement_date="2026-11-05",
            statement_balance="119",
        )
    )

    response = await patch(client, seeded.user, seeded.cleared[0], amount="11")

    assert response.status_code == 409, response.text


# --- a statement that differs ----------------------------------------------------------------


async def test_a_differing_statement_is_a_409_with_the_difference(
    client: Client, new_user: NewUser
) -> None:
    seeded = await _statement(client, new_user)

    response = await _reconcile(
        client, seeded.user, seeded.account_id, statement_date="2026-11-05", statement_balance="100"
    )

    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["difference"] == "-19.00"
    assert response.json()["status"] == 409


async def test_a_differing_statement_changes_nothing(client: Client, new_user: NewUser) -> None:
    seeded = await _statement(client, new_user)

    await _reconcile(
        client,
        seeded.user,
        seeded.account_id,
        statement_date="2026-11-05",
        statement_balance="120",
        adjust=False,
    )

    assert await _statuses(client, seeded.user, seeded.cleared) == ["cleared", "cleared"]
    found = await account(client, seeded.user, seeded.account_id)
    assert (found["last_reconciled_on"], found["cleared_balance"]) == (None, "79.00")


@pytest.mark.parametrize(
    ("statement", "kind", "amount", "difference"),
    [("120.50", "income", "1.50", "1.50"), ("100", "expense", "19.00", "-19.00")],
)
async def test_an_adjustment_closes_the_difference(
    client: Client, new_user: NewUser, statement: str, kind: str, amount: str, difference: str
) -> None:
    seeded = await _statement(client, new_user)

    response = await _reconcile(
        client,
        seeded.user,
        seeded.account_id,
        statement_date="2026-11-05",
        statement_balance=statement,
        adjust=True,
    )

    done = body(response)
    assert (done["cleared_balance"], done["difference"], done["reconciled_count"]) == (
        "119.00",
        difference,
        2,
    )
    adjustment = await fetch(client, seeded.user, str(done["adjustment_transaction_id"]))
    assert (adjustment["type"], adjustment["amount"], adjustment["date"]) == (
        kind,
        amount,
        "2026-11-05",
    )
    assert (adjustment["payee"], adjustment["status"], adjustment["category_id"]) == (
        "Reconciliation adjustment",
        "reconciled",
        None,
    )


async def test_an_adjustment_moves_the_balances(client: Client, new_user: NewUser) -> None:
    seeded = await _statement(client, new_user)

    body(
        await _reconcile(
            client,
            seeded.user,
            seeded.account_id,
            statement_date="2026-11-05",
            statement_balance="120.50",
            adjust=True,
        )
    )

    found = await account(client, seeded.user, seeded.account_id)
    # Balance: 100 - 10 - 5 + 30 - 1 - 40 + 1.50; cleared: the same without the 5.00.
    assert (found["balance"], found["cleared_balance"]) == ("75.50", "80.50")


async def test_adjust_without_a_difference_records_nothing(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)

    response = await _reconcile(
        client, user, account_id, statement_date="2026-11-05", statement_balance="100", adjust=True
    )

    assert body(response)["adjustment_transaction_id"] is None


# --- refusals --------------------------------------------------------------------------------


async def test_a_statement_date_after_today_is_a_422(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)

    response = await _reconcile(
        client,
        user,
        await open_account(client, user),
        statement_date=tomorrow.isoformat(),
        statement_balance="100",
    )

    assert pointers(response) == ["#/statement_date"]


async def test_a_statement_dated_today_is_taken(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    today = dt.datetime.now(dt.UTC).date()

    response = await _reconcile(
        client,
        user,
        await open_account(client, user),
        statement_date=today.isoformat(),
        statement_balance="100",
    )

    assert response.status_code == 200, response.text


@pytest.mark.parametrize("balance", ["1e3", "100.001", "10000000000000", 100])
async def test_a_bad_statement_balance_is_a_422(
    client: Client, new_user: NewUser, balance: object
) -> None:
    user = await new_user()

    response = await _reconcile(
        client,
        user,
        await open_account(client, user),
        statement_date="2026-11-05",
        statement_balance=balance,
    )

    assert pointers(response) == ["#/statement_balance"]


async def test_every_invalid_field_of_the_body_is_named(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await _reconcile(
        client,
        user,
        await open_account(client, user),
        statement_date="2026-13-01",
        statement_balance="abc",
        adjust="yes",
        note="x",
    )

    assert pointers(response) == [
        "#/statement_date",
        "#/statement_balance",
        "#/adjust",
        "#/note",
    ]


async def test_a_viewer_may_not_reconcile(client: Client, new_user: NewUser) -> None:
    owner, viewer = await joined(client, new_user, "viewer")
    account_id = await open_account(client, owner)

    response = await _reconcile(
        client, viewer, account_id, statement_date="2026-11-05", statement_balance="100"
    )

    assert response.status_code == 403, response.text
    assert (await account(client, owner, account_id))["last_reconciled_on"] is None


async def test_an_editor_may_reconcile(client: Client, new_user: NewUser) -> None:
    owner, editor = await joined(client, new_user, "editor")
    account_id = await open_account(client, owner)

    response = await _reconcile(
        client, editor, account_id, statement_date="2026-11-05", statement_balance="100"
    )

    assert response.status_code == 200, response.text


async def test_another_households_account_answers_like_a_missing_one(
    client: Client, new_user: NewUser
) -> None:
    owner, stranger = await new_user(), await new_user()
    sent = {"statement_date": "2026-11-05", "statement_balance": "100"}

    theirs = await _reconcile(client, stranger, await open_account(client, owner), **sent)
    missing = await _reconcile(client, stranger, MISSING_ID, **sent)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


async def test_a_bad_body_is_refused_before_the_account_is_looked_up(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await _reconcile(
        client, user, MISSING_ID, statement_date="2026-11-05", statement_balance="10000000000000"
    )

    assert pointers(response) == ["#/statement_balance"]


async def test_a_viewer_with_a_future_statement_date_gets_the_422_first(
    client: Client, new_user: NewUser
) -> None:
    owner, viewer = await joined(client, new_user, "viewer")
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)

    response = await _reconcile(
        client,
        viewer,
        await open_account(client, owner),
        statement_date=tomorrow.isoformat(),
        statement_balance="100",
    )

    assert pointers(response) == ["#/statement_date"]
