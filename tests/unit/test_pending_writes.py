"""The unit of work's pending writes run in one order, whatever the order of registration:
rows parents first (a transaction's parts after it), then balances, then totals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from budget.adapters.accounts import BalanceDeltas
from budget.adapters.splits import PartsWrites
from budget.adapters.tables import metadata
from budget.adapters.writes import (
    BALANCES_RANK,
    TABLES_PARENTS_FIRST,
    TOTALS_RANK,
    Effect,
    EffectShape,
    EffectWriter,
    PendingWrites,
    rank_of,
)
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.money import Money
from budget.domain.model.splits import Split
from budget.domain.model.transaction import Transaction, TransactionType

ONE = EffectShape("UPDATE one SET n = n + :{p}n RETURNING n AS v")
TWO = EffectShape("UPDATE two SET n = n + :{p}n RETURNING n AS v")


class FakeConnection:
    """Records each statement run; every statement's effects return [7]."""

    def __init__(self, dialect: str) -> None:
        self.dialect = SimpleNamespace(name=dialect)
        self.statements: list[tuple[str, dict[str, Any]]] = []

    async def execute(self, statement: Any, params: Any = None) -> Any:
        sql = str(statement)
        # Many rows (an executemany) are recorded under "rows".
        recorded = {"rows": params} if isinstance(params, list) else dict(params or {})
        self.statements.append((sql, recorded))
        if sql.startswith("WITH"):
            return SimpleNamespace(one=lambda: tuple([7] for _ in range(sql.count(" AS ("))))
        return [(7,)]


class RecordingEffects(EffectWriter):
    def __init__(self, rank: int, shapes: list[EffectShape], seen: list[list[int]]) -> None:
        self.rank = rank
        self._shapes = shapes
        self._seen = seen

    def effects(self, dialect: str) -> list[Effect]:
        shapes, self._shapes = self._shapes, []
        return [Effect(shape, {"n": 1}, self._then) for shape in shapes]

    async def _then(self, _connection: Any, values: list[int]) -> None:
        self._seen.append(values)


class RecordingWriter:
    def __init__(self, name: str, rank: int, log: list[str]) -> None:
        self.name = name
        self.rank = rank
        self._log = log

    async def write(self, connection: Any) -> None:
        self._log.append(self.name)


def _table(name: str) -> Any:
    return metadata.tables[name]


async def test_writers_write_in_rank_order_not_in_order_of_registration() -> None:
    log: list[str] = []
    writes = PendingWrites()
    for name, rank in [
        ("totals", TOTALS_RANK),
        ("transactions", rank_of(_table("transactions"))),
        ("balances", BALANCES_RANK),
        ("accounts", rank_of(_table("accounts"))),
        ("users", rank_of(_table("users"))),
        ("categories", rank_of(_table("categories"))),
    ]:
        writes.register(RecordingWriter(name, rank, log))

    await writes.write_all(FakeConnection("sqlite"))  # type: ignore[arg-type]

    assert log.index("users") < log.index("accounts") < log.index("transactions")
    assert log.index("categories") < log.index("transactions")
    assert log[-2:] == ["balances", "totals"]


async def test_writers_of_one_rank_write_in_order_of_registration() -> None:
    log: list[str] = []
    writes = PendingWrites()
    writes.register(RecordingWriter("first", 3, log))
    writes.register(RecordingWriter("second", 3, log))

    await writes.write_all(FakeConnection("sqlite"))  # type: ignore[arg-type]

    assert log == ["first", "second"]


def test_every_table_writes_before_the_balances_and_the_totals() -> None:
    ranks = [rank_of(table) for table in TABLES_PARENTS_FIRST]

    assert max(ranks) < BALANCES_RANK < TOTALS_RANK


def test_each_table_ranks_after_every_table_its_foreign_keys_refer_to() -> None:
    for table in TABLES_PARENTS_FIRST:
        for key in table.foreign_keys:
            parent = key.column.table
            if parent is not table:
                assert rank_of(parent) < rank_of(table), (table.name, parent.name)


async def test_consecutive_effect_writers_run_as_one_statement_on_postgresql() -> None:
    connection = FakeConnection("postgresql")
    writes = PendingWrites()
    writes.register(RecordingEffects(TOTALS_RANK, [TWO, TWO], []))
    writes.register(RecordingEffects(BALANCES_RANK, [ONE], []))

    await writes.write_all(connection)  # type: ignore[arg-type]

    ((sql, params),) = connection.statements
    assert sql.startswith("WITH e0 AS (UPDATE one")
    assert "e1 AS (UPDATE two" in sql
    assert params == {"e0_n": 1, "e1_n": 1, "e2_n": 1}


