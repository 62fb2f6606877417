"""When a budget's warning and exceeded events fire (contract section 15).

Each fires at most once per budget period, when a transaction write moves the state of the
period containing today up to it. Going straight from ``ok`` to ``exceeded`` fires only
``exceeded``, and counts as having passed ``warning``; falling back and rising again in the
same period fires nothing new. Which states a period has passed is kept as marks (one per
budget, period and state, unique in storage, so concurrent writers crossing the line
together fire once).
"""

from __future__ import annotations

from budget.domain.model.budget_rules import BudgetState

_RANK = {BudgetState.OK: 0, BudgetState.WARNING: 1, BudgetState.EXCEEDED: 2}
ALERT_STATES = (BudgetState.WARNING, BudgetState.EXCEEDED)


def crossed(before: BudgetState, after: BudgetState) -> tuple[BudgetState, ...]:
    """The alert states a write moving the period from ``before`` to ``after`` passes,
    lowest first: the marks to take. Only the last one may fire, and only if its mark is
    new (see ``to_fire``). Nothing when the state did not rise."""
    if _RANK[after] <= _RANK[before]:
        return ()
    return tuple(state for state in ALERT_STATES if _RANK[before] < _RANK[state] <= _RANK[after])


def to_fire(passed: tuple[BudgetState, ...], newly_marked: set[BudgetState]) -> BudgetState | None:
    """The event to send: the highest state passed, when this write took its mark first."""
    if not passed or passed[-1] not in newly_marked:
        return None
    return passed[-1]
