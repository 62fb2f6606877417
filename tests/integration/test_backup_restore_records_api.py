"""A backup restores its rules, recurring templates and exchange rates too (contract
section 12): equal to the source's but for ids and remapped references, templates with the
same ``next_date``; only into a household without rules or recurring templates."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.integration.conftest import SignedIn
from tests.integration.ledger import Client, Json, NewUser, body, pointers, record

IMPORTS = "/api/v1/imports"
EXPORT = "/api/v1/exports/household.json"


async def _post(client: Client, user: SignedIn, url: str, fields: Json, status: int = 201) -> Json:
    return body(await client.post(url, json=fields, headers=user.headers), status)


async def _restore(client: Client, user: SignedIn, household_id: str, backup: Any) -> Any:
    files = {"file": ("household.json", json.dumps(backup).encode(), "application/json")}
    data = {"format": "budget-backup", "household_id": household_id}
    return await client.post(IMPORTS, data=data, files=files, headers=user.headers)


async def _export(client: Client, user: SignedIn, household_id: str) -> Json:
    response = await client.get(EXPORT, params={"household_id": household_id}, headers=user.headers)
    assert response.status_code == 200, response.text
    found: Json = json.loads(response.content)
    return found


async def _source(client: Client, user: SignedIn) -> str:
    """A household with two accounts, categories, transactions, a rule, two templates (one
    posted twice, one split) and exchange rates; its id."""
    household = (await _post(client, user, "/api/v1/households", {"name": "Source"}))["id"]
    scoped = {"household_id": household}

    async def account(name: str, currency: str) -> str:
        fields = {"name": name, "type": "checking", "currency": currency, "opening_balance": "100"}
        return str((await _post(client, user, "/api/v1/accounts", {**fields, **scoped}))["id"])

    async def category(name: str, kind: str = "expense") -> str:
        fields = {"name": name, "kind": kind, **scoped}
        return str((await _post(client, user, "/api/v1/categories", fields))["id"])

    checking, dollars = await account("Checking", "EUR"), await account("Dollars", "USD")
    gym, food, pay = (
        await category("Gym"),
        await category("Bread shop"),
        await category("Paycheck", "income"),
    )
    await _post(
        client,
        user,
        "/api/v1/rules",
        {
            "name": "Gym",
            "priority": 5,
            "conditions": [
                {"field": "payee", "op": "contains", "value": "gym"},
                {"field": "account_id", "op": "equals", "value": checking},
            ],
            "actions": [{"set": "category_id", "value": gym}, {"add_tags": ["sport"]}],
            **scoped,
        },
    )
    await _post(
        client,
        user,
        "/api/v1/rules",
        {
            "name": "Off",
            "active": False,
            "conditions": [{"field": "amount", "op": "gte", "value": "1000"}],
            "actions": [{"set": "payee", "value": "Big"}],
            **scoped,
        },
    )
    monthly = await _post(
        client,
        user,
        "/api/v1/recurring",
        {
            "type": "expense",
            "account_id": checking,
            "amount": "30",
            "category_id": gym,
            "payee": "Gym",
            "tags": ["sport"],
            "frequency": "monthly",
            "start_date": "2026-01-31",
            "weekend": "after",
            "auto_post": False,
        },
    )
    for _ in range(2):
        assert (
            await client.post(f"/api/v1/recurring/{monthly['id']}/post", headers=user.headers)
        ).status_code == 201
    await _post(
        client,
        user,
        "/api/v1/recurring",
        {
            "type": "expense",
            "account_id": dollars,
            "amount": "12",
            "splits": [
                {"category_id": food, "amount": "10", "description": "bread"},
                {"category_id": None, "amount": "2", "description": ""},
            ],
            "frequency": "weekly",
            "interval": 2,
            "start_date": "2027-01-04",
            "count": 5,
            "auto_post": False,
        },
    )
    await record(client, user, account_id=checking, type="income", amount="500", category_id=pay)
    await _post(
        client,
        user,
        "/api/v1/exchange-rates/batch",
        {
            "items": [
                {"base": "USD", "quote": "EUR", "date": "2026-11-01", "rate": "0.92"},
                {"base": "USD", "quote": "EUR", "date": "2026-02-28", "rate": "0.9125"},
            ],
            **scoped,
        },
        200,
    )
    return str(household)


def _without_ids(record: Json, ids: dict[str, str]) -> Json:
    """``record`` without its own id and household, every other id mapped by ``ids``."""

    def mapped(value: Any) -> Any:
        if isinstance(value, str):
            return ids.get(value, value)
        if isinstance(value, list):
            return [mapped(v) for v in value]
        if isinstance(value, dict):
            return {k: mapped(v) for k, v in value.items()}
        return value

    return {k: mapped(v) for k, v in record.items() if k not in ("id", "household_id")}


def _id_map(source: Json, restored: Json) -> dict[str, str]:
    """Old ids to new ones: accounts by name, categories by name and kind."""
    found: dict[str, str] = {}
    for section, key in (("accounts", ("name",)), ("categories", ("name", "kind"))):
        new = {tuple(r[k] for k in key): r["id"] for r in restored[section]}
        for old in source[section]:
            found[old["id"]] = new[tuple(old[k] for k in key)]
    return found


async def test_a_restore_brings_back_rules_templates_and_rates_with_remapped_references(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source_id = await _source(client, user)
    source = await _export(client, user, source_id)
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]

    body(await _restore(client, user, target_id, source), 201)
    restored = await _export(client, user, target_id)

    ids = _id_map(source, restored)
    for section in ("rules", "recurring", "exchange_rates"):
        assert [_without_ids(r, ids) for r in restored[section]] == [
            _without_ids(r, ids) for r in source[section]
        ], section
        assert not {r["id"] for r in restored[section]} & {r["id"] for r in source[section]}
    assert [t["next_date"] for t in restored["recurring"]] == ["2026-03-31", "2027-01-04"]


async def test_a_restored_household_has_the_same_balances_and_reports(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source_id = await _source(client, user)
    source = await _export(client, user, source_id)
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]
    body(await _restore(client, user, target_id, source), 201)

    async def balances(household: str) -> list[tuple[str, str, str]]:
        answer = await client.get(
            "/api/v1/accounts",
            params={"household_id": household, "sort": "name"},
            headers=user.headers,
        )
        return [(a["name"], a["balance"], a["cleared_balance"]) for a in body(answer)["items"]]

    async def summary(household: str) -> Any:
        params = {
            "household_id": household,
            "date_from": "2026-01-01",
            "date_to": "2026-12-31",
            "currency": "EUR",
        }
        answer = await client.get("/api/v1/reports/summary", params=params, headers=user.headers)
        return body(answer)

    assert await balances(target_id) == await balances(source_id)
    assert await summary(target_id) == await summary(source_id)


async def test_transactions_posted_by_a_template_name_the_restored_template(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source = await _export(client, user, await _source(client, user))
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]
    body(await _restore(client, user, target_id, source), 201)
    restored = await _export(client, user, target_id)

    template = next(t for t in restored["recurring"] if t["payee"] == "Gym")
    posted = [t for t in restored["transactions"] if t["recurring_id"] is not None]
    assert [(t["date"], t["recurring_id"]) for t in posted] == [
        ("2026-02-02", template["id"]),
        ("2026-03-02", template["id"]),
    ]


async def test_the_next_post_of_a_restored_template_continues_its_schedule(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source = await _export(client, user, await _source(client, user))
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]
    body(await _restore(client, user, target_id, source), 201)
    restored = await _export(client, user, target_id)
    template = next(t for t in restored["recurring"] if t["payee"] == "Gym")

    posted = await client.post(f"/api/v1/recurring/{template['id']}/post", headers=user.headers)

    assert body(posted, 201)["date"] == "2026-03-31"
    after = body(await client.get(f"/api/v1/recurring/{template['id']}", headers=user.headers))
    assert after["next_date"] == "2026-04-30"


async def test_a_household_with_a_rule_is_not_empty(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    source = await _export(client, user, await _source(client, user))
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]
    await _post(
        client,
        user,
        "/api/v1/rules",
        {
            "name": "R",
            "conditions": [{"field": "payee", "op": "contains", "value": "x"}],
            "actions": [{"add_tags": ["t"]}],
            "household_id": target_id,
        },
    )

    assert (await _restore(client, user, target_id, source)).status_code == 409


async def test_a_restore_overwrites_a_rate_the_household_already_has(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source = await _export(client, user, await _source(client, user))
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]
    await _post(
        client,
        user,
        "/api/v1/exchange-rates",
        {
            "base": "USD",
            "quote": "EUR",
            "date": "2026-11-01",
            "rate": "2",
            "household_id": target_id,
        },
    )

    body(await _restore(client, user, target_id, source), 201)

    rates = (await _export(client, user, target_id))["exchange_rates"]
    assert [(r["date"], r["rate"]) for r in rates] == [
        ("2026-02-28", "0.9125"),
        ("2026-11-01", "0.92"),
    ]


async def test_a_dry_run_restore_keeps_no_rule_template_or_rate(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source = await _export(client, user, await _source(client, user))
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]
    files = {"file": ("household.json", json.dumps(source).encode(), "application/json")}
    data = {"format": "budget-backup", "household_id": target_id, "dry_run": "true"}
    body(await client.post(IMPORTS, data=data, files=files, headers=user.headers), 200)

    restored = await _export(client, user, target_id)

    assert (restored["rules"], restored["recurring"], restored["exchange_rates"]) == ([], [], [])


async def test_a_template_whose_next_date_is_not_one_of_its_dates_is_refused_on_the_file(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source = await _export(client, user, await _source(client, user))
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]
    source["recurring"][0]["next_date"] = "2026-03-15"

    assert pointers(await _restore(client, user, target_id, source)) == ["#/file"]


async def test_a_rule_naming_a_category_the_file_lacks_is_refused_on_the_file(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source = await _export(client, user, await _source(client, user))
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]
    gym_rule = next(r for r in source["rules"] if r["name"] == "Gym")
    gym_rule["actions"][0]["value"] = "0190b5a0-0000-7000-8000-0000000000ff"

    assert pointers(await _restore(client, user, target_id, source)) == ["#/file"]


async def test_two_concurrent_restores_keep_one_copy_of_rules_templates_and_rates(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    source = await _export(client, user, await _source(client, user))
    target_id = (await _post(client, user, "/api/v1/households", {"name": "Target"}))["id"]

    answers = await asyncio.gather(*(_restore(client, user, target_id, source) for _ in range(2)))

    assert sorted(a.status_code for a in answers) == [201, 409]
    restored = await _export(client, user, target_id)
    assert [len(restored[s]) for s in ("rules", "recurring", "exchange_rates")] == [2, 2, 2]
