"""Routes and providers of budgets.

Each request gets fresh use cases over a fresh unit of work; status and history also get
a spending reader with its own sessions (see ``SqlAlchemyBudgetSpendingReader``).
"""

from __future__ import annotations

from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from budget.adapters.budgets import SqlAlchemyBudgetSpendingReader
from budget.domain.services.budgets import (
    CreateBudget,
    DeleteBudget,
    GetBudget,
    GetBudgetHistory,
    GetBudgetStatus,
    ListBudgets,
    ListBudgetStatuses,
    UpdateBudget,
)
from budget.entrypoints.container import Container
from budget.entrypoints.http.controllers.budgets import BudgetsController
from budget.entrypoints.http.dependencies import from_container


def _spending(c: Container) -> SqlAlchemyBudgetSpendingReader:
    return SqlAlchemyBudgetSpendingReader(c.read_sessions)


BUDGET_CONTROLLERS: list[ControllerRouterHandler] = [BudgetsController]
BUDGET_DEPENDENCIES: dict[str, Provide] = {
    "create_budget": from_container(lambda c: CreateBudget(c.uow(), c.clock, c.ids)),
    "get_budget": from_container(lambda c: GetBudget(c.read_uow())),
    "list_budgets": from_container(lambda c: ListBudgets(c.read_uow())),
    "update_budget": from_container(lambda c: UpdateBudget(c.uow(), c.clock)),
    "delete_budget": from_container(lambda c: DeleteBudget(c.uow())),
    "get_budget_status": from_container(
        lambda c: GetBudgetStatus(c.read_uow(), _spending(c), c.clock)
    ),
    "list_budget_statuses": from_container(
        lambda c: ListBudgetStatuses(c.read_uow(), _spending(c), c.clock)
    ),
    "get_budget_history": from_container(
        lambda c: GetBudgetHistory(c.read_uow(), _spending(c), c.clock)
    ),
}
