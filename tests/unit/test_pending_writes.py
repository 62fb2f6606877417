"""The unit of work's pending writes run in one order, whatever the order of registration:
rows parents first, then balances, then totals."""

from __future__ import annotations

from typing import Any

from budget.adapters.tables import metadata
from budget.adapters.writes import (
    BALANCES_RANK,
    TABLES_PARENTS_FIRST,
    TOTALS_RANK,
    PendingWrites,
    rank_of,
)


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

    await writes.write_all(connection=None)  # type: ignore[arg-type]

    assert log.index("users") < log.index("accounts") < log.index("transactions")
    assert log.index("categories") < log.index("transactions")
    assert log[-2:] == ["balances", "totals"]


async def test_writers_of_one_rank_write_in_order_of_registration() -> None:
    log: list[str] = []
    writes = PendingWrites()
    writes.register(RecordingWriter("first", 3, log))
    writes.register(RecordingWriter("second", 3, log))

    await writes.write_all(connection=None)  # type: ignore[arg-type]

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