async def test_effects_run_one_statement_each_on_sqlite() -> None:
    connection = FakeConnection("sqlite")
    writes = PendingWrites()
    writes.register(RecordingEffects(BALANCES_RANK, [ONE], []))
    writes.register(RecordingEffects(TOTALS_RANK, [TWO, TWO], []))

    await writes.write_all(connection)  # type: ignore[arg-type]

    assert [sql.split(" SET")[0] for sql, _ in connection.statements] == [
        "UPDATE one",
        "UPDATE two",
        "UPDATE two",
    ]


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
async def test_each_effect_is_given_what_its_statement_returned(dialect: str) -> None:
    seen: list[list[int]] = []
    writes = PendingWrites()
    writes.register(RecordingEffects(BALANCES_RANK, [ONE, TWO], seen))

    await writes.write_all(FakeConnection(dialect))  # type: ignore[arg-type]

    assert seen == [[7], [7]]


async def test_a_plain_writer_between_effect_writers_splits_their_statement() -> None:
    connection = FakeConnection("postgresql")
    log: list[str] = []
    writes = PendingWrites()
    writes.register(RecordingEffects(1, [ONE, ONE], []))
    writes.register(RecordingWriter("rows", 2, log))
    writes.register(RecordingEffects(3, [TWO, TWO], []))

    await writes.write_all(connection)  # type: ignore[arg-type]

    assert [sql[:20] for sql, _ in connection.statements] == [
        "WITH e0 AS (UPDATE o",
        "WITH e0 AS (UPDATE t",
    ]
    assert log == ["rows"]


def _split_expense(*amounts: int) -> Transaction:
    eur, now = Currency.of("EUR"), datetime(2026, 11, 1, tzinfo=UTC)
    parts = tuple(Split(CategoryId(UUID(int=n + 1)), Money(a, eur)) for n, a in enumerate(amounts))
    return Transaction(
        TransactionId(UUID(int=10)),
        HouseholdId(UUID(int=11)),
        TransactionType.EXPENSE,
        AccountId(UUID(int=12)),
        None,
        Money(sum(amounts), eur),
        None,
        None,
        date(2026, 11, 1),
        "",
        "",
        (),
        now,
        now,
        parts,
    )


def test_the_parts_of_a_transaction_write_after_its_row_and_before_the_balances() -> None:
    assert rank_of(_table("transactions")) < PartsWrites().rank < BALANCES_RANK


async def test_the_parts_of_an_added_transaction_are_effects_written_with_the_balances() -> None:
    parts = PartsWrites()
    parts.add(_split_expense(100, 200, 300))

    effects = parts.added.effects("postgresql")

    assert parts.added.rank == BALANCES_RANK
    assert all(e.shape.sql.startswith("INSERT INTO transaction_splits") for e in effects)
    assert [(e.params["position"], e.params["amount"]) for e in effects] == [
        (0, 100),
        (1, 200),
        (2, 300),
    ]


async def test_parts_that_did_not_change_write_nothing() -> None:
    connection = FakeConnection("postgresql")
    parts = PartsWrites()
    parts.seen(_split_expense(100, 200))

    await parts.write(connection)  # type: ignore[arg-type]

    assert connection.statements == []


async def test_changed_parts_are_all_deleted_then_inserted_again() -> None:
    connection = FakeConnection("postgresql")
    parts = PartsWrites()
    txn = _split_expense(100, 200)
    parts.seen(txn)
    txn.splits = _split_expense(250, 50).splits

    await parts.write(connection)  # type: ignore[arg-type]
    await parts.write(connection)  # type: ignore[arg-type]

    assert [sql.split(" ")[0] for sql, _ in connection.statements] == ["DELETE", "INSERT"]


async def test_the_parts_of_a_deleted_transaction_are_never_written() -> None:
    connection = FakeConnection("postgresql")
    parts = PartsWrites()
    txn = _split_expense(100, 200)
    parts.add(txn)
    parts.forget(txn)

    await parts.write(connection)  # type: ignore[arg-type]

    assert connection.statements == []


def test_an_accounts_balance_and_cleared_deltas_move_together_in_sorted_account_order() -> None:
    deltas = BalanceDeltas()
    first, second, third = (AccountId(UUID(int=n)) for n in (1, 2, 3))
    deltas.record(second, -500, 0)
    deltas.record(first, 0, 300)
    deltas.record(second, 200, 200)
    deltas.record(third, 100, 100)
    deltas.record(third, -100, -100)

    effects = deltas.effects("postgresql")

    assert [dict(effect.params) for effect in effects] == [
        {"account_id": first, "delta": 0, "cleared": 300},
        {"account_id": second, "delta": -300, "cleared": 200},
    ]
