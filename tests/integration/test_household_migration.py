"""Migration 0004 on a seeded 0003 ledger, on SQLite and PostgreSQL: every user gets a
personal household with the user's id, the owned rows keep every value under that household,
and the downgrade gives the rows back to the users (a household's to its oldest owner).

The ledger is written with plain SQL at revision 0003 (the models describe the head); the
balances and totals are consistent with its transactions.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import create_async_engine

from budget.adapters.migrations import downgrade, upgrade
from tests.integration.databases import postgres_database, sqlite_database

T = TypeVar("T")

OWNED_TABLES = (
    "accounts",
    "categories",
    "transactions",
    "budgets",
    "daily_totals",
    "monthly_totals",
)
LEDGER_TABLES = ("users", "refresh_tokens", *OWNED_TABLES)
"""Every table of revision 0003 but ``alembic_version``."""
ADDED_LATER = frozenset(
    {
        "status",
        "import_id",
        "recurring_id",
        "split_count",
        "cleared_balance",
        "last_reconciled_on",
        "entries",
    }
)
"""Columns of the owned tables that migrations after 0004 add (0007): not in a 0003 row."""

NO_CATEGORY = uuid.UUID(int=0)
TRANSFER = "transfer"
ANA = uuid.UUID("00000000-0000-7000-8000-00000000a0a0")
BEN = uuid.UUID("00000000-0000-7000-8000-00000000b0b0")
"""Ana's id sorts before Ben's: the oldest owner must be chosen by ``joined_at`` first."""
CREATED = {
    ANA: datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
    BEN: datetime(2026, 2, 10, 12, 30, tzinfo=UTC),
}

GUID_COLUMNS = {
    "id",
    "owner_id",
    "household_id",
    "user_id",
    "parent_id",
    "account_id",
    "to_account_id",
    "category_id",
    "category_key",
    "default_household_id",
    "family_id",
}
DATE_COLUMNS = {"date", "month", "start_date", "end_date"}
ALL_HOUSEHOLDS = "SELECT set_config('budget.households', '*', false)"


# ---------------------------------------------------------------- typed plain SQL


def _type(column: str) -> Any:
    if column in GUID_COLUMNS:
        return GUID(length=16)
    if column.endswith("_at"):
        return DateTimeUTC(timezone=True)
    if column in DATE_COLUMNS:
        return sa.Date()
    if column == "tags":
        return sa.JSON().with_variant(JSONB(), "postgresql")
    return None


def _table(name: str, columns: list[str]) -> sa.TableClause:
    return sa.table(name, *(sa.column(column, _type(column)) for column in columns))


def _insert(connection: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    connection.execute(sa.insert(_table(table, list(rows[0]))), rows)


def _freeze(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def _rows(connection: Connection, table: str, columns: list[str]) -> set[tuple[Any, ...]]:
    rows = connection.execute(sa.select(*_table(table, columns).c))
    return {tuple(_freeze(value) for value in row) for row in rows}


def _columns(connection: Connection, table: str) -> list[str]:
    return sorted(column["name"] for column in sa.inspect(connection).get_columns(table))


async def _on(url: str, work: Callable[[Connection], T]) -> T:
    """Runs ``work`` in one committed transaction (PostgreSQL: every household visible)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Row-level security (a later revision) shows a non-superuser no row
                # without this setting; a superuser is not subject to it anyway.
                await connection.execute(sa.text(ALL_HOUSEHOLDS))
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


# ---------------------------------------------------------------- the seeded 0003 ledger


@dataclass(frozen=True)
class Move:
    owner: uuid.UUID
    type: str
    account: uuid.UUID
    amount: int
    currency: str
    day: date
    category: uuid.UUID | None = None
    to_account: uuid.UUID | None = None
    to_amount: int | None = None

    def row(self, number: int) -> dict[str, Any]:
        at = datetime(self.day.year, self.day.month, self.day.day, 18, tzinfo=UTC)
        return {
            "id": uuid.UUID(int=0x7000_0000 + number),
            "owner_id": self.owner,
            "type": self.type,
            "account_id": self.account,
            "to_account_id": self.to_account,
            "amount": self.amount,
            "to_amount": self.to_amount,
            "currency": self.currency,
            "to_currency": self.currency if self.to_account else None,
            "category_id": self.category,
            "date": self.day,
            "description": f"{self.type} {number}",
            "payee": "",
            "tags": ["seed"],
            "search_text": f"{self.type} {number}",
            "created_at": at,
            "updated_at": at,
        }


