"""The signed-in user's transactions: income, expenses and transfers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, Parameter

from budget.domain.model.cursor import MAX_CURSOR_LENGTH
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.ledger_queries import (
    TRANSACTION_SORTS,
    TransactionFilters,
    TransactionPaging,
    parse_amount_bound,
)
from budget.domain.model.paging import MAX_OFFSET, Sort
from budget.domain.model.transaction import (
    MAX_DESCRIPTION_LENGTH,
    MAX_TAG_LENGTH,
    TransactionType,
)
from budget.domain.services.transactions import (
    DeleteTransaction,
    GetTransaction,
    ListTransactions,
    RecordTransaction,
    UpdateTransaction,
)
from budget.entrypoints.http import sorts
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import HouseholdFilter, Limit, sort_parameter
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.common import MONEY_PATTERN, NO_NUL_PATTERN
from budget.entrypoints.http.schemas.transactions import (
    TransactionCreate,
    TransactionPage,
    TransactionRead,
    TransactionUpdate,
)

BASE = "/api/v1/transactions"

LIST_DESCRIPTION = """\
Your transactions, paged by `offset` or by `cursor`.

* Filters, all combinable: `account_id` (either side of a transfer), `category_id` (a
  split transaction matches when any part is in the category),
  `uncategorized=true` (income and expenses with neither a category nor splits, or with
  an uncategorised part; never transfers),
  `type`, `date_from` and `date_to` (inclusive), `min_amount` and `max_amount`
  (inclusive, decimal strings compared with `amount` in each transaction's currency),
  `q` (case-insensitive substring of description or payee), `tag` (an exact tag).
* Sort: `date` (default `-date`), `amount` or `created_at`; prefix `-` to reverse. Ties
  break on `id`, so pages never overlap or skip. `amount` compares minor units.
* Offset paging: `limit` (1-500, default 50) and `offset` (default 0) answer `total` and
  `offset` as usual.
* Keyset paging: pass the previous page's `next_cursor` as `cursor`, with the same `sort`
  and filters (and any `limit`). It cannot be combined with `offset`. A malformed or forged
  cursor, another user's, or one reused with a different `sort` or filters is a 422 with
  pointer `cursor`. Cursor pages answer `total: null` and `offset: null`.
* Every page answers `next_cursor`, null on the last page, so a client may start with an
  offset page and continue by cursor.
"""

CREATE_DESCRIPTION = """\
Record income, an expense or a transfer; the affected balances move in the same database
transaction. `account_id` (and for a transfer `to_account_id`, which must differ) must be
your accounts, `category_id` your category of the matching kind (income or expense
only), else 422 with a pointer to the field. `to_amount` is required across currencies
and otherwise equals `amount`. `currency` and `recurring_id` are read-only. Answers 201
with `Location`.

* `splits`: absent or `[]` for none; else 2-50 parts `{category_id?, amount,
  description?}` of an income or expense whose amounts add up exactly to `amount` (422 on
  `splits`), each category of the transaction's household and kind (422 on
  `splits/<index>/category_id`). A transfer cannot be split (422 on `splits`); a split
  transaction has no `category_id` of its own (422 on `category_id`).
* `status`: `uncleared` (default), `cleared` or `reconciled`; a transfer's status is
  shared by both sides. Cleared and reconciled transactions count in the accounts'
  `cleared_balance`.
* `import_id`: 1-100 characters, unique among the live transactions of `account_id` (the
  source of a transfer): a second one there is a 409. Deleting a transaction frees it.
"""

UPDATE_DESCRIPTION = """\
Change the sent fields only; balances move by the difference between the old and the new
effect, in one database transaction. `null` clears `to_account_id`, `to_amount` or
`category_id`. Leaving `transfer` drops `to_account_id` and `to_amount`; becoming a
transfer drops the category (send `to_account_id`). A category that does not fit a new
type must be replaced or cleared in the same request. Moving to an account in another
currency requires `amount` again. Across currencies `to_amount` is kept unless sent; in
one currency it follows `amount`.

* `splits` replaces every part (`[]` removes them). Non-empty `splits` sent without
  `category_id` clears the category; a non-null `category_id` on a split transaction needs
  `splits: []` in the same request (else 422 on `category_id`). Changing the `amount` of a
  split transaction requires new `splits` (else 422 on `splits`); it becomes a transfer
  only with `splits: []` (else 422 on `splits`); kept parts must fit a new type (else 422
  on `splits/<index>/category_id`).
* `import_id` cannot change: only its current value (null when it has none) is accepted,
  anything else is a 422 on `import_id`.
* A `reconciled` transaction is locked: a change of `type`, `amount`, `to_amount`,
  `date`, `account_id`, `to_account_id` or `splits` is a 409 (sending the current value is
  not a change); `category_id`, `payee`, `description`, `tags` and `status` may change.
  Moving `status` back to `cleared` or `uncleared` unlocks it from the next request on;
  moving it back and changing a locked field in the same request is a 409.
