"""The import repository (``ImportRepository``) and the unit of work that carries it.

A batch row goes in through a ``TableWrites`` and its links in one ``INSERT`` of many
rows, both at commit in the schema's order, after the transactions they name. Undo reads
the batch's live transactions in one query (locked on PostgreSQL) and deletes them, their
links and the batch in three statements, whatever their number.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Self, cast

from sqlalchemy import Table, bindparam, delete, exists, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from budget.adapters.categories import CATEGORIES, category_from_row
from budget.adapters.database import RowValues, UnitSession, plain_row, plain_rows
from budget.adapters.exchange_rates import SqlAlchemyExchangeRateRepository
from budget.adapters.paging import ordered, page_of
from budget.adapters.recurring import RECURRING
from budget.adapters.rules import RULES
from budget.adapters.scoping import in_households
from budget.adapters.splits import parts_of
from budget.adapters.tables import AccountRow, BudgetRow, ImportBatchRow, ImportTransactionRow
from budget.adapters.transactions import TRANSACTIONS, transaction_from_row
from budget.adapters.uow import SqlAlchemyUnitOfWork
from budget.adapters.writes import PendingWrites, TableWrites, rank_of
from budget.domain.model.category import Category
from budget.domain.model.ids import AccountId, HouseholdId, TransactionId, UserId
from budget.domain.model.imports import ImportBatch, ImportCounts, ImportId
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.transaction import Transaction

IMPORTS = cast("Table", ImportBatchRow.__table__)
ACCOUNTS = cast("Table", AccountRow.__table__)
BUDGETS = cast("Table", BudgetRow.__table__)
IMPORT_TRANSACTIONS = cast("Table", ImportTransactionRow.__table__)
_imports = IMPORTS.c
_links = IMPORT_TRANSACTIONS.c
_txn = TRANSACTIONS.c
_SORTS: dict[str, Any] = {"created_at": _imports.created_at}
_CHUNK = 1000
"""``import_id``s looked up per statement (bound parameters stay well under the limits)."""


def import_columns(batch: ImportBatch) -> dict[str, Any]:
    return {
        "id": batch.id,
        "household_id": batch.household_id,
        "account_id": batch.account_id,
        "user_id": batch.user_id,
        "file_name": batch.file_name,
        "format": batch.format,
        "row_count": batch.counts.rows,
        "created_count": batch.counts.created,
        "duplicate_count": batch.counts.duplicates,
        "created_at": batch.created_at,
    }


def import_from_row(row: RowValues) -> ImportBatch:
    return ImportBatch(
        row["id"],
        HouseholdId(row["household_id"]),
        None if row["account_id"] is None else AccountId(row["account_id"]),
        None if row["user_id"] is None else UserId(row["user_id"]),
        row["file_name"],
        row["format"],
        ImportCounts(row["row_count"], row["created_count"], row["duplicate_count"]),
        row["created_at"],
    )


class _LinkWrites:
    """The links of the batches added, in one ``INSERT`` at commit."""

    def __init__(self) -> None:
        self.rank = rank_of(IMPORT_TRANSACTIONS)
        self.rows: list[dict[str, Any]] = []

    async def write(self, connection: AsyncConnection) -> None:
        rows, self.rows = self.rows, []
        if rows:
            await connection.execute(insert(IMPORT_TRANSACTIONS), rows)


class SqlAlchemyImportRepository:
    def __init__(self, session: UnitSession, writes: PendingWrites) -> None:
        self._session = session
        self._batches = writes.register(TableWrites(IMPORTS, import_columns))
        self._links = writes.register(_LinkWrites())

    def add(self, batch: ImportBatch, transactions: Sequence[Transaction]) -> None:
        self._batches.add(batch)
        self._links.rows += [
            {"household_id": batch.household_id, "import_id": batch.id, "transaction_id": t.id}
            for t in transactions
        ]

    async def get(
        self, scope: Sequence[HouseholdId], import_id: ImportId, *, for_update: bool = False
    ) -> ImportBatch | None:
        statement = select(IMPORTS).where(
            in_households(_imports.household_id, scope), _imports.id == import_id
        )
        if for_update:
            statement = statement.with_for_update()
        found = await plain_row(self._session, statement)
        return None if found is None else import_from_row(found._mapping)

    async def list(
        self, scope: Sequence[HouseholdId], page: PageRequest, sort: Sort
    ) -> Page[ImportBatch]:
        conditions = [in_households(_imports.household_id, scope)]
        statement = ordered(
            select(IMPORTS).where(*conditions), _SORTS[sort.field], _imports.id, sort
        )
        rows, total = await page_of(self._session, IMPORTS, statement, conditions, page)
        return Page([import_from_row(r._mapping) for r in rows], total, page.limit, page.offset)

    async def categories_of(self, household_id: HouseholdId) -> Sequence[Category]:
        statement = select(CATEGORIES).where(CATEGORIES.c.household_id == household_id)
        return [category_from_row(r._mapping) for r in await plain_rows(self._session, statement)]

    async def household_is_empty(self, household_id: HouseholdId) -> bool:
        held = [
            exists().where(table.c.household_id == household_id)
            for table in (ACCOUNTS, BUDGETS, RULES, RECURRING)
        ]
        found = await plain_row(self._session, select(or_(*held)))
        return found is None or not found[0]

    async def existing_ids(self, account_id: AccountId, candidates: Collection[str]) -> set[str]:
        wanted = sorted(set(candidates))
        statement = select(_txn.import_id).where(
            _txn.account_id == account_id,
            _txn.import_id.in_(bindparam("ids", expanding=True)),
        )
        found: set[str] = set()
        for first in range(0, len(wanted), _CHUNK):
            chunk = wanted[first : first + _CHUNK]
            rows = await plain_rows(self._session, statement, {"ids": chunk})
            found.update(row[0] for row in rows)
        return found

    async def transactions_of(self, batch: ImportBatch) -> Sequence[Transaction]:
        statement = (
            select(TRANSACTIONS)
            .join(IMPORT_TRANSACTIONS, _links.transaction_id == _txn.id)
            .where(
                _links.household_id == batch.household_id,
                _links.import_id == batch.id,
                _txn.household_id == batch.household_id,
            )
            .order_by(_txn.id)
            .with_for_update(of=TRANSACTIONS)
        )
        rows = [row._mapping for row in await plain_rows(self._session, statement)]
        parts = await parts_of(self._session, (batch.household_id,), rows)
        return [transaction_from_row(row, parts.get(TransactionId(row["id"]), ())) for row in rows]

    async def delete(self, batch: ImportBatch, transactions: Sequence[Transaction]) -> None:
        connection = await self._session.connection()
        ids = [txn.id for txn in transactions]
        for first in range(0, len(ids), _CHUNK):
            chunk = ids[first : first + _CHUNK]
            await connection.execute(
                delete(TRANSACTIONS).where(
                    _txn.household_id == batch.household_id,
                    _txn.id.in_(bindparam("ids", expanding=True)),
                ),
                {"ids": chunk},
            )
        # The links go with the batch (ON DELETE CASCADE).
        await connection.execute(delete(IMPORTS).where(_imports.id == batch.id))


class SqlAlchemyImportUnitOfWork(SqlAlchemyUnitOfWork):
    """The unit of work of imports: every repository of ``SqlAlchemyUnitOfWork``, the
    import batches, and the exchange rates (a backup restores them too)."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.imports = SqlAlchemyImportRepository(self._session, self._writes)
        self.exchange_rates = SqlAlchemyExchangeRateRepository(self._session, self._writes)
        return self