ACCOUNTS = {
    # id: (owner, name, currency, opening balance)
    uuid.UUID(int=0xA1): (ANA, "Checking", "EUR", 100_000),
    uuid.UUID(int=0xA2): (ANA, "Savings", "EUR", 0),
    uuid.UUID(int=0xA3): (ANA, "Cash", "USD", 5_000),
    uuid.UUID(int=0xB1): (BEN, "Checking", "EUR", 20_000),
    uuid.UUID(int=0xB2): (BEN, "Wallet", "EUR", 1_500),
}
ANA_CHECKING, ANA_SAVINGS, ANA_CASH, BEN_CHECKING, BEN_WALLET = ACCOUNTS
CATEGORIES = {
    # id: (owner, name, kind, parent)
    uuid.UUID(int=0xC1): (ANA, "Salary", "income", None),
    uuid.UUID(int=0xC2): (ANA, "Food", "expense", None),
    uuid.UUID(int=0xC3): (ANA, "Groceries", "expense", uuid.UUID(int=0xC2)),
    uuid.UUID(int=0xD1): (BEN, "Food", "expense", None),
}
SALARY, FOOD, GROCERIES, BEN_FOOD = CATEGORIES
MOVES = (
    Move(ANA, "income", ANA_CHECKING, 250_000, "EUR", date(2026, 10, 1), SALARY),
    Move(ANA, "expense", ANA_CHECKING, 4_599, "EUR", date(2026, 10, 3), GROCERIES),
    Move(ANA, "expense", ANA_CHECKING, 1_001, "EUR", date(2026, 10, 3), GROCERIES),
    Move(ANA, "expense", ANA_CHECKING, 7_777, "EUR", date(2026, 10, 20), GROCERIES),
    Move(ANA, "expense", ANA_CASH, 1_250, "USD", date(2026, 11, 2)),
    Move(
        ANA, "transfer", ANA_CHECKING, 50_000, "EUR", date(2026, 10, 5), None, ANA_SAVINGS, 50_000
    ),
    Move(BEN, "income", BEN_CHECKING, 120_000, "EUR", date(2026, 10, 28)),
    Move(BEN, "expense", BEN_WALLET, 3_333, "EUR", date(2026, 11, 15), BEN_FOOD),
    Move(BEN, "transfer", BEN_CHECKING, 2_000, "EUR", date(2026, 11, 1), None, BEN_WALLET, 2_000),
)


def _balances() -> dict[uuid.UUID, int]:
    balance = {account: opening for account, (_, _, _, opening) in ACCOUNTS.items()}
    for move in MOVES:
        balance[move.account] += move.amount if move.type == "income" else -move.amount
        if move.to_account is not None and move.to_amount is not None:
            balance[move.to_account] += move.to_amount
    return balance


def _totals(monthly: bool) -> list[dict[str, Any]]:
    """The cells of ``daily_totals`` (or ``monthly_totals``) the moves add up to."""
    cells: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for move in MOVES:
        if move.type == "transfer":
            continue
        day = move.day.replace(day=1) if monthly else move.day
        key = (move.owner, move.type, day, move.currency, move.category or NO_CATEGORY)
        cell = cells[(*key, move.account)]
        cell[0] += move.amount
        cell[1] += 1
    names = ("owner_id", "type", "month" if monthly else "date", "currency", "category_key")
    return [
        {**dict(zip((*names, "account_id"), key, strict=True)), "amount": a, "count": n}
        for key, (a, n) in cells.items()
    ]


