"""SQLAlchemy repositories of the ledger: accounts, categories and transactions.

Lists are one query for the page plus one for the total; balances change only through
atomic ``balance = balance + :delta`` updates taken in sorted id order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from budget.adapters.database import plain_row, plain_rows, plain_value
from budget.adapters.tables import (
    AccountRow,
    BudgetRow,
    CategoryRow,
    MonthlyTotalRow,
    TransactionRow,
)
from budget.adapters.totals import move_to_uncategorised
from budget.adapters.tracking import Tracker
from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import ISO_4217_EXPONENTS, Currency
from budget.domain.model.ids import AccountId, CategoryId, TransactionId, UserId
from budget.domain.model.ledger_queries import (
    AccountFilters,
    CategoryFilters,
    Keyset,
    TransactionFilters,
)
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.transaction import FOREIGN_ACCOUNT, Transaction, TransactionType

# ---------------------------------------------------------------- mappers


def account_from_row(plain: Row[Any]) -> Account:
    """An account from a plain row of ``accounts`` (read by name through ``_mapping``:
    several times faster than attribute access on a ``Row``)."""
    row = plain._mapping
    currency = Currency.of(row["currency"])
    return Account(
        AccountId(row["id"]),
        UserId(row["owner_id"]),
        row["name"],
        AccountType(row["type"]),
        currency,
        Money(row["opening_balance"], currency),
        Money(row["balance"], currency),
        row["archived"],
        row["created_at"],
        row["updated_at"],
    )


def account_columns(account: Account) -> dict[str, Any]:
    """The columns an account may change (never ``balance``: see ``apply_balance_deltas``)."""
    return {
        "name": account.name,
        "type": account.type.value,
        "currency": account.currency.code,
        "opening_balance": account.opening_balance.minor,
        "archived": account.archived,
        "created_at": account.created_at,
        "updated_at": account.updated_at,
    }


def account_to_row(account: Account, row: AccountRow | None = None) -> AccountRow:
    """Copy an account onto its row; a new row starts at the account's balance, an existing
    row's balance is never written from here (only by ``apply_balance_deltas``)."""
    if row is None:
        row = AccountRow(id=account.id, owner_id=account.owner_id, balance=account.balance.minor)
    row.name = account.name
    row.type = account.type.value
    row.currency = account.currency.code
    row.opening_balance = account.opening_balance.minor
    row.archived = account.archived
    row.created_at = account.created_at
    row.updated_at = account.updated_at
    return row


def category_from_row(row: CategoryRow | Row[Any]) -> Category:
    return Category(
        CategoryId(row.id),
        UserId(row.owner_id),
        row.name,
        CategoryKind(row.kind),
        None if row.parent_id is None else CategoryId(row.parent_id),
        row.color,
        row.archived,
        row.created_at,
        row.updated_at,
    )


def category_to_row(category: Category, row: CategoryRow | None = None) -> CategoryRow:
    row = row or CategoryRow(id=category.id, owner_id=category.owner_id)
    row.name = category.name
    row.kind = category.kind.value
    row.parent_id = category.parent_id
    row.color = category.color
    row.archived = category.archived
    row.created_at = category.created_at
    row.updated_at = category.updated_at
    return row


def transaction_from_row(plain: Row[Any]) -> Transaction:
    """A transaction from a plain row of ``transactions`` (see ``account_from_row``)."""
    row = plain._mapping
    currency = Currency.of(row["currency"])
    to_amount = None
    if row["to_amount"] is not None:
        to_amount = Money(row["to_amount"], Currency.of(row["to_currency"] or row["currency"]))
    return Transaction(
        TransactionId(row["id"]),
        UserId(row["owner_id"]),
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
    )


def search_text(description: str, payee: str) -> str:
    """What ``q`` searches: both texts lower-cased, kept apart by a unit separator."""
    return f"{description.lower()}\x1f{payee.lower()}"


def transaction_columns(txn: Transaction) -> dict[str, Any]:
    """The columns of a transaction's row but ``id`` and ``owner_id``."""
    return {
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
    }


