"""``budget import FILE --account ID [--format F] [--mapping JSON] [--dry-run]``: import a
bank statement from the command line, with the same use case as ``POST /api/v1/imports``.

The import is made on behalf of ``--as EMAIL`` (an owner or editor of the account's
household), by default the household's oldest owner, who is recorded as its author. On a
terminal a progress bar (``rich``) follows the stages (reading, parsing and checking,
writing); otherwise each stage is one plain line on stderr. The adapters and ``rich`` load
only when the command runs, so the other commands never pay for them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from budget.adapters.changes import Recording
from budget.domain.errors import DomainError, RuleViolationError
from budget.domain.model.household import Caller, Role
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.statement import MAX_FILE_BYTES, CsvMapping, StatementFormat
from budget.domain.services.imports import ImportOutcome, ImportRequest
from budget.entrypoints.http.schemas.changes import wire_renderers
from budget.entrypoints.http.schemas.webhooks import event_data
from budget.settings import Settings, ensure_secret

if TYPE_CHECKING:  # not a Litestar module: its annotations are never resolved at run time
    from budget.entrypoints.container import Container

SUFFIXES = {
    ".csv": StatementFormat.CSV,
    ".ofx": StatementFormat.OFX,
    ".qfx": StatementFormat.OFX,
    ".qif": StatementFormat.QIF,
    ".xml": StatementFormat.CAMT053,
    ".camt": StatementFormat.CAMT053,
}
CHUNK = 256 * 1024


def add_import_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command = commands.add_parser(
        "import",
        help="import a bank statement (CSV, OFX/QFX, QIF, CAMT.053) into an account",
        description=__doc__,
    )
    command.add_argument("file", type=Path, metavar="FILE")
    command.add_argument("--account", required=True, type=UUID, metavar="ID")
    command.add_argument(
        "--format",
        choices=[f.value for f in StatementFormat],
        help="default: from the file's extension (.csv, .ofx/.qfx, .qif, .xml)",
    )
    command.add_argument("--mapping", metavar="JSON", help="CSV only: the column mapping")
    command.add_argument("--dry-run", action="store_true", help="check only, keep nothing")
    command.add_argument("--as", dest="email", metavar="EMAIL", help="import as this member")
    command.set_defaults(handler=import_command)


def import_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        file_format = _format(args.file, args.format)
        mapping = _mapping(args.mapping, file_format)
        with _stages(sys.stderr.isatty()) as stage:
            data = _read(args.file, stage)
            stage("parsing, checking and writing", None)
            outcome = asyncio.run(
                _import(settings, args.email, ImportRequest(
                    AccountId(args.account), file_format, data,
                    file_name=args.file.name, dry_run=args.dry_run, mapping=mapping,
                ))
            )  # fmt: skip
    except RuleViolationError as error:
        for problem in error.problems:
            print(f"error: {problem.field}: {problem.detail}", file=sys.stderr)
        return 1
    except (DomainError, OSError, ValueError) as error:
        print(f"error: {getattr(error, 'detail', error)}", file=sys.stderr)
        return 1
    counts = outcome.counts
    kept = "dry run, nothing kept" if outcome.id is None else f"import {outcome.id}"
    print(
        f"{counts.rows} row(s): {counts.created} created, {counts.duplicates} duplicate(s) ({kept})"
    )
    return 0


def _format(path: Path, chosen: str | None) -> StatementFormat:
    if chosen is not None:
        return StatementFormat(chosen)
    found = SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise ValueError(f"cannot tell the format of {path.name}: pass --format")
    return found


def _mapping(text: str | None, file_format: StatementFormat) -> CsvMapping | None:
    if file_format is not StatementFormat.CSV:
        return None
    if not text:
        raise ValueError('a CSV file needs --mapping \'{"date": ..., "amount": ...}\'')
    raw: Any = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("--mapping must be a JSON object")
    return CsvMapping(**raw)


def _read(path: Path, stage: Any) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{path.name} is over 10 MiB")
    stage(f"reading {path.name}", size)
    chunks = []
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            chunks.append(chunk)
            stage(None, len(chunk))
    return b"".join(chunks)


@contextmanager
def _stages(terminal: bool) -> Iterator[Any]:
    """``stage(name, total)`` starts a stage (``total`` bytes, or None for a spinner);
    ``stage(None, n)`` advances it by ``n``."""
    if not terminal:

        def plain(name: str | None, _amount: int | None) -> None:
            if name is not None:
                print(f"{name} ...", file=sys.stderr)

        yield plain
        return
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TransferSpeedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TransferSpeedColumn(),
    )
    with Progress(*columns, transient=True) as progress:
        task: list[Any] = []

        def bar(name: str | None, amount: int | None) -> None:
            if name is not None:
                if task:
                    progress.update(task[-1], completed=progress.tasks[-1].total or 1)
                task.append(progress.add_task(name, total=amount))
            elif task and amount:
                progress.advance(task[-1], amount)

        yield bar


async def _import(settings: Settings, email: str | None, request: ImportRequest) -> ImportOutcome:
    # Loaded here: the other commands (serve above all) never pay for them.
    from budget.adapters.imports import SqlAlchemyImportUnitOfWork
    from budget.adapters.statements import FileStatementParser
    from budget.domain.services.import_rules import HouseholdRowRules
    from budget.domain.services.imports import ImportStatement
    from budget.entrypoints.container import build_container

    container = build_container(ensure_secret(settings))
    try:
        caller = await _caller(container, request.account_id, email)
        uow = SqlAlchemyImportUnitOfWork(
            container.engine,
            writers=container.writers,
            scope=caller.visible(),
            recording=container.recording or Recording(wire_renderers()),
            event_data=event_data,
        )
        use_case = ImportStatement(
            uow, container.clock, container.ids, FileStatementParser(), HouseholdRowRules()
        )
        return await use_case.execute(caller, request)
    finally:
        await container.engine.dispose()


async def _caller(container: Container, account_id: AccountId, email: str | None) -> Caller:
    from sqlalchemy import select

    from budget.adapters.database import ALL_HOUSEHOLDS, restrict
    from budget.adapters.tables import AccountRow

    async with container.engine.connect() as connection:
        await restrict(connection, ALL_HOUSEHOLDS)
        found = await connection.execute(
            select(AccountRow.household_id).where(AccountRow.id == account_id)
        )
        household = found.scalar()
        await connection.rollback()
    if household is None:
        raise RuleViolationError.on("account", "no such account")
    async with container.uow(ALL_HOUSEHOLDS) as uow:
        if email is not None:
            user = await uow.users.get_by_email(email.strip().lower())
            user_id = None if user is None else user.id
        else:
            owners = [
                m for m in await uow.households.members(HouseholdId(household))
                if m.role is Role.OWNER
            ]  # fmt: skip
            user_id = owners[0].user_id if owners else None
        caller = None if user_id is None else await uow.users.get_caller(user_id)
    if caller is None:
        raise RuleViolationError.on("as", "no such user")
    return caller
