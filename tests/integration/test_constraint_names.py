"""The constraint names of ``budget.adapters.errors`` are the ones the migrations create, and
a real violation of each translated constraint becomes its domain error, on SQLite (by
column list) and PostgreSQL (by constraint name)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters import errors
from budget.adapters.database import ALL_HOUSEHOLDS
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.errors import ConflictError, ImportIdTakenError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.household import Household
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, UserId
from budget.domain.model.money import Money
from budget.domain.model.user import User
from tests.integration.test_splits_storage import a_ledger

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)

EXPECTED: dict[str, tuple[str, str]] = {
    errors.UQ_USERS_EMAIL: ("users", "unique"),
    errors.UQ_ACCOUNTS_HOUSEHOLD_ID_ID: ("accounts", "unique"),
    errors.UQ_ACCOUNTS_HOUSEHOLD_NAME_ACTIVE: ("accounts", "unique index"),
    errors.UQ_CATEGORIES_TOP_LEVEL_NAME: ("categories", "unique index"),
    errors.UQ_CATEGORIES_SUBCATEGORY_NAME: ("categories", "unique index"),
    errors.FK_TRANSACTIONS_ACCOUNT: ("transactions", "foreign key"),
    errors.FK_TRANSACTIONS_TO_ACCOUNT: ("transactions", "foreign key"),
    errors.FK_TRANSACTIONS_CATEGORY: ("transactions", "foreign key"),
    errors.FK_BUDGETS_CATEGORY: ("budgets", "foreign key"),
    errors.UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID: ("transactions", "unique index"),
    errors.FK_TRANSACTION_SPLITS_CATEGORY: ("transaction_splits", "foreign key"),
    errors.UQ_EXCHANGE_RATES_KEY: ("exchange_rates", "unique"),
    errors.FK_RECURRING_ACCOUNT: ("recurring", "foreign key"),
    errors.FK_RECURRING_TO_ACCOUNT: ("recurring", "foreign key"),
    errors.FK_RECURRING_CATEGORY: ("recurring", "foreign key"),
}
"""Every constraint name of ``errors.py``: its table, and what kind of constraint it is."""


def _named(connection: Connection) -> dict[tuple[str, str], set[str]]:
    """The names of the unique constraints, unique indexes and foreign keys per table."""
    inspector = inspect(connection)
    found: dict[tuple[str, str], set[str]] = {}
    for table in {table for table, _ in EXPECTED.values()}:
        found[(table, "unique")] = {
            c["name"] for c in inspector.get_unique_constraints(table) if c["name"]
        }
        found[(table, "unique index")] = {
            i["name"] for i in inspector.get_indexes(table) if i["unique"] and i["name"]
        }
        found[(table, "foreign key")] = {
            k["name"] for k in inspector.get_foreign_keys(table) if k["name"]
        }
    return found


def test_every_constraint_name_constant_is_checked() -> None:
    constants = {
        value
        for name, value in vars(errors).items()
        if name.startswith(("UQ_", "FK_")) and isinstance(value, str)
    }

    assert constants == set(EXPECTED)


async def test_the_migrated_database_carries_every_constraint_name_of_the_errors_module(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        found = await connection.run_sync(_named)

    missing = {name for name, where in EXPECTED.items() if name not in found[where]}
    assert missing == set()


def _uow(engine: AsyncEngine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(engine, scope=ALL_HOUSEHOLDS)


def _user(email: str | None = None) -> User:
    email = email or f"names-{uuid.uuid4().hex[:10]}@example.com"
    return User(UserId(uuid.uuid4()), email, "hash", None, "EUR", False, True, NOW, NOW)


def _household() -> Household:
    return Household(HouseholdId(uuid.uuid4()), "Personal", NOW, NOW)


async def _stored(engine: AsyncEngine, *entities: Any) -> None:
    async with _uow(engine) as uow:
        for entity in entities:
            _add(uow, entity)
        await uow.commit()


def _add(uow: SqlAlchemyUnitOfWork, entity: Any) -> None:
    if isinstance(entity, User):
        uow.users.add(entity)
    elif isinstance(entity, Household):
        uow.households.add(entity)
    elif isinstance(entity, Account):
        uow.accounts.add(entity)
    else:
        uow.categories.add(entity)


async def _conflict(engine: AsyncEngine, entity: Any) -> ConflictError:
    with pytest.raises(ConflictError) as raised:
        await _stored(engine, entity)
    return raised.value


async def test_a_duplicate_email_becomes_a_conflict_by_constraint_name(
    engine: AsyncEngine,
) -> None:
    first = _user()
    await _stored(engine, first)

    conflict = await _conflict(engine, _user(first.email))

    assert type(conflict) is ConflictError
    assert conflict.detail == errors.CONFLICTS[errors.UQ_USERS_EMAIL]


def _account(owner: HouseholdId, name: str) -> Account:
    return Account.open(
        AccountId(uuid.uuid4()),
        owner,
        name,
        AccountType.CASH,
        Money(0, Currency.of("EUR")),
        NOW,
    )


async def test_a_second_unarchived_account_of_one_name_becomes_a_conflict(
    engine: AsyncEngine,
) -> None:
    owner = _household()
    await _stored(engine, owner, _account(owner.id, "Wallet"))

    conflict = await _conflict(engine, _account(owner.id, "Wallet"))

    assert conflict.detail == errors.CONFLICTS[errors.UQ_ACCOUNTS_HOUSEHOLD_NAME_ACTIVE]


def _category(owner: HouseholdId, name: str, parent: CategoryId | None = None) -> Category:
    return Category(
        CategoryId(uuid.uuid4()), owner, name, CategoryKind.EXPENSE, parent, None, False, NOW, NOW
    )


@pytest.mark.parametrize("level", ["top level", "subcategory"])
async def test_a_taken_category_name_becomes_a_conflict_at_either_level(
    engine: AsyncEngine, level: str
) -> None:
    owner = _household()
    parent = _category(owner.id, "Home")
    parent_id = parent.id if level == "subcategory" else None
    await _stored(engine, owner, parent, _category(owner.id, "Food", parent_id))

    conflict = await _conflict(engine, _category(owner.id, "Food", parent_id))

    constraint = {
        "top level": errors.UQ_CATEGORIES_TOP_LEVEL_NAME,
        "subcategory": errors.UQ_CATEGORIES_SUBCATEGORY_NAME,
    }[level]
    assert conflict.detail == errors.CONFLICTS[constraint]


async def test_a_second_transaction_of_an_account_with_one_import_id_is_import_id_taken(
    engine: AsyncEngine,
) -> None:
    ledger = await a_ledger(engine)
    await ledger.record(amount="1.00", import_id="bank-0001")

    with pytest.raises(ImportIdTakenError):
        await ledger.record(amount="2.00", import_id="bank-0001")


async def test_the_same_import_id_in_another_account_is_accepted(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    await ledger.record(amount="1.00", import_id="bank-0001")

    other = await ledger.record(amount="2.00", account_id=ledger.savings, import_id="bank-0001")

    assert other.import_id == "bank-0001"


async def test_transactions_without_an_import_id_never_clash(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)

    first = await ledger.record(amount="1.00")
    second = await ledger.record(amount="1.00")

    assert (first.import_id, second.import_id) == (None, None)


async def test_deleting_a_transaction_frees_its_import_id(engine: AsyncEngine) -> None:
    ledger = await a_ledger(engine)
    gone = await ledger.record(amount="1.00", import_id="bank-0001")
    await ledger.delete(gone.id)

    again = await ledger.record(amount="1.00", import_id="bank-0001")

    assert (await ledger.get(again.id)).import_id == "bank-0001"
