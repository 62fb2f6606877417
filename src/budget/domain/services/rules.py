"""Use cases of rules (contract section 13): create, read, list, change, delete and apply
them, and ``forget_category`` for a category's deletion. Applying rules to new transactions
is ``rule_book.py``.

A rule is checked in two steps, like a transaction: its own shape first (every bad field at
once, before anything is looked up), then its references (an action's category must be a
category of the rule's household, else 422 on ``actions.<i>.value``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from budget.domain.errors import FieldProblem, NotFoundError, RuleViolationError
from budget.domain.model.category import Category
from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId, RuleId, TransactionId
from budget.domain.model.ledger_queries import Keyset, TransactionFilters, sort_value
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.patch import UNSET, Unset, pick
from budget.domain.model.rule import (
    DEFAULT_PRIORITY,
    Condition,
    Rule,
    RuleAction,
    RuleBook,
    Sent,
    SetCategory,
    applies_to,
    new_rule,
    parse_add_tags,
    parse_set_action,
    rule_field_problems,
)
from budget.domain.model.transaction import Transaction, TransactionStatus
from budget.domain.ports import Clock, IdFactory, UnitOfWork
from budget.domain.services.concurrency import retrying
from budget.domain.services.rule_book import book_of, subject_of
from budget.domain.services.transaction_inputs import TransactionChanges
from budget.domain.services.transactions import revise_transaction

APPLY_PAGE_SIZE = 500
"""How many transactions ``ApplyRule`` reads at a time while looking for matches."""


class RuleNotFoundError(NotFoundError):
    """The rule does not exist in the caller's households."""

    title = "Rule not found"


@dataclass(frozen=True, slots=True)
class ConditionDraft:
    """A condition as the client sent it."""

    field: str
    op: str
    value: object


@dataclass(frozen=True, slots=True)
class ActionDraft:
    """An action as the client sent it: ``set`` and ``value``, or ``add_tags`` alone."""

    set: str | None = None
    value: object = None
    add_tags: Sequence[str] | None = None


@dataclass(frozen=True, slots=True)
class RuleDraft:
    """A new rule as the client sent it."""

    name: str
    conditions: Sequence[ConditionDraft]
    actions: Sequence[ActionDraft]
    priority: int = DEFAULT_PRIORITY
    active: bool = True
    household_id: HouseholdId | None = None


@dataclass(frozen=True, slots=True)
class RuleChanges:
    """The fields a PATCH sent; the others are ``UNSET``. Lists replace the stored ones."""

    name: str | Unset = UNSET
    priority: int | Unset = UNSET
    active: bool | Unset = UNSET
    conditions: Sequence[ConditionDraft] | Unset = UNSET
    actions: Sequence[ActionDraft] | Unset = UNSET


@dataclass(frozen=True, slots=True)
class ApplyWindow:
    """Which existing transactions ``ApplyRule`` looks at, and whether it writes."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    dry_run: bool = False

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise RuleViolationError.on("date_to", "must not be before date_from")


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What ``ApplyRule`` matched and changed (or would change, on a dry run)."""

    matched: int
    changed: int
    transaction_ids: tuple[TransactionId, ...]


def parse_rule(
    name: str | Unset,
    priority: int | Unset,
    conditions: Sequence[ConditionDraft] | Unset,
    actions: Sequence[ActionDraft] | Unset,
) -> tuple[tuple[Condition, ...] | None, tuple[RuleAction, ...] | None]:
    """The checked conditions and actions (None for a list that was not sent), once every
    sent field is valid; every problem is reported at once.

    Raises:
        RuleViolationError: on ``name``, ``priority``, ``conditions``, ``actions``,
            ``conditions.<i>.<field>`` and ``actions.<i>.<field>``.
    """
    problems = rule_field_problems(
        None if isinstance(name, Unset) else name,
        None if isinstance(priority, Unset) else priority,
        None if isinstance(conditions, Unset) else conditions,
        None if isinstance(actions, Unset) else actions,
    )
    parsed_conditions: list[Condition] | None = None
    if not isinstance(conditions, Unset):
        parsed_conditions = []
        for i, c in enumerate(conditions):
            try:
                parsed_conditions.append(Condition.parse(c.field, c.op, c.value, f"conditions.{i}"))
            except RuleViolationError as error:
                problems += error.problems
    parsed_actions: list[RuleAction] | None = None
    if not isinstance(actions, Unset):
        parsed_actions = []
        for i, a in enumerate(actions):
            try:
                parsed_actions.append(_parse_action(a, f"actions.{i}"))
            except RuleViolationError as error:
                problems += error.problems
    if problems:
        raise RuleViolationError(*problems)
    return (
        None if parsed_conditions is None else tuple(parsed_conditions),
        None if parsed_actions is None else tuple(parsed_actions),
    )


