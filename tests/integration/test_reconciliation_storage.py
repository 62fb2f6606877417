"""Cleared balances and reconciliation in storage, on SQLite and PostgreSQL: the cleared
balance moves with cleared and reconciled transactions only, is read as of a day in SQL,
reconciling moves exactly the cleared transactions up to the statement date, and
verification recomputes and repairs the cleared balance.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import ALL_HOUSEHOLDS, restrict
from budget.adapters.system import UuidV7Factory
from budget.adapters.tables import AccountRow
from budget.adapters.verification import SqlAlchemyBalanceVerifier
from budget.domain.model.account import Account
from budget.domain.model.ids import AccountId, TransactionId
from budget.domain.model.transaction import TransactionStatus, TransactionType
from budget.domain.services.accounts import AccountChanges, UpdateAccount
from budget.domain.services.maintenance import VerifyBalances
from budget.domain.services.reconciliation import ReconcileAccount
from tests.fakes import FakeClock
from tests.integration.test_splits_storage import Ledger, a_ledger, drifted

CLEARED, RECONCILED = TransactionStatus.CLEARED, TransactionStatus.RECONCILED
CLOCK = FakeClock(datetime(2026, 11, 22, 9, 30, tzinfo=UTC))
OPENING = 100_000  # the ledger's Bank account opens with 1000.00


async def _account(ledger: Ledger, account_id: AccountId | None = None) -> Account:
    async with ledger.uow(read_only=True) as uow:
        found = await uow.accounts.get([ledger.household], account_id or ledger.account)
    assert found is not None
    return found


async def _statuses(ledger: Ledger, *ids: TransactionId) -> list[TransactionStatus]:
    return [(await ledger.get(transaction_id)).status for transaction_id in ids]


async def test_the_cleared_balance_moves_with_cleared_and_reconciled_transactions_only(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)

    await ledger.record(amount="10.00")
    await ledger.record(amount="20.00", status=CLEARED)
    await ledger.record(type=TransactionType.INCOME, amount="5.00", status=RECONCILED)

    account = await _account(ledger)
    assert account.cleared.minor == OPENING - 2000 + 500
    assert account.balance.minor == OPENING - 1000 - 2000 + 500


async def test_clearing_a_transaction_later_moves_the_cleared_balance_alone(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    txn = await ledger.record(amount="10.00")

    await ledger.update(txn.id, status=CLEARED)

    account = await _account(ledger)
    assert (account.balance.minor, account.cleared.minor) == (OPENING - 1000, OPENING - 1000)
    assert await drifted(ledger) == []


async def test_a_cleared_transfer_moves_the_cleared_balances_of_both_accounts(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)

    await ledger.record(
        type=TransactionType.TRANSFER,
        amount="300.00",
        to_account_id=ledger.savings,
        status=CLEARED,
    )

    source, target = await _account(ledger), await _account(ledger, ledger.savings)
    assert (source.cleared.minor, target.cleared.minor) == (OPENING - 30_000, 30_000)


async def test_a_new_opening_balance_moves_the_cleared_balance_too(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    await ledger.record(amount="10.00", status=CLEARED)

    await UpdateAccount(ledger.uow(), CLOCK).execute(
        ledger.caller, ledger.account, AccountChanges(opening_balance="50.00")
    )

    assert (await _account(ledger)).cleared.minor == 5000 - 1000
    assert await drifted(ledger) == []


async def _history(ledger: Ledger) -> dict[str, TransactionId]:
    """Transactions of the Bank account around 10 November, in every status and on either
    side of a transfer."""
    early, statement, late = date(2026, 11, 1), date(2026, 11, 10), date(2026, 11, 12)
    cases = {
        "cleared early": {"amount": "10.00", "date": early, "status": CLEARED},
        "cleared on the day": {"amount": "20.00", "date": statement, "status": CLEARED},
        "uncleared early": {"amount": "40.00", "date": early},
        "reconciled early": {
            "type": TransactionType.INCOME,
            "amount": "80.00",
            "date": early,
            "status": RECONCILED,
        },
        "cleared late": {"amount": "160.00", "date": late, "status": CLEARED},
        "cleared transfer in": {
            "type": TransactionType.TRANSFER,
            "account_id": ledger.savings,
            "to_account_id": ledger.account,
            "amount": "320.00",
            "date": early,
            "status": CLEARED,
        },
        "cleared elsewhere": {"account_id": ledger.savings, "amount": "1.00", "status": CLEARED},
    }
    return {name: (await ledger.record(**fields)).id for name, fields in cases.items()}


async def test_the_cleared_balance_as_of_a_day_counts_what_was_cleared_until_then(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    await _history(ledger)
    account = await _account(ledger)

    async with ledger.uow() as uow:
        as_of = await uow.accounts.cleared_balance_as_of(account, date(2026, 11, 10))

    assert as_of == OPENING - 1000 - 2000 + 8000 + 32_000


async def test_transfers_received_after_the_day_do_not_count_in_the_cleared_balance_then(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    await ledger.record(
        type=TransactionType.TRANSFER,
        account_id=ledger.savings,
        to_account_id=ledger.account,
        amount="7.00",
        date=date(2026, 11, 12),
        status=RECONCILED,
    )
    await ledger.record(amount="3.00", date=date(2026, 11, 9), status=CLEARED)
    account = await _account(ledger)

    async with ledger.uow() as uow:
        as_of = await uow.accounts.cleared_balance_as_of(account, date(2026, 11, 10))

    assert as_of == OPENING - 300


async def test_reconciling_moves_the_cleared_transactions_up_to_the_day_on_either_side(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    ids = await _history(ledger)

    async with ledger.uow() as uow:
        moved = await uow.transactions.reconcile(ledger.account, date(2026, 11, 10), CLOCK.now())
        await uow.commit()

    assert moved == 3
    statuses = dict(zip(ids, await _statuses(ledger, *ids.values()), strict=True))
    assert statuses == {
        "cleared early": RECONCILED,
        "cleared on the day": RECONCILED,
        "uncleared early": TransactionStatus.UNCLEARED,
        "reconciled early": RECONCILED,
        "cleared late": CLEARED,
        "cleared transfer in": RECONCILED,
        "cleared elsewhere": CLEARED,
    }
    assert (await ledger.get(ids["cleared early"])).updated_at == CLOCK.now()


async def test_a_reconciliation_with_an_adjustment_leaves_balances_and_totals_exact(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    await ledger.record(amount="10.00", status=CLEARED)
    statement_date = date(2026, 11, 20)

    done = await ReconcileAccount(ledger.uow(), CLOCK, UuidV7Factory()).execute(
        ledger.caller, ledger.account, statement_date, "985.00", adjust=True
    )

    assert (done.reconciled_count, done.difference.minor) == (1, -500)
    assert done.adjustment_transaction_id is not None
    adjustment = await ledger.get(done.adjustment_transaction_id)
    assert (adjustment.type, adjustment.status) == (TransactionType.EXPENSE, RECONCILED)
    account = await _account(ledger)
    assert (account.cleared.minor, account.last_reconciled_on) == (98_500, statement_date)
    assert await drifted(ledger) == []


async def _tamper_cleared(engine: AsyncEngine, account_id: AccountId, by: int) -> None:
    async with engine.connect() as connection:
        await restrict(connection, ALL_HOUSEHOLDS)
        await connection.execute(
            update(AccountRow)
            .where(AccountRow.id == account_id)
            .values(cleared_balance=AccountRow.cleared_balance + by)
        )
        await connection.commit()


async def test_a_tampered_cleared_balance_is_drift_with_the_expected_value(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    await ledger.record(amount="10.00", status=CLEARED)
    await ledger.record(amount="5.00")
    await _tamper_cleared(engine, ledger.account, 7)

    [drift] = await drifted(ledger)

    assert (drift.stored, drift.expected) == (OPENING - 1500, OPENING - 1500)
    assert (drift.stored_cleared, drift.expected_cleared) == (OPENING - 993, OPENING - 1000)
    await SqlAlchemyBalanceVerifier(engine).correct([drift])  # other tests share the database


async def test_fixing_restores_the_cleared_balance_and_keeps_the_balance(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    await ledger.record(amount="10.00", status=CLEARED)
    await _tamper_cleared(engine, ledger.account, -250)

    await VerifyBalances(SqlAlchemyBalanceVerifier(engine)).execute(fix=True)

    account = await _account(ledger)
    assert (account.balance.minor, account.cleared.minor) == (OPENING - 1000, OPENING - 1000)
    assert await drifted(ledger) == []
