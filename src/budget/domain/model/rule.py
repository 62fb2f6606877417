"""Rules (contract section 13): conditions on a transaction as it was sent, and actions that
fill what the request left empty.

A rule is pure data plus two behaviours: ``matches`` (every condition holds) and, through
``apply_rules``, the outcome of a household's rules on one transaction:

- rules run by ``priority`` (lower first), equal priorities oldest first (then by id);
- conditions always see the transaction as sent (a ``Subject``), never an earlier rule's
  output;
- per field (``category_id``, ``payee``) the first rule that sets it wins, and only when the
  request left that field empty (an empty string counts as empty);
- a category action whose category does not fit the transaction's kind (or is gone) is
  skipped, so a later rule may still set the category; a split transaction never gets one;
- ``add_tags`` always apply and accumulate: sent tags first, then each rule's in order,
  repeats dropped, at most ``MAX_TAGS`` in all (tags past the limit are left out rather
  than refusing the transaction).

Only income and expenses are ever subject to rules (``applies_to``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from budget.domain.errors import FieldProblem, RuleViolationError
from budget.domain.model.category import Category
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, RuleId
from budget.domain.model.money import parse_decimal
from budget.domain.model.note import MAX_PAYEE_LENGTH, MAX_TAGS, is_valid_tag
from budget.domain.model.transaction import TransactionType

MAX_RULE_NAME_LENGTH = 100
MIN_PRIORITY, MAX_PRIORITY, DEFAULT_PRIORITY = 0, 10000, 100
MAX_CONDITIONS = 10
MAX_ACTIONS = 5
MAX_TEXT_VALUE_LENGTH = 500
MAX_AMOUNT_DECIMALS = 3
RULE_SORTS = ("priority", "name", "created_at")
DEFAULT_RULE_SORT = "priority"


class RuleField(StrEnum):
    """What a condition looks at."""

    PAYEE = "payee"
    DESCRIPTION = "description"
    AMOUNT = "amount"
    ACCOUNT_ID = "account_id"
    TYPE = "type"


class RuleOp(StrEnum):
    """How a condition compares; which ones a field takes is ``OPS_BY_FIELD``."""

    CONTAINS = "contains"
    EQUALS = "equals"
    STARTS_WITH = "starts_with"
    GTE = "gte"
    LTE = "lte"


_TEXT_OPS = frozenset({RuleOp.CONTAINS, RuleOp.EQUALS, RuleOp.STARTS_WITH})
OPS_BY_FIELD: Mapping[RuleField, frozenset[RuleOp]] = {
    RuleField.PAYEE: _TEXT_OPS,
    RuleField.DESCRIPTION: _TEXT_OPS,
    RuleField.AMOUNT: frozenset({RuleOp.EQUALS, RuleOp.GTE, RuleOp.LTE}),
    RuleField.ACCOUNT_ID: frozenset({RuleOp.EQUALS}),
    RuleField.TYPE: frozenset({RuleOp.EQUALS}),
}


class SetField(StrEnum):
    """The fields a ``set`` action may fill."""

    CATEGORY_ID = "category_id"
    PAYEE = "payee"


@dataclass(frozen=True, slots=True)
class Subject:
    """A transaction as its request sent it: what conditions look at. ``amount_minor`` is
    in minor units of a currency with ``exponent`` decimals (the account's)."""

    type: TransactionType
    account_id: AccountId
    amount_minor: int
    exponent: int
    payee: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class Condition:
    """``field op value``; text comparisons ignore case; amounts compare as values.

    Build it with ``Condition.parse`` (which checks it); ``value`` is kept as sent.
    """

    field: RuleField
    op: RuleOp
    value: str

    @classmethod
    def parse(cls, field_name: str, op: str, value: object, at: str) -> Condition:
        """A checked condition; problems are reported at ``at`` (e.g. ``conditions.0``).

        Raises:
            RuleViolationError: on ``<at>.field``, ``<at>.op`` or ``<at>.value``.
        """
        try:
            kind = RuleField(field_name)
        except ValueError:
            choices = ", ".join(RuleField)
            raise RuleViolationError.on(f"{at}.field", f"must be one of {choices}") from None
        try:
            operator = RuleOp(op)
        except ValueError:
            operator = None
        if operator is None or operator not in OPS_BY_FIELD[kind]:
            choices = ", ".join(sorted(OPS_BY_FIELD[kind]))
            raise RuleViolationError.on(f"{at}.op", f"{kind} takes one of {choices}")
        return cls(kind, operator, _checked_value(kind, value, f"{at}.value"))

    def holds(self, subject: Subject) -> bool:
        """Whether ``subject`` satisfies this condition."""
        if self.field is RuleField.PAYEE:
            return _compare_text(self.op, subject.payee, self.value)
        if self.field is RuleField.DESCRIPTION:
            return _compare_text(self.op, subject.description, self.value)
        if self.field is RuleField.AMOUNT:
            return _compare_amount(self.op, subject, self.value)
        if self.field is RuleField.ACCOUNT_ID:
            return UUID(self.value) == subject.account_id
        return self.value == subject.type.value


def _checked_value(kind: RuleField, value: object, at: str) -> str:
    if not isinstance(value, str):
        raise RuleViolationError.on(at, "must be a string")
    if kind in (RuleField.PAYEE, RuleField.DESCRIPTION):
        if not 1 <= len(value) <= MAX_TEXT_VALUE_LENGTH:
            raise RuleViolationError.on(at, f"must be 1 to {MAX_TEXT_VALUE_LENGTH} characters")
        return value
    if kind is RuleField.AMOUNT:
        _, decimals = parse_decimal(value, field=at)
        if decimals > MAX_AMOUNT_DECIMALS:
            raise RuleViolationError.on(at, f"must have at most {MAX_AMOUNT_DECIMALS} decimals")
        return value
    if kind is RuleField.ACCOUNT_ID:
        try:
            return str(UUID(value))
        except ValueError:
            raise RuleViolationError.on(at, "must be an account id (a UUID)") from None
    if value not in {t.value for t in TransactionType}:
        raise RuleViolationError.on(at, "must be income, expense or transfer")
    return value


def _compare_text(op: RuleOp, actual: str, wanted: str) -> bool:
    actual, wanted = actual.casefold(), wanted.casefold()
    if op is RuleOp.EQUALS:
        return actual == wanted
    if op is RuleOp.STARTS_WITH:
        return actual.startswith(wanted)
    return wanted in actual


def _ten_to(power: int) -> int:
    return int(10**power)


def _compare_amount(op: RuleOp, subject: Subject, wanted: str) -> bool:
    unscaled, decimals = parse_decimal(wanted, field="value")
    # Both sides at one scale: minor / 10^exponent against unscaled / 10^decimals.
    left: int = subject.amount_minor * _ten_to(decimals)
    right: int = unscaled * _ten_to(subject.exponent)
    if op is RuleOp.EQUALS:
        return left == right
    if op is RuleOp.GTE:
        return left >= right
    return left <= right


@dataclass(frozen=True, slots=True)
class SetCategory:
    """Fill an empty category (when the category fits the transaction's kind)."""

    category_id: CategoryId


@dataclass(frozen=True, slots=True)
class SetPayee:
    """Fill an empty payee."""

    payee: str


@dataclass(frozen=True, slots=True)
class AddTags:
    """Add tags (always)."""

    tags: tuple[str, ...]


RuleAction = SetCategory | SetPayee | AddTags


def parse_set_action(target: str, value: object, at: str) -> SetCategory | SetPayee:
    """A checked ``{"set": target, "value": value}`` at ``at`` (e.g. ``actions.0``).

    Raises:
        RuleViolationError: on ``<at>.set`` or ``<at>.value``.
    """
    if target == SetField.CATEGORY_ID:
        try:
            return SetCategory(CategoryId(UUID(value if isinstance(value, str) else "")))
        except ValueError:
            raise RuleViolationError.on(f"{at}.value", "must be a category id (a UUID)") from None
    if target == SetField.PAYEE:
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_PAYEE_LENGTH:
            raise RuleViolationError.on(
                f"{at}.value", f"must be 1 to {MAX_PAYEE_LENGTH} characters"
            )
        return SetPayee(value)
    raise RuleViolationError.on(f"{at}.set", "must be category_id or payee")


def parse_add_tags(tags: Sequence[object], at: str) -> AddTags:
    """A checked ``{"add_tags": tags}``: 1-20 tags of 1-50 characters, trimmed, repeats
    dropped.

    Raises:
        RuleViolationError: on ``<at>.add_tags``.
    """
    cleaned: list[str] = []
    for raw in tags:
        tag = raw.strip() if isinstance(raw, str) else ""
        if not is_valid_tag(tag):
            raise RuleViolationError.on(f"{at}.add_tags", "each tag must be 1 to 50 characters")
        if tag not in cleaned:
            cleaned.append(tag)
    if not 1 <= len(cleaned) <= MAX_TAGS:
        raise RuleViolationError.on(f"{at}.add_tags", f"must hold 1 to {MAX_TAGS} tags")
    return AddTags(tuple(cleaned))


def rule_field_problems(
    name: str | None,
    priority: int | None,
    conditions: Sequence[object] | None,
    actions: Sequence[object] | None,
) -> list[FieldProblem]:
    """The problems of a rule's own fields (None: not sent, nothing to check)."""
    problems: list[FieldProblem] = []
    if name is not None and not 1 <= len(name.strip()) <= MAX_RULE_NAME_LENGTH:
        problems.append(FieldProblem("name", f"must be 1 to {MAX_RULE_NAME_LENGTH} characters"))
    if priority is not None and not MIN_PRIORITY <= priority <= MAX_PRIORITY:
        problems.append(
            FieldProblem("priority", f"must be between {MIN_PRIORITY} and {MAX_PRIORITY}")
        )
    if conditions is not None and not 1 <= len(conditions) <= MAX_CONDITIONS:
        problems.append(FieldProblem("conditions", f"must hold 1 to {MAX_CONDITIONS} conditions"))
    if actions is not None and not 1 <= len(actions) <= MAX_ACTIONS:
        problems.append(FieldProblem("actions", f"must hold 1 to {MAX_ACTIONS} actions"))
    return problems


def check_rule(
    name: str, priority: int, conditions: Sequence[Condition], actions: Sequence[RuleAction]
) -> str:
    """The trimmed name, once every field is valid; every problem is reported at once.

    Raises:
        RuleViolationError: on ``name``, ``priority``, ``conditions`` or ``actions``.
    """
    problems = rule_field_problems(name, priority, conditions, actions)
    if problems:
        raise RuleViolationError(*problems)
    return name.strip()


@dataclass(eq=False, slots=True)
class Rule:
    """A household's categorisation rule: when every condition holds, its actions fill
    what a new income or expense left empty (see the module).

    The state always satisfies ``check_rule``: it changes only through ``revise`` and
    ``forget_category``.
    """

    id: RuleId
    household_id: HouseholdId
    name: str
    priority: int
    active: bool
    conditions: tuple[Condition, ...]
    actions: tuple[RuleAction, ...]
    created_at: dt.datetime
    updated_at: dt.datetime

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rule) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def order(self) -> tuple[int, dt.datetime, RuleId]:
        """Where the rule runs among its household's: priority, then oldest first."""
        return (self.priority, self.created_at, self.id)

    @property
    def category_ids(self) -> set[CategoryId]:
        """The categories its actions set."""
        return {a.category_id for a in self.actions if isinstance(a, SetCategory)}

    def matches(self, subject: Subject) -> bool:
        """Every condition holds for ``subject``."""
        return all(condition.holds(subject) for condition in self.conditions)

    def revise(
        self,
        name: str,
        priority: int,
        active: bool,
        conditions: Sequence[Condition],
        actions: Sequence[RuleAction],
        now: dt.datetime,
    ) -> None:
        """Replace every field at once (a PATCH merged onto the current state)."""
        self.name = check_rule(name, priority, conditions, actions)
        self.priority, self.active = priority, active
        self.conditions, self.actions = tuple(conditions), tuple(actions)
        self.updated_at = now

    def forget_category(self, category_id: CategoryId, now: dt.datetime) -> bool:
        """Drop the actions that set ``category_id`` (it is being deleted); whether the
        rule still has actions (a rule left without any is to be deleted)."""
        kept = tuple(
            a
            for a in self.actions
            if not (isinstance(a, SetCategory) and a.category_id == category_id)
        )
        if kept != self.actions:
            self.actions = kept
            self.updated_at = now
        return bool(kept)


