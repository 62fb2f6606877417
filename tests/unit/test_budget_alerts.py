"""When budget.warning and budget.exceeded fire (contract section 15)."""

from __future__ import annotations

import pytest

from budget.domain.model.budget_alerts import crossed, to_fire
from budget.domain.model.budget_rules import BudgetState

OK, WARNING, EXCEEDED = BudgetState.OK, BudgetState.WARNING, BudgetState.EXCEEDED


@pytest.mark.parametrize(
    ("before", "after", "passed"),
    [
        (OK, WARNING, (WARNING,)),
        (OK, EXCEEDED, (WARNING, EXCEEDED)),
        (WARNING, EXCEEDED, (EXCEEDED,)),
        (OK, OK, ()),
        (WARNING, WARNING, ()),
        (EXCEEDED, EXCEEDED, ()),
        (EXCEEDED, WARNING, ()),
        (EXCEEDED, OK, ()),
        (WARNING, OK, ()),
    ],
)
def test_a_write_passes_the_states_it_rises_through(
    before: BudgetState, after: BudgetState, passed: tuple[BudgetState, ...]
) -> None:
    assert crossed(before, after) == passed


def test_rising_to_warning_fires_warning() -> None:
    assert to_fire(crossed(OK, WARNING), {WARNING}) is WARNING


def test_straight_from_ok_to_exceeded_fires_only_exceeded() -> None:
    assert to_fire(crossed(OK, EXCEEDED), {WARNING, EXCEEDED}) is EXCEEDED


def test_rising_again_in_the_same_period_fires_nothing() -> None:
    # Its mark was taken before (by a warning, or an exceeded that passed it): not new.
    assert to_fire(crossed(OK, WARNING), set()) is None


def test_exceeding_after_a_warning_already_sent_fires_exceeded() -> None:
    assert to_fire(crossed(OK, EXCEEDED), {EXCEEDED}) is EXCEEDED


def test_a_write_that_does_not_raise_the_state_fires_nothing() -> None:
    assert to_fire(crossed(WARNING, WARNING), set()) is None
