"""The transaction repository: plain-row reads, Core writes at commit (``TableWrites``: one
``INSERT`` for every transaction a unit of work adds; ``splits.PartsWrites`` for their
parts), filters compiled to SQL.

A transaction is read with its parts: a page queries ``transaction_splits`` once, and only
when one of its rows is split (``splits.parts_of``). The ``category_id`` filter matches the
transaction's category or, for a split row, a part's; ``uncategorized`` matches income and
expenses without a category and without parts, or with an uncategorised part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)

from budget.adapters.database import RowValues, UnitSession, plain_row, plain_rows
from budget.adapters.dialects import tag_contains
from budget.adapters.paging import DEFERRED_JOIN_OFFSET, deferred_page, ordered, page_of
from budget.adapters.reconciliation import reconcile
from budget.adapters.scoping import in_households
from budget.adapters.splits import (
    PartsWrites,
    has_part_in,
    has_uncategorised_part,
    parts_of,
    uncategorize_parts,
)
from budget.adapters.tables import CategoryRow, MonthlyTotalRow, TransactionRow
from budget.adapters.totals import move_to_uncategorised
from budget.adapters.writes import PendingWrites, TableWrites
from budget.domain.model.currency import ISO_4217_EXPONENTS, Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.ledger_queries import Keyset, TransactionFilters
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.splits import Split
from budget.domain.model.transaction import Transaction, TransactionStatus, TransactionType

TRANSACTIONS = cast("Table", TransactionRow.__table__)
_txn = TRANSACTIONS.c
_SORTS: dict[str, Any] = {"date": _txn.date, "amount": _txn.amount, "created_at": _txn.created_at}
_CURRENCIES_BY_EXPONENT: dict[int, list[str]] = {}
for _code, _exponent in sorted(ISO_4217_EXPONENTS.items()):
    _CURRENCIES_BY_EXPONENT.setdefault(_exponent, []).append(_code)
_COMMON_EXPONENT = 2
_UNCOMMON_CURRENCIES = [
    code
    for exponent, codes in _CURRENCIES_BY_EXPONENT.items()
    if exponent != _COMMON_EXPONENT
    for code in codes
]
UNFILTERED = TransactionFilters()
_STATUSES = {status.value: status for status in TransactionStatus}


def transaction_from_row(row: RowValues, splits: tuple[Split, ...] = ()) -> Transaction:
    """A transaction from a row of ``transactions`` (a plain row's ``_mapping``) and its
    parts (``splits.parts_of``)."""
    currency = Currency.of(row["currency"])
    to_amount = None
    if row["to_amount"] is not None:
        to_amount = Money(row["to_amount"], Currency.of(row["to_currency"] or row["currency"]))
    return Transaction(
        TransactionId(row["id"]),
        HouseholdId(row["household_id"]),
        TransactionType(row["type"]),
        AccountId(row["account_id"]),
        None if row["to_account_id"] is None else AccountId(row["to_account_id"]),
        Money(row["amount"], currency),
        to_amount,
        None if row["category_id"] is None else CategoryId(row["category_id"]),
        row["date"],
        row["description"],
        row["payee"],
        tuple(row["tags"]),
        row["created_at"],
        row["updated_at"],
        splits,
        _STATUSES[row["status"]],
        row["import_id"],
        row["recurring_id"],
    )


def search_text(description: str, payee: str) -> str:
    """What ``q`` searches: both texts lower-cased, kept apart by a unit separator."""
    return f"{description.lower()}\x1f{payee.lower()}"


def transaction_columns(txn: Transaction) -> dict[str, Any]:
    """Every column of a transaction's row."""
    return {
        "id": txn.id,
        "household_id": txn.household_id,
        "type": txn.type.value,
        "account_id": txn.account_id,
        "to_account_id": txn.to_account_id,
        "amount": txn.amount.minor,
        "to_amount": None if txn.to_amount is None else txn.to_amount.minor,
        "currency": txn.amount.currency.code,
        "to_currency": None if txn.to_amount is None else txn.to_amount.currency.code,
        "category_id": txn.category_id,
        "date": txn.date,
        "description": txn.description,
        "payee": txn.payee,
        "tags": list(txn.tags),
        "search_text": search_text(txn.description, txn.payee),
        "created_at": txn.created_at,
        "updated_at": txn.updated_at,
        "status": txn.status.value,
        "import_id": txn.import_id,
        "recurring_id": txn.recurring_id,
        "split_count": len(txn.splits),
    }


def _count_of_all_transactions() -> Select[Any]:
    """How many transactions the household (``:household_id``) has, without scanning them:
    every transaction, transfers included, is counted in the monthly totals kept with every
    write (``totals.totals_effects``), a few hundred cells a year."""
    household = bindparam("household_id", type_=_txn.household_id.type)
    return select(func.coalesce(func.sum(MonthlyTotalRow.count), 0)).where(
        MonthlyTotalRow.household_id == household
    )


COUNT_OF_ALL_TRANSACTIONS = _count_of_all_transactions()


def _escape_like(text_: str) -> str:
    return text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _amount_condition(filters: TransactionFilters) -> ColumnElement[bool] | None:
    """Amount bounds per currency exponent: ``"10.5"`` is 1050 cents but 11 yen (ceil)."""
    if filters.min_amount is None and filters.max_amount is None:
        return None
    groups: list[ColumnElement[bool]] = []
    for exponent, codes in _CURRENCIES_BY_EXPONENT.items():
        bounds: list[ColumnElement[bool]] = []
        low, high = filters.min_minor(exponent), filters.max_minor(exponent)
        if low is not None:
            bounds.append(_txn.amount >= low)
        if high is not None:
            bounds.append(_txn.amount <= high)
        if exponent == _COMMON_EXPONENT:
            groups.append(and_(_txn.currency.not_in(_UNCOMMON_CURRENCIES), *bounds))
        else:
            groups.append(and_(_txn.currency.in_(codes), *bounds))
    return or_(*groups)


def matching(dialect: str, scope: Sequence[HouseholdId], filters: TransactionFilters) -> list[Any]:
    """The conditions that select exactly what ``filters.matches`` accepts in the ``scope``
    households."""
    conditions: list[ColumnElement[bool]] = [in_households(_txn.household_id, scope)]
    if filters.account_id is not None:
        conditions.append(
            or_(_txn.account_id == filters.account_id, _txn.to_account_id == filters.account_id)
        )
    if filters.category_id is not None:
        conditions.append(
            or_(_txn.category_id == filters.category_id, has_part_in(filters.category_id))
        )
    if filters.uncategorized:
        whole = and_(_txn.category_id.is_(None), _txn.split_count == 0)
        conditions += [
            or_(whole, has_uncategorised_part()),
            _txn.type != TransactionType.TRANSFER.value,
        ]
    if filters.type is not None:
        conditions.append(_txn.type == filters.type.value)
    if filters.date_from is not None:
        conditions.append(_txn.date >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(_txn.date <= filters.date_to)
    amount = _amount_condition(filters)
    if amount is not None:
        conditions.append(amount)
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        conditions.append(_txn.search_text.like(pattern, escape="\\"))
    if filters.tag is not None:
        conditions.append(tag_contains(dialect, _txn.tags, filters.tag))
    return conditions


def _beyond(column: Any, sort: Sort, after: Keyset) -> ColumnElement[bool]:
    # (value, id) strictly beyond the last row, spelled so that both databases can seek in
    # the (household_id, value, id) index: the plain range on the value bounds the scan, the OR
    # only breaks ties inside that one value.
    if sort.descending:
        return and_(column <= after.value, or_(column < after.value, _txn.id < after.last_id))
    return and_(column >= after.value, or_(column > after.value, _txn.id > after.last_id))


class SqlAlchemyTransactionRepository:
    """``TransactionRepository`` in the unit of work's session."""

    def __init__(
        self, session: UnitSession, writes: PendingWrites, *, read_only: bool = False
    ) -> None:
        self._session = session
        self._read_only = read_only
        self._rows = writes.register(TableWrites(TRANSACTIONS, transaction_columns))
        self._log = writes.observer
        self._parts = writes.register(PartsWrites())
        writes.register(self._parts.added)

    def _dialect(self) -> str:
        return self._session.dialect_name

    def add(self, txn: Transaction) -> None:
        self._rows.add(txn)
        self._parts.add(txn)

    async def _with_parts(
        self, scope: Sequence[HouseholdId], rows: Sequence[Any]
    ) -> list[Transaction]:
        """The transactions of ``rows``, each with its parts (read after the rows: after
        their locks, when they were read for update)."""
        values = [row._mapping for row in rows]
        parts = await parts_of(self._session, scope, values)
        if not parts:
            return [transaction_from_row(value) for value in values]
        return [transaction_from_row(value, parts.get(value["id"], ())) for value in values]

    async def get(
        self,
        scope: Sequence[HouseholdId],
        transaction_id: TransactionId,
        *,
        for_update: bool = False,
    ) -> Transaction | None:
        statement = select(TRANSACTIONS).where(
            in_households(_txn.household_id, scope), _txn.id == transaction_id
        )
        if for_update and not self._read_only:
            statement = statement.with_for_update()
        found = await plain_row(self._session, statement)
        if found is None:
            return None
        [txn] = await self._with_parts(scope, [found])
        if self._read_only:
            return txn
        self._parts.seen(txn)
        return self._rows.seen(txn)

    async def delete(self, txn: Transaction) -> None:
        self._parts.forget(txn)
        if self._rows.forget(txn):
            return
        connection = await self._session.connection()
        await connection.execute(delete(TRANSACTIONS).where(_txn.id == txn.id))

    async def uncategorize(self, category_id: CategoryId) -> None:
        connection = await self._session.connection()
        # The split ones as they are, for the feed and the audit trail (their parts change).
        split = await self._split_in(category_id) if self._log is not None else []
        moved = await connection.execute(
            update(TRANSACTIONS)
            .where(_txn.category_id == category_id)
            .values(category_id=None)
            .returning(_txn.id, _txn.household_id)
        )
        await uncategorize_parts(connection, category_id)
        await move_to_uncategorised(connection, category_id)
        if self._log is not None:
            cleared = {"category_id": (str(category_id), None)}
            for transaction_id, household_id in moved.all():
                self._log.touched("transaction", household_id, transaction_id, cleared)
            for txn in split:
                parts = tuple(
                    replace(part, category_id=None) if part.category_id == category_id else part
                    for part in txn.splits
                )
                self._log.replaced("transaction", txn, replace(txn, splits=parts))

    async def _split_in(self, category_id: CategoryId) -> list[Transaction]:
        household = select(CategoryRow.household_id).where(CategoryRow.id == category_id)
        rows = await plain_rows(
            self._session,
            select(TRANSACTIONS).where(
                _txn.household_id == household.scalar_subquery(), has_part_in(category_id)
            ),
        )
        scope = sorted({HouseholdId(row._mapping["household_id"]) for row in rows})
        return await self._with_parts(scope, rows)

    async def reconcile(self, account_id: AccountId, day: date, now: datetime) -> int:
        return await reconcile(self._session, account_id, day, now, self._log)

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: TransactionFilters,
        sort: Sort,
        page: PageRequest,
    ) -> Page[Transaction]:
        conditions = matching(self._dialect(), scope, filters)
        column = _SORTS[sort.field]
        deep = page.offset >= DEFERRED_JOIN_OFFSET
        if deep:
            keys = ordered(select(_txn.id).where(*conditions), column, _txn.id, sort)
            statement = ordered(
                deferred_page(
                    select(TRANSACTIONS).where(in_households(_txn.household_id, scope)),
                    _txn.id,
                    keys,
                    page,
                ),
                column,
                _txn.id,
                sort,
            )
        else:
            statement = ordered(select(TRANSACTIONS).where(*conditions), column, _txn.id, sort)
        counted = (
            (COUNT_OF_ALL_TRANSACTIONS, {"household_id": scope[0]})
            if filters == UNFILTERED and len(scope) == 1
            else None
        )
        rows, total = await page_of(
            self._session, TRANSACTIONS, statement, conditions, page, counted, paged=deep
        )
        return Page(await self._with_parts(scope, rows), total, page.limit, page.offset)

    async def list_after(
        self,
        scope: Sequence[HouseholdId],
        filters: TransactionFilters,
        sort: Sort,
        after: Keyset,
        limit: int,
    ) -> Sequence[Transaction]:
        column = _SORTS[sort.field]
        conditions = [*matching(self._dialect(), scope, filters), _beyond(column, sort, after)]
        statement = ordered(select(TRANSACTIONS).where(*conditions), column, _txn.id, sort)
        rows = await plain_rows(self._session, statement.limit(limit))
        return await self._with_parts(scope, rows)
