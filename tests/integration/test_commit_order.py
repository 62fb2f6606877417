"""The one write path: what a unit of work records is written at commit, rows parents first
(a transaction's split parts after it), then the balances (in sorted account id order),
then the totals; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import ALL_HOUSEHOLDS, restrict
from budget.adapters.tables import AccountRow, DailyTotalRow, MonthlyTotalRow, TransactionRow
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.domain.model.account import Account, AccountType
from budget.domain.model.balance import balance_change
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.household import Household, Membership, Role
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId, UserId
from budget.domain.model.money import Money
from budget.domain.model.splits import Split
from budget.domain.model.totals import totals_change
from budget.domain.model.transaction import Transaction, TransactionType
from budget.domain.model.user import User

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
EUR = Currency.of("EUR")


def _uow(engine: AsyncEngine) -> SqlAlchemyUnitOfWork:
    """A unit of work that may touch every household's rows (row-level security)."""
    return SqlAlchemyUnitOfWork(engine, scope=ALL_HOUSEHOLDS)


@contextmanager
def _statements(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (and its parameters) the engine runs inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((" ".join(statement.split()), params))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def _user() -> User:
    """A user whose personal household has the user's id (see ``_join``)."""
    email = f"order-{uuid.uuid4().hex[:10]}@example.com"
    user_id = UserId(uuid.uuid4())
    return User(user_id, email, "hash", None, "EUR", False, True, NOW, NOW, HouseholdId(user_id))


def _join(uow: SqlAlchemyUnitOfWork, user: User) -> HouseholdId:
    """Add the user with their personal household (the one its data goes to)."""
    household = HouseholdId(user.id)
    uow.users.add(user)
    uow.households.add(Household(household, "Personal", NOW, NOW))
    uow.households.add_membership(Membership(household, user.id, Role.OWNER, NOW))
    return household


def _account(owner: HouseholdId, name: str, opening: int = 10_000) -> Account:
    return Account.open(
        AccountId(uuid.uuid4()), owner, name, AccountType.CHECKING, Money(opening, EUR), NOW
    )


def _expense(
    owner: HouseholdId, account: Account, category: Category | None, amount: int
) -> Transaction:
    return Transaction(
        TransactionId(uuid.uuid4()),
        owner,
        TransactionType.EXPENSE,
        account.id,
        None,
        Money(amount, EUR),
        None,
        None if category is None else category.id,
        date(2026, 11, 3),
        "Groceries",
        "",
        (),
        NOW,
        NOW,
    )


async def _record(uow: SqlAlchemyUnitOfWork, txn: Transaction) -> None:
    """What ``RecordTransaction`` does once its checks pass."""
    uow.transactions.add(txn)
    await uow.accounts.record_balance_deltas(balance_change(None, txn))
    await uow.totals.record(totals_change(None, txn))


def _queries(statements: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Each statement run, in order; one made of ``WITH`` queries (derived writes run
    together on PostgreSQL, in order) counts as its queries, each with the whole
    statement's parameters."""
    queries = []
    for sql, params in statements:
        if sql.startswith("WITH e0 AS ("):
            queries += [(part, params) for part in re.split(r"(?:WITH |, )e\d+ AS \(", sql)[1:]]
        else:
            queries.append((sql, params))
    return queries


def _position(statements: list[tuple[str, Any]], prefix: str) -> int:
    return next(n for n, (sql, _) in enumerate(_queries(statements)) if sql.startswith(prefix))


async def test_a_new_user_category_account_and_transaction_commit_together(
    engine: AsyncEngine,
) -> None:
    user = _user()
    home = HouseholdId(user.id)
    category = Category(
        CategoryId(uuid.uuid4()), home, "Food", CategoryKind.EXPENSE, None, None, False, NOW, NOW
    )
    account = _account(home, "Wallet")
    txn = _expense(home, account, category, 1_250)

    async with _uow(engine) as uow:
        _join(uow, user)
        uow.categories.add(category)
        uow.accounts.add(account)
        await _record(uow, txn)
        await uow.commit()

    async with engine.connect() as connection:
        await restrict(connection, (home,))  # PostgreSQL's row-level security
        balance = (
            await connection.execute(select(AccountRow.balance).where(AccountRow.id == account.id))
        ).scalar()
        stored = (
            await connection.execute(
                select(TransactionRow.amount).where(TransactionRow.id == txn.id)
            )
        ).scalar()
        daily = (
            await connection.execute(
                select(DailyTotalRow.amount, DailyTotalRow.count).where(
                    DailyTotalRow.household_id == home
                )
            )
        ).all()
        monthly = (
            await connection.execute(
                select(MonthlyTotalRow.amount, MonthlyTotalRow.count).where(
                    MonthlyTotalRow.household_id == home
                )
            )
        ).all()
    assert balance == 10_000 - 1_250
    assert stored == 1_250
    assert [tuple(row) for row in daily] == [(1_250, 1)]
    assert [tuple(row) for row in monthly] == [(1_250, 1)]


async def test_rows_are_written_parents_first_then_balances_then_totals(
    engine: AsyncEngine,
) -> None:
    user = _user()
    home = HouseholdId(user.id)
    category = Category(
        CategoryId(uuid.uuid4()), home, "Rent", CategoryKind.EXPENSE, None, None, False, NOW, NOW
    )
    account = _account(home, "Bank")

    with _statements(engine) as statements:
        async with _uow(engine) as uow:
            # Recorded children first: the order of the calls must not matter.
            await _record(uow, _expense(home, account, category, 700))
            uow.accounts.add(account)
            uow.categories.add(category)
            _join(uow, user)
            statements.clear()
            await uow.commit()

    order = [
        _position(statements, "INSERT INTO users"),
        _position(statements, "INSERT INTO accounts"),
        _position(statements, "INSERT INTO transactions"),
        _position(statements, "UPDATE accounts SET balance"),
        _position(statements, "INSERT INTO daily_totals"),
        _position(statements, "INSERT INTO monthly_totals"),
    ]
    assert order == sorted(order)
    households = _position(statements, "INSERT INTO households")
    memberships = _position(statements, "INSERT INTO memberships")
    assert households < order[1]
    assert max(order[0], households) < memberships
    assert _position(statements, "INSERT INTO categories") < order[2]


async def test_balances_are_moved_in_sorted_account_id_order_whatever_the_order_recorded(
    engine: AsyncEngine,
) -> None:
    user = _user()
    home = HouseholdId(user.id)
    accounts = [_account(home, f"A{n}") for n in range(4)]
    async with _uow(engine) as uow:
        _join(uow, user)
        for account in accounts:
            uow.accounts.add(account)
        await uow.commit()

    with _statements(engine) as statements:
        async with _uow(engine) as uow:
            for account in reversed(accounts):
                await _record(uow, _expense(home, account, None, 100))
            statements.clear()
            await uow.commit()

    moving = [p for sql, p in statements if "UPDATE accounts SET balance" in sql]
    ids = {account.id for account in accounts}
    moved = [found for params in moving for found in _param_uuids(params) if found in ids]
    assert list(dict.fromkeys(moved)) == sorted(ids)


def _param_uuids(params: Any) -> list[uuid.UUID]:
    """The UUIDs among a statement's driver parameters, in order."""
    values = params.values() if isinstance(params, dict) else params
    found = []
    for value in values:
        if isinstance(value, uuid.UUID):
            found.append(value)
        if isinstance(value, bytes | memoryview) and len(value) == 16:
            found.append(uuid.UUID(bytes=bytes(value)))
        if isinstance(value, str) and len(value) in (32, 36):
            found.append(uuid.UUID(value))
    return found


async def test_a_handed_out_account_writes_back_its_changes_but_never_its_balance(
    engine: AsyncEngine,
) -> None:
    user = _user()
    home = HouseholdId(user.id)
    account = _account(home, "Kept")
    async with _uow(engine) as uow:
        _join(uow, user)
        uow.accounts.add(account)
        await uow.commit()

    with _statements(engine) as statements:
        async with _uow(engine) as uow:
            found = await uow.accounts.get((home,), account.id, for_update=True)
            assert found is not None
            found.rename("Renamed")
            await uow.accounts.record_balance_deltas({account.id: 300})
            assert found.balance == Money(10_300, EUR)
            statements.clear()
            await uow.commit()

    updates = [sql for sql, _ in _queries(statements) if sql.startswith("UPDATE accounts")]
    assert len(updates) == 2
    assert "balance" not in updates[0]
    assert "name" in updates[0]
    assert updates[1].startswith("UPDATE accounts SET balance = balance +")
    async with _uow(engine) as uow:
        stored = await uow.accounts.get((home,), account.id)
    assert stored is not None
    assert (stored.name, stored.balance) == ("Renamed", Money(10_300, EUR))


async def test_a_transaction_added_and_deleted_in_one_unit_of_work_is_never_written(
    engine: AsyncEngine,
) -> None:
    user = _user()
    home = HouseholdId(user.id)
    account = _account(home, "Brief")
    txn = _expense(home, account, None, 5)

    with _statements(engine) as statements:
        async with _uow(engine) as uow:
            _join(uow, user)
            uow.accounts.add(account)
            uow.transactions.add(txn)
            await uow.transactions.delete(txn)
            await uow.commit()

    assert not [sql for sql, _ in statements if "transactions" in sql]


async def test_the_parts_of_a_split_transaction_are_written_after_it_with_the_balances(
    engine: AsyncEngine,
) -> None:
    user = _user()
    home = HouseholdId(user.id)
    account = _account(home, "Split")
    async with _uow(engine) as uow:
        _join(uow, user)
        uow.accounts.add(account)
        await uow.commit()
    txn = _expense(home, account, None, 900)
    txn.splits = (Split(None, Money(600, EUR)), Split(None, Money(300, EUR)))

    with _statements(engine) as statements:
        async with _uow(engine) as uow:
            await _record(uow, txn)
            await uow.commit()

    queries = [sql for sql, _ in _queries(statements)]
    row = _position(statements, "INSERT INTO transactions")
    parts = next(n for n, sql in enumerate(queries) if "INSERT INTO transaction_splits" in sql)
    assert row < parts
    if engine.dialect.name == "postgresql":
        # One statement moves the balances and inserts the parts (writes.run_effects).
        assert any(
            "INSERT INTO transaction_splits" in sql and "UPDATE accounts SET balance" in sql
            for sql, _ in statements
        )
