"""Budgets: a spending limit per period for one currency and, optionally, one category.

A budget's periods come from ``Schedule(period, start_date)``; its status and history are
priced by a ``SpendingQuery`` that a reader answers with SQL sums (one per span of days),
and the rules of ``budget_rules`` turn those sums into ``BudgetStatus`` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from typing import Any

from budget.domain.errors import RuleViolationError
from budget.domain.model.budget_rules import (
    DEFAULT_HISTORY_PERIODS,
    BudgetStatus,
    check_date_in_budget,
    clean_budget_name,
    history_window,
    spending_window,
    status_history,
    validate_budget_fields,
)
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import UNKNOWN_CURRENCY_DETAIL, Currency, is_known_currency
from budget.domain.model.ids import BudgetId, CategoryId, HouseholdId
from budget.domain.model.money import Money
from budget.domain.model.period import Period, PeriodKind, Schedule

FOREIGN_CATEGORY = "must be one of your expense categories (or null for all expenses)"
BUDGET_SORTS = ("name", "created_at", "start_date")
DEFAULT_BUDGET_SORT = "name"


@dataclass(frozen=True, slots=True)
class BudgetFilters:
    """Budget list filters; None means "any".

    ``category_id`` lists the budgets of exactly that category (not of its parent);
    ``active_on`` lists those whose dates contain that day.

    Raises:
        RuleViolationError: on the query parameter ``currency`` for an unknown code.
    """

    category_id: CategoryId | None = None
    period: PeriodKind | None = None
    currency: str | None = None
    active_on: date | None = None

    def __post_init__(self) -> None:
        if self.currency is not None and not is_known_currency(self.currency):
            raise RuleViolationError.on_query("currency", UNKNOWN_CURRENCY_DETAIL)

    def matches(self, budget: Budget) -> bool:
        """Whether ``budget`` passes every filter (the fakes' reference; SQL mirrors it)."""
        return (
            (self.category_id is None or budget.category_id == self.category_id)
            and (self.period is None or budget.period is self.period)
            and (self.currency is None or budget.currency.code == self.currency)
            and (self.active_on is None or budget.is_active_on(self.active_on))
        )


@dataclass(frozen=True, slots=True)
class SpendingQuery:
    """The expenses that count toward a budget, to be summed over each of ``spans``.

    Expenses only (never income or transfers) of ``household_id``, in ``currency``, in
    ``category_id`` or one of its subcategories (every expense, categorised or not, when
    ``category_id`` is None), dated inside a span. ``spans`` are disjoint, oldest first.
    """

    household_id: HouseholdId
    currency: Currency
    category_id: CategoryId | None
    spans: tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class BudgetStanding:
    """A budget's status in one period, with what the HTTP edge needs to print it."""

    budget_id: BudgetId
    currency: Currency
    status: BudgetStatus


@dataclass(frozen=True, slots=True)
class BudgetFields:
    """Every changeable field of a budget, already parsed (a draft or a merged PATCH)."""

    name: str
    category_id: CategoryId | None
    amount: Money
    period: PeriodKind
    start_date: date
    end_date: date | None
    rollover: bool
    alert_threshold: int

    def checked(self) -> BudgetFields:
        """The same fields with the name trimmed, once every rule holds.

        Raises:
            RuleViolationError: naming each invalid field (``validate_budget_fields``).
        """
        validate_budget_fields(
            self.name, self.amount.minor, self.start_date, self.end_date, self.alert_threshold
        )
        return replace(self, name=clean_budget_name(self.name))

    def as_dict(self) -> dict[str, Any]:
        """The fields by name, as ``Budget`` names them too."""
        return {name: getattr(self, name) for name in _CHANGEABLE}


_CHANGEABLE = tuple(field.name for field in dataclass_fields(BudgetFields))


@dataclass(eq=False, slots=True)
class Budget:
    """A limit per period on a user's expenses in one currency (and category, if any).

    The fields always satisfy ``validate_budget_fields``: they change only through
    ``create`` and ``revise``. Whether the category fits (``check_category``) and whether
    another budget clashes (``clashes_with``) need other aggregates, so the use cases ask.
    """

    id: BudgetId
    household_id: HouseholdId
    name: str
    category_id: CategoryId | None
    amount: Money
    period: PeriodKind
    start_date: date
    end_date: date | None
    rollover: bool
    alert_threshold: int
    created_at: datetime
    updated_at: datetime

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Budget) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @classmethod
    def create(
        cls, budget_id: BudgetId, household_id: HouseholdId, fields: BudgetFields, now: datetime
    ) -> Budget:
        """A new budget of ``household_id``.

        Raises:
            RuleViolationError: naming each invalid field.
        """
        values = fields.checked().as_dict()
        return cls(budget_id, household_id, **values, created_at=now, updated_at=now)

    @property
    def fields(self) -> BudgetFields:
        """The changeable fields as they stand."""
        return BudgetFields(**{name: getattr(self, name) for name in _CHANGEABLE})

    def revise(self, fields: BudgetFields, now: datetime) -> None:
        """Replace every changeable field at once (a PATCH merged onto the current state).

        Raises:
            RuleViolationError: naming each invalid field; nothing changes then.
        """
        for name, value in fields.checked().as_dict().items():
            setattr(self, name, value)
        self.updated_at = now

    @property
    def currency(self) -> Currency:
        """Only expenses in this currency count toward the budget."""
        return self.amount.currency

    @property
    def schedule(self) -> Schedule:
        """The budget's periods, anchored on ``start_date``."""
        return Schedule(self.period, self.start_date)

    def check_category(self, category: Category | None) -> None:
        """The category (when there is one) must be an expense category of its household.

        ``category`` is what the household's repository found for ``category_id``: None when
        it is missing or someone else's.

        Raises:
            RuleViolationError: on ``category_id``.
        """
        if self.category_id is None:
            return
        if (
            category is None
            or category.id != self.category_id
            or category.household_id != self.household_id
            or category.kind is not CategoryKind.EXPENSE
        ):
            raise RuleViolationError.on("category_id", FOREIGN_CATEGORY)

    def is_active_on(self, day: date) -> bool:
        """Whether ``day`` is inside ``start_date`` to ``end_date`` (inclusive)."""
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def has_ended(self, today: date) -> bool:
        """Whether the budget ended before ``today`` (it can no longer clash)."""
        return self.end_date is not None and self.end_date < today

    def overlaps(self, other: Budget) -> bool:
        """Whether the two budgets' date ranges share a day."""
        self_ends_first = self.end_date is not None and self.end_date < other.start_date
        other_ends_first = other.end_date is not None and other.end_date < self.start_date
        return not (self_ends_first or other_ends_first)

    def clashes_with(self, other: Budget, today: date) -> bool:
        """The one-active-budget rule: at most one budget per (category, period, currency).

        Two distinct budgets of one household clash when they share category (or both cover all
        expenses), period kind and currency, neither has ended before ``today``, and their
        date ranges overlap. An ended budget never clashes, and a budget may follow
        another that ends before it starts.
        """
        return (
            other.id != self.id
            and other.household_id == self.household_id
            and other.category_id == self.category_id
            and other.period is self.period
            and other.currency == self.currency
            and not self.has_ended(today)
            and not other.has_ended(today)
            and self.overlaps(other)
        )

    # --- status and history ----------------------------------------------------------------

    def status_index(self, day: date) -> int:
        """The number of the period that contains ``day``.

        Raises:
            RuleViolationError: on the ``date`` query parameter outside the budget's dates,
                or in a period that would end after the calendar does.
        """
        check_date_in_budget(day, self.start_date, self.end_date)
        index = self.schedule.index_of(day)
        try:
            self.schedule.nth(index)
        except (ValueError, OverflowError):  # the period would end after 9999-12-31
            raise RuleViolationError.on_query(
                "date", "is too late: its period would end after 9999-12-31"
            ) from None
        return index

    def history_indices(self, today: date, periods: int = DEFAULT_HISTORY_PERIODS) -> range:
        """The periods a history shows (see ``history_window``).

        Raises:
            RuleViolationError: on the ``periods`` query parameter unless it is 1 to 36.
        """
        return history_window(self.schedule, self.start_date, self.end_date, today, periods)

    def spending_query(self, first: int, last: int) -> SpendingQuery:
        """What to sum to price periods ``first`` to ``last`` (``first`` >= 0).

        One span per period (the last one cut at ``end_date``), preceded, for a rollover
        budget that does not start at period 0, by one span from ``start_date`` to the day
        before period ``first``: the carry needs only the total spent before the window.
        """
        schedule = self.schedule
        spans = [spending_window(schedule.nth(n), self.end_date) for n in range(first, last + 1)]
        if self._needs_earlier_total(first):
            spans.insert(0, Period(self.start_date, schedule.nth(first - 1).end))
        return SpendingQuery(self.household_id, self.currency, self.category_id, tuple(spans))

    def statuses(self, first: int, last: int, sums: Sequence[int]) -> list[BudgetStatus]:
        """The statuses of periods ``first`` to ``last``, oldest first, from the sums the
        reader found for ``spending_query(first, last)``."""
        spent: dict[int, int] = {}
        if self._needs_earlier_total(first):
            # The carry is linear in what was spent, so booking everything spent before the
            # window on period 0 carries exactly the sum of (limit - spent) over periods
            # 0 to first - 1.
            spent[0], sums = sums[0], sums[1:]
        spent.update({first + i: total for i, total in enumerate(sums)})
        return status_history(
            self.schedule,
            self.amount.minor,
            spent,
            first_index=first,
            last_index=last,
            rollover=self.rollover,
            threshold=self.alert_threshold,
            end_date=self.end_date,
        )

    def _needs_earlier_total(self, first: int) -> bool:
        return self.rollover and first > 0
