"""Routes and providers of budgets.

Each request gets fresh use cases over a fresh unit of work; status and history also get
a spending reader with its own sessions (see ``SqlAlchemyBudgetSpendingReader``).
"""

from __future__ import annotations

from litestar.datastructures import State
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
from budget.entrypoints.http.dependencies import container_of, provide


def _spending(c: Container) -> SqlAlchemyBudgetSpendingReader:
    return SqlAlchemyBudgetSpendingReader(c.read_sessions)


def _create_budget(state: State) -> CreateBudget:
    c = container_of(state)
    return CreateBudget(c.uow(), c.clock, c.ids)


def _get_budget(state: State) -> GetBudget:
    return GetBudget(container_of(state).read_uow())


def _list_budgets(state: State) -> ListBudgets:
    return ListBudgets(container_of(state).read_uow())


def _update_budget(state: State) -> UpdateBudget:
    c = container_of(state)
    return UpdateBudget(c.uow(), c.clock)


def _delete_budget(state: State) -> DeleteBudget:
    return DeleteBudget(container_of(state).uow())


def _get_budget_status(state: State) -> GetBudgetStatus:
    c = container_of(state)
    return GetBudgetStatus(c.read_uow(), _spending(c), c.clock)


def _list_budget_statuses(state: State) -> ListBudgetStatuses:
    c = container_of(state)
    return ListBudgetStatuses(c.read_uow(), _spending(c), c.clock)


def _get_budget_history(state: State) -> GetBudgetHistory:
    c = container_of(state)
    return GetBudgetHistory(c.read_uow(), _spending(c), c.clock)


BUDGET_CONTROLLERS: list[ControllerRouterHandler] = [BudgetsController]
BUDGET_DEPENDENCIES: dict[str, Provide] = {
    "create_budget": provide(_create_budget),
    "get_budget": provide(_get_budget),
    "list_budgets": provide(_list_budgets),
    "update_budget": provide(_update_budget),
    "delete_budget": provide(_delete_budget),
    "get_budget_status": provide(_get_budget_status),
    "list_budget_statuses": provide(_list_budget_statuses),
    "get_budget_history": provide(_get_budget_history),
}
