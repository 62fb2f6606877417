"""Row-level security on PostgreSQL, the second line of household isolation.

Every query filters by the caller's households; these tests take that filter away (or go
around the repositories altogether) and check that the policies of migration 0005 still
keep each unit of work to the households it named (``database.restrict``).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import ColumnElement, exc, text, true
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters import accounts as account_adapter
from budget.adapters.database import ALL_HOUSEHOLDS, Scope, create_engine, restrict
from budget.adapters.migrations import upgrade
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.model.account import Account, AccountType
from budget.domain.model.currency import Currency
from budget.domain.model.household import Household
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.ledger_queries import AccountFilters
from budget.domain.model.money import Money
from budget.domain.model.paging import PageRequest, Sort
from tests.integration.databases import postgres_database

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
EUR = Currency.of("EUR")


@pytest.fixture(scope="module")
async def database() -> AsyncIterator[str]:
    async with postgres_database() as url:
        await upgrade(url)
        yield url


@pytest.fixture
async def engine(database: str) -> AsyncIterator[AsyncEngine]:
    """The app's kind of engine: its connections act as the tenant role."""
    own = create_engine(database, pool_size=1)
    yield own
    await own.dispose()


async def _household_with_account(engine: AsyncEngine, name: str) -> tuple[HouseholdId, AccountId]:
    household = Household.found(HouseholdId(uuid.uuid4()), name, T0)
    account = Account.open(
        AccountId(uuid.uuid4()), household.id, name, AccountType.CASH, Money(100, EUR), T0
    )
    async with SqlAlchemyUnitOfWork(engine, scope=ALL_HOUSEHOLDS) as uow:
        uow.households.add(household)
        uow.accounts.add(account)
        await uow.commit()
    return household.id, account.id


def _no_household_filter(column: object, scope: Sequence[HouseholdId]) -> ColumnElement[bool]:
    """What a query that forgot its household filter would have instead."""
    return true()


async def _listed_accounts(
    engine: AsyncEngine, scope: Scope, households: Sequence[HouseholdId]
) -> set[AccountId]:
    async with SqlAlchemyUnitOfWork(engine, read_only=True, scope=scope) as uow:
        page = await uow.accounts.list(
            households, AccountFilters(), PageRequest(200, 0), Sort("name")
        )
    return {account.id for account in page.items}


async def test_an_account_list_without_its_household_filter_still_sees_only_the_members_rows(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, my_account = await _household_with_account(engine, "Mine")
    await _household_with_account(engine, "Theirs")
    monkeypatch.setattr(account_adapter, "in_households", _no_household_filter)

    listed = await _listed_accounts(engine, [mine], [mine])

    assert listed == {my_account}


async def test_the_same_list_without_its_filter_sees_every_household_when_all_are_allowed(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, my_account = await _household_with_account(engine, "Mine")
    theirs, their_account = await _household_with_account(engine, "Theirs")
    monkeypatch.setattr(account_adapter, "in_households", _no_household_filter)

    listed = await _listed_accounts(engine, ALL_HOUSEHOLDS, [theirs])

    assert {my_account, their_account} <= listed


async def test_a_by_id_read_of_another_households_account_finds_nothing_without_the_filter(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, _ = await _household_with_account(engine, "Mine")
    theirs, their_account = await _household_with_account(engine, "Theirs")
    monkeypatch.setattr(account_adapter, "in_households", _no_household_filter)

    async with SqlAlchemyUnitOfWork(engine, read_only=True, scope=[mine]) as uow:
        found = await uow.accounts.get([theirs], their_account)

    assert found is None


async def test_writing_a_row_into_a_household_outside_the_scope_is_refused(
    engine: AsyncEngine,
) -> None:
    mine, _ = await _household_with_account(engine, "Mine")
    theirs, _ = await _household_with_account(engine, "Theirs")
    planted = Account.open(
        AccountId(uuid.uuid4()), theirs, "Planted", AccountType.CASH, Money(1, EUR), T0
    )

    async with SqlAlchemyUnitOfWork(engine, scope=[mine]) as uow:
        uow.accounts.add(planted)
        with pytest.raises(exc.DBAPIError, match="row-level security"):
            await uow.commit()


async def test_raw_sql_on_a_connection_without_a_scope_sees_no_household_rows(
    engine: AsyncEngine,
) -> None:
    await _household_with_account(engine, "Somebody's")

    async with engine.connect() as connection:
        await restrict(connection, None)
        counted = (await connection.execute(text("SELECT count(*) FROM accounts"))).scalar()

    assert counted == 0


async def test_a_pooled_connection_serves_the_next_scope_and_not_the_last_one(
    engine: AsyncEngine,
) -> None:
    first, _ = await _household_with_account(engine, "First")
    second, second_account = await _household_with_account(engine, "Second")

    async with engine.connect() as connection:  # the pool's only connection
        await restrict(connection, [first])
    async with engine.connect() as connection:
        await restrict(connection, [second])
        seen = (await connection.execute(text("SELECT id FROM accounts"))).scalars().all()

    assert seen == [second_account]


async def test_the_apps_connections_act_as_a_role_that_row_level_security_binds(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        role = (
            await connection.execute(
                text(
                    "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles"
                    " WHERE rolname = current_user"
                )
            )
        ).one()

    assert tuple(role) == ("budget_app", False, False)


@pytest.mark.parametrize("function", ["budget_households", "budget_all_households"])
async def test_the_functions_the_policies_call_are_inlined_into_each_statement(
    engine: AsyncEngine, function: str
) -> None:
    # A function PostgreSQL cannot inline runs through the SQL function executor once per
    # policy and statement; an inlined one shows its body in the plan instead of its name.
    async with engine.connect() as connection:
        plan = (
            (await connection.execute(text(f"EXPLAIN (VERBOSE) SELECT {function}()")))
            .scalars()
            .all()
        )

    assert function not in " ".join(plan)
    assert "current_setting" in " ".join(plan)
