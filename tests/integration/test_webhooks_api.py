"""Webhooks over HTTP (contract section 15): subscriptions, the outbox, signed deliveries to
a local receiver, retries, the test event and the URL policy, on SQLite and PostgreSQL.

Deliveries are driven by calling the delivery tick (``deliver_due_webhooks``) at chosen
times; the app's own loop is set to an interval longer than the tests.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from standardwebhooks import Webhook as StandardWebhook

from budget.entrypoints.container import Container, build_container
from budget.entrypoints.webhooks import deliver_due_webhooks
from budget.settings import Environment
from tests.integration.conftest import SignedIn, make_app, sign_up
from tests.integration.ledger import MISSING_ID, body, open_account, pointers
from tests.integration.webhook_receiver import Receiver, start_receiver

WEBHOOKS = "/api/v1/webhooks"
TRANSACTIONS = "/api/v1/transactions"
ACCOUNTS = "/api/v1/accounts"
HOUR = 3600.0

Client = AsyncTestClient[Litestar]
Json = dict[str, Any]


@pytest.fixture(scope="module")
def hooks_app(database_url: str) -> Litestar:
    return make_app(database_url, scheduler_interval_seconds=HOUR)


@pytest.fixture
async def client(hooks_app: Litestar) -> AsyncIterator[Client]:
    async with AsyncTestClient(hooks_app) as test_client:
        yield test_client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


@asynccontextmanager
async def process_of(app: Litestar) -> AsyncIterator[Container]:
    """Another process of the service: its own container on the app's settings (the
    app's pool belongs to the test client's event loop)."""
    container = build_container(app.state.container.settings)
    try:
        yield container
    finally:
        await container.engine.dispose()


async def tick(app: Litestar, after: float = 1.0) -> int:
    """One delivery tick ``after`` seconds from now, in a process of its own."""
    now = datetime.now(UTC) + timedelta(seconds=after)
    async with process_of(app) as container:
        return await deliver_due_webhooks(container, now)


async def subscribe(client: Client, user: SignedIn, url: str, *events: str, **fields: Any) -> Json:
    sent = {"url": url, "events": list(events), **fields}
    return body(await client.post(WEBHOOKS, json=sent, headers=user.headers), 201)


async def spend(
    client: Client, user: SignedIn, account_id: str, amount: str, **fields: Any
) -> Json:
    sent = {
        "type": "expense",
        "account_id": account_id,
        "amount": amount,
        "date": datetime.now(UTC).date().isoformat(),
        **fields,
    }
    return body(await client.post(TRANSACTIONS, json=sent, headers=user.headers), 201)


async def deliveries(client: Client, user: SignedIn, webhook_id: str) -> list[Json]:
    page = body(await client.get(f"{WEBHOOKS}/{webhook_id}/deliveries", headers=user.headers))
    items: list[Json] = page["items"]
    return items


def events_of(receiver: Receiver) -> list[str]:
    return [json.loads(request.body)["type"] for request in receiver.requests]


async def shared_household(client: Client, owner: SignedIn, member: SignedIn, role: str) -> str:
    household = body(
        await client.post("/api/v1/households", json={"name": "Shared"}, headers=owner.headers),
        201,
    )["id"]
    invitation = body(
        await client.post(
            f"/api/v1/households/{household}/invitations",
            json={"email": member.email, "role": role},
            headers=owner.headers,
        ),
        201,
    )["id"]
    body(await client.post(f"/api/v1/invitations/{invitation}/accept", headers=member.headers))
    return str(household)


# -- subscriptions ---------------------------------------------------------------------------


async def test_a_created_webhook_shows_its_secret_once(client: Client, receiver: Receiver) -> None:
    owner = await sign_up(client)
    created = await subscribe(client, owner, receiver.url, "transaction.created")
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
    found = body(await client.get(f"{WEBHOOKS}/{created['id']}", headers=owner.headers))
    listed = body(await client.get(WEBHOOKS, headers=owner.headers))["items"]
    assert "secret" not in found
    assert all("secret" not in item for item in listed)


async def test_a_webhook_is_created_active_in_the_default_household(
    client: Client, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    response = await client.post(
        WEBHOOKS, json={"url": receiver.url, "events": ["account.created"]}, headers=owner.headers
    )
    created = body(response, 201)
    me = body(await client.get("/api/v1/users/me", headers=owner.headers))
    assert response.headers["location"] == f"{WEBHOOKS}/{created['id']}"
    assert (created["household_id"], created["active"], created["description"]) == (
        me["default_household_id"],
        True,
        "",
    )


async def test_a_webhook_changes_and_is_deleted(client: Client, receiver: Receiver) -> None:
    owner = await sign_up(client)
    created = await subscribe(client, owner, receiver.url, "transaction.created")
    changed = body(
        await client.patch(
            f"{WEBHOOKS}/{created['id']}",
            json={"events": ["account.deleted", "budget.warning"], "active": False},
            headers=owner.headers,
        )
    )
    assert (changed["events"], changed["active"]) == (["account.deleted", "budget.warning"], False)
    deleted = await client.delete(f"{WEBHOOKS}/{created['id']}", headers=owner.headers)
    assert deleted.status_code == 204
    gone = await client.get(f"{WEBHOOKS}/{created['id']}", headers=owner.headers)
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"events": []}, "#/events"),
        ({"events": ["transaction.created", "transaction.created"]}, "#/events"),
        ({"events": ["webhook.test"]}, "#/events"),
        ({"events": ["nothing.happened"]}, "#/events"),
        ({"url": "ftp://example.com/hook"}, "#/url"),
        ({"url": "not a url"}, "#/url"),
        ({"secret": "whsec_AAAA"}, "#/secret"),
    ],
)
async def test_a_bad_webhook_is_refused(
    client: Client, receiver: Receiver, fields: Json, pointer: str
) -> None:
    owner = await sign_up(client)
    sent = {"url": receiver.url, "events": ["transaction.created"], **fields}
    assert pointers(await client.post(WEBHOOKS, json=sent, headers=owner.headers)) == [pointer]


async def test_a_bad_change_is_refused_before_the_webhook_is_looked_up(client: Client) -> None:
    owner = await sign_up(client)
    sent = {"url": "gopher://example.com", "events": ["account.created", "account.created"]}
    response = await client.patch(f"{WEBHOOKS}/{MISSING_ID}", json=sent, headers=owner.headers)
    assert pointers(response) == ["#/url", "#/events"]


async def test_webhooks_belong_to_owners_alone(client: Client, receiver: Receiver) -> None:
    owner, editor, stranger = await sign_up(client), await sign_up(client), await sign_up(client)
    household = await shared_household(client, owner, editor, "editor")
    hook = await subscribe(client, owner, receiver.url, "account.created", household_id=household)
    path = f"{WEBHOOKS}/{hook['id']}"
    for method, url in (
        ("GET", path),
        ("PATCH", path),
        ("DELETE", path),
        ("GET", f"{path}/deliveries"),
        ("POST", f"{path}/test"),
    ):
        kwargs: Json = {"json": {"active": False}} if method == "PATCH" else {}
        as_editor = await client.request(method, url, headers=editor.headers, **kwargs)
        as_stranger = await client.request(method, url, headers=stranger.headers, **kwargs)
        assert (as_editor.status_code, as_stranger.status_code) == (403, 404), (method, url)


async def test_only_an_owner_creates_a_household_webhook(
    client: Client, receiver: Receiver
) -> None:
    owner, editor, stranger = await sign_up(client), await sign_up(client), await sign_up(client)
    household = await shared_household(client, owner, editor, "editor")
    sent = {"url": receiver.url, "events": ["account.created"], "household_id": household}
    as_editor = await client.post(WEBHOOKS, json=sent, headers=editor.headers)
    as_stranger = await client.post(WEBHOOKS, json=sent, headers=stranger.headers)
    assert as_editor.status_code == 403
    assert pointers(as_stranger) == ["#/household_id"]


async def test_the_list_shows_the_webhooks_of_owned_households_newest_first(
    client: Client, receiver: Receiver
) -> None:
    owner, editor = await sign_up(client), await sign_up(client)
    household = await shared_household(client, owner, editor, "editor")
    first = await subscribe(client, owner, receiver.url, "account.created", household_id=household)
    second = await subscribe(client, owner, receiver.url, "account.created")
    mine = body(await client.get(WEBHOOKS, headers=owner.headers))
    theirs = body(await client.get(WEBHOOKS, headers=editor.headers))
    assert [item["id"] for item in mine["items"]] == [second["id"], first["id"]]
    assert theirs["items"] == []


async def test_webhooks_created_at_once_both_hear_their_events(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    for _ in range(3):
        await asyncio.gather(
            subscribe(client, owner, receiver.url, "account.created"),
            subscribe(client, owner, receiver.url, "transaction.created"),
        )
    account_id = await open_account(client, owner)
    await spend(client, owner, account_id, "1")
    await tick(hooks_app)
    assert sorted(events_of(receiver)) == ["account.created"] * 3 + ["transaction.created"] * 3


# -- deliveries ------------------------------------------------------------------------------


async def test_an_event_is_delivered_signed(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    hook = await subscribe(client, owner, receiver.url, "transaction.created")
    account_id = await open_account(client, owner)
    txn = await spend(client, owner, account_id, "12.50")
    await tick(hooks_app)
    [request] = receiver.requests
    headers = request.headers
    key = base64.b64decode(hook["secret"].removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    StandardWebhook(hook["secret"]).verify(request.body, headers)
    payload = json.loads(request.body)
    assert (payload["type"], payload["data"]) == ("transaction.created", txn)


async def test_a_delivered_event_is_listed_as_succeeded(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    hook = await subscribe(client, owner, receiver.url, "account.created")
    await open_account(client, owner)
    await tick(hooks_app)
    [delivery] = await deliveries(client, owner, hook["id"])
    assert delivery["id"] == receiver.requests[0].headers["webhook-id"]
    assert (delivery["event_type"], delivery["status"], delivery["response_status"]) == (
        "account.created",
        "succeeded",
        204,
    )
    assert (delivery["attempts"], delivery["next_attempt_at"]) == (1, None)


async def test_a_write_that_rolls_back_sends_nothing(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    hook = await subscribe(client, owner, receiver.url, "transaction.created")
    account_id = await open_account(client, owner)
    await spend(client, owner, account_id, "1", import_id="bank-1")
    clash = await client.post(
        TRANSACTIONS,
        json={
            "type": "expense",
            "account_id": account_id,
            "amount": "2",
            "date": "2026-11-02",
            "import_id": "bank-1",
        },
        headers=owner.headers,
    )
    assert clash.status_code == 409
    await tick(hooks_app)
    assert len(await deliveries(client, owner, hook["id"])) == 1
    assert len(receiver.requests) == 1


async def test_a_failing_receiver_gets_the_event_again_with_the_same_id(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    hook = await subscribe(client, owner, receiver.url, "account.created")
    receiver.answer(500, 503)
    await open_account(client, owner)
    await tick(hooks_app)
    [pending] = await deliveries(client, owner, hook["id"])
    await tick(hooks_app, after=30)
    await tick(hooks_app, after=30 + 600)
    [done] = await deliveries(client, owner, hook["id"])
    assert (pending["status"], pending["response_status"], pending["attempts"]) == (
        "pending",
        500,
        1,
    )
    assert datetime.fromisoformat(pending["next_attempt_at"]) <= datetime.now(UTC) + timedelta(
        seconds=30
    )
    assert (done["status"], done["attempts"]) == ("succeeded", 3)
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    assert len(receiver.requests) == 3


async def test_an_event_waits_for_its_retry_time(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    await subscribe(client, owner, receiver.url, "account.created")
    receiver.answer(500)
    await open_account(client, owner)
    await tick(hooks_app)
    await tick(hooks_app, after=2)
    assert len(receiver.requests) == 1


async def test_a_committed_event_survives_a_restart(
    client: Client, hooks_app: Litestar, database_url: str, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    await subscribe(client, owner, receiver.url, "account.created")
    await open_account(client, owner)
    restarted = make_app(database_url, scheduler_interval_seconds=HOUR)
    await tick(restarted)
    assert events_of(receiver) == ["account.created"]


async def test_account_events_carry_the_account_or_its_id(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    await subscribe(
        client, owner, receiver.url, "account.created", "account.updated", "account.deleted"
    )
    account_id = await open_account(client, owner)
    renamed = body(
        await client.patch(
            f"{ACCOUNTS}/{account_id}", json={"name": "Renamed"}, headers=owner.headers
        )
    )
    assert (
        await client.delete(f"{ACCOUNTS}/{account_id}", headers=owner.headers)
    ).status_code == 204
    await tick(hooks_app)
    payloads = sorted((json.loads(r.body) for r in receiver.requests), key=lambda p: p["timestamp"])
    assert [p["type"] for p in payloads] == [
        "account.created",
        "account.updated",
        "account.deleted",
    ]
    assert (payloads[1]["data"], payloads[2]["data"]) == (renamed, {"id": account_id})


async def test_a_transaction_moving_a_balance_emits_no_account_update(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    account_id = await open_account(client, owner)
    await subscribe(client, owner, receiver.url, "account.updated", "transaction.created")
    await spend(client, owner, account_id, "5")
    await tick(hooks_app)
    assert events_of(receiver) == ["transaction.created"]


async def test_transaction_changes_and_deletions_are_events(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    account_id = await open_account(client, owner)
    txn = await spend(client, owner, account_id, "5")
    await subscribe(client, owner, receiver.url, "transaction.updated", "transaction.deleted")
    path = f"{TRANSACTIONS}/{txn['id']}"
    changed = body(await client.patch(path, json={"payee": "Baker"}, headers=owner.headers))
    assert (await client.delete(path, headers=owner.headers)).status_code == 204
    await tick(hooks_app)
    payloads = sorted((json.loads(r.body) for r in receiver.requests), key=lambda p: p["type"])
    assert [(p["type"], p["data"]) for p in payloads] == [
        ("transaction.deleted", {"id": txn["id"]}),
        ("transaction.updated", changed),
    ]


async def test_an_inactive_webhook_gets_only_the_test_event(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    hook = await subscribe(client, owner, receiver.url, "account.created", active=False)
    await open_account(client, owner)
    answer = await client.post(f"{WEBHOOKS}/{hook['id']}/test", headers=owner.headers)
    await tick(hooks_app)
    assert answer.status_code == 202
    assert events_of(receiver) == ["webhook.test"]


async def test_an_unknown_webhook_is_not_found(client: Client) -> None:
    owner = await sign_up(client)
    response = await client.post(f"{WEBHOOKS}/{MISSING_ID}/test", headers=owner.headers)
    assert response.status_code == 404


async def test_concurrent_ticks_never_make_the_same_attempt(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    await subscribe(client, owner, receiver.url, "transaction.created")
    account_id = await open_account(client, owner)
    for _ in range(12):
        await spend(client, owner, account_id, "1")
    now = datetime.now(UTC) + timedelta(seconds=1)
    async with process_of(hooks_app) as one, process_of(hooks_app) as two:
        made = await asyncio.gather(
            *(deliver_due_webhooks(process, now) for process in (one, two, one, two))
        )
    ids = [request.headers["webhook-id"] for request in receiver.requests]
    assert len(ids) == len(set(ids)) == 12
    assert sum(made) >= len(ids)


# -- budget alerts ---------------------------------------------------------------------------

BUDGETS = "/api/v1/budgets"


async def all_expenses_budget(client: Client, user: SignedIn, amount: str = "100") -> Json:
    sent = {"name": "Everything", "amount": amount, "currency": "EUR", "period": "monthly"}
    return body(await client.post(BUDGETS, json=sent, headers=user.headers), 201)


async def alerts(app: Litestar, receiver: Receiver) -> list[Json]:
    await tick(app)
    payloads = [json.loads(request.body) for request in receiver.requests]
    receiver.requests.clear()
    return payloads


async def test_a_budget_warns_then_exceeds_once_each_per_period(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    account_id = await open_account(client, owner, opening_balance="1000")
    budget = await all_expenses_budget(client, owner)
    await subscribe(client, owner, receiver.url, "budget.warning", "budget.exceeded")
    await spend(client, owner, account_id, "50")
    quiet = await alerts(hooks_app, receiver)
    await spend(client, owner, account_id, "35")
    warned = await alerts(hooks_app, receiver)
    await spend(client, owner, account_id, "10")
    last = await spend(client, owner, account_id, "10")
    exceeded = await alerts(hooks_app, receiver)
    path = f"{TRANSACTIONS}/{last['id']}"
    assert (await client.delete(path, headers=owner.headers)).status_code == 204
    await spend(client, owner, account_id, "10")
    again = await alerts(hooks_app, receiver)
    assert (quiet, again) == ([], [])
    assert [(p["type"], p["data"]["state"], p["data"]["spent"]) for p in warned + exceeded] == [
        ("budget.warning", "warning", "85.00"),
        ("budget.exceeded", "exceeded", "105.00"),
    ]
    assert warned[0]["data"]["budget_id"] == budget["id"]


async def test_a_budget_going_straight_to_exceeded_fires_only_exceeded(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    account_id = await open_account(client, owner, opening_balance="1000")
    await all_expenses_budget(client, owner)
    await subscribe(client, owner, receiver.url, "budget.warning", "budget.exceeded")
    big = await spend(client, owner, account_id, "150")
    first = await alerts(hooks_app, receiver)
    assert (
        await client.delete(f"{TRANSACTIONS}/{big['id']}", headers=owner.headers)
    ).status_code == 204
    await spend(client, owner, account_id, "85")
    second = await alerts(hooks_app, receiver)
    assert ([p["type"] for p in first], second) == (["budget.exceeded"], [])


async def test_a_budget_edit_fires_nothing(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    account_id = await open_account(client, owner, opening_balance="1000")
    budget = await all_expenses_budget(client, owner, amount="1000")
    await subscribe(client, owner, receiver.url, "budget.warning", "budget.exceeded")
    await spend(client, owner, account_id, "90")
    shrunk = await client.patch(
        f"{BUDGETS}/{budget['id']}", json={"amount": "50"}, headers=owner.headers
    )
    assert shrunk.status_code == 200
    assert await alerts(hooks_app, receiver) == []


# -- the URL policy --------------------------------------------------------------------------


@asynccontextmanager
async def production(database_url: str, **overrides: Any) -> AsyncIterator[Client]:
    app = make_app(
        database_url, env=Environment.PRODUCTION, scheduler_interval_seconds=HOUR, **overrides
    )
    async with AsyncTestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/hook", "http://localhost/hook", "https://10.1.2.3/", "http://[::1]/"],
)
async def test_production_refuses_a_private_address(database_url: str, url: str) -> None:
    async with production(database_url) as prod:
        owner = await sign_up(prod)
        sent = {"url": url, "events": ["account.created"]}
        assert pointers(await prod.post(WEBHOOKS, json=sent, headers=owner.headers)) == ["#/url"]


async def test_production_may_allow_private_addresses(database_url: str) -> None:
    async with production(database_url, webhook_allow_private=True) as prod:
        owner = await sign_up(prod)
        sent = {"url": "http://127.0.0.1:9/hook", "events": ["account.created"]}
        assert (await prod.post(WEBHOOKS, json=sent, headers=owner.headers)).status_code == 201


async def test_production_refuses_a_private_address_at_delivery_time(
    client: Client, hooks_app: Litestar, receiver: Receiver
) -> None:
    owner = await sign_up(client)
    hook = await subscribe(client, owner, receiver.url, "account.created")
    await open_account(client, owner)
    settings = msgspec.structs.replace(
        hooks_app.state.container.settings, env=Environment.PRODUCTION
    )
    container = build_container(settings)
    try:
        await deliver_due_webhooks(container, datetime.now(UTC) + timedelta(seconds=1))
    finally:
        await container.engine.dispose()
    [delivery] = await deliveries(client, owner, hook["id"])
    assert receiver.requests == []
    assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == (
        "pending",
        1,
        None,
    )