def _seed(connection: Connection) -> None:
    _insert(
        connection,
        "users",
        [
            {
                "id": user,
                "email": f"{name}@example.com",
                "password_hash": "hash",
                "display_name": name.title(),
                "default_currency": "EUR",
                "is_admin": False,
                "is_active": True,
                "created_at": CREATED[user],
                "updated_at": CREATED[user],
            }
            for user, name in ((ANA, "ana"), (BEN, "ben"))
        ],
    )
    balances = _balances()
    _insert(
        connection,
        "accounts",
        [
            {
                "id": account,
                "owner_id": owner,
                "name": name,
                "type": "checking",
                "currency": currency,
                "opening_balance": opening,
                "balance": balances[account],
                "archived": False,
                "created_at": CREATED[owner],
                "updated_at": CREATED[owner],
            }
            for account, (owner, name, currency, opening) in ACCOUNTS.items()
        ],
    )
    _insert(
        connection,
        "categories",
        [
            {
                "id": category,
                "owner_id": owner,
                "name": name,
                "kind": kind,
                "parent_id": parent,
                "color": None,
                "archived": False,
                "created_at": CREATED[owner],
                "updated_at": CREATED[owner],
            }
            for category, (owner, name, kind, parent) in CATEGORIES.items()
        ],
    )
    _insert(connection, "transactions", [move.row(n) for n, move in enumerate(MOVES)])
    budget = {
        "rollover": False,
        "end_date": None,
        "created_at": CREATED[ANA],
        "updated_at": CREATED[ANA],
    }
    _insert(
        connection,
        "budgets",
        [
            {
                **budget,
                "id": uuid.UUID(int=0xE1),
                "owner_id": ANA,
                "name": "Groceries",
                "category_id": GROCERIES,
                "amount": 40_000,
                "currency": "EUR",
                "period": "monthly",
                "start_date": date(2026, 10, 1),
                "alert_threshold": 80,
            },
            {
                **budget,
                "id": uuid.UUID(int=0xE2),
                "owner_id": BEN,
                "name": "Everything",
                "category_id": None,
                "amount": 100_000,
                "currency": "EUR",
                "period": "monthly",
                "start_date": date(2026, 11, 1),
                "end_date": date(2026, 12, 31),
                "rollover": True,
                "alert_threshold": 90,
            },
        ],
    )
    _insert(connection, "daily_totals", _totals(monthly=False))
    _insert(connection, "monthly_totals", _totals(monthly=True))


@dataclass(frozen=True)
class Snapshot:
    """Every row of the owned tables, the owner column first and the rest by name."""

    owned: dict[str, set[tuple[Any, ...]]]
    balances: dict[uuid.UUID, tuple[uuid.UUID, int, int]]
    totals: dict[str, dict[tuple[Any, ...], tuple[int, int]]]
    budgets: set[tuple[Any, ...]]


def _snapshot(owner: str) -> Callable[[Connection], Snapshot]:
    """Reads the ledger with ``owner`` (``owner_id`` or ``household_id``) as the owner."""

    def read(connection: Connection) -> Snapshot:
        owned = {}
        for table in OWNED_TABLES:
            rest = [
                column
                for column in _columns(connection, table)
                if column != owner and column not in ADDED_LATER
            ]
            owned[table] = _rows(connection, table, [owner, *rest])
            if table.endswith("_totals"):
                # Transfers' own cells come later (0008): not in a 0003 ledger.
                position = 1 + rest.index("type")
                owned[table] = {row for row in owned[table] if row[position] != TRANSFER}
        accounts = _table("accounts", ["id", owner, "opening_balance", "balance"])
        balances = {
            account: (who, opening, balance)
            for account, who, opening, balance in connection.execute(sa.select(*accounts.c))
        }
        totals = {}
        for table in ("daily_totals", "monthly_totals"):
            cells = _table(table, [owner, "type", "currency", "amount", "count"]).c
            key = (cells[owner], cells.type, cells.currency)
            sums = sa.select(*key, sa.func.sum(cells.amount), sa.func.sum(cells["count"])).where(
                cells.type != TRANSFER
            )
            totals[table] = {
                (who, kind, currency): (int(amount), int(count))
                for who, kind, currency, amount, count in connection.execute(sums.group_by(*key))
            }
        return Snapshot(owned, balances, totals, owned["budgets"])

    return read


def _everything(connection: Connection) -> dict[str, set[tuple[Any, ...]]]:
    return {table: _rows(connection, table, _columns(connection, table)) for table in LEDGER_TABLES}


def _url_for(kind: str, directory: Path) -> Any:
    return sqlite_database(directory) if kind == "sqlite" else postgres_database()


@dataclass(frozen=True)
class Migrated:
    url: str
    before: Snapshot


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def migrated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Migrated]:
    """The seeded ledger read at 0003, then upgraded to the head (read-only for the tests)."""
    async with _url_for(request.param, tmp_path_factory.mktemp("households")) as url:
        await upgrade(url, "0003")
        await _on(url, _seed)
        before = await _on(url, _snapshot("owner_id"))
        await upgrade(url)
        yield Migrated(url, before)