# ---------------------------------------------------------------- shared query helpers


def _ordered(statement: Select[Any], column: Any, id_column: Any, sort: Sort) -> Select[Any]:
    if sort.descending:
        return statement.order_by(column.desc(), id_column.desc())
    return statement.order_by(column.asc(), id_column.asc())


async def _page(
    session: AsyncSession,
    row_class: Any,
    statement: Select[Any],
    conditions: Sequence[ColumnElement[bool]],
    page: PageRequest,
    counted: Select[Any] | None = None,
) -> tuple[Sequence[Any], int]:
    """One page of plain rows, and the total: counted only when the page does not tell it
    (by ``counted`` when given, else by ``count(*)`` over the same conditions)."""
    rows = await plain_rows(session, statement.limit(page.limit).offset(page.offset))
    if page.offset == 0 and len(rows) < page.limit:
        return rows, len(rows)
    if counted is None:
        counted = select(func.count()).select_from(row_class).where(*conditions)
    return rows, int((await plain_value(session, counted)) or 0)


def _count_of_all_transactions(owner: UserId) -> Select[Any]:
    """How many transactions the owner has, without scanning them: income and expenses
    are counted in the monthly totals kept with every write; only transfers are counted
    row by row (a small share, found through the type index)."""
    counted_cells = (
        select(func.coalesce(func.sum(MonthlyTotalRow.count), 0))
        .where(MonthlyTotalRow.owner_id == owner)
        .scalar_subquery()
    )
    transfers = (
        select(func.count())
        .select_from(TransactionRow)
        .where(
            TransactionRow.owner_id == owner,
            TransactionRow.type == TransactionType.TRANSFER.value,
        )
        .scalar_subquery()
    )
    return select(counted_cells + transfers)


# ---------------------------------------------------------------- accounts

_ACCOUNTS = cast("Table", AccountRow.__table__)
_accounts = _ACCOUNTS.c
_ADD_TO_BALANCE = (
    update(_ACCOUNTS)
    .where(_accounts.id == bindparam("account_id"))
    .values(balance=_accounts.balance + bindparam("delta", type_=BigInteger()))
)

_ACCOUNT = select(_ACCOUNTS).where(
    _accounts.owner_id == bindparam("owner_id"), _accounts.id == bindparam("id")
)
_ACCOUNT_FOR_UPDATE = _ACCOUNT.with_for_update()

_ACCOUNT_SORTS: dict[str, Any] = {
    "name": AccountRow.name,
    "created_at": AccountRow.created_at,
    "balance": AccountRow.balance,
}


