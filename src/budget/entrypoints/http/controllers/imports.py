"""Statement imports: import a file into an account, list, read and undo imports."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body, FromPath

from budget.domain.model.household import Caller
from budget.domain.model.ids import HouseholdId
from budget.domain.model.paging import PageRequest, Sort
from budget.domain.model.statement import MAX_FILE_BYTES
from budget.domain.services.imports import GetImport, ImportStatement, ListImports, UndoImport
from budget.domain.services.restore import RestoreBackup
from budget.entrypoints.http.auth import SECURED
from budget.entrypoints.http.params import HouseholdFilter, Limit, Offset, sort_parameter
from budget.entrypoints.http.problems import problems
from budget.entrypoints.http.responses import created, location_header
from budget.entrypoints.http.schemas.imports import (
    IMPORT_SORTS,
    IMPORTS_BY_DEFAULT,
    ImportForm,
    ImportPage,
    ImportRead,
    ImportResult,
    ImportSort,
    file_name,
)
from budget.entrypoints.http.schemas.paging import Page

BASE = "/api/v1/imports"
MAX_IMPORT_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024
"""The body of an import: the file (at most 10 MiB) and the form's other fields. This
route alone lifts the app's 1 MiB limit; Litestar refuses a larger ``Content-Length`` (or
a longer streamed body) with 413 before reading it all."""

CREATE_DESCRIPTION = """\
Import a bank statement (`multipart/form-data`) into an account (editors): `file` (at most
10 MiB, else 413), `format` (`csv`, `ofx` for OFX 1.x SGML, 2.x XML and QFX, `qif`,
`camt053`), `account_id`, `dry_run` (`true`/`false`), and for CSV `mapping` (a JSON object,
see the field). Text is read as UTF-8 (with or without BOM), else the file's declared
charset, else Windows-1252.

Positive amounts become income, negative ones expenses; every row gets an `import_id` (the
file's own id, else `<date>:<signed minor units>:<n>`); a row whose `import_id` the account
already has, or an earlier row of the file has, is a duplicate and is skipped. All or
nothing: any invalid row (a zero amount, another currency than the account's, a bad date
or amount) → 422 with one `errors[]` entry per row, pointer `#/rows/<n>` (CSV and QIF: the
1-based line where the row starts, header included; OFX and CAMT: the entry number). A file
that cannot be read as its format → 422 `#/file`. Answers 201 with the import and the
transactions it created, or 200 with `status: dry_run`, `id: null` and nothing kept.

`format=budget-backup` restores a household backup (`GET /exports/household.json`) into the
household `household_id` (default: yours), which must be empty (no accounts, budgets,
rules or recurring transactions; else 409): its default categories are replaced by the
backup's, every record gets a new id with its references remapped, and balances, budgets
and reports come out as in the source. `account_id` is null and `counts.created` is the
number of transactions restored; undoing it deletes them.
"""

DELETE_DESCRIPTION = """\
Undo an import (editors): every transaction it created that still exists is deleted and
the balances and totals move back; the import is gone (404 afterwards). If one of those
transactions is `reconciled` → 409 and nothing changes.
"""

LOCATION = location_header("import", f"{BASE}/{{id}}")
SortParameter = Annotated[
    ImportSort, sort_parameter("created_at; prefix - to reverse (default -created_at)")
]


class ImportsController(Controller):
    path = BASE
    tags = ["imports"]
    security = SECURED

    @post(
        operation_id="createImport",
        response_headers=LOCATION,
        summary="Import a bank statement",
        description=CREATE_DESCRIPTION,
        request_max_body_size=MAX_IMPORT_BODY_BYTES,
        responses=problems(
            400,
            401,
            403,
            413,
            422,
            described={413: "The file is over 10 MiB"},
        ),
        status_code=201,
    )
    async def create_import(
        self,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        caller: NamedDependency[Caller],
        import_statement: NamedDependency[ImportStatement],
        restore_backup: NamedDependency[RestoreBackup],
    ) -> Response[ImportResult]:
        content = await data.file.read(MAX_FILE_BYTES + 1)
        if len(content) > MAX_FILE_BYTES:
            raise HTTPException(status_code=413, detail="The file is over 10 MiB.")
        if data.is_backup:
            household_id, dry_run = data.restore()
            outcome = await restore_backup.execute(
                caller, household_id, content, file_name=file_name(data.file), dry_run=dry_run
            )
        else:
            outcome = await import_statement.execute(caller, data.request(content))
        if outcome.id is None:
            return Response(ImportResult.of(outcome), status_code=200)
        return created(ImportResult.of(outcome), f"{BASE}/{outcome.id}")

    @get(
        operation_id="listImports",
        summary="List imports",
        description="The imports of your households, newest first by default; sort "
        "`created_at` or `-created_at`; `household_id` narrows to one household.",
        responses=problems(401, 422),
    )
    async def list_imports(
        self,
        caller: NamedDependency[Caller],
        list_imports: NamedDependency[ListImports],
        limit: Limit = 50,
        offset: Offset = 0,
        sort: SortParameter = IMPORTS_BY_DEFAULT,
        household_id: HouseholdFilter = None,
    ) -> ImportPage:
        page = await list_imports.execute(
            caller,
            PageRequest(limit, offset),
            Sort.parse(sort, IMPORT_SORTS),
            household_id=None if household_id is None else HouseholdId(household_id),
        )
        return Page.of(page, ImportRead.of)

    @get(
        "/{import_id:uuid}",
        operation_id="getImport",
        summary="Get an import",
        responses=problems(401, 404),
    )
    async def get_import(
        self,
        import_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        get_import: NamedDependency[GetImport],
    ) -> ImportRead:
        return ImportRead.of(await get_import.execute(caller, import_id))

    @delete(
        "/{import_id:uuid}",
        operation_id="deleteImport",
        summary="Undo an import",
        description=DELETE_DESCRIPTION,
        responses=problems(401, 403, 404, 409),
    )
    async def delete_import(
        self,
        import_id: FromPath[UUID],
        caller: NamedDependency[Caller],
        undo_import: NamedDependency[UndoImport],
    ) -> None:
        await undo_import.execute(caller, import_id)
