"""Rules apply to every imported row (contract sections 12 and 13): they see the row as
drafted, fill what it left empty, and a dry run shows what they would do."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.conftest import SignedIn
from tests.integration.ledger import Client, NewUser, body, new_category, open_account

IMPORTS = "/api/v1/imports"
RULES = "/api/v1/rules"
MAPPING = {
    "date": "Date",
    "amount": "Amount",
    "payee": "Payee",
    "description": "Memo",
    "category": "Category",
}


async def _import(
    client: Client, user: SignedIn, account_id: str, content: str, **fields: Any
) -> Any:
    data = {"format": "csv", "account_id": account_id, "mapping": json.dumps(MAPPING), **fields}
    files = {"file": ("statement.csv", content.encode(), "text/csv")}
    return await client.post(IMPORTS, data=data, files=files, headers=user.headers)


async def _rule(client: Client, user: SignedIn, **fields: Any) -> str:
    answer = await client.post(RULES, json={"name": "Rule", **fields}, headers=user.headers)
    return str(body(answer, 201)["id"])


async def _category_named(client: Client, user: SignedIn, name: str) -> str:
    answer = await client.post(
        "/api/v1/categories", json={"name": name, "kind": "expense"}, headers=user.headers
    )
    return str(body(answer, 201)["id"])


def _fields(result: Any) -> list[tuple[Any, ...]]:
    return [(t["category_id"], t["payee"], t["tags"]) for t in result["transactions"]]


async def test_a_rule_sets_category_payee_and_tags_of_a_matching_imported_row(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    await _rule(
        client,
        user,
        conditions=[{"field": "description", "op": "contains", "value": "bread"}],
        actions=[
            {"set": "category_id", "value": food},
            {"set": "payee", "value": "Bakery"},
            {"add_tags": ["groceries"]},
        ],
    )
    csv = (
        "Date,Amount,Payee,Memo,Category\n2026-11-02,-3.20,,Fresh Bread,\n2026-11-03,-9,Pub,Beer,\n"
    )
    result = body(await _import(client, user, account_id, csv), 201)
    assert _fields(result) == [(food, "Bakery", ["groceries"]), (None, "Pub", [])]
    stored = body(
        await client.get(f"/api/v1/transactions/{result['transactions'][0]['id']}",
                         headers=user.headers)
    )  # fmt: skip
    assert (stored["category_id"], stored["payee"], stored["tags"]) == (
        food,
        "Bakery",
        ["groceries"],
    )


async def test_a_row_with_a_category_from_the_file_keeps_it_and_its_payee(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    rule_category = await new_category(client, user)
    mapped = await _category_named(client, user, "Dining")
    await _rule(
        client,
        user,
        conditions=[{"field": "payee", "op": "starts_with", "value": "cafe"}],
        actions=[
            {"set": "category_id", "value": rule_category},
            {"set": "payee", "value": "Renamed"},
            {"add_tags": ["coffee"]},
        ],
    )
    csv = "Date,Amount,Payee,Memo,Category\n2026-11-02,-4.50,Cafe Blue,,dining\n"
    result = body(await _import(client, user, account_id, csv), 201)
    assert _fields(result) == [(mapped, "Cafe Blue", ["coffee"])]


async def test_rules_see_the_target_account_and_the_unsigned_amount(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    other_account = await open_account(client, user)
    await _rule(
        client,
        user,
        conditions=[
            {"field": "account_id", "op": "equals", "value": account_id},
            {"field": "amount", "op": "gte", "value": "100"},
            {"field": "type", "op": "equals", "value": "expense"},
        ],
        actions=[{"add_tags": ["large"]}],
    )
    csv = "Date,Amount,Payee,Memo,Category\n2026-11-02,-100.00,Shop,,\n2026-11-02,-99.99,Shop,,\n"
    here = body(await _import(client, user, account_id, csv), 201)
    there = body(await _import(client, user, other_account, csv), 201)
    assert [t["tags"] for t in here["transactions"]] == [["large"], []]
    assert [t["tags"] for t in there["transactions"]] == [[], []]


async def test_a_dry_run_shows_what_the_rules_would_do_and_keeps_nothing(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    food = await new_category(client, user)
    await _rule(
        client,
        user,
        conditions=[{"field": "payee", "op": "equals", "value": "market"}],
        actions=[{"set": "category_id", "value": food}, {"add_tags": ["weekly"]}],
    )
    csv = "Date,Amount,Payee,Memo,Category\n2026-11-02,-20,Market,,\n"
    result = body(await _import(client, user, account_id, csv, dry_run="true"), 200)
    assert (result["status"], _fields(result)) == ("dry_run", [(food, "Market", ["weekly"])])
    listed = body(
        await client.get("/api/v1/transactions", params={"account_id": account_id},
                         headers=user.headers)
    )  # fmt: skip
    assert listed["items"] == []


async def test_an_inactive_rule_changes_no_imported_row(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    await _rule(
        client,
        user,
        active=False,
        conditions=[{"field": "payee", "op": "contains", "value": "shop"}],
        actions=[{"add_tags": ["never"]}],
    )
    csv = "Date,Amount,Payee,Memo,Category\n2026-11-02,-20,Shop,,\n"
    result = body(await _import(client, user, account_id, csv), 201)
    assert _fields(result) == [(None, "Shop", [])]