class SqlAlchemyAccountRepository:
    """Accounts are read as plain rows and written back with Core ``UPDATE``s of what
    changed; balance deltas are summed and applied at commit (``write_balances``), right
    before the database commits, so the row locks they take are held briefly."""

    def __init__(self, session: AsyncSession, tracker: Tracker, *, read_only: bool = False) -> None:
        self._session = session
        self._tracker = tracker
        self._read_only = read_only
        self._handed_out: dict[UUID, Account] = {}
        self._deltas: dict[AccountId, int] = {}

    def add(self, account: Account) -> None:
        row = account_to_row(account)
        self._session.add(row)
        self._handed_out[account.id] = account
        self._tracker.seen(account, row, account_to_row)

    async def get(
        self, owner: UserId, account_id: AccountId, *, for_update: bool = False
    ) -> Account | None:
        locking = for_update and not self._read_only
        statement = _ACCOUNT_FOR_UPDATE if locking else _ACCOUNT
        found = await plain_row(self._session, statement, {"owner_id": owner, "id": account_id})
        if found is None:
            return None
        account = account_from_row(found)
        if self._read_only:
            return account
        self._handed_out[account.id] = account
        return self._tracker.seen_plain(account, _ACCOUNTS, account_columns)

    async def delete(self, account: Account) -> None:
        self._tracker.forget(account)
        self._handed_out.pop(account.id, None)
        connection = await self._session.connection()
        await connection.execute(delete(_ACCOUNTS).where(_accounts.id == account.id))

    async def name_taken(
        self, owner: UserId, name: str, exclude_id: AccountId | None = None
    ) -> bool:
        condition = and_(
            AccountRow.owner_id == owner,
            AccountRow.name == name,
            AccountRow.archived.is_(False),
        )
        if exclude_id is not None:
            condition = and_(condition, AccountRow.id != exclude_id)
        return bool(await plain_value(self._session, select(exists().where(condition))))

    async def has_transactions(self, account_id: AccountId) -> bool:
        touching = or_(
            TransactionRow.account_id == account_id, TransactionRow.to_account_id == account_id
        )
        return bool(await plain_value(self._session, select(exists().where(touching))))

    async def apply_balance_deltas(self, deltas: Mapping[AccountId, int]) -> None:
        for account_id, delta in deltas.items():
            if delta == 0:
                continue
            self._deltas[account_id] = self._deltas.get(account_id, 0) + delta
            if account_id in self._handed_out:
                self._handed_out[account_id].shift_balance(delta)

    async def write_balances(self) -> None:
        """Apply the summed deltas: one atomic increment per account, in a fixed (sorted)
        order, so concurrent writers queue on the row locks instead of overwriting each
        other, and never deadlock."""
        pending, self._deltas = self._deltas, {}
        for account_id in sorted(pending):
            if pending[account_id] == 0:
                continue
            connection = await self._session.connection()
            result = await connection.execute(
                _ADD_TO_BALANCE, {"account_id": account_id, "delta": pending[account_id]}
            )
            if not result.rowcount:
                # Deleted since it was read (a concurrent DELETE /accounts/{id} won).
                raise RuleViolationError.on("account_id", FOREIGN_ACCOUNT)

    async def list(
        self, owner: UserId, filters: AccountFilters, page: PageRequest, sort: Sort
    ) -> Page[Account]:
        conditions: list[ColumnElement[bool]] = [AccountRow.owner_id == owner]
        if filters.archived is not None:
            conditions.append(AccountRow.archived.is_(filters.archived))
        if filters.type is not None:
            conditions.append(AccountRow.type == filters.type.value)
        if filters.currency is not None:
            conditions.append(AccountRow.currency == filters.currency)
        statement = _ordered(
            select(AccountRow).where(*conditions), _ACCOUNT_SORTS[sort.field], AccountRow.id, sort
        )
        rows, total = await _page(self._session, AccountRow, statement, conditions, page)
        return Page([account_from_row(r) for r in rows], total, page.limit, page.offset)


# ---------------------------------------------------------------- categories

_CATEGORY_SORTS: dict[str, Any] = {"name": CategoryRow.name, "created_at": CategoryRow.created_at}


