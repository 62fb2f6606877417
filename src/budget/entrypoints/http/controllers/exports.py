"""Exports (contract section 12): the transactions as CSV and a household's JSON backup,
both streamed (``budget.entrypoints.exports``)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from litestar.response import Stream

from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId
from budget.domain.model.ledger_queries import TRANSACTION_SORTS, TransactionFilters
from budget.domain.model.paging import Sort
from budget.domain.services.exports import ExportHousehold, ExportTransactions
from budget.entrypoints.exports import backup_chunks, backup_sections, csv_chunks
from budget.entrypoints.http import sorts
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.controllers.transactions import TransactionSort, transaction_filters
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.schemas.exports import HouseholdBackup

BASE = "/api/v1/exports"

CSV_DESCRIPTION = """\
Every transaction matching the transaction list's filters, in the `sort` order (default
`-date`), of every household you belong to or of `household_id` alone (one you are not a
member of is a 404), streamed as `text/csv` (UTF-8, a header row, RFC 4180 quoting) with
the columns `id,date,type,status,account_id,account,to_account_id,to_account,amount,
to_amount,currency,category_id,category,payee,description,tags,import_id`. `tags` are
joined by `|`; amounts are unsigned as on the wire; a split transaction is one row per part
(the part's amount, category and description). A cell that begins with `=`, `+`, `-` or
`@` and is not a number starts with `'` (no formula injection). The rows are read page by
page while they stream: a transaction written meanwhile may or may not be in the file.
"""

JSON_DESCRIPTION = """\
A full backup of one household (owners only; default: your default household; not a member
is a 404, a member who is not an owner a 403): `{format: "budget-backup", version: 1,
exported_at, household, accounts, categories, transactions, budgets, rules, recurring,
exchange_rates}`, each record exactly as its `GET` answers it. Webhooks and their secrets
are never in a backup. Streamed as `application/json`.
"""

ExportHouseholdParam = Annotated[
    UUID | None,
    Parameter(
        description="Only this household's transactions (default: all of yours); one you are"
        " not a member of is a 404"
    ),
]
BackupHouseholdParam = Annotated[
    UUID | None,
    Parameter(description="The household backed up (default: your default household)"),
]

CSV_RESPONSE = {
    200: ResponseSpec(
        data_container=str,
        media_type="text/csv",
        description="The transactions as CSV (streamed)",
        generate_examples=False,
    )
}
JSON_RESPONSE = {
    200: ResponseSpec(
        data_container=HouseholdBackup,
        media_type="application/json",
        description="The household's backup (streamed)",
        generate_examples=False,
    )
}


class ExportsController(Controller):
    path = BASE
    tags = ["exports"]
    security = SECURED

    @get(
        "/transactions.csv",
        operation_id="exportTransactionsCsv",
        summary="Export transactions as CSV",
        description=CSV_DESCRIPTION,
        media_type="text/csv; charset=utf-8",
        responses={**CSV_RESPONSE, **problems(401, 404, 422)},
        dependencies={"filters": Provide(transaction_filters, sync_to_thread=False)},
    )
    async def export_transactions(
        self,
        caller: NamedDependency[Caller],
        export_transactions: NamedDependency[ExportTransactions],
        filters: NamedDependency[TransactionFilters],
        sort: TransactionSort = sorts.TRANSACTIONS_BY_DEFAULT,
        household_id: ExportHouseholdParam = None,
    ) -> Stream:
        export = await export_transactions.prepare(
            caller,
            filters,
            Sort.parse(sort, TRANSACTION_SORTS),
            None if household_id is None else HouseholdId(household_id),
        )
        return Stream(
            csv_chunks(export, export_transactions.pages(export)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="transactions.csv"'},
        )

    @get(
        "/household.json",
        operation_id="exportHousehold",
        summary="Back up a household as JSON",
        description=JSON_DESCRIPTION,
        media_type="application/json",
        responses={**JSON_RESPONSE, **problems(401, 403, 404, 422)},
    )
    async def export_household(
        self,
        caller: NamedDependency[Caller],
        export_household: NamedDependency[ExportHousehold],
        household_id: BackupHouseholdParam = None,
    ) -> Stream:
        chosen = None if household_id is None else HouseholdId(household_id)
        snapshot = await export_household.execute(caller, chosen)
        household = snapshot.household.id
        sections = backup_sections(snapshot, export_household, household)
        return Stream(
            backup_chunks(snapshot, sections),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="household.json"'},
        )
