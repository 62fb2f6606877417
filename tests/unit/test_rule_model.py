"""The rules' pure model (contract section 13): conditions, actions, order and outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budget.domain.errors import RuleViolationError
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, RuleId
from budget.domain.model.rule import (
    MAX_TAGS,
    AddTags,
    Condition,
    Rule,
    RuleAction,
    RuleBook,
    Sent,
    SetCategory,
    SetPayee,
    Subject,
    check_rule,
    new_rule,
    parse_add_tags,
    parse_set_action,
)
from budget.domain.model.transaction import TransactionType

HOUSEHOLD = HouseholdId(UUID(int=1))
ACCOUNT = AccountId(UUID(int=2))
T0 = datetime(2026, 1, 1, tzinfo=UTC)
EXPENSE, INCOME, TRANSFER = (
    TransactionType.EXPENSE,
    TransactionType.INCOME,
    TransactionType.TRANSFER,
)


def category(number: int, kind: CategoryKind = CategoryKind.EXPENSE) -> Category:
    return Category(
        CategoryId(UUID(int=100 + number)), HOUSEHOLD, f"C{number}", kind, None, None, False, T0, T0
    )


FOOD, RENT = category(1), category(2)
SALARY = category(3, CategoryKind.INCOME)


def subject(
    payee: str = "",
    description: str = "",
    minor: int = 1000,
    kind: TransactionType = EXPENSE,
    exponent: int = 2,
) -> Subject:
    return Subject(kind, ACCOUNT, minor, exponent, payee, description)


def when(field: str, op: str, value: str) -> Condition:
    return Condition.parse(field, op, value, "conditions.0")


def make_rule(
    number: int,
    *actions: RuleAction,
    conditions: tuple[Condition, ...] = (),
    priority: int = 100,
    active: bool = True,
) -> Rule:
    return new_rule(
        RuleId(UUID(int=number)),
        HOUSEHOLD,
        f"Rule {number}",
        conditions or (when("amount", "gte", "0"),),
        actions,
        T0 + timedelta(seconds=number),
        priority=priority,
        active=active,
    )


def book(*rules: Rule) -> RuleBook:
    return RuleBook.of(rules, [FOOD, RENT, SALARY])


# --- conditions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "payee", "holds"),
    [
        ("contains", "ALDI", "card aldi 12", True),
        ("contains", "lidl", "card aldi 12", False),
        ("equals", "Aldi", "aLDI", True),
        ("equals", "Aldi", "Aldi Süd", False),
        ("starts_with", "al", "Aldi", True),
        ("starts_with", "di", "Aldi", False),
        ("contains", "STRASSE", "Straße", True),
        ("equals", "STRASSE", "strasse", True),
    ],
)
def test_text_conditions_ignore_case(op: str, value: str, payee: str, holds: bool) -> None:
    assert when("payee", op, value).holds(subject(payee=payee)) is holds


def test_a_description_condition_looks_at_the_description_alone() -> None:
    condition = when("description", "contains", "rent")

    assert condition.holds(subject(description="May rent"))
    assert not condition.holds(subject(payee="rent"))


@pytest.mark.parametrize(
    ("op", "value", "minor", "exponent", "holds"),
    [
        ("equals", "10", 1000, 2, True),
        ("equals", "10.001", 1000, 2, False),
        ("equals", "10.000", 1000, 2, True),
        ("gte", "10", 1000, 2, True),
        ("gte", "10.01", 1000, 2, False),
        ("lte", "9.999", 1000, 2, False),
        ("lte", "1000", 1000, 0, True),
        ("gte", "1000.001", 1000, 0, False),
        ("equals", "1.234", 1234, 3, True),
    ],
)
def test_amount_conditions_compare_values_in_the_transactions_currency(
    op: str, value: str, minor: int, exponent: int, holds: bool
) -> None:
    assert when("amount", op, value).holds(subject(minor=minor, exponent=exponent)) is holds


def test_account_and_type_conditions_compare_exactly() -> None:
    assert when("account_id", "equals", str(ACCOUNT)).holds(subject())
    assert not when("account_id", "equals", str(UUID(int=9))).holds(subject())
    assert when("type", "equals", "income").holds(subject(kind=INCOME))
    assert not when("type", "equals", "income").holds(subject(kind=EXPENSE))


@pytest.mark.parametrize(
    ("field", "op", "value", "pointer"),
    [
        ("colour", "equals", "x", "conditions.0.field"),
        ("payee", "gte", "x", "conditions.0.op"),
        ("amount", "contains", "1", "conditions.0.op"),
        ("account_id", "contains", "1", "conditions.0.op"),
        ("type", "starts_with", "in", "conditions.0.op"),
        ("payee", "contains", "", "conditions.0.value"),
        ("payee", "contains", "x" * 501, "conditions.0.value"),
        ("amount", "equals", "1.2345", "conditions.0.value"),
        ("amount", "equals", "NaN", "conditions.0.value"),
        ("amount", "equals", 12, "conditions.0.value"),
        ("account_id", "equals", "x", "conditions.0.value"),
        ("type", "equals", "gift", "conditions.0.value"),
    ],
)
def test_a_bad_condition_names_the_part_at_fault(
    field: str, op: str, value: object, pointer: str
) -> None:
    with pytest.raises(RuleViolationError) as raised:
        Condition.parse(field, op, value, "conditions.0")

    assert [p.field for p in raised.value.problems] == [pointer]


# --- actions and the rule's shape ---------------------------------------------------------------


def test_set_actions_parse_into_their_kinds() -> None:
    assert parse_set_action("category_id", str(FOOD.id), "a") == SetCategory(FOOD.id)
    assert parse_set_action("payee", "Shop", "a") == SetPayee("Shop")


@pytest.mark.parametrize(
    ("target", "value", "pointer"),
    [
        ("amount", "1", "a.set"),
        ("category_id", "nope", "a.value"),
        ("category_id", None, "a.value"),
        ("payee", "", "a.value"),
        ("payee", "x" * 201, "a.value"),
    ],
)
def test_a_bad_set_action_names_its_part(target: str, value: object, pointer: str) -> None:
    with pytest.raises(RuleViolationError) as raised:
        parse_set_action(target, value, "a")

    assert raised.value.problems[0].field == pointer


def test_add_tags_are_trimmed_and_kept_once() -> None:
    assert parse_add_tags([" a ", "b", "a"], "x") == AddTags(("a", "b"))


@pytest.mark.parametrize("tags", [[], [""], ["x" * 51], [str(n) for n in range(21)]])
def test_bad_add_tags_are_refused(tags: list[object]) -> None:
    with pytest.raises(RuleViolationError) as raised:
        parse_add_tags(tags, "actions.0")

    assert raised.value.problems[0].field == "actions.0.add_tags"


def test_every_bad_field_of_a_rule_is_reported_at_once() -> None:
    with pytest.raises(RuleViolationError) as raised:
        check_rule(" ", 10001, [], [])

    assert [p.field for p in raised.value.problems] == ["name", "priority", "conditions", "actions"]


@pytest.mark.parametrize("priority", [0, 10000])
def test_priority_bounds_are_inclusive(priority: int) -> None:
    assert make_rule(1, AddTags(("x",)), priority=priority).priority == priority


def test_forgetting_a_category_keeps_the_other_actions() -> None:
    rule = make_rule(1, SetCategory(FOOD.id), AddTags(("x",)))

    assert rule.forget_category(FOOD.id, T0) is True
    assert rule.actions == (AddTags(("x",)),)


def test_a_rule_left_without_actions_says_so() -> None:
    rule = make_rule(1, SetCategory(FOOD.id))

    assert rule.forget_category(FOOD.id, T0) is False


# --- the outcome ---------------------------------------------------------------------------------


def test_the_first_rule_by_priority_sets_a_field_and_later_ones_do_not() -> None:
    later = make_rule(1, SetCategory(RENT.id), SetPayee("Later"), priority=20)
    first = make_rule(2, SetCategory(FOOD.id), SetPayee("First"), priority=10)

    outcome = book(later, first).apply(subject(), Sent())

    assert (outcome.category, outcome.payee) == (FOOD, "First")


def test_equal_priorities_run_oldest_first() -> None:
    newer = make_rule(2, SetPayee("Newer"))
    older = make_rule(1, SetPayee("Older"))

    assert book(newer, older).apply(subject(), Sent()).payee == "Older"


def test_sent_fields_are_never_overwritten() -> None:
    outcome = book(make_rule(1, SetCategory(FOOD.id), SetPayee("Rule"))).apply(
        subject(payee="Mine"), Sent(RENT.id, "Mine")
    )

    assert (outcome.category, outcome.payee) == (None, "Mine")


def test_tags_accumulate_after_the_sent_ones_without_repeats() -> None:
    rules = book(make_rule(1, AddTags(("a", "b"))), make_rule(2, AddTags(("b", "c"))))

    assert rules.apply(subject(), Sent(tags=("c", "z"))).tags == ("c", "z", "a", "b")


def test_rule_tags_stop_at_the_tag_limit() -> None:
    many = tuple(f"t{n}" for n in range(MAX_TAGS))
    rules = book(make_rule(1, AddTags(("new",))))

    assert rules.apply(subject(), Sent(tags=many)).tags == many


def test_a_category_of_the_wrong_kind_is_skipped_and_a_later_rule_may_set_one() -> None:
    rules = book(make_rule(1, SetCategory(SALARY.id)), make_rule(2, SetCategory(FOOD.id)))

    assert rules.apply(subject(kind=EXPENSE), Sent()).category == FOOD
    assert rules.apply(subject(kind=INCOME), Sent()).category == SALARY


def test_a_category_not_found_in_the_household_is_skipped() -> None:
    gone = CategoryId(UUID(int=999))

    assert book(make_rule(1, SetCategory(gone))).apply(subject(), Sent()).category is None


def test_a_split_transaction_gets_tags_but_no_category() -> None:
    outcome = book(make_rule(1, SetCategory(FOOD.id), AddTags(("x",)))).apply(
        subject(), Sent(split=True)
    )

    assert (outcome.category, outcome.tags) == (None, ("x",))


def test_inactive_rules_and_non_matching_rules_do_nothing() -> None:
    rules = book(
        make_rule(1, SetPayee("Off"), active=False),
        make_rule(2, SetPayee("Miss"), conditions=(when("payee", "contains", "zzz"),)),
    )

    assert rules.apply(subject(payee=""), Sent()).payee == ""


def test_transfers_are_never_touched() -> None:
    outcome = book(make_rule(1, SetPayee("X"), AddTags(("t",)))).apply(
        subject(kind=TRANSFER), Sent()
    )

    assert (outcome.payee, outcome.tags) == ("", ())


def test_conditions_see_what_was_sent_not_an_earlier_rules_payee() -> None:
    rules = book(
        make_rule(1, SetPayee("Shop"), priority=1),
        make_rule(2, AddTags(("chained",)), conditions=(when("payee", "equals", "shop"),)),
    )

    assert rules.apply(subject(payee=""), Sent()).tags == ()


@given(
    priorities=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=8),
)
def test_the_winning_payee_is_the_first_matching_rule_in_priority_then_age_order(
    priorities: list[int],
) -> None:
    rules = [make_rule(n + 1, SetPayee(f"P{n + 1}"), priority=p) for n, p in enumerate(priorities)]
    expected = min(rules, key=lambda r: (r.priority, r.created_at))

    outcome = RuleBook.of(reversed(rules), []).apply(subject(), Sent())

    assert outcome.payee == f"P{expected.id.int}"


@given(
    sent=st.lists(st.sampled_from("abcdefgh"), max_size=5, unique=True),
    added=st.lists(
        st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=4, unique=True), max_size=4
    ),
)
def test_tags_keep_every_sent_one_and_add_each_rule_tag_once(
    sent: list[str], added: list[list[str]]
) -> None:
    rules = [make_rule(n + 1, AddTags(tuple(tags))) for n, tags in enumerate(added)]

    tags = RuleBook.of(rules, []).apply(subject(), Sent(tags=tuple(sent))).tags

    assert tags[: len(sent)] == tuple(sent)
    assert len(set(tags)) == len(tags)
    assert set(tags) == set(sent).union(*added)
