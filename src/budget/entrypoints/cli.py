"""The ``budget`` command: serve, worker, migrate, create-admin, maintenance, import and export."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Callable, Sequence

from budget.adapters.database import ALL_HOUSEHOLDS, create_engine
from budget.adapters.migrations import upgrade_blocking
from budget.adapters.verification import SqlAlchemyBalanceVerifier, SqlAlchemyTotalsVerifier
from budget.domain.model.verification import BalanceDrift, TotalsDrift
from budget.domain.services.maintenance import VerifyBalances, VerifyDailyTotals
from budget.entrypoints.cli_fx import add_fx_commands
from budget.entrypoints.export_command import add_export
from budget.entrypoints.http.middleware import configure_logging
from budget.entrypoints.import_command import add_import_command
from budget.settings import Settings, SettingsError, ensure_secret, load_settings, sqlite_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    return handler(args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="budget", description="Budget REST API")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the API with Granian")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.set_defaults(handler=serve_command)

    migrate = commands.add_parser(
        "migrate",
        help="apply database migrations",
        description=(
            "Apply database migrations as the configured login, which owns the tables. "
            "On PostgreSQL they run with row-level security told to allow all households "
            "(budget.households = '*', for the migrations' transaction only)."
        ),
    )
    migrate.set_defaults(handler=migrate_command)

    worker = commands.add_parser(
        "worker",
        help="run the periodic tasks (recurring postings) without serving HTTP",
        description=(
            "Run the scheduler alone, for deployments that keep it apart from the API "
            "(then set BUDGET_SCHEDULER_ENABLED=false for `budget serve`). Several workers "
            "and servers may run at once: each occurrence is still posted once."
        ),
    )
    worker.set_defaults(handler=worker_command)

    admin = commands.add_parser(
        "create-admin", help="create an administrator (password from a prompt or stdin)"
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--display-name", default=None)
    admin.set_defaults(handler=create_admin_command)
    _add_maintenance(commands)
    add_fx_commands(commands)
    add_export(commands)
    add_import_command(commands)
    return parser


def _add_maintenance(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    verify = commands.add_parser(
        "verify-balances",
        help="recompute every balance and daily total from the transactions; exit 1 if any drifted",
        description=(
            "Recompute every household's balances and daily and monthly totals from the "
            "transactions. On PostgreSQL it runs as the app's tenant role with row-level "
            "security told to allow all households (budget.households = '*')."
        ),
    )
    verify.add_argument(
        "--fix",
        action="store_true",
        help="repair drifted balances; rebuild the daily totals of households with drifted ones",
    )
    verify.set_defaults(handler=verify_balances_command)


def verify_balances_command(args: argparse.Namespace, settings: Settings) -> int:
    drifts, totals = asyncio.run(_verify_balances(settings, fix=args.fix))
    fixed = " — fixed" if args.fix else ""
    for drift in drifts:
        print(
            f"account {drift.account_id} (household {drift.household_id}, {drift.currency}): "
            f"stored {drift.stored}, expected {drift.expected}; cleared stored "
            f"{drift.stored_cleared}, expected {drift.expected_cleared} minor units{fixed}"
        )
    for cell in totals:
        key = cell.key
        print(
            f"{'monthly total' if cell.monthly else 'daily total'} {key.date} {key.type} "
            f"{key.currency.code} (household {key.household_id}, "
            f"account {key.account_id}, category {key.category_id or 'none'}): stored "
            f"{cell.stored[0]} in {cell.stored[1]} transaction(s) and {cell.stored[2]} "
            f"entries, expected {cell.expected[0]} in {cell.expected[1]} and "
            f"{cell.expected[2]}{fixed}"
        )
    print(
        f"{len(drifts)} drifted balance(s), {len(totals)} drifted daily total(s)", file=sys.stderr
    )
    return 1 if drifts or totals else 0


async def _verify_balances(
    settings: Settings, *, fix: bool
) -> tuple[Sequence[BalanceDrift], Sequence[TotalsDrift]]:
    engine = create_engine(settings.database_url)
    try:
        drifts = await VerifyBalances(SqlAlchemyBalanceVerifier(engine)).execute(fix=fix)
        totals = await VerifyDailyTotals(SqlAlchemyTotalsVerifier(engine)).execute(fix=fix)
        return drifts, totals
    finally:
        await engine.dispose()


def migrate_command(_args: argparse.Namespace, settings: Settings) -> int:
    upgrade_blocking(settings.database_url)
    print("migrations applied", file=sys.stderr)
    return 0


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    """Migrate if asked (the embedded SQLite default always), then become the server.

    The server runs in a fresh interpreter (``server.py``): this process has loaded the
    migrations and most of the app, and a supervisor that kept them would hold that memory
    beside every worker for as long as it serves.
    """
    from budget.entrypoints import server

    if args.migrate or sqlite_path(settings.database_url) is not None:
        upgrade_blocking(settings.database_url)
    ensure_secret(settings)  # create the development secret once, before workers start
    print(
        f"Budget API on http://{args.host}:{args.port} — docs: "
        f"http://{args.host}:{args.port}/schema/swagger (also /schema/scalar)",
        file=sys.stderr,
        flush=True,
    )
    argv = server.command(args.host, args.port, args.workers)
    os.execv(argv[0], argv)  # noqa: S606 - our own interpreter and module, fixed arguments


def worker_command(_args: argparse.Namespace, settings: Settings) -> int:
    """Run the periodic tasks until SIGINT or SIGTERM."""
    asyncio.run(_work(ensure_secret(settings)))
    return 0


async def _work(settings: Settings) -> None:
    import signal

    from budget.entrypoints.background import build_scheduler
    from budget.entrypoints.container import build_container

    container = build_container(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print("Budget worker: running the scheduler (Ctrl+C to stop)", file=sys.stderr, flush=True)
    try:
        await build_scheduler(container).run_until_stopped(stop)
    finally:
        await container.engine.dispose()


def create_admin_command(args: argparse.Namespace, settings: Settings) -> int:
    from budget.domain.errors import DomainError

    password = _read_password()
    try:
        user = asyncio.run(_create_admin(settings, args.email, password, args.display_name))
    except DomainError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    print(f"administrator {user} is ready", file=sys.stderr)
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat password: "):
            raise SystemExit("error: the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


async def _create_admin(settings: Settings, email: str, password: str, name: str | None) -> str:
    from budget.domain.services.admin import EnsureAdministrator
    from budget.domain.services.auth import Registration
    from budget.entrypoints.container import build_container

    container = build_container(ensure_secret(settings))
    try:
        use_case = EnsureAdministrator(
            container.uow(ALL_HOUSEHOLDS), container.hasher, container.clock, container.ids
        )
        user = await use_case.execute(Registration(email, password, name))
        return user.email
    finally:
        await container.engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
