"""Webhooks: signed deliveries of a household's events to a URL (contract section 15).

Owner-only: on a webhook's routes, other members get 403 and non-members 404.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId, WebhookId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.services.webhooks import (
    WEBHOOK_SORTS,
    CreateWebhook,
    DeleteWebhook,
    GetWebhook,
    ListDeliveries,
    ListWebhooks,
    SendTestEvent,
    UpdateWebhook,
)
from budget.entrypoints.http import sorts
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import HouseholdFilter, Limit, Offset, sort_parameter
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.schemas.webhooks import (
    DeliveryPage,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
)

BASE = "/api/v1/webhooks"

LIST_DESCRIPTION = """\
The webhooks of the households you own, paged with `limit` and `offset`; `household_id`
narrows it to one household. Sort: `created_at` (default `-created_at`). Ties break on `id`.
"""

CREATE_DESCRIPTION = """\
Subscribe a URL to events of a household you own (`household_id`, default your default
household; not a member → 422, not its owner → 403). Deliveries follow the Standard Webhooks
specification: a `POST` of `{type, timestamp, data}` with the headers `webhook-id` (the same
on every attempt of one event), `webhook-timestamp` and `webhook-signature`
(`v1,<base64 HMAC-SHA256 over "<id>.<timestamp>.<body>">`, keyed with the bytes the base64
after `whsec_` of `secret` decodes to). `data` is the resource as its `GET` answered at the
time of the event (`{id}` for `*.deleted`, the budget status for `budget.*`). A non-2xx answer
or no answer within 10 s is retried with growing delays (first retry within 30 s) for more
than 24 hours. The answer carries `secret`, shown this once. Answers 201 with `Location`.
"""

UPDATE_DESCRIPTION = """\
Change the sent fields only. `active: false` stops deliveries (except `/test`).
"""

DELIVERIES_DESCRIPTION = """\
The webhook's deliveries, one per event, newest first, paged with `limit` and `offset`.
"""

TEST_DESCRIPTION = """\
Queue a `webhook.test` event (`data`: `{webhook_id}`) for this webhook, also when it is
inactive. Answers 202: it is delivered like any event, within the scheduler interval.
"""

WebhookSort = Annotated[
    sorts.WebhookSort, sort_parameter("created_at; prefix - to reverse (default -created_at)")
]

LOCATION = location_header("webhook", f"{BASE}/{{id}}")
_OWNER_ONLY = {403: "You are a member of the webhook's household, but not an owner"}


class WebhooksController(Controller):
    path = BASE
    tags = ["webhooks"]
    security = SECURED

    @get(
        operation_id="listWebhooks",
        summary="List webhooks",
        description=LIST_DESCRIPTION,
        responses=problems(401, 422),
    )
    async def list_webhooks(
        self,
        caller: NamedDependency[Caller],
        list_webhooks: NamedDependency[ListWebhooks],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: WebhookSort = sorts.WEBHOOKS_BY_DEFAULT,
        household_id: HouseholdFilter = None,
    ) -> WebhookPage:
        page = await list_webhooks.execute(
            caller,
            PageRequest(limit, offset),
            Sort.parse(sort, WEBHOOK_SORTS),
            household_id=None if household_id is None else HouseholdId(household_id),
        )
        return Page.of(page, WebhookRead.of)

    @post(
        operation_id="createWebhook",
        response_headers=LOCATION,
        summary="Create a webhook",
        description=CREATE_DESCRIPTION,
        responses=problems(400, 401, 403, 413, 422, described=_OWNER_ONLY),
    )
    async def create_webhook(
        self,
        data: JSONBody[WebhookCreate],
        caller: NamedDependency[Caller],
        create_webhook: NamedDependency[CreateWebhook],
    ) -> Response[WebhookCreated]:
        webhook = await create_webhook.execute(caller, data.draft())
        return created(WebhookCreated.of(webhook), f"{BASE}/{webhook.id}")

    @get(
        "/{webhook_id:uuid}",
        operation_id="getWebhook",
        summary="Get a webhook",
        responses=problems(401, 403, 404, described=_OWNER_ONLY),
    )
    async def get_webhook(
        self,
        webhook_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_webhook: NamedDependency[GetWebhook],
    ) -> WebhookRead:
        return WebhookRead.of(await get_webhook.execute(caller, WebhookId(webhook_id)))

    @patch(
        "/{webhook_id:uuid}",
        operation_id="updateWebhook",
        summary="Change a webhook",
        description=UPDATE_DESCRIPTION,
        responses=problems(400, 401, 403, 404, 413, 422, described=_OWNER_ONLY),
    )
    async def update_webhook(
        self,
        webhook_id: FromPath[UUID],
        data: JSONBody[WebhookUpdate],
        caller: NamedDependency[Caller],
        update_webhook: NamedDependency[UpdateWebhook],
    ) -> WebhookRead:
        webhook = await update_webhook.execute(caller, WebhookId(webhook_id), data.changes())
        return WebhookRead.of(webhook)

    @delete(
        "/{webhook_id:uuid}",
        operation_id="deleteWebhook",
        summary="Delete a webhook",
        responses=problems(401, 403, 404, described=_OWNER_ONLY),
    )
    async def delete_webhook(
        self,
        webhook_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        delete_webhook: NamedDependency[DeleteWebhook],
    ) -> None:
        await delete_webhook.execute(caller, WebhookId(webhook_id))

    @get(
        "/{webhook_id:uuid}/deliveries",
        operation_id="listWebhookDeliveries",
        summary="List a webhook's deliveries",
        description=DELIVERIES_DESCRIPTION,
        responses=problems(401, 403, 404, 422, described=_OWNER_ONLY),
    )
    async def list_deliveries(
        self,
        webhook_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        list_webhook_deliveries: NamedDependency[ListDeliveries],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> DeliveryPage:
        page = await list_webhook_deliveries.execute(
            caller, WebhookId(webhook_id), PageRequest(limit, offset)
        )
        return Page.of(page, DeliveryRead.of)

    @post(
        "/{webhook_id:uuid}/test",
        operation_id="testWebhook",
        summary="Send a test event",
        description=TEST_DESCRIPTION,
        status_code=202,
        responses=problems(401, 403, 404, described=_OWNER_ONLY),
    )
    async def test_webhook(
        self,
        webhook_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        send_test_webhook: NamedDependency[SendTestEvent],
    ) -> None:
        await send_test_webhook.execute(caller, WebhookId(webhook_id))
