"""``budget fx import``: a CSV of rates into a household, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from budget.entrypoints.cli import main
from tests.integration.conftest import SignedIn, sign_up

RATES = "/api/v1/exchange-rates"
Client = AsyncTestClient[Litestar]


async def _run_cli(*argv: str) -> int:
    # The command runs its own event loop: keep it off the test's.
    return await asyncio.to_thread(main, list(argv))


@pytest.fixture
def configured(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUDGET_DATABASE_URL", database_url)
    monkeypatch.setenv("BUDGET_SECRET_KEY", "x" * 40)


async def _household(client: Client, user: SignedIn) -> str:
    me = await client.get("/api/v1/users/me", headers=user.headers)
    household: str = me.json()["default_household_id"]
    return household


def _csv(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / f"rates-{uuid.uuid4().hex[:6]}.csv"
    path.write_text("\n".join(("date,base,quote,rate", *lines)) + "\n", encoding="utf-8")
    return str(path)


async def test_a_file_of_rates_is_imported_and_counted(
    client: Client, configured: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = await sign_up(client)
    household = await _household(client, user)
    first = _csv(tmp_path, "2026-03-02,USD,EUR,0.9215", "2026-03-02,JPY,EUR,0.00612")
    assert await _run_cli("fx", "import", first, "--household", household) == 0
    again = _csv(tmp_path, "2026-03-02,USD,EUR,0.93", "2026-03-03,USD,EUR,0.94")
    assert await _run_cli("fx", "import", again, "--household", household) == 0
    assert "1 rate(s) created, 1 updated" in capsys.readouterr().err
    listed = (await client.get(f"{RATES}?sort=date", headers=user.headers)).json()
    assert sorted((r["date"], r["base"], r["rate"]) for r in listed["items"]) == [
        ("2026-03-02", "JPY", "0.00612"),
        ("2026-03-02", "USD", "0.93"),
        ("2026-03-03", "USD", "0.94"),
    ]


async def test_a_file_with_a_bad_line_writes_nothing_and_names_every_bad_line(
    client: Client, configured: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = await sign_up(client)
    household = await _household(client, user)
    path = _csv(
        tmp_path,
        "2026-03-02,USD,EUR,0.9",
        "2026-03-03,USD,USD,1",
        "2026-03-04,USD,EUR,-1",
        "2026-03-02,USD,EUR,0.91",
    )
    assert await _run_cli("fx", "import", path, "--household", household) == 1
    err = capsys.readouterr().err
    assert "line 3: quote" in err
    assert "line 4: rate" in err
    assert "line 5: date: repeats line 2" in err
    assert (await client.get(RATES, headers=user.headers)).json()["total"] == 0


async def test_a_file_with_a_bad_date_or_no_header_is_refused(
    configured: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    household = str(uuid.uuid4())
    bad_date = _csv(tmp_path, "2026-02-30,USD,EUR,0.9")
    assert await _run_cli("fx", "import", bad_date, "--household", household) == 1
    assert "line 2: date" in capsys.readouterr().err
    headless = tmp_path / "headless.csv"
    headless.write_text("2026-03-02,USD,EUR,0.9\n", encoding="utf-8")
    assert await _run_cli("fx", "import", str(headless), "--household", household) == 1
    assert "lacks the column(s)" in capsys.readouterr().err


async def test_an_unknown_household_is_refused(
    configured: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(tmp_path, "2026-03-02,USD,EUR,0.9")
    assert await _run_cli("fx", "import", path, "--household", str(uuid.uuid4())) == 1
    assert "not found" in capsys.readouterr().err.lower()
