"""`budget verify-balances`: drift of balances and cleared balances is found from the ledger,
reported, and repaired."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import ALL_HOUSEHOLDS, restrict
from budget.adapters.tables import AccountRow
from budget.adapters.verification import SqlAlchemyBalanceVerifier
from budget.domain.services.maintenance import VerifyBalances
from budget.entrypoints.cli import main
from tests.integration.conftest import SignedIn


async def _account_with_history(client: AsyncTestClient[Litestar], user: SignedIn) -> str:
    created = await client.post(
        "/api/v1/accounts",
        headers=user.headers,
        json={"name": "Audited", "type": "checking", "currency": "EUR", "opening_balance": "50.00"},
    )
    account_id: str = created.json()["id"]
    for amount, kind in (("12.34", "expense"), ("100.00", "income")):
        response = await client.post(
            "/api/v1/transactions",
            headers=user.headers,
            json={"type": kind, "account_id": account_id, "amount": amount, "date": "2026-11-01"},
        )
        assert response.status_code == 201, response.text
    return account_id


async def _corrupt(engine: AsyncEngine, account_id: str, by: int, column: str = "balance") -> None:
    async with engine.connect() as connection:
        # Past PostgreSQL's row-level security, which would hide the row.
        await restrict(connection, ALL_HOUSEHOLDS)
        stored = AccountRow.__table__.c[column]
        changed = await connection.execute(
            update(AccountRow)
            .where(AccountRow.id == uuid.UUID(account_id))
            .values({column: stored + by})
        )
        assert changed.rowcount == 1
        await connection.commit()


async def test_a_ledger_written_through_the_api_has_no_drift(
    engine: AsyncEngine, client: AsyncTestClient[Litestar], new_user: Any
) -> None:
    account_id = await _account_with_history(client, await new_user())
    drifts = await VerifyBalances(SqlAlchemyBalanceVerifier(engine)).execute()
    assert str(account_id) not in {str(d.account_id) for d in drifts}


async def test_a_tampered_balance_is_reported_with_the_expected_value(
    engine: AsyncEngine, client: AsyncTestClient[Litestar], new_user: Any
) -> None:
    account_id = await _account_with_history(client, await new_user())
    await _corrupt(engine, account_id, 7)
    audit = SqlAlchemyBalanceVerifier(engine)
    drift = next(d for d in await audit.drifted() if str(d.account_id) == account_id)
    assert (drift.stored, drift.expected) == (13773, 13766)
    await audit.correct([drift])


async def test_fixing_restores_the_balance_the_ledger_implies(
    engine: AsyncEngine, client: AsyncTestClient[Litestar], new_user: Any
) -> None:
    user = await new_user()
    account_id = await _account_with_history(client, user)
    await _corrupt(engine, account_id, -500)
    await VerifyBalances(SqlAlchemyBalanceVerifier(engine)).execute(fix=True)
    account = await client.get(f"/api/v1/accounts/{account_id}", headers=user.headers)
    assert account.json()["balance"] == "137.66"


async def test_the_command_exits_non_zero_when_it_finds_drift_and_zero_after_fixing(
    engine: AsyncEngine,
    client: AsyncTestClient[Litestar],
    new_user: Any,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account_id = await _account_with_history(client, await new_user())
    await _corrupt(engine, account_id, 1)
    monkeypatch.setenv("BUDGET_DATABASE_URL", database_url)
    monkeypatch.setenv("BUDGET_SECRET_KEY", "x" * 40)
    assert await _run_cli("verify-balances") == 1
    assert await _run_cli("verify-balances", "--fix") == 1
    assert await _run_cli("verify-balances") == 0


async def test_the_command_finds_and_fixes_a_drifted_cleared_balance(
    engine: AsyncEngine,
    client: AsyncTestClient[Litestar],
    new_user: Any,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account_id = await _account_with_history(client, await new_user())
    await _corrupt(engine, account_id, 3, column="cleared_balance")
    monkeypatch.setenv("BUDGET_DATABASE_URL", database_url)
    monkeypatch.setenv("BUDGET_SECRET_KEY", "x" * 40)

    assert await _run_cli("verify-balances") == 1
    assert await _run_cli("verify-balances", "--fix") == 1
    assert await _run_cli("verify-balances") == 0


async def _run_cli(*argv: str) -> int:
    # The command runs its own event loop, so it gets a thread of its own here.
    return await asyncio.to_thread(main, list(argv))
