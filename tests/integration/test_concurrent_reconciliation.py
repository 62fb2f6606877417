"""Concurrent reconciliations and transaction changes over real PostgreSQL (SQLite takes one
writer at a time, so nothing races there): the use cases run at once on connections of
their own, and balances, cleared balances and totals stay exact.

A reconciliation locks its account, then the account's cleared transactions; a change of a
transaction locks that transaction, then its accounts at commit. When the two meet, the
database fails one of them with a deadlock: that surfaces as ``ConcurrentChangeError``, and
the use cases run again.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, Self

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.system import UuidV7Factory
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.errors import ConcurrentChangeError, ImportIdTakenError
from budget.domain.model.transaction import Transaction, TransactionStatus
from budget.domain.services.reconciliation import ReconcileAccount
from budget.domain.services.transactions import (
    TransactionChanges,
    UpdateTransaction,
    record_effects,
)
from tests.fakes import FakeClock
from tests.integration.test_splits_storage import (
    Ledger,
    a_ledger,
    cells_of,
    drifted,
    parts,
)

CLEARED = TransactionStatus.CLEARED
CLOCK = FakeClock(datetime(2026, 11, 22, 9, 30, tzinfo=UTC))
STATEMENT_DATE = date(2026, 11, 20)
WRITERS = 6


@pytest.fixture
async def ledger(engine: AsyncEngine) -> Ledger:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are checked on PostgreSQL (SQLite serialises them)")
    return await a_ledger(engine)


def _reconcile(ledger: Ledger, uow: SqlAlchemyUnitOfWork | None = None) -> Any:
    use_case = ReconcileAccount(uow or ledger.uow(), CLOCK, UuidV7Factory())
    return use_case.execute(ledger.caller, ledger.account, STATEMENT_DATE, "900.00", adjust=True)


async def test_concurrent_reconciliations_of_one_account_record_one_adjustment(
    ledger: Ledger,
) -> None:
    await ledger.record(amount="60.00", status=CLEARED)
    await ledger.record(amount="15.00", status=CLEARED)

    done = await asyncio.gather(*(_reconcile(ledger) for _ in range(WRITERS)))

    adjustments = [r.adjustment_transaction_id for r in done if r.adjustment_transaction_id]
    assert len(adjustments) == 1
    assert sum(r.reconciled_count for r in done) == 2
    async with ledger.uow(read_only=True) as uow:
        account = await uow.accounts.get([ledger.household], ledger.account)
    assert account is not None
    assert (account.balance.minor, account.cleared.minor) == (90_000, 90_000)
    assert await drifted(ledger) == []


async def test_concurrent_replacements_of_one_transactions_parts_leave_the_totals_exact(
    ledger: Ledger,
) -> None:
    txn = await ledger.record(
        amount="30.00", splits=parts(("10.00", ledger.food, ""), ("20.00", ledger.fun, ""))
    )
    choices = [
        ((n, ledger.rent), (30 - n, ledger.food if n % 2 else None)) for n in range(1, WRITERS + 1)
    ]

    await asyncio.gather(
        *(
            ledger.update(txn.id, splits=parts(*((f"{n}.00", c, "") for n, c in choice)))
            for choice in choices
        )
    )

    found = await ledger.get(txn.id)
    stored = tuple((part.amount.minor // 100, part.category_id) for part in found.splits)
    assert stored in choices
    assert sum(entries for _, _, entries in (await cells_of(ledger)).values()) == 2
    assert await drifted(ledger) == []


async def test_concurrent_records_of_one_import_id_keep_one(ledger: Ledger) -> None:
    done = await asyncio.gather(
        *(ledger.record(amount="1.00", import_id="bank-42") for _ in range(WRITERS)),
        return_exceptions=True,
    )

    kept = [r for r in done if isinstance(r, Transaction)]
    assert len(kept) == 1
    assert all(isinstance(r, ImportIdTakenError) for r in done if r not in kept)
    assert await drifted(ledger) == []


async def _change_and_reconcile_at_once(ledger: Ledger, txn: Transaction) -> list[Any]:
    """A transaction's change holding its row, and a reconciliation holding its account,
    each then waiting for the other's row (the change at its commit)."""
    change_holds_row, reconciliation_holds_account = asyncio.Event(), asyncio.Event()

    async def change() -> None:
        async with ledger.uow() as uow:
            found = await uow.transactions.get([ledger.household], txn.id, for_update=True)
            assert found is not None
            change_holds_row.set()
            await reconciliation_holds_account.wait()
            before = replace(found)
            found.mark(TransactionStatus.UNCLEARED, CLOCK.now())
            await record_effects(uow, before, found)
            await asyncio.sleep(0.2)  # the reconciliation is waiting for the row by now
            await uow.commit()

    async def reconcile() -> None:
        await change_holds_row.wait()
        async with ledger.uow() as uow:
            account = await uow.accounts.get([ledger.household], ledger.account, for_update=True)
            assert account is not None
            reconciliation_holds_account.set()
            await uow.accounts.cleared_balance_as_of(account, STATEMENT_DATE)
            await uow.transactions.reconcile(ledger.account, STATEMENT_DATE, CLOCK.now())
            await uow.commit()

    return list(await asyncio.gather(change(), reconcile(), return_exceptions=True))


