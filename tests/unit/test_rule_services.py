"""The rule use cases on the in-memory fakes: create and change with their checks, rules
applied by ``RecordTransaction``, ``ApplyRule``, and a category's deletion."""

from __future__ import annotations

from typing import Any

import pytest

from budget.domain.errors import PermissionDeniedError, RuleViolationError
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.household import Role
from budget.domain.model.ids import HouseholdId, RuleId
from budget.domain.model.rule import Rule
from budget.domain.model.transaction import TransactionStatus
from budget.domain.services.categories import DeleteCategory
from budget.domain.services.rules import (
    ActionDraft,
    ApplyRule,
    ApplyWindow,
    ConditionDraft,
    CreateRule,
    RuleChanges,
    RuleDraft,
    RuleNotFoundError,
    UpdateRule,
)
from tests.fakes import personal_caller
from tests.unit.test_ledger_services import ALICE, BOB, EXPENSE, INCOME, Ledger

SHOP = ConditionDraft("payee", "contains", "shop")


def sets(category: Category) -> ActionDraft:
    return ActionDraft("category_id", str(category.id))


def tags(*names: str) -> ActionDraft:
    return ActionDraft(add_tags=list(names))


async def make_rule(ledger: Ledger, *actions: ActionDraft, **kw: Any) -> Rule:
    owner = kw.pop("owner", ALICE)
    conditions = kw.pop("conditions", [SHOP])
    draft = RuleDraft(kw.pop("name", "Rule"), conditions, list(actions), **kw)
    return await CreateRule(ledger.uow, ledger.clock, ledger.ids).execute(owner, draft)


def _fields(error: Exception) -> list[str]:
    assert isinstance(error, RuleViolationError)
    return [p.field for p in error.problems]


# --- create and change -------------------------------------------------------------------------


async def test_a_rule_is_created_in_the_callers_default_household() -> None:
    ledger = Ledger.empty()

    rule = await make_rule(ledger, tags("x"))

    assert rule.household_id == ALICE.default_household_id
    assert ledger.uow.store.extra["rules"][rule.id] is not None


async def test_a_foreign_category_is_refused_on_its_action_and_nothing_is_committed() -> None:
    ledger = Ledger.empty()
    foreign = await ledger.category("Bob's", owner=BOB)
    own = await ledger.category("Food")

    error = await ledger.refused(
        make_rule(ledger, sets(own), tags("x"), sets(foreign)), RuleViolationError
    )

    assert _fields(error) == ["actions.2.value"]
    assert not ledger.uow.store.extra["rules"]


async def test_every_bad_part_is_reported_with_the_rules_own_fields() -> None:
    ledger = Ledger.empty()

    error = await ledger.refused(
        make_rule(
            ledger,
            ActionDraft("payee", ""),
            ActionDraft("payee", "x", ["t"]),
            name="",
            conditions=[ConditionDraft("amount", "gte", "x")],
        ),
        RuleViolationError,
    )

    assert _fields(error) == ["name", "conditions.0.value", "actions.0.value", "actions.1"]


async def test_a_viewer_cannot_create_a_rule_in_a_shared_household() -> None:
    ledger = Ledger.empty()
    viewer = personal_caller(3, h1=Role.VIEWER)

    await ledger.refused(
        make_rule(ledger, tags("x"), owner=viewer, household_id=HouseholdId(ALICE.id)),
        PermissionDeniedError,
    )


async def test_a_patch_replaces_the_sent_lists_and_keeps_the_rest() -> None:
    ledger = Ledger.empty()
    rule = await make_rule(ledger, tags("x"), priority=7)

    changed = await UpdateRule(ledger.uow, ledger.clock).execute(
        ALICE, rule.id, RuleChanges(actions=[ActionDraft("payee", "Shop")])
    )

    assert (changed.priority, changed.conditions, len(changed.actions)) == (7, rule.conditions, 1)


# --- applied on create ----------------------------------------------------------------------------


