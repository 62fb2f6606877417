"""``budget export --household ID [--format csv|json] [-o FILE]``: the operator's export of one
household, straight from the database (no token: whoever runs the command has the
database), in the exact formats of the HTTP exports (``budget.entrypoints.exports``).

A progress bar (rich) goes to stderr when stderr is a terminal; otherwise one plain line per
page of transactions, so logs and pipes stay readable. The file (or stdout, for ``-`` and no
``-o``) receives the export alone.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from budget.adapters.database import create_engine
from budget.adapters.exchange_rates import SqlAlchemyRatesUnitOfWork
from budget.adapters.system import SystemClock
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.errors import NotFoundError
from budget.domain.model.ids import HouseholdId
from budget.domain.model.ledger_queries import (
    DEFAULT_TRANSACTION_SORT,
    TRANSACTION_SORTS,
    TransactionFilters,
)
from budget.domain.model.paging import Sort
from budget.domain.services.exports import ExportHousehold, ExportTransactions
from budget.entrypoints.exports import backup_chunks, backup_sections, csv_chunks
from budget.settings import Settings


def add_export(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the ``export`` command."""
    export = commands.add_parser(
        "export",
        help="export a household's transactions (CSV) or a full backup (JSON)",
        description=(
            "Export one household straight from the database: its transactions as CSV "
            "(the columns of GET /api/v1/exports/transactions.csv, newest first) or its full "
            "backup as JSON (GET /api/v1/exports/household.json). A progress bar goes to "
            "stderr on a terminal, plain lines otherwise."
        ),
    )
    export.add_argument("--household", required=True, type=UUID, help="the household's id")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("-o", "--output", default="-", help="the file to write (default stdout)")
    export.set_defaults(handler=export_command)


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        count = asyncio.run(
            _export(settings, HouseholdId(args.household), args.format, args.output)
        )
    except NotFoundError:
        print(f"no household {args.household}", file=sys.stderr)
        return 1
    print(f"exported {count} transaction(s)", file=sys.stderr)
    return 0


async def _export(settings: Settings, household: HouseholdId, kind: str, output: str) -> int:
    engine = create_engine(settings.database_url)
    try:
        uow = SqlAlchemyUnitOfWork(engine, read_only=True, scope=(household,))
        rates = SqlAlchemyRatesUnitOfWork(engine, read_only=True, scope=(household,))
        backup = ExportHousehold(uow, SystemClock(), rates)
        snapshot = await backup.snapshot(household)
        reporter = _Reporter(snapshot.transaction_count)
        if kind == "json":
            sections = backup_sections(snapshot, backup, household)
            chunks = backup_chunks(snapshot, sections, reporter.section_progress)
        else:
            transactions = ExportTransactions(uow)
            sort = Sort.parse(DEFAULT_TRANSACTION_SORT, TRANSACTION_SORTS)
            export = await transactions.prepare_for((household,), TransactionFilters(), sort)
            chunks = csv_chunks(export, transactions.pages(export), reporter.advance)
        with reporter, _opened(output) as sink:
            await _write(chunks, sink)
        return reporter.done
    finally:
        await engine.dispose()


def _opened(output: str) -> AbstractContextManager[IO[bytes]]:
    if output == "-":
        return nullcontext(sys.stdout.buffer)
    return Path(output).open("wb")


async def _write(chunks: AsyncIterator[bytes], sink: IO[bytes]) -> None:
    async for chunk in chunks:
        sink.write(chunk)
    sink.flush()


class _Reporter:
    """A rich progress bar on a terminal, else one plain line per page, both on stderr."""

    def __init__(self, total: int) -> None:
        # Imported here: every other command (serve above all) starts without rich.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.total = total
        self.done = 0
        console = Console(stderr=True)
        self._progress: Any = None
        if console.is_terminal:
            self._progress = Progress(
                TextColumn("exporting"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
            )
            self._task = self._progress.add_task("transactions", total=total)

    def __enter__(self) -> _Reporter:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, count: int) -> None:
        self.done += count
        if self._progress is not None:
            self._progress.update(self._task, completed=self.done)
        else:
            print(f"{self.done}/{self.total} transactions", file=sys.stderr, flush=True)

    def section_progress(self, section: str, count: int) -> None:
        if section == "transactions":
            self.advance(count)