class SqlAlchemyCategoryRepository:
    def __init__(self, session: AsyncSession, tracker: Tracker, *, read_only: bool = False) -> None:
        self._session = session
        self._tracker = tracker
        self._read_only = read_only

    def _track(self, row: CategoryRow) -> Category:
        return self._tracker.seen(category_from_row(row), row, category_to_row)

    def add(self, category: Category) -> None:
        row = category_to_row(category)
        self._session.add(row)
        self._tracker.seen(category, row, category_to_row)

    async def get(self, owner: UserId, category_id: CategoryId) -> Category | None:
        statement = select(CategoryRow).where(
            CategoryRow.owner_id == owner, CategoryRow.id == category_id
        )
        if self._read_only:
            found = await plain_row(self._session, statement)
            return None if found is None else category_from_row(found)
        row = await self._session.scalar(statement)
        return None if row is None else self._track(row)

    async def delete(self, category: Category) -> None:
        # Pending changes first (renamed children): the row's ON DELETE SET NULL makes its
        # children top-level at once, under the partial unique index of top-level names.
        await self._tracker.write_back()
        await self._session.flush()
        self._tracker.forget(category)
        await self._session.execute(delete(CategoryRow).where(CategoryRow.id == category.id))

    async def name_taken(
        self,
        owner: UserId,
        kind: CategoryKind,
        parent_id: CategoryId | None,
        name: str,
        exclude_id: CategoryId | None = None,
    ) -> bool:
        parent = (
            CategoryRow.parent_id.is_(None)
            if parent_id is None
            else CategoryRow.parent_id == parent_id
        )
        condition = and_(
            CategoryRow.owner_id == owner,
            CategoryRow.kind == kind.value,
            CategoryRow.name == name,
            parent,
        )
        if exclude_id is not None:
            condition = and_(condition, CategoryRow.id != exclude_id)
        return bool(await plain_value(self._session, select(exists().where(condition))))

    async def in_use(self, category_id: CategoryId) -> bool:
        used = exists().where(TransactionRow.category_id == category_id)
        budgeted = exists().where(BudgetRow.category_id == category_id)
        return bool(await plain_value(self._session, select(or_(used, budgeted))))

    async def children(self, category_id: CategoryId) -> Sequence[Category]:
        rows = await self._session.scalars(
            select(CategoryRow).where(CategoryRow.parent_id == category_id)
        )
        return [self._track(row) for row in rows]

    async def list(
        self, owner: UserId, filters: CategoryFilters, page: PageRequest, sort: Sort
    ) -> Page[Category]:
        conditions: list[ColumnElement[bool]] = [CategoryRow.owner_id == owner]
        if filters.kind is not None:
            conditions.append(CategoryRow.kind == filters.kind.value)
        if filters.parent_id is not None:
            conditions.append(CategoryRow.parent_id == filters.parent_id)
        if filters.archived is not None:
            conditions.append(CategoryRow.archived.is_(filters.archived))
        statement = _ordered(
            select(CategoryRow).where(*conditions),
            _CATEGORY_SORTS[sort.field],
            CategoryRow.id,
            sort,
        )
        rows, total = await _page(self._session, CategoryRow, statement, conditions, page)
        return Page([category_from_row(r) for r in rows], total, page.limit, page.offset)


# ---------------------------------------------------------------- transactions

_TRANSACTIONS = cast("Table", TransactionRow.__table__)
_TRANSACTION_SORTS: dict[str, Any] = {
    "date": TransactionRow.date,
    "amount": TransactionRow.amount,
    "created_at": TransactionRow.created_at,
}
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
            bounds.append(TransactionRow.amount >= low)
        if high is not None:
            bounds.append(TransactionRow.amount <= high)
        if exponent == _COMMON_EXPONENT:
            groups.append(and_(TransactionRow.currency.not_in(_UNCOMMON_CURRENCIES), *bounds))
        else:
            groups.append(and_(TransactionRow.currency.in_(codes), *bounds))
    return or_(*groups)


