"""Reconciliation in SQL: an account's cleared balance as of a day, and moving its cleared
transactions to ``reconciled`` (``model/reconciliation.py`` states the rules).

``ReconcileAccount`` locks the account row first, then reads the cleared balance, then
reconciles, in one unit of work. Every write that moves the account's balance or cleared
balance waits for that lock at its commit; a change of a cleared transaction's date alone
moves neither, so on PostgreSQL the read first locks the account's ``cleared`` rows (either
side): the balance read and the rows reconciled then see the same transactions. A writer
that already holds one of those rows and then needs the account (a PATCH at its commit)
makes a deadlock that PostgreSQL breaks by failing one of the two (``40P01``); it surfaces
as ``ConcurrentChangeError`` (``errors.translate``) and the use case runs again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    Update,
    bindparam,
    case,
    func,
    or_,
    select,
    union_all,
    update,
)

from budget.adapters.database import UnitSession, plain_value
from budget.adapters.dialects import locks_rows
from budget.adapters.tables import AccountRow, TransactionRow
from budget.adapters.writes import ChangeObserver
from budget.domain.model.account import Account
from budget.domain.model.ids import AccountId
from budget.domain.model.transaction import TransactionStatus, TransactionType

TRANSACTIONS = cast("Table", TransactionRow.__table__)
_txn = TRANSACTIONS.c
_accounts = cast("Table", AccountRow.__table__).c
_CLEARED = TransactionStatus.CLEARED.value
_COUNTED = (TransactionStatus.CLEARED.value, TransactionStatus.RECONCILED.value)

# Not named after columns: an UPDATE reserves those names for its SET clause.
_account = bindparam("account", type_=_txn.account_id.type)
_household = bindparam("household", type_=_txn.household_id.type)
_day = bindparam("day", type_=_txn.date.type)


def _either_side() -> ColumnElement[bool]:
    return or_(_txn.account_id == _account, _txn.to_account_id == _account)


def _cleared_as_of() -> Select[Any]:
    """The account's cleared balance at the end of ``:day``: its stored cleared balance
    less the effects of its cleared and reconciled transactions dated after ``:day``, each
    side read through its (household, account, date) index. A statement is recent, so this
    reads the few rows after it rather than the account's whole history; the account row is
    locked by the reconciliation, so no writer moves the stored figure meanwhile, and one
    statement sees the rows and the figure at one moment."""
    later = [_txn.household_id == _household, _txn.date > _day, _txn.status.in_(_COUNTED)]
    source = select(
        case((_txn.type == TransactionType.INCOME.value, _txn.amount), else_=-_txn.amount).label(
            "delta"
        )
    ).where(_txn.account_id == _account, *later)
    destination = select(func.coalesce(_txn.to_amount, _txn.amount).label("delta")).where(
        _txn.to_account_id == _account, *later
    )
    effects = union_all(source, destination).subquery("effects")
    moved = select(func.coalesce(func.sum(effects.c.delta), 0)).scalar_subquery()
    return select(_accounts.cleared_balance - moved).where(_accounts.id == _account)


CLEARED_AS_OF = _cleared_as_of()


def _lock_cleared() -> Select[Any]:
    """Lock the account's ``cleared`` rows (either side, in id order), counting them so that
    no id travels back."""
    cleared = (
        select(_txn.id)
        .where(_txn.household_id == _household, _either_side(), _txn.status == _CLEARED)
        .order_by(_txn.id)
        .with_for_update()
        .subquery("cleared")
    )
    return select(func.count()).select_from(cleared)


LOCK_CLEARED = _lock_cleared()


async def cleared_balance_as_of(
    session: UnitSession, account: Account, day: dt.date, *, locking: bool
) -> int:
    """The account's cleared balance at the end of ``day``, as stored (``locking``: first
    lock its cleared rows where the database locks rows; see the module). The caller holds
    the account's row lock (``ReconcileAccount`` reads it ``for_update``)."""
    params = {"account": account.id, "household": account.household_id, "day": day}
    if locking and locks_rows(session.dialect_name):
        await plain_value(session, LOCK_CLEARED, params)
    return int(await plain_value(session, CLEARED_AS_OF, params) or 0)


def _reconcile() -> Update:
    household = select(_accounts.household_id).where(_accounts.id == _account).scalar_subquery()
    return (
        update(TRANSACTIONS)
        .where(
            _txn.household_id == household,
            _either_side(),
            _txn.status == _CLEARED,
            _txn.date <= _day,
        )
        .values(
            status=TransactionStatus.RECONCILED.value,
            updated_at=bindparam("now", type_=_txn.updated_at.type),
        )
        .returning(_txn.id, _txn.household_id)
    )


RECONCILE = _reconcile()


_RECONCILED = {"status": (TransactionStatus.CLEARED.value, TransactionStatus.RECONCILED.value)}


async def reconcile(
    session: UnitSession,
    account_id: AccountId,
    day: dt.date,
    now: dt.datetime,
    log: ChangeObserver | None = None,
) -> int:
    """Move the account's cleared transactions dated on or before ``day`` (either side) to
    ``reconciled`` in one ``UPDATE``; how many moved."""
    connection = await session.connection()
    result = await connection.execute(RECONCILE, {"account": account_id, "day": day, "now": now})
    moved = result.all()
    if log is not None:
        for transaction_id, household_id in moved:
            log.touched("transaction", household_id, transaction_id, _RECONCILED)
    return len(moved)
