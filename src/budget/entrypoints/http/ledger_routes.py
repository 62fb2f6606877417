"""Routes and providers of the ledger: accounts, categories, transactions.

Each request gets fresh use cases over a fresh unit of work (see ``dependencies.py``).
"""

from __future__ import annotations

from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from budget.domain.services.accounts import (
    CreateAccount,
    DeleteAccount,
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
from budget.entrypoints.http.dependencies import from_container

LEDGER_CONTROLLERS: list[ControllerRouterHandler] = [
    AccountsController,
    CategoriesController,
    TransactionsController,
]

LEDGER_DEPENDENCIES: dict[str, Provide] = {
    "create_account": from_container(lambda c: CreateAccount(c.uow(), c.clock, c.ids)),
    "get_account": from_container(lambda c: GetAccount(c.read_uow())),
    "list_accounts": from_container(lambda c: ListAccounts(c.read_uow())),
    "update_account": from_container(lambda c: UpdateAccount(c.uow(), c.clock)),
    "delete_account": from_container(lambda c: DeleteAccount(c.uow())),
    "create_category": from_container(lambda c: CreateCategory(c.uow(), c.clock, c.ids)),
    "get_category": from_container(lambda c: GetCategory(c.read_uow())),
    "list_categories": from_container(lambda c: ListCategories(c.read_uow())),
    "update_category": from_container(lambda c: UpdateCategory(c.uow(), c.clock)),
    "delete_category": from_container(lambda c: DeleteCategory(c.uow(), c.clock)),
    "record_transaction": from_container(lambda c: RecordTransaction(c.uow(), c.clock, c.ids)),
    "get_transaction": from_container(lambda c: GetTransaction(c.read_uow())),
    "list_transactions": from_container(lambda c: ListTransactions(c.read_uow(), c.cursor_key)),
    "update_transaction": from_container(lambda c: UpdateTransaction(c.uow(), c.clock)),
    "delete_transaction": from_container(lambda c: DeleteTransaction(c.uow())),
}
