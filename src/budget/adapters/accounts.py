"""The account repository: plain-row reads, Core writes at commit, balances by increments.

An account's row is written from ``account_columns`` (inserted when added, its changed
columns updated when handed out), except ``balance`` and ``cleared_balance``: stored as the
account's when added, then moved only by the recorded deltas, summed and applied at commit
as one atomic ``balance = balance + :delta, cleared_balance = cleared_balance + :cleared``
per account in sorted id order (``BalanceDeltas``). ``last_reconciled_on`` is an ordinary
column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from budget.adapters.database import RowValues, UnitSession, plain_row, plain_value
from budget.adapters.paging import ordered, page_of
from budget.adapters.reconciliation import cleared_balance_as_of
from budget.adapters.rules import RuleHints, has_active_rule
from budget.adapters.scoping import in_households
from budget.adapters.tables import AccountRow, TransactionRow
from budget.adapters.writes import (
    BALANCES_RANK,
    Effect,
    EffectShape,
    EffectWriter,
    PendingWrites,
    TableWrites,
)
from budget.domain.errors import RuleViolationError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, HouseholdId
from budget.domain.model.ledger_queries import AccountFilters
from budget.domain.model.money import Money
from budget.domain.model.paging import Page, PageRequest, Sort
from budget.domain.model.transaction import FOREIGN_ACCOUNT

ACCOUNTS = cast("Table", AccountRow.__table__)
_accounts = ACCOUNTS.c


def account_from_row(row: RowValues) -> Account:
    """An account from a row of ``accounts`` (a plain row's ``_mapping``: reading by name
    there is several times faster than attribute access on a ``Row``)."""
    currency = Currency.of(row["currency"])
    return Account(
        AccountId(row["id"]),
        HouseholdId(row["household_id"]),
        row["name"],
        AccountType(row["type"]),
        currency,
        Money(row["opening_balance"], currency),
        Money(row["balance"], currency),
        row["archived"],
        row["created_at"],
        row["updated_at"],
        Money(row["cleared_balance"], currency),
        row["last_reconciled_on"],
    )


def account_columns(account: Account) -> dict[str, Any]:
    """Every column of an account's row (``balance``, ``cleared_balance``: see the module)."""
    return {
        "id": account.id,
        "household_id": account.household_id,
        "name": account.name,
        "type": account.type.value,
        "currency": account.currency.code,
        "opening_balance": account.opening_balance.minor,
        "balance": account.balance.minor,
        "archived": account.archived,
        "created_at": account.created_at,
        "updated_at": account.updated_at,
        "cleared_balance": account.cleared.minor,
        "last_reconciled_on": account.last_reconciled_on,
    }


_ADD_TO_BALANCE = EffectShape(
    "UPDATE accounts SET balance = balance + :{p}delta,"
    " cleared_balance = cleared_balance + :{p}cleared"
    " WHERE id = :{p}account_id RETURNING 1 AS v",
    {"account_id": ACCOUNTS.c.id.type, "delta": BigInteger(), "cleared": BigInteger()},
)
_ACCOUNT = select(ACCOUNTS).where(
    _accounts.household_id.in_(bindparam("scope", expanding=True)), _accounts.id == bindparam("id")
)
_ACCOUNT_FOR_UPDATE = _ACCOUNT.with_for_update()
_ACCOUNT_NOTING_RULES = _ACCOUNT.add_columns(
    has_active_rule(_accounts.household_id).label("has_rules")
)
"""``_ACCOUNT`` plus whether its household has an active rule (``rules.RuleHints``)."""
_SORTS: dict[str, Any] = {
    "name": _accounts.name,
    "created_at": _accounts.created_at,
    "balance": _accounts.balance,
}


class BalanceDeltas(EffectWriter):
    """The balance and cleared-balance deltas recorded in a unit of work, summed per account
    and written at commit after every row (``BALANCES_RANK``): one atomic increment of both
    per account in sorted id order, so concurrent writers queue on the row locks instead of
    overwriting each other, never deadlock, and hold the locks only until the commit right
    after (written in one statement with the totals where the database can, see
    ``writes.py``)."""

    rank = BALANCES_RANK

    def __init__(self) -> None:
        self._deltas: dict[AccountId, tuple[int, int]] = {}

    def record(self, account_id: AccountId, delta: int, cleared: int = 0) -> None:
        held, held_cleared = self._deltas.get(account_id, (0, 0))
        self._deltas[account_id] = (held + delta, held_cleared + cleared)

    def effects(self, dialect: str) -> list[Effect]:
        pending, self._deltas = self._deltas, {}
        return [
            Effect(
                _ADD_TO_BALANCE,
                {"account_id": account_id, "delta": delta, "cleared": cleared},
                _still_there,
            )
            for account_id, (delta, cleared) in sorted(pending.items())
            if delta or cleared
        ]


