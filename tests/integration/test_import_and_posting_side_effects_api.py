"""What imports and recurring postings cause beyond their own rows: webhook events
(contract section 15: ``import.completed``, ``recurring.posted`` beside
``transaction.created``), change-feed items and safe retries of multipart imports
(section 11), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn
from tests.integration.ledger import body, open_account

Client = AsyncTestClient[Litestar]
Json = dict[str, Any]
NewUser = Any

WEBHOOKS = "/api/v1/webhooks"
RECEIVER = "http://127.0.0.1:9/hook"
CSV = "Date,Amount,Payee\n2026-11-02,-12.50,Bakery\n2026-11-03,1000.00,ACME\n"
MAPPING = json.dumps({"date": "Date", "amount": "Amount", "payee": "Payee"})


async def subscribe(client: Client, user: SignedIn, *events: str) -> str:
    sent = {"url": RECEIVER, "events": list(events)}
    made: Json = body(await client.post(WEBHOOKS, json=sent, headers=user.headers), 201)
    return str(made["id"])


async def event_types(client: Client, user: SignedIn, webhook_id: str) -> list[str]:
    page = body(await client.get(f"{WEBHOOKS}/{webhook_id}/deliveries", headers=user.headers))
    return sorted(item["event_type"] for item in page["items"])


async def import_csv(client: Client, user: SignedIn, account_id: str) -> Json:
    data = {"format": "csv", "account_id": account_id, "mapping": MAPPING}
    files = {"file": ("statement.csv", CSV.encode(), "text/csv")}
    answer = await client.post("/api/v1/imports", data=data, files=files, headers=user.headers)
    made: Json = body(answer, 201)
    return made


async def post_template(client: Client, user: SignedIn, account_id: str) -> Json:
    template = {
        "type": "expense",
        "account_id": account_id,
        "amount": "25",
        "frequency": "monthly",
        "start_date": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)).isoformat(),
        "auto_post": False,
    }
    made = body(await client.post("/api/v1/recurring", json=template, headers=user.headers), 201)
    posted: Json = body(
        await client.post(f"/api/v1/recurring/{made['id']}/post", headers=user.headers), 201
    )
    return posted


async def test_an_import_records_one_import_completed_event(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    account = await open_account(client, alice)
    hook = await subscribe(client, alice, "import.completed", "account.updated")

    await import_csv(client, alice, account)

    assert await event_types(client, alice, hook) == ["import.completed"]


async def test_a_recurring_posting_records_recurring_posted_and_transaction_created(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    account = await open_account(client, alice)
    hook = await subscribe(client, alice, "recurring.posted", "transaction.created")

    await post_template(client, alice, account)

    assert await event_types(client, alice, hook) == ["recurring.posted", "transaction.created"]


async def test_imported_transactions_come_through_the_change_feed(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    account = await open_account(client, alice)
    start = body(await client.get("/api/v1/changes", headers=alice.headers))["next_since"]

    made = await import_csv(client, alice, account)
    feed = body(await client.get("/api/v1/changes", params={"since": start}, headers=alice.headers))

    fed = {item["id"] for item in feed["items"] if item["entity"] == "transaction"}
    assert fed == {txn["id"] for txn in made["transactions"]}


async def test_an_import_retried_with_its_idempotency_key_is_replayed_not_run_again(
    client: Client, new_user: NewUser
) -> None:
    alice = await new_user()
    account = await open_account(client, alice)
    data = {"format": "csv", "account_id": account, "mapping": MAPPING}
    files = {"file": ("statement.csv", CSV.encode(), "text/csv")}
    headers = {**alice.headers, "Idempotency-Key": "import-retry-1"}

    first = await client.post("/api/v1/imports", data=data, files=files, headers=headers)
    again = await client.post("/api/v1/imports", data=data, files=files, headers=headers)

    assert (again.status_code, again.json(), again.headers.get("Idempotent-Replayed")) == (
        201,
        first.json(),
        "true",
    )
