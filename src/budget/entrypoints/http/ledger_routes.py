"""Routes and providers of the ledger: accounts, categories, transactions.

Each request gets fresh use cases over a fresh unit of work (see ``dependencies.py``).
"""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from budget.domain.services.accounts import (
    CreateAccount,
    DeleteLedgerAccount,
    GetAccount,
    ListAccounts,
    UpdateAccount,
)
from budget.domain.services.categories import (
    CreateCategory,
    DeleteCategory,
    GetCategory,
    ListCategories,
    UpdateCategory,
)
from budget.domain.services.transactions import (
    DeleteTransaction,
    GetTransaction,
    ListTransactions,
    RecordTransaction,
    UpdateTransaction,
)
from budget.entrypoints.http.controllers.accounts import AccountsController
from budget.entrypoints.http.controllers.categories import CategoriesController
from budget.entrypoints.http.controllers.transactions import TransactionsController
from budget.entrypoints.http.dependencies import container_of, provide


def _create_account(state: State) -> CreateAccount:
    c = container_of(state)
    return CreateAccount(c.uow(), c.clock, c.ids)


def _get_account(state: State) -> GetAccount:
    return GetAccount(container_of(state).read_uow())


def _list_accounts(state: State) -> ListAccounts:
    return ListAccounts(container_of(state).read_uow())


def _update_account(state: State) -> UpdateAccount:
    c = container_of(state)
    return UpdateAccount(c.uow(), c.clock)


def _delete_ledger_account(state: State) -> DeleteLedgerAccount:
    return DeleteLedgerAccount(container_of(state).uow())


def _create_category(state: State) -> CreateCategory:
    c = container_of(state)
    return CreateCategory(c.uow(), c.clock, c.ids)


def _get_category(state: State) -> GetCategory:
    return GetCategory(container_of(state).read_uow())


def _list_categories(state: State) -> ListCategories:
    return ListCategories(container_of(state).read_uow())


def _update_category(state: State) -> UpdateCategory:
    c = container_of(state)
    return UpdateCategory(c.uow(), c.clock)


def _delete_category(state: State) -> DeleteCategory:
    c = container_of(state)
    return DeleteCategory(c.uow(), c.clock)


def _record_transaction(state: State) -> RecordTransaction:
    c = container_of(state)
    return RecordTransaction(c.uow(), c.clock, c.ids)


def _get_transaction(state: State) -> GetTransaction:
    return GetTransaction(container_of(state).read_uow())


def _list_transactions(state: State) -> ListTransactions:
    c = container_of(state)
    return ListTransactions(c.read_uow(), c.cursor_key)


def _update_transaction(state: State) -> UpdateTransaction:
    c = container_of(state)
    return UpdateTransaction(c.uow(), c.clock)


def _delete_transaction(state: State) -> DeleteTransaction:
    return DeleteTransaction(container_of(state).uow())


LEDGER_CONTROLLERS: list[ControllerRouterHandler] = [
    AccountsController,
    CategoriesController,
    TransactionsController,
]

LEDGER_DEPENDENCIES: dict[str, Provide] = {
    "create_account": provide(_create_account),
    "get_account": provide(_get_account),
    "list_accounts": provide(_list_accounts),
    "update_account": provide(_update_account),
    "delete_ledger_account": provide(_delete_ledger_account),
    "create_category": provide(_create_category),
    "get_category": provide(_get_category),
    "list_categories": provide(_list_categories),
    "update_category": provide(_update_category),
    "delete_category": provide(_delete_category),
    "record_transaction": provide(_record_transaction),
    "get_transaction": provide(_get_transaction),
    "list_transactions": provide(_list_transactions),
    "update_transaction": provide(_update_transaction),
    "delete_transaction": provide(_delete_transaction),
}
