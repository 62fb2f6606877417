"""`budget import`: a statement imported from the command line, as through the API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from budget.entrypoints.cli import main
from tests.integration.ledger import Client, NewUser, account, open_account
from tests.integration.test_imports_api import CSV, QIF

pytestmark = pytest.mark.usefixtures("cli_settings")


@pytest.fixture
def cli_settings(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("BUDGET_DATABASE_URL", database_url)
    monkeypatch.setenv("BUDGET_SECRET_KEY", "x" * 40)


async def _run_cli(*argv: str) -> int:
    # The command runs its own event loop, so it gets a thread of its own here.
    return await asyncio.to_thread(main, list(argv))


async def test_the_command_imports_a_csv_file_into_an_account(
    client: Client, new_user: NewUser, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    statement = tmp_path / "november.csv"
    statement.write_text(CSV)
    mapping = '{"date": "Date", "amount": "Amount", "payee": "Payee"}'
    assert (
        await _run_cli("import", str(statement), "--account", account_id, "--mapping", mapping) == 0
    )
    assert "3 created" in capsys.readouterr().out
    assert (await account(client, user, account_id))["balance"] == "1075.00"


async def test_a_dry_run_from_the_command_line_keeps_nothing(
    client: Client, new_user: NewUser, tmp_path: Path
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    statement = tmp_path / "statement.qif"
    statement.write_text(QIF)
    assert await _run_cli("import", str(statement), "--account", account_id, "--dry-run") == 0
    assert (await account(client, user, account_id))["balance"] == "100.00"


async def test_invalid_rows_are_listed_and_the_command_fails(
    client: Client, new_user: NewUser, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = await new_user()
    account_id = await open_account(client, user)
    statement = tmp_path / "bad.qif"
    statement.write_text("!Type:Bank\nD13/45/2026\nT1\n^\n")
    assert await _run_cli("import", str(statement), "--account", account_id) == 1
    assert "rows/2" in capsys.readouterr().err
