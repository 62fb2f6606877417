"""Recurring transactions over HTTP (contract section 14), on SQLite and PostgreSQL.

Templates here either start in the future or have ``auto_post`` off, so that the scheduler
tests (``test_recurring_scheduler.py``), which post every due template of the database,
never touch them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from tests.integration.ledger import (
    ACCOUNTS,
    CATEGORIES,
    MISSING_ID,
    Client,
    Json,
    NewUser,
    body,
    joined,
    new_category,
    open_account,
    pointers,
)

RECURRING = "/api/v1/recurring"
TODAY = dt.datetime.now(dt.UTC).date()
SOON = TODAY + dt.timedelta(days=10)


def template(account_id: str, **fields: Any) -> Json:
    """A monthly expense of 25 from ``SOON``, not posted automatically."""
    return {
        "type": "expense",
        "account_id": account_id,
        "amount": "25",
        "frequency": "monthly",
        "start_date": SOON.isoformat(),
        "auto_post": False,
        **fields,
    }


async def create(client: Client, user: Any, **fields: Any) -> Any:
    return await client.post(RECURRING, json=fields, headers=user.headers)


async def created(client: Client, user: Any, account_id: str, **fields: Any) -> Json:
    return body(await create(client, user, **template(account_id, **fields)), 201)


async def post_next(client: Client, user: Any, recurring_id: str) -> Any:
    return await client.post(f"{RECURRING}/{recurring_id}/post", headers=user.headers)


async def test_a_template_is_created_with_its_next_date(client: Client, new_user: NewUser) -> None:
    alice = await new_user()
    account = await open_account(client, alice)

    response = await create(client, alice, **template(account, payee="Landlord", tags=["home"]))

    made = body(response, 201)
    assert response.headers["location"] == f"{RECURRING}/{made['id']}"
    assert made["amount"] == "25.00"
    assert made["currency"] == "EUR"
    assert made["payee"] == "Landlord"
    assert made["interval"] == 1
    assert made["weekend"] == "keep"
    assert made["next_date"] == SOON.isoformat()


async def test_a_template_is_read_back_as_created(client: Client, new_user: NewUser) -> None:
    alice = await new_user()
    made = await created(client, alice, await open_account(client, alice))

    read = body(await client.get(f"{RECURRING}/{made['id']}", headers=alice.headers))

    assert read == made


async def test_end_date_and_count_together_are_refused(client: Client, new_user: NewUser) -> None:
    alice = await new_user()
    fields = template(await open_account(client, alice), end_date="2030-01-01", count=3)

    assert pointers(await create(client, alice, **fields)) == ["#/count"]


async def test_an_end_date_before_the_start_is_refused(client: Client, new_user: NewUser) -> None:
    alice = await new_user()
    fields = template(await open_account(client, alice), end_date=TODAY.isoformat())

    assert pointers(await create(client, alice, **fields)) == ["#/end_date"]


async def test_every_bad_schedule_field_is_reported_at_once(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    fields = template(
        await open_account(client, alice), interval=0, count=0, weekend="never", frequency="hourly"
    )

    assert sorted(pointers(await create(client, alice, **fields))) == [
        "#/count",
        "#/frequency",
        "#/interval",
        "#/weekend",
    ]


async def test_template_fields_are_checked_like_a_transaction(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    account = await open_account(client, alice)

    assert pointers(await create(client, alice, **template(account, type="transfer"))) == [
        "#/to_account_id"
    ]
    assert pointers(await create(client, alice, **template(MISSING_ID))) == ["#/account_id"]
    assert pointers(await create(client, alice, **template(account, amount="1.234"))) == [
        "#/amount"
    ]
    income = await new_category(client, alice, kind="income")
    assert pointers(await create(client, alice, **template(account, category_id=income))) == [
        "#/category_id"
    ]


async def test_next_date_is_read_only(client: Client, new_user: NewUser) -> None:
    alice = await new_user()
    fields = template(await open_account(client, alice), next_date=SOON.isoformat())

    assert pointers(await create(client, alice, **fields)) == ["#/next_date"]


async def test_a_catch_up_of_more_than_366_occurrences_is_refused(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    start = TODAY - dt.timedelta(days=400)
    fields = template(await open_account(client, alice), frequency="daily")

    refused = await create(client, alice, **{**fields, "start_date": start.isoformat()})

    assert pointers(refused) == ["#/start_date"]


async def test_a_weekend_occurrence_moves_to_the_friday_before(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    saturday = SOON + dt.timedelta(days=(5 - SOON.weekday()) % 7)

    made = await created(
        client,
        alice,
        await open_account(client, alice),
        start_date=saturday.isoformat(),
        weekend="before",
    )

    assert made["next_date"] == (saturday - dt.timedelta(days=1)).isoformat()


async def test_posting_records_a_transaction_and_advances_the_template(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    account = await open_account(client, alice, opening_balance="100")
    made = await created(client, alice, account)

    response = await post_next(client, alice, made["id"])

    txn = body(response, 201)
    assert response.headers["location"] == f"/api/v1/transactions/{txn['id']}"
    assert (txn["recurring_id"], txn["date"], txn["amount"]) == (
        made["id"],
        SOON.isoformat(),
        "25.00",
    )
    after = body(await client.get(f"{RECURRING}/{made['id']}", headers=alice.headers))
    assert after["next_date"] == _next_month(SOON).isoformat()
    balance = body(await client.get(f"{ACCOUNTS}/{account}", headers=alice.headers))["balance"]
    assert balance == "75.00"


async def test_posting_a_finished_template_is_a_conflict(client: Client, new_user: NewUser) -> None:
    alice = await new_user()
    made = await created(client, alice, await open_account(client, alice), count=1)
    body(await post_next(client, alice, made["id"]), 201)

    refused = await post_next(client, alice, made["id"])

    assert refused.status_code == 409
    read = body(await client.get(f"{RECURRING}/{made['id']}", headers=alice.headers))
    assert read["next_date"] is None


async def test_concurrent_posts_never_post_one_date_twice(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    made = await created(client, alice, await open_account(client, alice), count=2)

    answers = await asyncio.gather(*(post_next(client, alice, made["id"]) for _ in range(3)))

    dates = [r.json()["date"] for r in answers if r.status_code == 201]
    assert sorted(r.status_code for r in answers) in ([201, 201, 409], [201, 409, 409])
    assert len(set(dates)) == len(dates)
    assert dates[0] in (SOON.isoformat(), _next_month(SOON).isoformat())


async def test_a_schedule_change_never_posts_a_posted_date_again(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    made = await created(client, alice, await open_account(client, alice), frequency="weekly")
    body(await post_next(client, alice, made["id"]), 201)  # SOON is posted

    changed = await client.patch(
        f"{RECURRING}/{made['id']}",
        json={"start_date": (SOON - dt.timedelta(days=7)).isoformat(), "frequency": "daily"},
        headers=alice.headers,
    )

    assert body(changed)["next_date"] == (SOON + dt.timedelta(days=1)).isoformat()


async def test_a_patch_of_template_fields_merges_like_a_transaction(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    made = await created(client, alice, await open_account(client, alice), payee="Gym")

    changed = body(
        await client.patch(
            f"{RECURRING}/{made['id']}", json={"amount": "30.5"}, headers=alice.headers
        )
    )

    assert (changed["amount"], changed["payee"], changed["next_date"]) == (
        "30.50",
        "Gym",
        made["next_date"],
    )


async def test_deleting_a_template_keeps_its_transactions_without_it(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    made = await created(client, alice, await open_account(client, alice))
    txn = body(await post_next(client, alice, made["id"]), 201)

    deleted = await client.delete(f"{RECURRING}/{made['id']}", headers=alice.headers)

    assert deleted.status_code == 204
    assert (await client.get(f"{RECURRING}/{made['id']}", headers=alice.headers)).status_code == 404
    kept = body(await client.get(f"/api/v1/transactions/{txn['id']}", headers=alice.headers))
    assert kept["recurring_id"] is None


async def test_deleting_a_category_uncategorises_its_templates(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    category = await new_category(client, alice)
    account = await open_account(client, alice)
    plain = await created(client, alice, account, category_id=category)
    split = await created(
        client,
        alice,
        account,
        splits=[{"amount": "20", "category_id": category}, {"amount": "5"}],
    )

    await client.delete(f"{CATEGORIES}/{category}", headers=alice.headers)

    plain_after = body(await client.get(f"{RECURRING}/{plain['id']}", headers=alice.headers))
    split_after = body(await client.get(f"{RECURRING}/{split['id']}", headers=alice.headers))
    assert plain_after["category_id"] is None
    assert [part["category_id"] for part in split_after["splits"]] == [None, None]


async def test_an_account_used_by_a_template_cannot_be_deleted(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    account = await open_account(client, alice)
    await created(client, alice, account)

    refused = await client.delete(f"{ACCOUNTS}/{account}", headers=alice.headers)

    assert refused.status_code == 409


async def test_a_viewer_cannot_create_a_template(client: Client, new_user: NewUser) -> None:
    owner, viewer = await joined(client, new_user, "viewer")
    account = await open_account(client, owner)

    refused = await create(client, viewer, **template(account))

    assert refused.status_code == 403


async def test_a_viewer_cannot_post_but_can_read(client: Client, new_user: NewUser) -> None:
    owner, viewer = await joined(client, new_user, "viewer")
    made = await created(client, owner, await open_account(client, owner))

    assert (await post_next(client, viewer, made["id"])).status_code == 403
    assert (
        await client.get(f"{RECURRING}/{made['id']}", headers=viewer.headers)
    ).status_code == 200


async def test_another_households_template_is_not_found(client: Client, new_user: NewUser) -> None:
    alice, bob = await new_user(), await new_user()
    made = await created(client, alice, await open_account(client, alice))

    for answer in (
        await client.get(f"{RECURRING}/{made['id']}", headers=bob.headers),
        await client.patch(f"{RECURRING}/{made['id']}", json={}, headers=bob.headers),
        await client.delete(f"{RECURRING}/{made['id']}", headers=bob.headers),
        await post_next(client, bob, made["id"]),
    ):
        assert answer.status_code == 404


async def test_the_list_sorts_by_next_date_with_finished_templates_last(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    account = await open_account(client, alice)
    later = await created(
        client, alice, account, start_date=(SOON + dt.timedelta(days=5)).isoformat()
    )
    finished = await created(client, alice, account, count=1)
    body(await post_next(client, alice, finished["id"]), 201)
    sooner = await created(client, alice, account)

    listed = body(await client.get(RECURRING, headers=alice.headers))

    assert [item["id"] for item in listed["items"]] == [sooner["id"], later["id"], finished["id"]]
    assert listed["total"] == 3
    backwards = body(
        await client.get(RECURRING, params={"sort": "-next_date"}, headers=alice.headers)
    )
    assert [item["id"] for item in backwards["items"]] == [
        finished["id"],
        later["id"],
        sooner["id"],
    ]


async def test_upcoming_lists_occurrences_by_date(client: Client, new_user: NewUser) -> None:
    alice = await new_user()
    account = await open_account(client, alice)
    weekly = await created(client, alice, account, frequency="weekly", payee="Cleaner")

    found = body(
        await client.get(
            f"{RECURRING}/upcoming",
            params={"date_to": (SOON + dt.timedelta(days=14)).isoformat()},
            headers=alice.headers,
        )
    )

    assert [(i["recurring_id"], i["date"]) for i in found["items"]] == [
        (weekly["id"], (SOON + dt.timedelta(days=days)).isoformat()) for days in (0, 7, 14)
    ]
    assert found["items"][0]["payee"] == "Cleaner"
    assert found["items"][0]["amount"] == "25.00"


async def test_upcoming_refuses_a_date_beyond_twelve_months(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()

    refused = await client.get(
        f"{RECURRING}/upcoming",
        params={"date_to": (TODAY + dt.timedelta(days=400)).isoformat()},
        headers=alice.headers,
    )

    assert pointers(refused) == ["date_to"]


async def test_upcoming_of_another_household_is_not_found(
    client: Client, new_user: NewUser
) -> None:
    alice, bob = await new_user(), await new_user()
    bobs = body(await client.get("/api/v1/users/me", headers=bob.headers))["default_household_id"]

    refused = await client.get(
        f"{RECURRING}/upcoming", params={"household_id": bobs}, headers=alice.headers
    )

    assert refused.status_code == 404


def _next_month(day: dt.date) -> dt.date:
    from budget.domain.model.period import add_months

    return add_months(day, 1)


async def test_sending_an_end_date_replaces_the_count(client: Client, new_user: NewUser) -> None:
    alice = await new_user()
    made = await created(client, alice, await open_account(client, alice), count=3)
    end = (SOON + dt.timedelta(days=90)).isoformat()

    changed = await client.patch(
        f"{RECURRING}/{made['id']}", json={"end_date": end}, headers=alice.headers
    )

    assert (body(changed)["count"], body(changed)["end_date"]) == (None, end)


async def test_the_list_filters_by_household(client: Client, new_user: NewUser) -> None:
    alice = await new_user()
    made = await created(client, alice, await open_account(client, alice))
    other = body(
        await client.post("/api/v1/households", json={"name": "Club"}, headers=alice.headers), 201
    )

    mine = body(await client.get(RECURRING, headers=alice.headers))
    none = body(
        await client.get(RECURRING, params={"household_id": other["id"]}, headers=alice.headers)
    )

    assert [item["id"] for item in mine["items"]] == [made["id"]]
    assert none["items"] == []
