"""``budget fx import FILE --household ID``: load a CSV of exchange rates into a household.

The file has a header naming the columns ``date,base,quote,rate`` (any order, extra
columns ignored) and one rate per line: ``2026-03-02,USD,EUR,0.9215`` means 1 USD = 0.9215
EUR on that day (the ECB's reference rates reshaped to one line per day and currency fit).
Every line is checked before anything is written; the rates are then upserted in chunks
in one database transaction (all or nothing), with a progress bar when stderr is a
terminal. Prints how many rates were created and how many changed.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from uuid import UUID

from budget.adapters.database import create_engine
from budget.adapters.exchange_rates import SqlAlchemyRatesUnitOfWork
from budget.adapters.system import SystemClock, UuidV7Factory
from budget.domain.errors import DomainError, RuleViolationError
from budget.domain.model.ids import HouseholdId
from budget.domain.ports.exchange_rates import UpsertCounts
from budget.domain.services.exchange_rates import ImportedRate, ImportExchangeRates, RateDraft
from budget.settings import Settings

COLUMNS = ("date", "base", "quote", "rate")


def add_fx_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``budget fx ...``: exchange-rate tasks."""
    fx = commands.add_parser("fx", help="exchange rates")
    tasks = fx.add_subparsers(required=True, metavar="TASK")
    load = tasks.add_parser(
        "import",
        help="import a CSV of date,base,quote,rate into a household",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--household", required=True, type=UUID, metavar="ID")
    load.set_defaults(handler=fx_import_command)


def fx_import_command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        rows = read_rates(args.file)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 1
    try:
        with progress_bar(len(rows)) as advance:
            counts = asyncio.run(_import(settings, HouseholdId(args.household), rows, advance))
    except RuleViolationError as error:
        for problem in error.problems:
            print(f"error: {args.file}: {problem.field}: {problem.detail}", file=sys.stderr)
        return 1
    except DomainError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    print(f"{counts.created} rate(s) created, {counts.updated} updated", file=sys.stderr)
    return 0


def read_rates(path: Path) -> list[ImportedRate]:
    """The file's rates with their line numbers.

    Raises:
        ValueError: a missing column, or lines whose date is not ``YYYY-MM-DD`` (all named).
    """
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        missing = [name for name in COLUMNS if name not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"the header lacks the column(s) {', '.join(missing)}")
        rows, bad = [], []
        for record in reader:
            line = reader.line_num
            values = {name: (record.get(name) or "").strip() for name in COLUMNS}
            try:
                day = date.fromisoformat(values["date"])
            except ValueError:
                bad.append(f"line {line}: date: must be a date YYYY-MM-DD")
                continue
            draft = RateDraft(values["base"], values["quote"], day, values["rate"])
            rows.append(ImportedRate(line, draft))
    if bad:
        raise ValueError("; ".join(bad))
    return rows


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[int], None]]:
    """``advance(n)`` moves a bar on a terminal (rich), and does nothing elsewhere."""
    if not sys.stderr.isatty():
        yield lambda _done: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("Importing rates", total=total)
        yield lambda done: progress.advance(task, done)


async def _import(
    settings: Settings,
    household: HouseholdId,
    rows: list[ImportedRate],
    advance: Callable[[int], None],
) -> UpsertCounts:
    engine = create_engine(settings.database_url)
    try:
        uow = SqlAlchemyRatesUnitOfWork(engine, scope=(household,))
        use_case = ImportExchangeRates(uow, SystemClock(), UuidV7Factory())
        return await use_case.execute(household, rows, advance)
    finally:
        await engine.dispose()
