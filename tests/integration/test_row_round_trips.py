"""Accounts and transactions (with their split parts) read as plain rows and written with
Core come back field for field, through both kinds of unit of work, on SQLite and
PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import read_only_engine
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.model.account import Account, AccountType
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, HouseholdId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.splits import Split
from budget.domain.model.transaction import Transaction, TransactionStatus, TransactionType
from tests.integration.conftest import SignedIn

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
NOW = datetime(2026, 11, 22, 9, 30, 15, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
EUR, JPY = Currency.of("EUR"), Currency.of("JPY")


def _writing(engine: AsyncEngine, owner: HouseholdId) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(engine, scope=(owner,))


def _reading(engine: AsyncEngine, owner: HouseholdId) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(read_only_engine(engine), read_only=True, scope=(owner,))


def _values(entity: object) -> dict[str, Any]:
    return {field.name: getattr(entity, field.name) for field in fields(entity)}  # type: ignore[arg-type]


async def _owner(client: Client, new_user: NewUser) -> HouseholdId:
    """A new user's default household."""
    user = await new_user()
    me = await client.get("/api/v1/users/me", headers=user.headers)
    assert me.status_code == 200, me.text
    return HouseholdId(uuid.UUID(me.json()["default_household_id"]))


def _account(owner: HouseholdId, currency: Currency, name: str) -> Account:
    return Account.open(
        AccountId(uuid.uuid4()),
        owner,
        name,
        AccountType.SAVINGS,
        Money(-12345, currency),
        NOW,
        archived=True,
    )


def _transfer(owner: HouseholdId, source: Account, target: Account) -> Transaction:
    return Transaction(
        TransactionId(uuid.uuid4()),
        owner,
        TransactionType.TRANSFER,
        source.id,
        target.id,
        Money(250_075, EUR),
        Money(41_000, JPY),
        None,
        date(2026, 2, 28),
        "Rent share \u00e9t\u00e9",
        "Landlord & Co",
        ("home", "shared"),
        NOW,
        NOW,
    )


def _split_expense(owner: HouseholdId, source: Account) -> Transaction:
    """Reconciled, imported, posted by a recurring template, in two uncategorised parts."""
    return Transaction(
        TransactionId(uuid.uuid4()),
        owner,
        TransactionType.EXPENSE,
        source.id,
        None,
        Money(1_000, EUR),
        None,
        None,
        date(2026, 3, 1),
        "Market",
        "",
        (),
        NOW,
        NOW,
        (Split(None, Money(600, EUR), "fruit"), Split(None, Money(400, EUR))),
        TransactionStatus.RECONCILED,
        f"bank-{uuid.uuid4().hex}",
        uuid.uuid4(),
    )


async def _stored(engine: AsyncEngine, owner: HouseholdId) -> tuple[Account, Account, Transaction]:
    source, target = _account(owner, EUR, "Source"), _account(owner, JPY, "Target")
    txn = _transfer(owner, source, target)
    async with _writing(engine, owner) as uow:
        uow.accounts.add(source)
        uow.accounts.add(target)
        uow.transactions.add(txn)
        await uow.commit()
    return source, target, txn


async def _stored_split(engine: AsyncEngine, owner: HouseholdId) -> Transaction:
    source, _, _ = await _stored(engine, owner)
    txn = _split_expense(owner, source)
    async with _writing(engine, owner) as uow:
        uow.transactions.add(txn)
        await uow.commit()
    return txn


async def _read_back(uow: SqlAlchemyUnitOfWork, owner: HouseholdId, stored: object) -> object:
    if isinstance(stored, Account):
        return await uow.accounts.get((owner,), stored.id)
    assert isinstance(stored, Transaction)
    return await uow.transactions.get((owner,), stored.id)