def _parse_action(draft: ActionDraft, at: str) -> RuleAction:
    if draft.add_tags is not None and draft.set is None and draft.value is None:
        return parse_add_tags(draft.add_tags, at)
    if draft.set is not None and draft.add_tags is None:
        return parse_set_action(draft.set, draft.value, at)
    raise RuleViolationError.on(at, 'must be {"set": ..., "value": ...} or {"add_tags": [...]}')


async def _check_categories(uow: UnitOfWork, rule: Rule) -> None:
    """Every category an action sets is one of the rule's household's.

    Raises:
        RuleViolationError: on ``actions.<i>.value`` for each missing or foreign one.
    """
    wanted = rule.category_ids
    if not wanted:
        return
    found = {c.id for c in await uow.categories.get_many((rule.household_id,), wanted)}
    problems = [
        FieldProblem(f"actions.{i}.value", "must be one of the household's categories")
        for i, action in enumerate(rule.actions)
        if isinstance(action, SetCategory) and action.category_id not in found
    ]
    if problems:
        raise RuleViolationError(*problems)


async def _existing(uow: UnitOfWork, scope: Sequence[HouseholdId], rule_id: RuleId) -> Rule:
    rule = await uow.rules.get(scope, rule_id)
    if rule is None:
        raise RuleNotFoundError()
    return rule


class CreateRule:
    """Create a rule in a household of the caller.

    Raises:
        RuleViolationError: bad fields (all of them at once); a household the caller is not
            in (``household_id``); a missing or foreign category (``actions.<i>.value``).
        PermissionDeniedError: the caller is a viewer of the household.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdFactory) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids

    async def execute(self, caller: Caller, draft: RuleDraft) -> Rule:
        conditions, actions = parse_rule(
            draft.name, draft.priority, draft.conditions, draft.actions
        )
        household = caller.household_for_new(draft.household_id)
        rule = new_rule(
            RuleId(self._ids.new_id()),
            household,
            draft.name,
            conditions or (),
            actions or (),
            self._clock.now(),
            priority=draft.priority,
            active=draft.active,
        )
        async with self._uow as uow:
            await _check_categories(uow, rule)
            uow.rules.add(rule)
            await uow.commit()
        return rule


class GetRule:
    """Read a rule of one of the caller's households.

    Raises:
        RuleNotFoundError: no such rule in the caller's households.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, rule_id: RuleId) -> Rule:
        async with self._uow as uow:
            return await _existing(uow, caller.visible(), rule_id)


class ListRules:
    """List the rules of every household of the caller (or of ``household_id`` alone)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self,
        caller: Caller,
        page: PageRequest,
        sort: Sort,
        household_id: HouseholdId | None = None,
    ) -> Page[Rule]:
        scope = caller.visible(household_id)
        if not scope:
            return Page([], 0, page.limit, page.offset)
        async with self._uow as uow:
            return await uow.rules.list(scope, page, sort)


class UpdateRule:
    """Change a rule (PATCH: only sent fields; sent lists replace the stored ones).

    Raises:
        RuleNotFoundError: no such rule in the caller's households.
        PermissionDeniedError: the caller is a viewer of the rule's household.
        RuleViolationError: as ``CreateRule``.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, caller: Caller, rule_id: RuleId, changes: RuleChanges) -> Rule:
        conditions, actions = parse_rule(
            changes.name, changes.priority, changes.conditions, changes.actions
        )
        async with self._uow as uow:
            rule = await _existing(uow, caller.visible(), rule_id)
            caller.require_write(rule.household_id)
            rule.revise(
                pick(changes.name, rule.name),
                pick(changes.priority, rule.priority),
                pick(changes.active, rule.active),
                rule.conditions if conditions is None else conditions,
                rule.actions if actions is None else actions,
                self._clock.now(),
            )
            await _check_categories(uow, rule)
            await uow.commit()
        return rule


