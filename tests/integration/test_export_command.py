"""``budget export``: the operator's export of one household, in the HTTP exports' formats."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest

from budget.entrypoints.cli import main
from tests.integration.ledger import MISSING_ID, Client, NewUser, body, open_account, record


async def _run_cli(*argv: str) -> int:
    # The command runs its own event loop, so it gets a thread of its own here.
    return await asyncio.to_thread(main, list(argv))


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUDGET_DATABASE_URL", database_url)
    monkeypatch.setenv("BUDGET_SECRET_KEY", "x" * 40)


async def _household_with_two(client: Client, new_user: NewUser) -> tuple[str, list[str]]:
    user = await new_user()
    account_id = await open_account(client, user)
    ids = [
        (await record(client, user, account_id=account_id, payee="=1+1", date=day))["id"]
        for day in ("2026-01-01", "2026-01-02")
    ]
    me = body(await client.get("/api/v1/users/me", headers=user.headers))
    return me["default_household_id"], ids


@pytest.mark.usefixtures("cli_env")
async def test_the_csv_export_writes_the_households_rows_newest_first(
    client: Client, new_user: NewUser, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    household, ids = await _household_with_two(client, new_user)
    target = tmp_path / "out.csv"

    assert await _run_cli("export", "--household", household, "-o", str(target)) == 0

    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [r["id"] for r in rows] == list(reversed(ids))
    assert rows[0]["payee"] == "'=1+1"
    assert "2/2 transactions" in capfd.readouterr().err


@pytest.mark.usefixtures("cli_env")
async def test_the_json_export_is_the_households_backup(
    client: Client, new_user: NewUser, tmp_path: Path
) -> None:
    household, ids = await _household_with_two(client, new_user)
    target = tmp_path / "out.json"

    code = await _run_cli("export", "--household", household, "--format", "json", "-o", str(target))

    backup = json.loads(target.read_text())
    assert code == 0
    assert backup["format"] == "budget-backup"
    assert backup["household"]["id"] == household
    assert sorted(t["id"] for t in backup["transactions"]) == sorted(ids)


@pytest.mark.usefixtures("cli_env")
async def test_an_unknown_household_exits_non_zero(tmp_path: Path) -> None:
    assert await _run_cli("export", "--household", MISSING_ID, "-o", str(tmp_path / "x")) == 1