"""

DELETE_DESCRIPTION = """\
Delete a transaction and take its effect off the balances; its `import_id` is free again.
A `reconciled` transaction cannot be deleted (409): move its `status` back first.
"""

RETRY = " (or, rarely, a concurrent change got in the way: nothing was written, retry)"
CONFLICTS = {
    "create": "`import_id` is already taken by a live transaction of the account" + RETRY,
    "update": "The transaction is reconciled and a locked field would change" + RETRY,
    "delete": "The transaction is reconciled" + RETRY,
}

TransactionSort = Annotated[
    sorts.TransactionSort,
    sort_parameter("date, amount or created_at; prefix - to reverse (default -date)"),
]
AmountBound = Annotated[
    str | None,
    Parameter(
        pattern=MONEY_PATTERN,
        description="Inclusive bound on amount, a plain decimal string such as 12.50",
    ),
]


def transaction_filters(
    account_id: Annotated[
        UUID | None, Parameter(description="Either side of a transfer counts")
    ] = None,
    category_id: Annotated[UUID | None, Parameter(description="One category")] = None,
    uncategorized: Annotated[
        bool, Parameter(description="true: income and expenses without a category")
    ] = False,
    type: Annotated[
        TransactionType | None, Parameter(description="income, expense or transfer")
    ] = None,
    date_from: Annotated[dt.date | None, Parameter(description="Inclusive")] = None,
    date_to: Annotated[dt.date | None, Parameter(description="Inclusive")] = None,
    min_amount: AmountBound = None,
    max_amount: AmountBound = None,
    q: Annotated[
        str | None,
        Parameter(
            pattern=NO_NUL_PATTERN,
            max_length=MAX_DESCRIPTION_LENGTH,
            description="Case-insensitive substring of description or payee",
        ),
    ] = None,
    tag: Annotated[
        str | None,
        Parameter(
            pattern=NO_NUL_PATTERN,
            min_length=1,
            max_length=MAX_TAG_LENGTH,
            description="An exact tag",
        ),
    ] = None,
) -> TransactionFilters:
    return TransactionFilters(
        account_id=None if account_id is None else AccountId(account_id),
        category_id=None if category_id is None else CategoryId(category_id),
        uncategorized=uncategorized,
        type=type,
        date_from=date_from,
        date_to=date_to,
        min_amount=None if min_amount is None else parse_amount_bound(min_amount, "min_amount"),
        max_amount=None if max_amount is None else parse_amount_bound(max_amount, "max_amount"),
        q=q,
        tag=tag,
    )


def transaction_paging(
    limit: Limit = 50,
    offset: Annotated[
        int | None,
        Parameter(
            ge=0,
            le=MAX_OFFSET,
            description=f"Items to skip (0-{MAX_OFFSET}; not with cursor)",
            # Litestar drops a falsy bound from an optional parameter's schema.
            schema_extra={"minimum": 0},
        ),
    ] = None,
    cursor: Annotated[
        str | None,
        Parameter(
            pattern=NO_NUL_PATTERN,
            max_length=MAX_CURSOR_LENGTH,
            description="The previous page's next_cursor (not with offset)",
        ),
    ] = None,
) -> TransactionPaging:
    return TransactionPaging(limit, offset, cursor)


LOCATION = location_header("transaction", f"{BASE}/{{id}}")


class TransactionsController(Controller):
    path = BASE
    tags = ["transactions"]
    security = SECURED

    @get(
        operation_id="listTransactions",
        summary="List transactions (offset or cursor paging)",
        description=LIST_DESCRIPTION,
        responses=problems(401, 422),
        dependencies={
            "filters": Provide(transaction_filters, sync_to_thread=False),
            "paging": Provide(transaction_paging, sync_to_thread=False),
        },
    )
    async def list_transactions(
        self,
        caller: NamedDependency[Caller],
        list_transactions: NamedDependency[ListTransactions],
        filters: NamedDependency[TransactionFilters],
        paging: NamedDependency[TransactionPaging],
        sort: TransactionSort = sorts.TRANSACTIONS_BY_DEFAULT,
        household_id: HouseholdFilter = None,
    ) -> TransactionPage:
        order = Sort.parse(sort, TRANSACTION_SORTS)
        household = None if household_id is None else HouseholdId(household_id)
        page = await list_transactions.execute(caller, filters, order, paging, household)
        return TransactionPage.of(page)

    @post(
        operation_id="createTransaction",
        response_headers=LOCATION,
        summary="Record a transaction",
        description=CREATE_DESCRIPTION,
        responses=problems(400, 401, 403, 413, 422, described={409: CONFLICTS["create"]}),
    )
    async def create_transaction(
        self,
        data: JSONBody[TransactionCreate],
        caller: NamedDependency[Caller],
        record_transaction: NamedDependency[RecordTransaction],
    ) -> Response[TransactionRead]:
        txn = await record_transaction.execute(caller, data.draft())
        return created(TransactionRead.of(txn), f"{BASE}/{txn.id}")

    @get(
        "/{transaction_id:uuid}",
        operation_id="getTransaction",
        summary="Get a transaction",
        responses=problems(401, 404),
    )
    async def get_transaction(
        self,
        transaction_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_transaction: NamedDependency[GetTransaction],
    ) -> TransactionRead:
        txn = await get_transaction.execute(caller, TransactionId(transaction_id))
        return TransactionRead.of(txn)

    @patch(
        "/{transaction_id:uuid}",
        operation_id="updateTransaction",
        summary="Change a transaction",
        description=UPDATE_DESCRIPTION,
        responses=problems(400, 401, 403, 404, 413, 422, described={409: CONFLICTS["update"]}),
    )
    async def update_transaction(
        self,
        transaction_id: FromPath[UUID],
        data: JSONBody[TransactionUpdate],
        caller: NamedDependency[Caller],
        update_transaction: NamedDependency[UpdateTransaction],
    ) -> TransactionRead:
        changes = data.changes()
        txn = await update_transaction.execute(caller, TransactionId(transaction_id), changes)
        return TransactionRead.of(txn)

    @delete(
        "/{transaction_id:uuid}",
        operation_id="deleteTransaction",
        summary="Delete a transaction",
        description=DELETE_DESCRIPTION,
        responses=problems(401, 403, 404, described={409: CONFLICTS["delete"]}),
    )
    async def delete_transaction(
        self,
        transaction_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        delete_transaction: NamedDependency[DeleteTransaction],
    ) -> None:
        await delete_transaction.execute(caller, TransactionId(transaction_id))