class SqlAlchemyTransactionRepository:
    """Transactions are read as plain rows, written back with Core ``UPDATE``s of what
    changed, and inserted with one Core ``INSERT`` at commit (``write_new``)."""

    def __init__(self, session: AsyncSession, tracker: Tracker, *, read_only: bool = False) -> None:
        self._session = session
        self._tracker = tracker
        self._read_only = read_only
        self._new: dict[UUID, Transaction] = {}

    def add(self, txn: Transaction) -> None:
        self._new[txn.id] = txn

    async def write_new(self) -> None:
        """Insert the transactions added since the last commit (after their accounts and
        categories: call it once new rows of other tables are written)."""
        if self._new:
            rows = [
                {"id": txn.id, "owner_id": txn.owner_id, **transaction_columns(txn)}
                for txn in self._new.values()
            ]
            self._new = {}
            connection = await self._session.connection()
            await connection.execute(insert(_TRANSACTIONS), rows)

    async def get(
        self, owner: UserId, transaction_id: TransactionId, *, for_update: bool = False
    ) -> Transaction | None:
        statement = select(TransactionRow).where(
            TransactionRow.owner_id == owner, TransactionRow.id == transaction_id
        )
        if for_update and not self._read_only:
            statement = statement.with_for_update()
        found = await plain_row(self._session, statement)
        if found is None:
            return None
        txn = transaction_from_row(found)
        if self._read_only:
            return txn
        return self._tracker.seen_plain(txn, _TRANSACTIONS, transaction_columns)

    async def delete(self, txn: Transaction) -> None:
        self._tracker.forget(txn)
        if self._new.pop(txn.id, None) is not None:
            return
        connection = await self._session.connection()
        await connection.execute(delete(_TRANSACTIONS).where(_TRANSACTIONS.c.id == txn.id))

    async def uncategorize(self, category_id: CategoryId) -> None:
        await self._session.execute(
            update(TransactionRow)
            .where(TransactionRow.category_id == category_id)
            .values(category_id=None)
            .execution_options(synchronize_session=False)
        )
        await move_to_uncategorised(self._session, category_id)

    def _conditions(self, owner: UserId, filters: TransactionFilters) -> list[ColumnElement[bool]]:
        t = TransactionRow
        conditions: list[ColumnElement[bool]] = [t.owner_id == owner]
        if filters.account_id is not None:
            conditions.append(
                or_(t.account_id == filters.account_id, t.to_account_id == filters.account_id)
            )
        if filters.category_id is not None:
            conditions.append(t.category_id == filters.category_id)
        if filters.uncategorized:
            conditions += [t.category_id.is_(None), t.type != TransactionType.TRANSFER.value]
        if filters.type is not None:
            conditions.append(t.type == filters.type.value)
        if filters.date_from is not None:
            conditions.append(t.date >= filters.date_from)
        if filters.date_to is not None:
            conditions.append(t.date <= filters.date_to)
        amount = _amount_condition(filters)
        if amount is not None:
            conditions.append(amount)
        if filters.q:
            pattern = f"%{_escape_like(filters.q.lower())}%"
            conditions.append(t.search_text.like(pattern, escape="\\"))
        if filters.tag is not None:
            conditions.append(self._has_tag(filters.tag))
        return conditions

    def _has_tag(self, tag: str) -> ColumnElement[bool]:
        if self._session.bind.dialect.name == "postgresql":
            return type_coerce(TransactionRow.tags, JSONB).contains([tag])
        return text(
            "EXISTS (SELECT 1 FROM json_each(transactions.tags) WHERE json_each.value = :tag)"
        ).bindparams(tag=tag)  # type: ignore[return-value]

    async def list(
        self, owner: UserId, filters: TransactionFilters, sort: Sort, page: PageRequest
    ) -> Page[Transaction]:
        conditions = self._conditions(owner, filters)
        statement = _ordered(
            select(TransactionRow).where(*conditions),
            _TRANSACTION_SORTS[sort.field],
            TransactionRow.id,
            sort,
        )
        counted = _count_of_all_transactions(owner) if filters == UNFILTERED else None
        rows, total = await _page(
            self._session, TransactionRow, statement, conditions, page, counted
        )
        return Page([transaction_from_row(r) for r in rows], total, page.limit, page.offset)

    async def list_after(
        self, owner: UserId, filters: TransactionFilters, sort: Sort, after: Keyset, limit: int
    ) -> Sequence[Transaction]:
        column = _TRANSACTION_SORTS[sort.field]
        # (value, id) strictly beyond the last row, spelled so that both databases can
        # seek in the (owner_id, value, id) index: the plain range on the value bounds the
        # scan, the OR only breaks ties inside that one value.
        if sort.descending:
            beyond = and_(
                column <= after.value,
                or_(column < after.value, TransactionRow.id < after.last_id),
            )
        else:
            beyond = and_(
                column >= after.value,
                or_(column > after.value, TransactionRow.id > after.last_id),
            )
        conditions = [*self._conditions(owner, filters), beyond]
        statement = _ordered(
            select(TransactionRow).where(*conditions), column, TransactionRow.id, sort
        ).limit(limit)
        return [transaction_from_row(r) for r in await plain_rows(self._session, statement)]
