"""Accounts and transactions read as plain rows and written with Core come back field
for field, through both kinds of unit of work, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import create_engine, read_only_engine, session_factory
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.model.account import Account, AccountType
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, TransactionId, UserId
from budget.domain.model.money import Money
from budget.domain.model.transaction import Transaction, TransactionType
from tests.integration.conftest import SignedIn

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
NOW = datetime(2026, 11, 22, 9, 30, 15, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
EUR, JPY = Currency.of("EUR"), Currency.of("JPY")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    own = create_engine(database_url)
    yield own
    await own.dispose()


def _writing(engine: AsyncEngine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(session_factory(engine))


def _reading(engine: AsyncEngine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(session_factory(read_only_engine(engine)), read_only=True)


def _values(entity: object) -> dict[str, Any]:
    return {field.name: getattr(entity, field.name) for field in fields(entity)}  # type: ignore[arg-type]


async def _owner(new_user: NewUser) -> UserId:
    return UserId(uuid.UUID((await new_user()).id))


def _account(owner: UserId, currency: Currency, name: str) -> Account:
    return Account.open(
        AccountId(uuid.uuid4()),
        owner,
        name,
        AccountType.SAVINGS,
        Money(-12345, currency),
        NOW,
        archived=True,
    )


def _transfer(owner: UserId, source: Account, target: Account) -> Transaction:
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


async def _stored(engine: AsyncEngine, owner: UserId) -> tuple[Account, Account, Transaction]:
    source, target = _account(owner, EUR, "Source"), _account(owner, JPY, "Target")
    txn = _transfer(owner, source, target)
    async with _writing(engine) as uow:
        uow.accounts.add(source)
        uow.accounts.add(target)
        uow.transactions.add(txn)
        await uow.commit()
    return source, target, txn


@pytest.mark.parametrize("unit", [_reading, _writing])
async def test_an_account_reads_back_field_for_field(
    engine: AsyncEngine,
    client: Client,
    new_user: NewUser,
    unit: Callable[[AsyncEngine], SqlAlchemyUnitOfWork],
) -> None:
    owner = await _owner(new_user)
    source, _, _ = await _stored(engine, owner)

    async with unit(engine) as uow:
        found = await uow.accounts.get(owner, source.id)

    assert found is not None
    assert _values(found) == _values(source)


@pytest.mark.parametrize("unit", [_reading, _writing])
async def test_a_transaction_reads_back_field_for_field(
    engine: AsyncEngine,
    client: Client,
    new_user: NewUser,
    unit: Callable[[AsyncEngine], SqlAlchemyUnitOfWork],
) -> None:
    owner = await _owner(new_user)
    _, _, txn = await _stored(engine, owner)

    async with unit(engine) as uow:
        found = await uow.transactions.get(owner, txn.id)

    assert found is not None
    assert _values(found) == _values(txn)


async def test_a_changed_account_is_written_back_on_commit(
    engine: AsyncEngine, client: Client, new_user: NewUser
) -> None:
    owner = await _owner(new_user)
    source, _, _ = await _stored(engine, owner)
    async with _writing(engine) as uow:
        account = await uow.accounts.get(owner, source.id)
        assert account is not None
        account.rename("  Renamed  ")
        account.touch(LATER)
        await uow.commit()

    async with _reading(engine) as uow:
        found = await uow.accounts.get(owner, source.id)

    assert found is not None
    assert (found.name, found.updated_at) == ("Renamed", LATER)
    assert found.balance == source.balance


async def test_a_change_left_uncommitted_is_not_written(
    engine: AsyncEngine, client: Client, new_user: NewUser
) -> None:
    owner = await _owner(new_user)
    source, _, _ = await _stored(engine, owner)
    async with _writing(engine) as uow:
        account = await uow.accounts.get(owner, source.id)
        assert account is not None
        account.rename("Never saved")
        await uow.accounts.apply_balance_deltas({source.id: 500})

    async with _reading(engine) as uow:
        found = await uow.accounts.get(owner, source.id)

    assert found is not None
    assert (found.name, found.balance) == ("Source", source.balance)