class DeleteRule:
    """Delete a rule.

    Raises:
        RuleNotFoundError: no such rule in the caller's households.
        PermissionDeniedError: the caller is a viewer of the rule's household.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, caller: Caller, rule_id: RuleId) -> None:
        async with self._uow as uow:
            rule = await _existing(uow, caller.visible(), rule_id)
            caller.require_write(rule.household_id)
            await uow.rules.delete(rule)
            await uow.commit()


async def forget_category(uow: UnitOfWork, category: Category, now: dt.datetime) -> None:
    """A category is being deleted: drop the rule actions that set it, and delete the rules
    left without actions (contract section 14), in ``uow``."""
    for rule in await uow.rules.in_household(category.household_id):
        if category.id in rule.category_ids and not rule.forget_category(category.id, now):
            await uow.rules.delete(rule)


# --- applying a rule to existing transactions ----------------------------------------------


def _changes_for(book: RuleBook, txn: Transaction) -> TransactionChanges | None:
    """What ``book`` would change on an existing transaction (None: nothing)."""
    sent = Sent(txn.category_id, txn.payee, txn.tags, bool(txn.splits))
    outcome = book.apply(subject_of(txn), sent)
    changes = TransactionChanges(
        category_id=UNSET if outcome.category is None else outcome.category.id,
        payee=UNSET if outcome.payee == txn.payee else outcome.payee,
        tags=UNSET if outcome.tags == txn.tags else outcome.tags,
    )
    return None if changes == TransactionChanges() else changes


class ApplyRule:
    """Run one rule over the existing unreconciled income and expenses of its household
    (optionally within dates), filling only empty fields, all at once or not at all.

    Each changed transaction goes through the transaction update's write path
    (``revise_transaction``): locked, checked again as it stands, and its totals moved when
    its category changes. A dry run writes nothing.

    Raises:
        RuleNotFoundError: no such rule in the caller's households.
        PermissionDeniedError: the caller is a viewer of the rule's household.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, caller: Caller, rule_id: RuleId, window: ApplyWindow) -> ApplyResult:
        return await retrying(lambda: self._attempt(caller, rule_id, window))

    async def _attempt(self, caller: Caller, rule_id: RuleId, window: ApplyWindow) -> ApplyResult:
        async with self._uow as uow:
            rule = await _existing(uow, caller.visible(), rule_id)
            caller.require_write(rule.household_id)
            # The rule runs even when inactive: applying it is an explicit request.
            book = await book_of(uow, rule.household_id, [replace(rule, active=True)])
            matched, candidates = await self._scan(uow, rule.household_id, book, window)
            if window.dry_run:
                return ApplyResult(len(matched), len(candidates), tuple(sorted(candidates)))
            changed: list[TransactionId] = []
            for txn_id in sorted(candidates):  # locks in id order
                txn = await uow.transactions.get((rule.household_id,), txn_id, for_update=True)
                if txn is None or txn.status is TransactionStatus.RECONCILED:
                    continue
                changes = _changes_for(book, txn)
                if changes is None:
                    continue
                await revise_transaction(uow, caller, txn, changes, self._clock.now())
                changed.append(txn_id)
            await uow.commit()
        return ApplyResult(len(matched), len(changed), tuple(changed))

    async def _scan(
        self, uow: UnitOfWork, household: HouseholdId, book: RuleBook, window: ApplyWindow
    ) -> tuple[list[TransactionId], list[TransactionId]]:
        """The matching transactions, and those of them the rule would change."""
        filters = TransactionFilters(date_from=window.date_from, date_to=window.date_to)
        sort = Sort("date")
        matched: list[TransactionId] = []
        changing: list[TransactionId] = []
        page = await uow.transactions.list(
            (household,), filters, sort, PageRequest(APPLY_PAGE_SIZE)
        )
        items: Sequence[Transaction] = page.items
        while items:
            for txn in items:
                if txn.status is TransactionStatus.RECONCILED or not applies_to(txn.type):
                    continue
                if not book.rules[0].matches(subject_of(txn)):
                    continue
                matched.append(txn.id)
                if _changes_for(book, txn) is not None:
                    changing.append(txn.id)
            if len(items) < APPLY_PAGE_SIZE:
                break
            last = items[-1]
            after = Keyset(sort_value(last, "date"), last.id)
            items = await uow.transactions.list_after(
                (household,), filters, sort, after, APPLY_PAGE_SIZE
            )
        return matched, changing