async def _still_there(_connection: AsyncConnection, updated: list[int]) -> None:
    if not updated:
        # Deleted since it was read (a concurrent DELETE /accounts/{id} won).
        raise RuleViolationError.on("account_id", FOREIGN_ACCOUNT)


class SqlAlchemyAccountRepository:
    """``AccountRepository`` in the unit of work's session (see the module)."""

    def __init__(
        self,
        session: UnitSession,
        writes: PendingWrites,
        *,
        read_only: bool = False,
        rule_hints: RuleHints | None = None,
    ) -> None:
        self._session = session
        self._read_only = read_only
        self._rule_hints = rule_hints
        self._rows = writes.register(
            TableWrites(ACCOUNTS, account_columns, kept=("balance", "cleared_balance"))
        )
        self._deltas = writes.register(BalanceDeltas())
        self._handed_out: dict[AccountId, Account] = {}

    def add(self, account: Account) -> None:
        self._rows.add(account)
        self._handed_out[account.id] = account

    async def get(
        self,
        scope: Sequence[HouseholdId],
        account_id: AccountId,
        *,
        for_update: bool = False,
    ) -> Account | None:
        locking = for_update and not self._read_only
        hints = None if locking else self._rule_hints
        if locking:
            statement = _ACCOUNT_FOR_UPDATE
        else:
            statement = _ACCOUNT if hints is None else _ACCOUNT_NOTING_RULES
        params = {"scope": list(scope), "id": account_id}
        found = await plain_row(self._session, statement, params)
        if found is None:
            return None
        account = account_from_row(found._mapping)
        if hints is not None:
            hints.note(account.household_id, bool(found._mapping["has_rules"]))
        if self._read_only:
            return account
        self._handed_out[account.id] = account
        return self._rows.seen(account)

    async def delete(self, account: Account) -> None:
        self._handed_out.pop(account.id, None)
        if self._rows.forget(account):
            return
        connection = await self._session.connection()
        await connection.execute(delete(ACCOUNTS).where(_accounts.id == account.id))

    async def name_taken(
        self, household_id: HouseholdId, name: str, exclude_id: AccountId | None = None
    ) -> bool:
        condition = and_(
            _accounts.household_id == household_id,
            _accounts.name == name,
            _accounts.archived.is_(False),
        )
        if exclude_id is not None:
            condition = and_(condition, _accounts.id != exclude_id)
        return bool(await plain_value(self._session, select(exists().where(condition))))

    async def has_transactions(self, account_id: AccountId) -> bool:
        touching = or_(
            TransactionRow.account_id == account_id, TransactionRow.to_account_id == account_id
        )
        return bool(await plain_value(self._session, select(exists().where(touching))))

    async def record_balance_deltas(
        self, deltas: Mapping[AccountId, int], cleared: Mapping[AccountId, int] | None = None
    ) -> None:
        cleared = cleared or {}
        for account_id in deltas.keys() | cleared.keys():
            delta, cleared_delta = deltas.get(account_id, 0), cleared.get(account_id, 0)
            if delta == 0 and cleared_delta == 0:
                continue
            self._deltas.record(account_id, delta, cleared_delta)
            if account_id in self._handed_out:
                self._handed_out[account_id].shift_balance(delta, cleared_delta)

    async def cleared_balance_as_of(self, account: Account, day: date) -> int:
        locking = not self._read_only
        return await cleared_balance_as_of(self._session, account, day, locking=locking)

    async def list(
        self,
        scope: Sequence[HouseholdId],
        filters: AccountFilters,
        page: PageRequest,
        sort: Sort,
    ) -> Page[Account]:
        conditions: list[ColumnElement[bool]] = [in_households(_accounts.household_id, scope)]
        if filters.archived is not None:
            conditions.append(_accounts.archived.is_(filters.archived))
        if filters.type is not None:
            conditions.append(_accounts.type == filters.type.value)
        if filters.currency is not None:
            conditions.append(_accounts.currency == filters.currency)
        statement = ordered(
            select(ACCOUNTS).where(*conditions), _SORTS[sort.field], _accounts.id, sort
        )
        rows, total = await page_of(self._session, ACCOUNTS, statement, conditions, page)
        return Page([account_from_row(r._mapping) for r in rows], total, page.limit, page.offset)