async def test_recording_fills_what_the_request_left_empty() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    food = await ledger.category("Food")
    await make_rule(
        ledger,
        sets(food),
        ActionDraft("payee", "Corner shop"),
        tags("auto"),
        conditions=[ConditionDraft("description", "contains", "corner")],
    )

    txn = await ledger.record(EXPENSE, account, "5", description="Corner")

    assert (txn.category_id, txn.payee, txn.tags) == (food.id, "Corner shop", ("auto",))


async def test_a_rule_category_moves_the_totals_of_that_category() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    food = await ledger.category("Food")
    await make_rule(ledger, sets(food))

    await ledger.record(EXPENSE, account, "5", payee="shop")

    assert {key.category_id for key in ledger.uow.store.totals} == {food.id}


async def test_an_income_skips_an_expense_category() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    food = await ledger.category("Food")
    salary = await ledger.category("Salary", CategoryKind.INCOME)
    await make_rule(ledger, sets(food), priority=1)
    await make_rule(ledger, sets(salary), priority=2)

    txn = await ledger.record(INCOME, account, "5", payee="shop")

    assert txn.category_id == salary.id


async def test_a_household_without_active_rules_applies_nothing() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    await make_rule(ledger, ActionDraft("payee", "Off"), active=False)

    txn = await ledger.record(EXPENSE, account, "5", description="shop")

    assert txn.payee == ""


# --- apply ---------------------------------------------------------------------------------------


async def test_apply_changes_only_unreconciled_matches_with_empty_fields() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    food, home = await ledger.category("Food"), await ledger.category("Home")
    empty = await ledger.record(EXPENSE, account, "5", payee="shop")
    filled = await ledger.record(EXPENSE, account, "5", payee="shop", category_id=home.id)
    locked = await ledger.record(
        EXPENSE, account, "5", payee="shop", status=TransactionStatus.RECONCILED
    )
    await ledger.record(EXPENSE, account, "5", payee="bakery")
    rule = await make_rule(ledger, sets(food))

    result = await ApplyRule(ledger.uow, ledger.clock).execute(ALICE, rule.id, ApplyWindow())

    assert (result.matched, result.changed, result.transaction_ids) == (2, 1, (empty.id,))
    stored = ledger.transactions()
    assert stored[empty.id].category_id == food.id
    assert stored[filled.id].category_id == home.id
    assert stored[locked.id].category_id is None


async def test_a_dry_run_commits_nothing() -> None:
    ledger = Ledger.empty()
    account = await ledger.account()
    food = await ledger.category("Food")
    txn = await ledger.record(EXPENSE, account, "5", payee="shop")
    rule = await make_rule(ledger, sets(food))
    commits = ledger.uow.commits

    result = await ApplyRule(ledger.uow, ledger.clock).execute(
        ALICE, rule.id, ApplyWindow(dry_run=True)
    )

    assert (result.changed, result.transaction_ids) == (1, (txn.id,))
    assert ledger.uow.commits == commits
    assert ledger.transactions()[txn.id].category_id is None


async def test_apply_of_another_households_rule_is_not_found() -> None:
    ledger = Ledger.empty()
    rule = await make_rule(ledger, tags("x"), owner=BOB)

    with pytest.raises(RuleNotFoundError):
        await ApplyRule(ledger.uow, ledger.clock).execute(ALICE, RuleId(rule.id), ApplyWindow())


# --- a category's deletion ----------------------------------------------------------------------


async def test_deleting_a_category_drops_its_actions_and_empty_rules_in_one_commit() -> None:
    ledger = Ledger.empty()
    food = await ledger.category("Food")
    kept = await make_rule(ledger, sets(food), tags("x"))
    emptied = await make_rule(ledger, sets(food))
    commits = ledger.uow.commits

    await DeleteCategory(ledger.uow, ledger.clock).execute(ALICE, food.id)

    rules = ledger.uow.store.extra["rules"]
    assert ledger.uow.commits == commits + 1
    assert emptied.id not in rules
    assert len(rules[kept.id].actions) == 1