@pytest.fixture(params=["sqlite", "postgresql"])
async def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own with the seeded ledger at 0003."""
    async with _url_for(request.param, tmp_path) as url:
        await upgrade(url, "0003")
        await _on(url, _seed)
        yield url


# ---------------------------------------------------------------- upgrade


def _households_of_users(connection: Connection) -> dict[str, set[Any]]:
    users = _table("users", ["id", "created_at", "default_household_id"])
    households = _table("households", ["id", "name", "created_at", "updated_at"])
    memberships = _table("memberships", ["household_id", "user_id", "role", "joined_at"])
    return {
        "users": set(connection.execute(sa.select(*users.c))),
        "households": set(connection.execute(sa.select(*households.c))),
        "memberships": set(connection.execute(sa.select(*memberships.c))),
    }


async def test_upgrading_gives_every_user_a_personal_household_with_the_users_id(
    migrated: Migrated,
) -> None:
    found = await _on(migrated.url, _households_of_users)

    assert found["users"] == {(user, CREATED[user], user) for user in (ANA, BEN)}
    assert found["households"] == {
        (user, "Personal", CREATED[user], CREATED[user]) for user in (ANA, BEN)
    }
    assert found["memberships"] == {(user, user, "owner", CREATED[user]) for user in (ANA, BEN)}


async def test_upgrading_keeps_every_owned_row_with_its_former_owner_as_household(
    migrated: Migrated,
) -> None:
    after = await _on(migrated.url, _snapshot("household_id"))

    assert after.owned == migrated.before.owned
    assert {table: len(rows) for table, rows in after.owned.items()} == {
        "accounts": len(ACCOUNTS),
        "categories": len(CATEGORIES),
        "transactions": len(MOVES),
        "budgets": 2,
        "daily_totals": len(_totals(monthly=False)),
        "monthly_totals": len(_totals(monthly=True)),
    }


async def test_upgrading_keeps_balances_totals_and_budgets_to_the_cent(
    migrated: Migrated,
) -> None:
    after = await _on(migrated.url, _snapshot("household_id"))

    balances = _balances()
    assert after.balances == migrated.before.balances
    assert after.balances == {
        account: (owner, opening, balances[account])
        for account, (owner, _, _, opening) in ACCOUNTS.items()
    }
    assert after.totals == migrated.before.totals
    assert after.totals["monthly_totals"] == after.totals["daily_totals"]
    assert after.totals["daily_totals"][(ANA, "expense", "EUR")] == (4_599 + 1_001 + 7_777, 3)
    assert after.budgets == migrated.before.budgets


# ---------------------------------------------------------------- downgrade


async def test_downgrading_after_upgrading_gives_back_every_row_of_0003(seeded: str) -> None:
    before = await _on(seeded, _everything)

    await upgrade(seeded)
    await downgrade(seeded, "0003")

    assert await _on(seeded, _everything) == before
    assert sum(len(rows) for rows in before.values()) > len(MOVES)


FLAT = uuid.UUID(int=0xF1A7)
FLAT_ACCOUNT = uuid.UUID(int=0xF1)
FLAT_CATEGORY = uuid.UUID(int=0xF2)
FLAT_TRANSACTION = uuid.UUID(int=0xF3)


def _shared_household(members: dict[uuid.UUID, tuple[str, datetime]]) -> Callable[..., None]:
    """A household "Flat" (at the head) with ``members`` (user: role, joined) and an account
    "Checking", a top-level expense category "Food", one expense and its totals."""

    def add(connection: Connection) -> None:
        at = datetime(2026, 3, 1, tzinfo=UTC)
        _insert(
            connection,
            "households",
            [{"id": FLAT, "name": "Flat", "created_at": at, "updated_at": at}],
        )
        _insert(
            connection,
            "memberships",
            [
                {"household_id": FLAT, "user_id": user, "role": role, "joined_at": joined}
                for user, (role, joined) in members.items()
            ],
        )
        common = {"household_id": FLAT, "archived": False, "created_at": at, "updated_at": at}
        _insert(
            connection,
            "accounts",
            [
                {
                    **common,
                    "id": FLAT_ACCOUNT,
                    "name": "Checking",
                    "type": "checking",
                    "currency": "EUR",
                    "opening_balance": 0,
                    "balance": -900,
                    "cleared_balance": 0,
                }
            ],
        )
        _insert(
            connection,
            "categories",
            [
                {
                    **common,
                    "id": FLAT_CATEGORY,
                    "name": "Food",
                    "kind": "expense",
                    "parent_id": None,
                    "color": None,
                }
            ],
        )
        move = Move(ANA, "expense", FLAT_ACCOUNT, 900, "EUR", date(2026, 11, 3), FLAT_CATEGORY)
        row = move.row(99) | {"id": FLAT_TRANSACTION}
        del row["owner_id"]
        _insert(connection, "transactions", [{**row, "household_id": FLAT}])
        for table, day in (("daily_totals", "date"), ("monthly_totals", "month")):
            cell = {
                "household_id": FLAT,
                "type": "expense",
                day: date(2026, 11, 3 if day == "date" else 1),
                "currency": "EUR",
                "category_key": FLAT_CATEGORY,
                "account_id": FLAT_ACCOUNT,
                "amount": 900,
                "count": 1,
                "entries": 1,
            }
            _insert(connection, table, [cell])

    return add


FLAT_ROWS = {
    "accounts": ("id", FLAT_ACCOUNT),
    "categories": ("id", FLAT_CATEGORY),
    "transactions": ("id", FLAT_TRANSACTION),
    "daily_totals": ("account_id", FLAT_ACCOUNT),
    "monthly_totals": ("account_id", FLAT_ACCOUNT),
}
"""The rows of the shared household: a key column and its value, per table."""


def _owners_of_flat_rows(connection: Connection) -> dict[str, set[Any]]:
    """The owners of the shared household's former rows, per table."""
    found = {}
    for table, (key, value) in FLAT_ROWS.items():
        rows = _table(table, [key, "owner_id"]).c
        found[table] = set(connection.scalars(sa.select(rows.owner_id).where(rows[key] == value)))
    return found


