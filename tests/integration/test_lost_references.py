"""References to rows that a concurrent delete removed become domain errors, not 500s.

The unit of work is driven directly (the races themselves run over HTTP in
``test_concurrent_deletes_api.py``): each test writes what the losing side of a race
would write after the winning side has committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import ALL_HOUSEHOLDS
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.errors import AccountInUseError, RuleViolationError
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.splits import Split
from budget.domain.model.transaction import Transaction, TransactionType
from tests.integration.conftest import SignedIn

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
EUR = Currency.of("EUR")


def _uow(engine: AsyncEngine, household: HouseholdId | None = None) -> SqlAlchemyUnitOfWork:
    """A unit of work over ``household`` (row-level security), else over all of them."""
    return SqlAlchemyUnitOfWork(engine, scope=ALL_HOUSEHOLDS if household is None else (household,))


def _postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite names no constraint (and serialises writers, so nothing races)")


async def _account(client: Client, user: SignedIn) -> AccountId:
    body = {"name": f"A {uuid.uuid4().hex[:8]}", "type": "cash", "currency": "EUR"}
    response = await client.post("/api/v1/accounts", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return AccountId(uuid.UUID(response.json()["id"]))


async def _household(client: Client, user: SignedIn) -> HouseholdId:
    """The user's default household, where their accounts go."""
    response = await client.get("/api/v1/users/me", headers=user.headers)
    assert response.status_code == 200, response.text
    return HouseholdId(uuid.UUID(response.json()["default_household_id"]))


def _gone() -> uuid.UUID:
    return uuid.uuid4()


def _transaction(
    household: HouseholdId,
    account_id: AccountId,
    *,
    to_account_id: AccountId | None = None,
    category_id: CategoryId | None = None,
) -> Transaction:
    """A transaction as a use case would add it (built directly, past the use case's checks
    that the race made stale)."""
    transfer = to_account_id is not None
    return Transaction(
        TransactionId(uuid.uuid4()),
        household,
        TransactionType.TRANSFER if transfer else TransactionType.EXPENSE,
        account_id,
        to_account_id,
        Money(100, EUR),
        Money(100, EUR) if transfer else None,
        category_id,
        date(2026, 11, 1),
        "",
        "",
        (),
        NOW,
        NOW,
    )


async def test_moving_the_balance_of_an_account_that_is_gone_is_a_rule_violation_on_account_id(
    engine: AsyncEngine,
) -> None:
    async with _uow(engine) as uow:
        await uow.accounts.record_balance_deltas({AccountId(_gone()): 250})
        with pytest.raises(RuleViolationError) as error:
            await uow.commit()

    assert [p.field for p in error.value.problems] == ["account_id"]


def _split_with_a_part_in(
    household: HouseholdId, account_id: AccountId, category_id: CategoryId
) -> Transaction:
    txn = _transaction(household, account_id)
    txn.splits = (Split(None, Money(40, EUR)), Split(category_id, Money(60, EUR)))
    return txn


@pytest.mark.parametrize("field", ["account_id", "to_account_id", "category_id", "splits"])
async def test_a_transaction_referring_to_a_deleted_row_is_a_rule_violation_on_that_field(
    database_url: str, engine: AsyncEngine, client: Client, new_user: NewUser, field: str
) -> None:
    _postgres_only(database_url)
    user = await new_user()
    household = await _household(client, user)
    account = await _account(client, user)
    txn = {
        "account_id": _transaction(household, AccountId(_gone())),
        "to_account_id": _transaction(household, account, to_account_id=AccountId(_gone())),
        "category_id": _transaction(household, account, category_id=CategoryId(_gone())),
        "splits": _split_with_a_part_in(household, account, CategoryId(_gone())),
    }[field]

    with pytest.raises(RuleViolationError) as error:
        await _commit(engine, txn, move_balance=False)

    assert [p.field for p in error.value.problems] == [field]


async def test_deleting_an_account_that_a_transaction_refers_to_is_account_in_use(
    database_url: str, engine: AsyncEngine, client: Client, new_user: NewUser
) -> None:
    _postgres_only(database_url)
    user = await new_user()
    household = await _household(client, user)
    account = await _account(client, user)
    await _commit(engine, _transaction(household, account))

    with pytest.raises(AccountInUseError):
        await _delete_unchecked(engine, household, account)


async def _commit(engine: AsyncEngine, txn: Transaction, *, move_balance: bool = True) -> None:
    """Add the transaction as ``RecordTransaction`` does, after its (stale) checks; without
    ``move_balance`` the insert itself meets the missing row, at commit."""
    async with _uow(engine, txn.household_id) as uow:
        uow.transactions.add(txn)
        if move_balance:
            await uow.accounts.record_balance_deltas({txn.account_id: -txn.amount.minor})
        await uow.commit()


async def _delete_unchecked(
    engine: AsyncEngine, household: HouseholdId, account: AccountId
) -> None:
    """Delete the account as ``DeleteAccount`` does, past its (stale) check."""
    async with _uow(engine, household) as uow:
        found = await uow.accounts.get((household,), account)
        assert found is not None
        await uow.accounts.delete(found)
        await uow.commit()
