"""Categorisation rules of the caller's households (contract section 13)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId, RuleId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.rule import RULE_SORTS
from budget.domain.services.rules import (
    ApplyRule,
    CreateRule,
    DeleteRule,
    GetRule,
    ListRules,
    UpdateRule,
)
from budget.entrypoints.http import rule_sorts
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import HouseholdFilter, Limit, Offset, sort_parameter
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.paging import Page
from budget.entrypoints.http.schemas.rules import (
    RuleApply,
    RuleApplyResult,
    RuleCreate,
    RulePage,
    RuleRead,
    RuleUpdate,
)

BASE = "/api/v1/rules"

LIST_DESCRIPTION = """\
The rules of every household you belong to (or of `household_id` alone), paged with
`limit` and `offset`. Sort: `priority` (default), `name` or `created_at`; prefix `-` to
reverse. Ties break on `id`.
"""

CREATE_DESCRIPTION = """\
Create a rule. When an income or expense is created (`POST /api/v1/transactions`, or an
import) and every condition holds on the transaction **as sent**, the actions fill what the
request left empty (an empty string counts as empty): `{"set": "category_id" | "payee",
"value": ...}` or `{"add_tags": [...]}`. Rules run by `priority` (lower first; equal
priorities oldest first) and, per field, the first rule that sets it wins; `add_tags`
always apply and accumulate (repeats dropped, at most 20 tags in all). A category that
does not fit the transaction's kind is skipped for it; a split transaction never gets a
category from a rule; transfers, reconciliation adjustments, recurring postings and
PATCHes are never touched. An action's category must be a category of the rule's
household (else 422 on `#/actions/<i>/value`). Answers 201 with `Location`.
"""

UPDATE_DESCRIPTION = """\
Change the sent fields only; `conditions` and `actions`, when sent, replace the stored
lists.
"""

APPLY_DESCRIPTION = """\
Run the rule (even when inactive) over the existing unreconciled income and expenses of
its household, optionally dated within `date_from`..`date_to` (inclusive): `matched` counts
those its conditions hold for; it fills only empty fields (the category only on
transactions without splits, and only when it fits their kind) and adds its tags;
`changed` counts the transactions that changed (or would, with `dry_run: true`, which
writes nothing) and `transaction_ids` lists them. All or nothing; balances and totals move
with any category it sets. Send `{}` for the defaults (every transaction, for real).
"""

RuleSort = Annotated[
    rule_sorts.RuleSort,
    sort_parameter("priority, name or created_at; prefix - to reverse (default priority)"),
]

LOCATION = location_header("rule", f"{BASE}/{{id}}")


class RulesController(Controller):
    path = BASE
    tags = ["rules"]
    security = SECURED

    @get(
        operation_id="listRules",
        summary="List rules",
        description=LIST_DESCRIPTION,
        responses=problems(401, 422),
    )
    async def list_rules(
        self,
        caller: NamedDependency[Caller],
        list_rules: NamedDependency[ListRules],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: RuleSort = rule_sorts.RULES_BY_DEFAULT,
        household_id: HouseholdFilter = None,
    ) -> RulePage:
        page = await list_rules.execute(
            caller,
            PageRequest(limit, offset),
            Sort.parse(sort, RULE_SORTS),
            household_id=None if household_id is None else HouseholdId(household_id),
        )
        return Page.of(page, RuleRead.of)

    @post(
        operation_id="createRule",
        response_headers=LOCATION,
        summary="Create a rule",
        description=CREATE_DESCRIPTION,
        responses=problems(400, 401, 403, 413, 422),
    )
    async def create_rule(
        self,
        data: JSONBody[RuleCreate],
        caller: NamedDependency[Caller],
        create_rule: NamedDependency[CreateRule],
    ) -> Response[RuleRead]:
        rule = await create_rule.execute(caller, data.draft())
        return created(RuleRead.of(rule), f"{BASE}/{rule.id}")

    @get(
        "/{rule_id:uuid}",
        operation_id="getRule",
        summary="Get a rule",
        responses=problems(401, 404),
    )
    async def get_rule(
        self,
        rule_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_rule: NamedDependency[GetRule],
    ) -> RuleRead:
        return RuleRead.of(await get_rule.execute(caller, RuleId(rule_id)))

    @patch(
        "/{rule_id:uuid}",
        operation_id="updateRule",
        summary="Change a rule",
        description=UPDATE_DESCRIPTION,
        responses=problems(400, 401, 403, 404, 413, 422),
    )
    async def update_rule(
        self,
        rule_id: FromPath[UUID],
        data: JSONBody[RuleUpdate],
        caller: NamedDependency[Caller],
        update_rule: NamedDependency[UpdateRule],
    ) -> RuleRead:
        return RuleRead.of(await update_rule.execute(caller, RuleId(rule_id), data.changes()))

    @delete(
        "/{rule_id:uuid}",
        operation_id="deleteRule",
        summary="Delete a rule",
        responses=problems(401, 403, 404),
    )
    async def delete_rule(
        self,
        rule_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        delete_rule: NamedDependency[DeleteRule],
    ) -> None:
        await delete_rule.execute(caller, RuleId(rule_id))

    @post(
        "/{rule_id:uuid}/apply",
        operation_id="applyRule",
        summary="Apply a rule to existing transactions",
        description=APPLY_DESCRIPTION,
        status_code=200,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    async def apply_rule(
        self,
        rule_id: FromPath[UUID],
        data: JSONBody[RuleApply],
        caller: NamedDependency[Caller],
        apply_rule: NamedDependency[ApplyRule],
    ) -> RuleApplyResult:
        result = await apply_rule.execute(caller, RuleId(rule_id), data.window())
        return RuleApplyResult.of(result)