async def test_downgrading_gives_a_shared_households_rows_to_its_oldest_owner(
    seeded: str,
) -> None:
    await upgrade(seeded)
    members = {
        ANA: ("owner", datetime(2026, 5, 1, tzinfo=UTC)),
        BEN: ("owner", datetime(2026, 4, 1, tzinfo=UTC)),
    }
    await _on(seeded, _shared_household(members))

    await downgrade(seeded, "0003")

    owners = await _on(seeded, _owners_of_flat_rows)
    assert owners == {table: {BEN} for table in FLAT_ROWS}


async def test_downgrading_deletes_the_rows_of_a_household_without_an_owner(
    seeded: str,
) -> None:
    before = await _on(seeded, _everything)
    await upgrade(seeded)
    await _on(seeded, _shared_household({ANA: ("editor", datetime(2026, 3, 2, tzinfo=UTC))}))

    await downgrade(seeded, "0003")

    owners = await _on(seeded, _owners_of_flat_rows)
    assert owners == {table: set() for table in FLAT_ROWS}
    assert await _on(seeded, _everything) == before


def _names_of(owner: uuid.UUID) -> Callable[[Connection], set[tuple[str, str]]]:
    def read(connection: Connection) -> set[tuple[str, str]]:
        names: set[tuple[str, str]] = set()
        for table in ("accounts", "categories"):
            rows = _table(table, ["owner_id", "name"]).c
            query = sa.select(rows.name).where(rows.owner_id == owner)
            names |= {(table, name) for name in connection.scalars(query)}
        return names

    return read


async def test_downgrading_renames_a_shared_households_row_whose_name_its_owner_has(
    seeded: str,
) -> None:
    await upgrade(seeded)
    await _on(seeded, _shared_household({ANA: ("owner", datetime(2026, 3, 2, tzinfo=UTC))}))

    await downgrade(seeded, "0003")

    assert await _on(seeded, _names_of(ANA)) == {
        ("accounts", "Checking"),
        ("accounts", "Checking (Flat)"),
        ("accounts", "Savings"),
        ("accounts", "Cash"),
        ("categories", "Salary"),
        ("categories", "Food"),
        ("categories", "Food (Flat)"),
        ("categories", "Groceries"),
    }
