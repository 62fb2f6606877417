"""Rules over HTTP (contract section 13): CRUD, validation pointers, application on create,
``/apply``, and a category's deletion."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import event

from tests.integration.conftest import SignedIn
from tests.integration.ledger import (
    CATEGORIES,
    MISSING_ID,
    Client,
    Json,
    NewUser,
    body,
    fetch,
    joined,
    new_category,
    open_account,
    parts,
    patch,
    pointers,
    record,
)

RULES = "/api/v1/rules"


def when(field: str, op: str, value: str) -> Json:
    return {"field": field, "op": op, "value": value}


def set_category(category_id: str) -> Json:
    return {"set": "category_id", "value": category_id}


def set_payee(payee: str) -> Json:
    return {"set": "payee", "value": payee}


def add_tags(*tags: str) -> Json:
    return {"add_tags": list(tags)}


async def create_rule(client: Client, user: SignedIn, **fields: Any) -> Any:
    sent = {
        "name": "Rule",
        "conditions": [when("payee", "contains", "shop")],
        "actions": [add_tags("auto")],
        **fields,
    }
    return await client.post(RULES, json=sent, headers=user.headers)


async def rule(client: Client, user: SignedIn, **fields: Any) -> Json:
    return body(await create_rule(client, user, **fields), 201)


async def apply(client: Client, user: SignedIn, rule_id: str, **fields: Any) -> Any:
    return await client.post(f"{RULES}/{rule_id}/apply", json=fields, headers=user.headers)


# --- CRUD ---------------------------------------------------------------------------------------


async def test_a_created_rule_answers_its_fields_with_defaults_and_location(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    food = await new_category(client, user)

    response = await create_rule(
        client,
        user,
        conditions=[when("payee", "starts_with", "Aldi"), when("amount", "gte", "10.5")],
        actions=[set_category(food), add_tags("food", "weekly")],
    )

    created = body(response, 201)
    assert response.headers["location"] == f"{RULES}/{created['id']}"
    assert created["priority"] == 100
    assert created["active"] is True
    assert created["conditions"] == [
        when("payee", "starts_with", "Aldi"),
        when("amount", "gte", "10.5"),
    ]
    assert created["actions"] == [set_category(food), add_tags("food", "weekly")]
    me = body(await client.get("/api/v1/users/me", headers=user.headers))
    assert created["household_id"] == me["default_household_id"]
    assert body(await client.get(f"{RULES}/{created['id']}", headers=user.headers)) == created


async def test_rules_list_by_priority_by_default_and_by_name_on_request(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    late = await rule(client, user, name="b late", priority=500)
    early = await rule(client, user, name="c early", priority=5)
    middle = await rule(client, user, name="a middle")

    by_priority = body(await client.get(RULES, headers=user.headers))
    by_name = body(await client.get(RULES, params={"sort": "-name"}, headers=user.headers))

    assert [r["id"] for r in by_priority["items"]] == [early["id"], middle["id"], late["id"]]
    assert by_priority["total"] == 3
    assert [r["id"] for r in by_name["items"]] == [early["id"], late["id"], middle["id"]]


async def test_a_bad_rule_sort_is_a_422_on_the_parameter(client: Client, new_user: NewUser) -> None:
    user = await new_user()

    response = await client.get(RULES, params={"sort": "active"}, headers=user.headers)

    assert pointers(response) == ["sort"]


async def test_a_patch_changes_only_the_sent_fields(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    created = await rule(client, user, name="Old")

    response = await client.patch(
        f"{RULES}/{created['id']}",
        json={"name": "New", "active": False, "actions": [set_payee("Shop")]},
        headers=user.headers,
    )

    changed = body(response)
    assert (changed["name"], changed["active"], changed["actions"]) == (
        "New",
        False,
        [set_payee("Shop")],
    )
    assert changed["conditions"] == created["conditions"]


async def test_a_deleted_rule_is_gone(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    created = await rule(client, user)

    deleted = await client.delete(f"{RULES}/{created['id']}", headers=user.headers)

    assert deleted.status_code == 204
    assert (await client.get(f"{RULES}/{created['id']}", headers=user.headers)).status_code == 404


async def test_another_households_rule_is_a_404_everywhere(
    client: Client, new_user: NewUser
) -> None:
    owner, stranger = await new_user(), await new_user()
    created = await rule(client, owner)
    url = f"{RULES}/{created['id']}"

    answers = [
        await client.get(url, headers=stranger.headers),
        await client.patch(url, json={"name": "x"}, headers=stranger.headers),
        await client.delete(url, headers=stranger.headers),
        await apply(client, stranger, created["id"]),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert body(await client.get(RULES, headers=stranger.headers))["total"] == 0


async def test_a_viewer_reads_rules_but_gets_403_on_writes(
    client: Client, new_user: NewUser
) -> None:
    owner, viewer = await joined(client, new_user, "viewer")
    created = await rule(client, owner)
    url = f"{RULES}/{created['id']}"

    shared = created["household_id"]

    assert (await client.get(url, headers=viewer.headers)).status_code == 200
    assert (await create_rule(client, viewer, household_id=shared)).status_code == 403
    assert (await client.patch(url, json={"name": "x"}, headers=viewer.headers)).status_code == 403
    assert (await client.delete(url, headers=viewer.headers)).status_code == 403
    assert (await apply(client, viewer, created["id"])).status_code == 403


async def test_an_editor_creates_rules_in_the_shared_household(
    client: Client, new_user: NewUser
) -> None:
    owner, editor = await joined(client, new_user, "editor")
    me = body(await client.get("/api/v1/users/me", headers=owner.headers))

    created = await rule(client, editor, household_id=me["default_household_id"])

    assert created["household_id"] == me["default_household_id"]
    listed = body(
        await client.get(
            RULES, params={"household_id": me["default_household_id"]}, headers=owner.headers
        )
    )
    assert [r["id"] for r in listed["items"]] == [created["id"]]


async def test_a_household_the_caller_is_not_in_is_a_422_on_household_id(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await create_rule(client, user, household_id=MISSING_ID)

    assert pointers(response) == ["#/household_id"]


# --- validation pointers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": ""}, ["#/name"]),
        ({"priority": 10001}, ["#/priority"]),
        ({"priority": -1}, ["#/priority"]),
        ({"conditions": []}, ["#/conditions"]),
        ({"actions": []}, ["#/actions"]),
        ({"conditions": [when("payee", "contains", "x")] * 11}, ["#/conditions"]),
        ({"actions": [add_tags("x")] * 6}, ["#/actions"]),
        ({"conditions": [when("colour", "equals", "red")]}, ["#/conditions/0/field"]),
        ({"conditions": [when("payee", "gte", "a")]}, ["#/conditions/0/op"]),
        ({"conditions": [when("amount", "contains", "1")]}, ["#/conditions/0/op"]),
        ({"conditions": [when("amount", "equals", "1.2345")]}, ["#/conditions/0/value"]),
        ({"conditions": [when("amount", "equals", "1e3")]}, ["#/conditions/0/value"]),
        ({"conditions": [when("account_id", "equals", "nope")]}, ["#/conditions/0/value"]),
        ({"conditions": [when("type", "equals", "gift")]}, ["#/conditions/0/value"]),
        ({"conditions": [when("payee", "equals", "")]}, ["#/conditions/0/value"]),
        ({"actions": [{"set": "amount", "value": "1"}]}, ["#/actions/0/set"]),
        ({"actions": [{"set": "payee", "value": ""}]}, ["#/actions/0/value"]),
        ({"actions": [{"set": "category_id", "value": "x"}]}, ["#/actions/0/value"]),
        ({"actions": [{"set": "payee", "value": "x", "add_tags": ["a"]}]}, ["#/actions/0"]),
        ({"actions": [{"add_tags": [" "]}]}, ["#/actions/0/add_tags"]),
        ({"actions": [{"add_tags": []}]}, ["#/actions/0/add_tags"]),
        ({"id": MISSING_ID}, ["#/id"]),
    ],
)
async def test_a_bad_rule_is_a_422_on_the_field_at_fault(
    client: Client, new_user: NewUser, fields: Json, expected: list[str]
) -> None:
    user = await new_user()

    response = await create_rule(client, user, **fields)

    assert pointers(response) == expected


async def test_every_bad_condition_and_action_is_reported_at_once(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await create_rule(
        client,
        user,
        conditions=[when("payee", "contains", "ok"), when("amount", "lte", "x")],
        actions=[add_tags("ok"), {"set": "payee", "value": ""}],
    )

    assert pointers(response) == ["#/conditions/1/value", "#/actions/1/value"]


async def test_a_missing_or_foreign_category_is_a_422_on_that_action(
    client: Client, new_user: NewUser
) -> None:
    user, other = await new_user(), await new_user()
    foreign = await new_category(client, other)
    own = await new_category(client, user)

    response = await create_rule(
        client,
        user,
        actions=[set_category(own), set_category(foreign), add_tags("x"), set_category(MISSING_ID)],
    )

    assert pointers(response) == ["#/actions/1/value", "#/actions/3/value"]


async def test_a_patch_to_a_foreign_category_is_a_422_and_changes_nothing(
    client: Client, new_user: NewUser
) -> None:
    user, other = await new_user(), await new_user()
    created = await rule(client, user)
    foreign = await new_category(client, other)

    response = await client.patch(
        f"{RULES}/{created['id']}",
        json={"actions": [set_category(foreign)]},
        headers=user.headers,
    )

    assert pointers(response) == ["#/actions/0/value"]
    assert body(await client.get(f"{RULES}/{created['id']}", headers=user.headers)) == created


async def test_a_bad_patch_body_is_a_422_before_the_lookup(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()

    response = await client.patch(
        f"{RULES}/{MISSING_ID}", json={"priority": 20000}, headers=user.headers
    )

    assert pointers(response) == ["#/priority"]


# --- application on create ------------------------------------------------------------------------


async def test_a_matching_rule_fills_an_empty_category_payee_and_tags(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    await rule(
        client,
        user,
        conditions=[when("description", "contains", "ALDI")],
        actions=[set_category(food), set_payee("Aldi"), add_tags("groceries")],
    )

    txn = await record(client, user, account_id=account_id, description="card aldi 123")

    assert (txn["category_id"], txn["payee"], txn["tags"]) == (food, "Aldi", ["groceries"])
    assert await fetch(client, user, txn["id"]) == txn


async def test_a_sent_category_and_payee_stay_while_tags_still_accumulate(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food, rent = await new_category(client, user), await new_category(client, user)
    await rule(
        client,
        user,
        conditions=[when("payee", "contains", "shop")],
        actions=[set_category(food), set_payee("Other"), add_tags("auto", "mine")],
    )

    txn = await record(
        client, user, account_id=account_id, payee="Shop", category_id=rent, tags=["mine"]
    )

    assert (txn["category_id"], txn["payee"], txn["tags"]) == (rent, "Shop", ["mine", "auto"])


async def test_the_lower_priority_number_wins_and_tags_of_both_rules_accumulate(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    first, second = await new_category(client, user), await new_category(client, user)
    matching = [when("amount", "gte", "5")]
    await rule(
        client,
        user,
        priority=50,
        conditions=matching,
        actions=[set_category(second), add_tags("b")],
    )
    await rule(
        client, user, priority=10, conditions=matching, actions=[set_category(first), add_tags("a")]
    )

    txn = await record(client, user, account_id=account_id, amount="10")

    assert txn["category_id"] == first
    assert txn["tags"] == ["a", "b"]


async def test_equal_priorities_run_the_oldest_rule_first(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    shop = [when("description", "contains", "shop")]
    await rule(client, user, conditions=shop, actions=[set_payee("Older")])
    await rule(client, user, conditions=shop, actions=[set_payee("Newer")])

    txn = await record(client, user, account_id=account_id, description="the shop")

    assert txn["payee"] == "Older"


async def test_conditions_see_the_transaction_as_sent_not_an_earlier_rules_output(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    await rule(
        client,
        user,
        priority=1,
        conditions=[when("amount", "equals", "10")],
        actions=[set_payee("Shop")],
    )
    await rule(
        client,
        user,
        priority=2,
        conditions=[when("payee", "equals", "shop")],
        actions=[add_tags("chained")],
    )

    txn = await record(client, user, account_id=account_id, amount="10.00")

    assert (txn["payee"], txn["tags"]) == ("Shop", [])


async def test_a_category_of_the_other_kind_is_skipped_and_the_next_rule_sets_it(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    salary = await new_category(client, user, kind="income")
    food = await new_category(client, user)
    await rule(client, user, priority=1, actions=[set_category(salary)])
    await rule(client, user, priority=2, actions=[set_category(food)])

    expense = await record(client, user, account_id=account_id, payee="shop")
    income = await record(client, user, account_id=account_id, payee="shop", type="income")

    assert expense["category_id"] == food
    assert income["category_id"] == salary


async def test_a_split_transaction_gets_no_category_but_its_tags(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    await rule(client, user, actions=[set_category(food), add_tags("auto")])

    txn = await record(
        client, user, account_id=account_id, payee="shop", amount="30", splits=parts("10", "20")
    )

    assert txn["category_id"] is None
    assert [p["category_id"] for p in txn["splits"]] == [None, None]
    assert txn["tags"] == ["auto"]


async def test_an_empty_payee_counts_as_empty(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    await rule(
        client,
        user,
        conditions=[when("description", "contains", "x")],
        actions=[set_payee("Filled")],
    )

    txn = await record(client, user, account_id=account_id, description="x", payee="")

    assert txn["payee"] == "Filled"


async def test_an_inactive_rule_does_nothing(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    await rule(client, user, active=False, actions=[set_payee("Never")])

    txn = await record(client, user, account_id=account_id, description="shop")

    assert txn["payee"] == ""


async def test_rules_never_touch_a_transfer(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    source, target = await open_account(client, user), await open_account(client, user)
    await rule(
        client,
        user,
        conditions=[when("amount", "gte", "0")],
        actions=[set_payee("X"), add_tags("t")],
    )

    txn = await record(client, user, account_id=source, to_account_id=target, type="transfer")

    assert (txn["payee"], txn["tags"]) == ("", [])


async def test_rules_of_another_household_do_not_apply(client: Client, new_user: NewUser) -> None:
    user, other = await new_user(), await new_user()
    await rule(client, other, conditions=[when("amount", "gte", "0")], actions=[set_payee("Other")])

    txn = await record(client, user, account_id=await open_account(client, user))

    assert txn["payee"] == ""


async def test_a_patch_is_never_touched_by_rules(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    txn = await record(client, user, account_id=account_id)
    await rule(client, user, conditions=[when("amount", "gte", "0")], actions=[set_payee("Rule")])

    changed = body(await patch(client, user, txn["id"], description="now matching"))

    assert changed["payee"] == ""


async def test_an_amount_condition_compares_in_the_transactions_currency(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    yen = await open_account(client, user, currency="JPY", opening_balance="0")
    await rule(
        client, user, conditions=[when("amount", "lte", "999.999")], actions=[add_tags("small")]
    )

    small = await record(client, user, account_id=yen, amount="999")
    large = await record(client, user, account_id=yen, amount="1000")

    assert (small["tags"], large["tags"]) == (["small"], [])


async def test_a_rule_category_moves_the_reports_totals(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    await rule(client, user, actions=[set_category(food)])
    await record(
        client, user, account_id=account_id, payee="shop", amount="12.5", date="2026-11-02"
    )

    report = body(
        await client.get(
            "/api/v1/reports/by-category",
            params={"date_from": "2026-11-01", "date_to": "2026-11-30"},
            headers=user.headers,
        )
    )

    (only,) = report
    assert [(i["category_id"], i["total"]) for i in only["items"]] == [(food, "12.50")]


# --- /apply ------------------------------------------------------------------------------------


async def _seeded(client: Client, user: SignedIn) -> tuple[str, str, list[Json]]:
    """An account, a category, and three expenses: two matching ``shop`` (one of them
    already categorised), one not."""
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    other = await new_category(client, user)
    txns = [
        await record(client, user, account_id=account_id, payee="Shop A", date="2026-10-01"),
        await record(
            client,
            user,
            account_id=account_id,
            payee="Shop B",
            category_id=other,
            date="2026-10-05",
        ),
        await record(client, user, account_id=account_id, payee="Bakery", date="2026-10-03"),
    ]
    return account_id, food, txns


async def test_a_dry_run_counts_and_lists_but_changes_nothing(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    _, food, txns = await _seeded(client, user)
    created = await rule(client, user, actions=[set_category(food)])

    result = body(await apply(client, user, created["id"], dry_run=True))

    assert result == {"matched": 2, "changed": 1, "transaction_ids": [txns[0]["id"]]}
    assert (await fetch(client, user, txns[0]["id"]))["category_id"] is None


async def test_a_real_apply_fills_only_empty_fields(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    _, food, txns = await _seeded(client, user)
    created = await rule(client, user, actions=[set_category(food)])

    result = body(await apply(client, user, created["id"]))

    assert result == {"matched": 2, "changed": 1, "transaction_ids": [txns[0]["id"]]}
    assert (await fetch(client, user, txns[0]["id"]))["category_id"] == food
    assert (await fetch(client, user, txns[1]["id"]))["category_id"] == txns[1]["category_id"]
    again = body(await apply(client, user, created["id"]))
    assert again == {"matched": 2, "changed": 0, "transaction_ids": []}


async def test_apply_moves_the_category_totals(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    _, food, _ = await _seeded(client, user)
    created = await rule(client, user, actions=[set_category(food)])

    body(await apply(client, user, created["id"]))

    report = body(
        await client.get(
            "/api/v1/reports/by-category",
            params={"date_from": "2026-10-01", "date_to": "2026-10-31"},
            headers=user.headers,
        )
    )
    totals = {i["category_id"]: i["total"] for i in report[0]["items"]}
    assert totals[food] == "10.00"
    assert totals[None] == "10.00"


async def test_apply_keeps_to_its_dates(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    _, _, txns = await _seeded(client, user)
    created = await rule(client, user, actions=[add_tags("seen")])

    result = body(
        await apply(client, user, created["id"], date_from="2026-10-02", date_to="2026-10-31")
    )

    assert result == {"matched": 1, "changed": 1, "transaction_ids": [txns[1]["id"]]}


async def test_apply_never_touches_a_reconciled_transaction(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    locked = await record(client, user, account_id=account_id, payee="shop", status="reconciled")
    created = await rule(client, user, actions=[add_tags("x")])

    result = body(await apply(client, user, created["id"]))

    assert result == {"matched": 0, "changed": 0, "transaction_ids": []}
    assert (await fetch(client, user, locked["id"]))["tags"] == []


async def test_reversed_apply_dates_are_a_422(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    created = await rule(client, user)

    response = await apply(
        client, user, created["id"], date_from="2026-10-02", date_to="2026-10-01"
    )

    assert pointers(response) == ["#/date_to"]


async def test_apply_and_a_concurrent_transaction_update_both_take_effect(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    txns = [
        await record(client, user, account_id=account_id, payee="shop", date="2026-10-01")
        for _ in range(6)
    ]
    created = await rule(client, user, actions=[set_category(food)])

    answers = await asyncio.gather(
        apply(client, user, created["id"]),
        *(patch(client, user, t["id"], description="edited", amount="20") for t in txns),
    )

    assert [a.status_code for a in answers] == [200] * 7
    for txn in txns:
        found = await fetch(client, user, txn["id"])
        assert (found["category_id"], found["description"], found["amount"]) == (
            food,
            "edited",
            "20.00",
        )
    report = body(
        await client.get(
            "/api/v1/reports/by-category",
            params={"date_from": "2026-10-01", "date_to": "2026-10-31"},
            headers=user.headers,
        )
    )
    assert [(i["category_id"], i["total"]) for i in report[0]["items"]] == [(food, "120.00")]


# --- a category's deletion ---------------------------------------------------------------------


async def test_deleting_a_category_drops_the_actions_that_set_it(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    food = await new_category(client, user)
    kept = await rule(client, user, actions=[set_category(food), add_tags("x")])
    emptied = await rule(client, user, actions=[set_category(food)])

    deleted = await client.delete(f"{CATEGORIES}/{food}", headers=user.headers)

    assert deleted.status_code == 204
    after = body(await client.get(f"{RULES}/{kept['id']}", headers=user.headers))
    assert after["actions"] == [add_tags("x")]
    gone = await client.get(f"{RULES}/{emptied['id']}", headers=user.headers)
    assert gone.status_code == 404


# --- the cost on the create path ---------------------------------------------------------------


@contextmanager
def _statements(app: Litestar) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = app.state.container.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _rule_reads(statements: list[str]) -> list[str]:
    """Statements that read the rules themselves (not the EXISTS probe of the account read)."""
    return [s for s in statements if re.search(r"FROM rules\b", s) and "FROM accounts" not in s]


async def test_a_household_without_rules_pays_no_round_trip_for_them(
    app: Litestar, client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)

    with _statements(app) as seen:
        await record(client, user, account_id=account_id)

    assert _rule_reads(seen) == []
    assert any("FROM accounts" in s and "FROM rules" in s for s in seen)


async def test_a_household_with_rules_reads_them_once_per_create(
    app: Litestar, client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    await rule(client, user)

    with _statements(app) as seen:
        await record(client, user, account_id=account_id, payee="shop")

    assert len(_rule_reads(seen)) == 1
