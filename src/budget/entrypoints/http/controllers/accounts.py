"""The signed-in user's accounts."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from budget.domain.model.account import AccountType
from budget.domain.model.household import Caller
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.ledger_queries import ACCOUNT_SORTS, AccountFilters
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.services.accounts import (
    CreateAccount,
    DeleteAccount,
    GetAccount,
    ListAccounts,
    UpdateAccount,
)
from budget.domain.services.reconciliation import ReconcileAccount
from budget.entrypoints.http import sorts
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import (
    ArchivedFilter,
    CurrencyFilter,
    HouseholdFilter,
    Limit,
    Offset,
    sort_parameter,
)
from budget.entrypoints.http.problems import StatementMismatchProblem, problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.accounts import (
    AccountCreate,
    AccountPage,
    AccountRead,
    AccountUpdate,
    ReconcileBody,
    ReconciliationRead,
)
from budget.entrypoints.http.schemas.paging import Page

BASE = "/api/v1/accounts"

LIST_DESCRIPTION = """\
Your accounts, paged with `limit` and `offset`.

* Filters: `archived` (`true` or `false`; absent lists both), `type`, `currency`.
* Sort: `name` (default), `created_at` or `balance`; prefix `-` to reverse. Ties break on
  `id`, so pages never overlap or skip. `balance` compares minor units, so only accounts of
  one currency compare meaningfully.
"""

CREATE_DESCRIPTION = """\
Open an account. Its `balance` and `cleared_balance` start at `opening_balance` (default
`"0"`, may be negative). The name must be unique among your unarchived accounts (else 409); the
currency is fixed for the account's life. Answers 201 with `Location`.
"""

UPDATE_DESCRIPTION = """\
Change the sent fields only. `currency` cannot change: sending another one is a 422,
sending the same one is accepted. A new `opening_balance` moves `balance` and
`cleared_balance` by the difference. `balance`, `cleared_balance` and `last_reconciled_on`
are read-only (sending one is a 422). Unarchiving (or renaming) to a name another
unarchived account has is a 409.
"""

DELETE_DESCRIPTION = """\
Delete an account that no transaction refers to (either side of a transfer). An account
with transactions answers 409: archive it instead (`PATCH {"archived": true}`).
"""

RECONCILE_DESCRIPTION = """\
Check the account against a bank statement (editors and owners). The cleared balance as
of `statement_date` (`opening_balance` plus the effects of `cleared` and `reconciled`
transactions dated on or before it, either side of a transfer) is compared with
`statement_balance`:

* Equal: every `cleared` transaction of the account dated on or before `statement_date`
  becomes `reconciled` (locked), `last_reconciled_on` becomes `statement_date` unless it is
  already later (it never moves back), and the answer is 200 with `difference` zero
  (`"0.00"` in a two-decimal currency), `reconciled_count` the number of transactions this
  call moved to `reconciled` and `adjustment_transaction_id` null.
* Different, `adjust` false or absent: 409 with the problem's `difference` member
  (`statement_balance - cleared_balance`), and nothing changes.
* Different, `adjust: true`: one uncategorised income (a positive difference) or expense
  (a negative one) of the difference's absolute value, dated `statement_date`, payee
  `"Reconciliation adjustment"`, status `reconciled`, is recorded, then as when equal;
  `adjustment_transaction_id` names it, while `cleared_balance` and `difference` are the
  figures before it and `reconciled_count` does not count it.

A `statement_date` after today (UTC) is a 422 on `statement_date`; a `statement_balance`
that is not an amount of the account's currency is a 422 on `statement_balance`. A date
before `last_reconciled_on` is allowed. Money is printed in the account's currency.
"""

AccountSort = Annotated[
    sorts.AccountSort,
    sort_parameter("name, created_at or balance; prefix - to reverse (default name)"),
]
TypeFilter = Annotated[AccountType | None, Parameter(description="Account type")]


LOCATION = location_header("account", f"{BASE}/{{id}}")


class AccountsController(Controller):
    path = BASE
    tags = ["accounts"]
    security = SECURED

    @get(
        operation_id="listAccounts",
        summary="List accounts",
        description=LIST_DESCRIPTION,
        responses=problems(401, 422),
    )
    async def list_accounts(
        self,
        caller: NamedDependency[Caller],
        list_accounts: NamedDependency[ListAccounts],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: AccountSort = sorts.ACCOUNTS_BY_DEFAULT,
        archived: ArchivedFilter = None,
        type: TypeFilter = None,
        currency: CurrencyFilter = None,
        household_id: HouseholdFilter = None,
    ) -> AccountPage:
        filters = AccountFilters(archived, type, currency)
        request = PageRequest(limit, offset)
        page = await list_accounts.execute(
            caller,
            filters,
            request,
            Sort.parse(sort, ACCOUNT_SORTS),
            household_id=None if household_id is None else HouseholdId(household_id),
        )
        return Page.of(page, AccountRead.of)

    @post(
        operation_id="createAccount",
        response_headers=LOCATION,
        summary="Open an account",
        description=CREATE_DESCRIPTION,
        responses=problems(400, 401, 403, 409, 413, 422),
    )
    async def create_account(
        self,
        data: JSONBody[AccountCreate],
        caller: NamedDependency[Caller],
        create_account: NamedDependency[CreateAccount],
    ) -> Response[AccountRead]:
        account = await create_account.execute(caller, data.draft())
        return created(AccountRead.of(account), f"{BASE}/{account.id}")

    @get(
        "/{account_id:uuid}",
        operation_id="getAccount",
        summary="Get an account with its balance",
        responses=problems(401, 404),
    )
    async def get_account(
        self,
        account_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_account: NamedDependency[GetAccount],
    ) -> AccountRead:
        return AccountRead.of(await get_account.execute(caller, AccountId(account_id)))

    @patch(
        "/{account_id:uuid}",
        operation_id="updateAccount",
        summary="Change an account",
        description=UPDATE_DESCRIPTION,
        responses=problems(400, 401, 403, 404, 409, 413, 422),
    )
    async def update_account(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[AccountUpdate],
        caller: NamedDependency[Caller],
        update_account: NamedDependency[UpdateAccount],
    ) -> AccountRead:
        account = await update_account.execute(caller, AccountId(account_id), data.changes())
        return AccountRead.of(account)

    @delete(
        "/{account_id:uuid}",
        operation_id="deleteAccount",
        summary="Delete an account without transactions",
        description=DELETE_DESCRIPTION,
        responses=problems(401, 403, 404, 409),
    )
    async def delete_user(
        self,
        account_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        delete_account: NamedDependency[DeleteAccount],
    ) -> None:
        await delete_account.execute(caller, AccountId(account_id))

    @post(
        "/{account_id:uuid}/reconcile",
        operation_id="reconcileAccount",
        summary="Reconcile an account with a bank statement",
        description=RECONCILE_DESCRIPTION,
        status_code=200,
        responses=problems(
            400,
            401,
            403,
            404,
            413,
            422,
            described={
                409: "The statement differs from the cleared balance (see `difference`); or, "
                "rarely, a concurrent change got in the way: nothing was written, retry"
            },
            shapes={409: StatementMismatchProblem},
        ),
    )
    async def reconcile_account(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[ReconcileBody],
        caller: NamedDependency[Caller],
        reconcile_account: NamedDependency[ReconcileAccount],
    ) -> ReconciliationRead:
        done = await reconcile_account.execute(
            caller,
            AccountId(account_id),
            data.statement_date,
            data.statement_balance,
            adjust=data.adjust,
        )
        return ReconciliationRead.of(done)