@pytest.mark.parametrize("unit", [_reading, _writing])
@pytest.mark.parametrize("which", ["source account", "target account", "transfer"])
async def test_a_stored_row_reads_back_field_for_field(
    engine: AsyncEngine,
    client: Client,
    new_user: NewUser,
    unit: Callable[[AsyncEngine, HouseholdId], SqlAlchemyUnitOfWork],
    which: str,
) -> None:
    owner = await _owner(client, new_user)
    source, target, txn = await _stored(engine, owner)
    stored = {"source account": source, "target account": target, "transfer": txn}[which]

    async with unit(engine, owner) as uow:
        found = await _read_back(uow, owner, stored)

    assert found is not None
    assert _values(found) == _values(stored)


@pytest.mark.parametrize("unit", [_reading, _writing])
async def test_a_split_transaction_reads_back_field_for_field_with_its_parts(
    engine: AsyncEngine,
    client: Client,
    new_user: NewUser,
    unit: Callable[[AsyncEngine, HouseholdId], SqlAlchemyUnitOfWork],
) -> None:
    owner = await _owner(client, new_user)
    txn = await _stored_split(engine, owner)

    async with unit(engine, owner) as uow:
        found = await uow.transactions.get((owner,), txn.id)

    assert found is not None
    assert _values(found) == _values(txn)


async def _changed(
    engine: AsyncEngine,
    owner: HouseholdId,
    change: Callable[[SqlAlchemyUnitOfWork, Account], Awaitable[None]],
    *,
    commit: bool,
) -> tuple[Account, Account]:
    """Store the rows, change the source account in a writing unit of work (committed or
    not), and read it back: (as stored, as read back)."""
    source, _, _ = await _stored(engine, owner)
    async with _writing(engine, owner) as uow:
        account = await uow.accounts.get((owner,), source.id)
        assert account is not None
        await change(uow, account)
        if commit:
            await uow.commit()
    async with _reading(engine, owner) as uow:
        found = await uow.accounts.get((owner,), source.id)
    assert found is not None
    return source, found


async def _rename_and_touch(uow: SqlAlchemyUnitOfWork, account: Account) -> None:
    account.rename("  Renamed  ")
    account.touch(LATER)


async def _rename_and_move_balance(uow: SqlAlchemyUnitOfWork, account: Account) -> None:
    account.rename("Never saved")
    await uow.accounts.record_balance_deltas({account.id: 500})


async def test_a_changed_account_is_written_back_on_commit(
    engine: AsyncEngine, client: Client, new_user: NewUser
) -> None:
    source, found = await _changed(
        engine, await _owner(client, new_user), _rename_and_touch, commit=True
    )

    assert (found.name, found.updated_at) == ("Renamed", LATER)
    assert found.balance == source.balance


async def test_a_change_left_uncommitted_is_not_written(
    engine: AsyncEngine, client: Client, new_user: NewUser
) -> None:
    source, found = await _changed(
        engine, await _owner(client, new_user), _rename_and_move_balance, commit=False
    )

    assert (found.name, found.balance) == ("Source", source.balance)


async def _reconcile_and_move_cleared_by_hand(uow: SqlAlchemyUnitOfWork, account: Account) -> None:
    account.mark_reconciled(date(2026, 11, 20), LATER)
    account.cleared_balance = Money(1, account.currency)


async def test_a_reconciliation_date_is_written_back_but_never_a_cleared_balance(
    engine: AsyncEngine, client: Client, new_user: NewUser
) -> None:
    source, found = await _changed(
        engine, await _owner(client, new_user), _reconcile_and_move_cleared_by_hand, commit=True
    )

    assert found.last_reconciled_on == date(2026, 11, 20)
    assert found.cleared == source.cleared


async def _clear_by_delta(uow: SqlAlchemyUnitOfWork, account: Account) -> None:
    await uow.accounts.record_balance_deltas({account.id: -300}, {account.id: -200})


async def test_balance_and_cleared_deltas_are_written_on_commit(
    engine: AsyncEngine, client: Client, new_user: NewUser
) -> None:
    source, found = await _changed(
        engine, await _owner(client, new_user), _clear_by_delta, commit=True
    )

    assert found.balance.minor == source.balance.minor - 300
    assert found.cleared.minor == source.cleared.minor - 200