async def test_a_deadlock_of_a_change_and_a_reconciliation_fails_one_as_a_concurrent_change(
    ledger: Ledger,
) -> None:
    txn = await ledger.record(amount="10.00", status=CLEARED)

    outcomes = await _change_and_reconcile_at_once(ledger, txn)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        ConcurrentChangeError.__name__,
        "NoneType",
    ]
    assert await drifted(ledger) == []


class _Pausing(SqlAlchemyUnitOfWork):
    """A unit of work that counts its attempts, and holds its first commit until ``go``
    (having set ``ready``): by then the use case holds the rows it read for update."""

    def __init__(self, engine: AsyncEngine, ledger: Ledger) -> None:
        super().__init__(engine, scope=[ledger.household])
        self.ready, self.go = asyncio.Event(), asyncio.Event()
        self.attempts = 0

    async def __aenter__(self) -> Self:
        self.attempts += 1
        return await super().__aenter__()

    async def commit(self) -> None:
        if self.attempts == 1:
            self.ready.set()
            await self.go.wait()
        await super().commit()


async def test_the_use_cases_run_again_after_a_deadlock_and_both_succeed(
    ledger: Ledger, engine: AsyncEngine
) -> None:
    txn = await ledger.record(amount="10.00", status=CLEARED)
    changing = _Pausing(engine, ledger)
    reconciling = _Pausing(engine, ledger)
    reconciling.go.set()
    change = asyncio.create_task(
        UpdateTransaction(changing, CLOCK).execute(
            ledger.caller, txn.id, TransactionChanges(status=TransactionStatus.UNCLEARED)
        )
    )
    await changing.ready.wait()  # the change holds the transaction's row

    reconciliation = asyncio.create_task(_reconcile(ledger, reconciling))
    await asyncio.sleep(0.3)  # the reconciliation holds the account, waits for the row
    changing.go.set()
    changed, reconciled = await asyncio.gather(change, reconciliation)

    assert changing.attempts + reconciling.attempts == 3
    assert changed.status is TransactionStatus.UNCLEARED
    assert reconciled.adjustment_transaction_id is not None
    assert await drifted(ledger) == []


async def test_a_reconciliation_waits_for_a_cleared_transaction_being_redated_and_counts_it(
    ledger: Ledger, engine: AsyncEngine
) -> None:
    txn = await ledger.record(amount="10.00", status=CLEARED, date=date(2026, 11, 21))
    changing = _Pausing(engine, ledger)
    change = asyncio.create_task(
        UpdateTransaction(changing, CLOCK).execute(
            ledger.caller, txn.id, TransactionChanges(date=date(2026, 11, 2))
        )
    )
    await changing.ready.wait()  # the change holds the row, dated after the statement

    use_case = ReconcileAccount(ledger.uow(), CLOCK, UuidV7Factory())
    reconciliation = asyncio.create_task(
        use_case.execute(ledger.caller, ledger.account, STATEMENT_DATE, "990.00")
    )
    await asyncio.sleep(0.3)
    waited = not reconciliation.done()
    changing.go.set()
    await change
    reconciled = await reconciliation

    assert waited
    assert (reconciled.cleared_balance.minor, reconciled.reconciled_count) == (99_000, 1)
    assert (await ledger.get(txn.id)).status is TransactionStatus.RECONCILED