def new_rule(
    rule_id: RuleId,
    household_id: HouseholdId,
    name: str,
    conditions: Sequence[Condition],
    actions: Sequence[RuleAction],
    now: dt.datetime,
    *,
    priority: int = DEFAULT_PRIORITY,
    active: bool = True,
) -> Rule:
    """A checked new rule (see ``check_rule``)."""
    cleaned = check_rule(name, priority, conditions, actions)
    return Rule(
        rule_id,
        household_id,
        cleaned,
        priority,
        active,
        tuple(conditions),
        tuple(actions),
        now,
        now,
    )


@dataclass(frozen=True, slots=True)
class Sent:
    """The fields rules may fill, as the request left them."""

    category_id: CategoryId | None = None
    payee: str = ""
    tags: tuple[str, ...] = ()
    split: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a transaction gets after the rules: ``category`` is the category a rule chose
    (None when none did, or the request sent one)."""

    category: Category | None
    payee: str
    tags: tuple[str, ...]
    matched: tuple[RuleId, ...] = ()


def applies_to(kind: TransactionType) -> bool:
    """Rules apply to income and expenses only."""
    return kind is not TransactionType.TRANSFER


@dataclass(frozen=True, slots=True)
class RuleBook:
    """A household's active rules in running order, with the categories their actions
    name (as found in the household: a missing one is skipped like a misfit)."""

    rules: tuple[Rule, ...] = ()
    categories: Mapping[CategoryId, Category] = field(default_factory=dict)

    @classmethod
    def of(cls, rules: Iterable[Rule], categories: Iterable[Category]) -> RuleBook:
        """The active ones of ``rules``, sorted by ``Rule.order``."""
        running = tuple(sorted((r for r in rules if r.active), key=lambda r: r.order))
        return cls(running, {c.id: c for c in categories})

    def __bool__(self) -> bool:
        return bool(self.rules)

    def apply(self, subject: Subject, sent: Sent) -> Outcome:
        """The outcome of the rules on a transaction (see the module)."""
        if not self.rules or not applies_to(subject.type):
            return Outcome(None, sent.payee, sent.tags)
        wanted_kind = subject.type.category_kind
        fill_category = sent.category_id is None and not sent.split
        category: Category | None = None
        payee: str | None = None if sent.payee == "" else sent.payee
        tags = list(sent.tags)
        present = {tag.strip() for tag in sent.tags}
        matched: list[RuleId] = []
        for rule in self.rules:
            if not rule.matches(subject):
                continue
            matched.append(rule.id)
            for action in rule.actions:
                if isinstance(action, SetPayee):
                    payee = action.payee if payee is None else payee
                elif isinstance(action, AddTags):
                    for tag in action.tags:
                        if tag not in present and len(present) < MAX_TAGS:
                            present.add(tag)
                            tags.append(tag)
                elif fill_category and category is None:
                    found = self.categories.get(action.category_id)
                    if found is not None and found.kind is wanted_kind:
                        category = found
        return Outcome(
            category, sent.payee if payee is None else payee, tuple(tags), tuple(matched)
        )
