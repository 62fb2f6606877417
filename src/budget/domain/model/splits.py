"""Split transactions: one income or expense divided into parts, each with its own category.

A split is part of the transaction aggregate: the parts of a transaction add up exactly to
its ``amount``, each part's category (if any) is of the transaction's kind and in its
household, the transaction itself then has no category, and transfers are never split.
Budgets, reports and the category filters count each part under its own category; the
daily totals hold the parts like whole transactions (``totals.totals_effects``).

Rules are checked in the order the contract gives: each part alone first (``#/splits/<i>/
<field>``: amount, description), the number of parts and their sum only when every part
is valid (``#/splits``), the categories (stored data) last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from budget.domain.errors import FieldProblem, RuleViolationError
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.money import Money

MIN_PARTS = 2
MAX_PARTS = 50
MAX_PART_DESCRIPTION_LENGTH = 500
FOREIGN_CATEGORY = "must be one of your categories"


def part_field(index: int, name: str) -> str:
    """The field path of a part's field (``splits.3.amount``: pointer ``#/splits/3/amount``)."""
    return f"splits.{index}.{name}"


@dataclass(frozen=True, slots=True)
class Split:
    """One part of a split transaction, in the transaction's currency."""

    category_id: CategoryId | None
    amount: Money
    description: str = ""


@dataclass(frozen=True, slots=True)
class SplitDraft:
    """A part as the client sent it; ``amount`` is still wire text."""

    amount: str
    category_id: CategoryId | None = None
    description: str = ""


def parse_parts(drafts: Sequence[SplitDraft], currency: Currency) -> tuple[Split, ...]:
    """The parts in ``currency``, checked one by one, then as a whole (count only; the sum
    needs the transaction's amount: ``check_parts``).

    Raises:
        RuleViolationError: every bad part's field (``splits.<i>.amount`` not a positive
            amount of the currency, ``splits.<i>.description`` too long) at once; else
            ``splits`` for a count outside 2-50.
    """
    problems: list[FieldProblem] = []
    parts: list[Split] = []
    for index, draft in enumerate(drafts):
        amount: Money | None = None
        try:
            amount = Money.parse(draft.amount, currency, field=part_field(index, "amount"))
        except RuleViolationError as error:
            problems.extend(error.problems)
        if amount is not None and not amount.is_positive():
            problems.append(FieldProblem(part_field(index, "amount"), "must be greater than zero"))
            amount = None
        if len(draft.description) > MAX_PART_DESCRIPTION_LENGTH:
            problems.append(
                FieldProblem(
                    part_field(index, "description"),
                    f"must be at most {MAX_PART_DESCRIPTION_LENGTH} characters",
                )
            )
        if amount is not None:
            parts.append(Split(draft.category_id, amount, draft.description))
    if problems:
        raise RuleViolationError(*problems)
    check_count(len(parts))
    return tuple(parts)


def check_count(count: int) -> None:
    """A split has 2-50 parts (0 means no split).

    Raises:
        RuleViolationError: on ``splits``.
    """
    if count and not MIN_PARTS <= count <= MAX_PARTS:
        raise RuleViolationError.on(
            "splits", f"must hold {MIN_PARTS} to {MAX_PARTS} parts, or none"
        )


def refuse_split_transfer(*, transfer: bool, split: bool) -> None:
    """A transfer is never split.

    Raises:
        RuleViolationError: on ``splits``.
    """
    if transfer and split:
        raise RuleViolationError.on("splits", "a transfer cannot be split")


def refuse_category_beside_parts(*, split: bool, has_category: bool) -> None:
    """A split transaction has no category of its own.

    Raises:
        RuleViolationError: on ``category_id``.
    """
    if split and has_category:
        raise RuleViolationError.on(
            "category_id",
            "must be empty for a split transaction: each part has its own"
            " (send splits: [] to give it one category)",
        )


def check_sum(parts: Sequence[Split], amount: Money) -> None:
    """The parts add up to the transaction's amount exactly.

    Raises:
        RuleViolationError: on ``splits``.
    """
    if not parts:
        return
    total = sum(part.amount.minor for part in parts)
    if total != amount.minor or any(part.amount.currency != amount.currency for part in parts):
        raise RuleViolationError.on(
            "splits",
            f"the parts add up to {Money(total, amount.currency).format()}, "
            f"not to the amount {amount.format()}",
        )


def check_categories(
    parts: Sequence[Split],
    categories: Mapping[CategoryId, Category],
    household_id: HouseholdId,
    kind: CategoryKind | None,
) -> None:
    """Each part's category exists in ``household_id`` and is of the transaction's kind.

    ``categories`` holds the categories found for the parts' ids (missing ones are absent).

    Raises:
        RuleViolationError: on every ``splits.<i>.category_id`` that is missing, another
            household's, or of the other kind, at once.
    """
    problems: list[FieldProblem] = []
    for index, part in enumerate(parts):
        if part.category_id is None:
            continue
        category = categories.get(part.category_id)
        field = part_field(index, "category_id")
        if category is None or category.household_id != household_id:
            problems.append(FieldProblem(field, FOREIGN_CATEGORY))
        elif category.kind is not kind:
            problems.append(FieldProblem(field, f"must be a category of kind {kind}"))
    if problems:
        raise RuleViolationError(*problems)
