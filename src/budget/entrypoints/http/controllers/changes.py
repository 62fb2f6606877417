"""The change feed and the audit trails (contract section 11)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter

from budget.domain.model.changes import Entity
from budget.domain.model.household import Caller
from budget.domain.services.changes import GetAuditTrail, ReadChanges
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.schemas.changes import (
    AuditEntryRead,
    AuditTrailRead,
    ChangeFeedRead,
)

FEED_DESCRIPTION = """\
Everything that changed in your households since `since` (a token from `next_since`),
each entity once per walk at its latest state: `data` is the resource exactly as its `GET`
answers it (null for `delete`). Without `since`: every live entity you can see, as
`upsert`. Walk `next_since` until `has_more` is false. When your membership of a household
ends, its `delete` alone comes (drop its entities); when one begins, the next walk brings
the household and all its entities. A malformed, forged or another user's token is a 422
on `since`; one older than the change retention (30 days by default) a 410: resync from
scratch.
"""

AUDIT_DESCRIPTION = """\
Every create and update of the {noun}, oldest first: when, by whom (`actor_id`, null for
the service itself) and, per changed field of its representation, `from` and `to` in wire
format (on create every writable field, `from` null). `updated_at` and balances are never
recorded; changes caused by another write (a category delete, a reconciliation) are
`update`s by that write's actor.
"""

Since = Annotated[
    str | None,
    Parameter(
        description="The `next_since` of an earlier page; absent or empty: from scratch",
        pattern=r"^[A-Za-z0-9_.=-]*$",
        max_length=65536,
    ),
]
FeedLimit = Annotated[int, Parameter(ge=1, le=1000, description="Page size (1-1000)")]


class ChangesController(Controller):
    path = "/api/v1/changes"
    tags = ["changes"]
    security = SECURED

    @get(
        operation_id="listChanges",
        summary="Read the change feed",
        description=FEED_DESCRIPTION,
        responses=problems(
            401, 422, described={410: "The token is older than the change retention: resync"}
        ),
    )
    async def list_changes(
        self,
        caller: NamedDependency[Caller],
        read_changes: NamedDependency[ReadChanges],
        since: Since = None,
        limit: FeedLimit = 500,
    ) -> ChangeFeedRead:
        return ChangeFeedRead.of(await read_changes.execute(caller, since or None, limit))


async def _trail(get_audit_trail: GetAuditTrail, entity: Entity, entity_id: UUID) -> AuditTrailRead:
    entries = await get_audit_trail.execute(entity, entity_id)
    return AuditTrailRead([AuditEntryRead.of(entry) for entry in entries])


class AuditController(Controller):
    path = "/api/v1"
    security = SECURED

    @get(
        "/accounts/{account_id:uuid}/audit",
        operation_id="getAccountAudit",
        tags=["accounts"],
        summary="Read an account's audit trail",
        description=AUDIT_DESCRIPTION.format(noun="account"),
        responses=problems(401, 404),
    )
    async def account_audit(
        self, get_audit_trail: NamedDependency[GetAuditTrail], account_id: FromPath[UUID]
    ) -> AuditTrailRead:
        return await _trail(get_audit_trail, Entity.ACCOUNT, account_id)

    @get(
        "/categories/{category_id:uuid}/audit",
        operation_id="getCategoryAudit",
        tags=["categories"],
        summary="Read a category's audit trail",
        description=AUDIT_DESCRIPTION.format(noun="category"),
        responses=problems(401, 404),
    )
    async def category_audit(
        self, get_audit_trail: NamedDependency[GetAuditTrail], category_id: FromPath[UUID]
    ) -> AuditTrailRead:
        return await _trail(get_audit_trail, Entity.CATEGORY, category_id)

    @get(
        "/transactions/{transaction_id:uuid}/audit",
        operation_id="getTransactionAudit",
        tags=["transactions"],
        summary="Read a transaction's audit trail",
        description=AUDIT_DESCRIPTION.format(noun="transaction"),
        responses=problems(401, 404),
    )
    async def transaction_audit(
        self, get_audit_trail: NamedDependency[GetAuditTrail], transaction_id: FromPath[UUID]
    ) -> AuditTrailRead:
        return await _trail(get_audit_trail, Entity.TRANSACTION, transaction_id)

    @get(
        "/budgets/{budget_id:uuid}/audit",
        operation_id="getBudgetAudit",
        tags=["budgets"],
        summary="Read a budget's audit trail",
        description=AUDIT_DESCRIPTION.format(noun="budget"),
        responses=problems(401, 404),
    )
    async def budget_audit(
        self, get_audit_trail: NamedDependency[GetAuditTrail], budget_id: FromPath[UUID]
    ) -> AuditTrailRead:
        return await _trail(get_audit_trail, Entity.BUDGET, budget_id)
