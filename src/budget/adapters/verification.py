"""Balance and daily totals verification in SQL: grouped queries over all transactions.

Balances and cleared balances are recomputed together (the cleared balance counts only
``cleared`` and ``reconciled`` transactions); the totals from the transactions and their
split parts (``totals.totals_of_transactions``). Run by the CLI on connections of their own;
failures are translated like everywhere else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Row,
    Select,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.database import ALL_HOUSEHOLDS, restrict
from budget.adapters.errors import translating
from budget.adapters.tables import NO_CATEGORY, AccountRow, TransactionRow
from budget.adapters.totals import (
    LEVELS,
    MONTHS,
    SUMS,
    Level,
    rebuild_daily_totals,
    totals_of_transactions,
)
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId
from budget.domain.model.totals import TotalsKey
from budget.domain.model.transaction import TransactionStatus, TransactionType
from budget.domain.model.verification import BalanceDrift, TotalsDrift

CLEARED_STATUSES = (TransactionStatus.CLEARED.value, TransactionStatus.RECONCILED.value)


def _drifted_query() -> Select[Any]:
    t = TransactionRow
    source_effect = case((t.type == "income", t.amount), else_=-t.amount)
    source_side = select(
        t.account_id.label("account_id"),
        func.sum(source_effect).label("effect"),
        func.sum(_if_cleared(source_effect)).label("cleared"),
    ).group_by(t.account_id)
    destination_side = (
        select(
            t.to_account_id.label("account_id"),
            func.sum(t.to_amount).label("effect"),
            func.sum(_if_cleared(t.to_amount)).label("cleared"),
        )
        .where(t.to_account_id.is_not(None))
        .group_by(t.to_account_id)
    )
    sides = union_all(source_side, destination_side).subquery("sides")
    effects = (
        select(
            sides.c.account_id,
            func.sum(sides.c.effect).label("total"),
            func.sum(sides.c.cleared).label("cleared"),
        )
        .group_by(sides.c.account_id)
        .subquery("effects")
    )
    expected = AccountRow.opening_balance + func.coalesce(effects.c.total, 0)
    expected_cleared = AccountRow.opening_balance + func.coalesce(effects.c.cleared, 0)
    return (
        select(
            AccountRow.id,
            AccountRow.household_id,
            AccountRow.currency,
            AccountRow.balance,
            expected.label("expected"),
            AccountRow.cleared_balance,
            expected_cleared.label("expected_cleared"),
        )
        .outerjoin(effects, effects.c.account_id == AccountRow.id)
        .where(or_(AccountRow.balance != expected, AccountRow.cleared_balance != expected_cleared))
        .order_by(AccountRow.household_id, AccountRow.id)
    )


def _if_cleared(effect: Any) -> ColumnElement[Any]:
    counted = TransactionRow.status.in_(CLEARED_STATUSES)
    return case((counted, effect), else_=literal(0, BigInteger))


class SqlAlchemyBalanceVerifier:
    """Finds drifted balances and removes the drift with relative (race-safe) updates."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def drifted(self) -> Sequence[BalanceDrift]:
        async with translating(), self._engine.connect() as connection:
            await restrict(connection, ALL_HOUSEHOLDS)
            rows = (await connection.execute(_drifted_query())).all()
        return [
            BalanceDrift(
                AccountId(r.id),
                HouseholdId(r.household_id),
                r.currency,
                int(r.balance),
                int(r.expected),
                int(r.cleared_balance),
                int(r.expected_cleared),
            )
            for r in rows
        ]

    async def correct(self, drifts: Sequence[BalanceDrift]) -> None:
        async with translating(), self._engine.begin() as connection:
            await restrict(connection, ALL_HOUSEHOLDS)
            for drift in sorted(drifts, key=lambda d: d.account_id):
                await connection.execute(
                    update(AccountRow)
                    .where(AccountRow.id == drift.account_id)
                    .values(
                        balance=AccountRow.balance - drift.drift,
                        cleared_balance=AccountRow.cleared_balance - drift.cleared_drift,
                    )
                )


def _drifted_totals_query(dialect: str, level: Level) -> Select[Any]:
    """Every cell where ``level``'s table and the GROUP BY of ``transactions`` disagree
    (a missing row on either side counts as zero), in key order."""
    expected = totals_of_transactions(dialect, level).subquery("expected")
    stored = level.table.c
    zero = literal(0, BigInteger)
    both = union_all(
        select(
            *(expected.c[name] for name in level.key_columns),
            *(expected.c[name].label(f"expected_{name}") for name in SUMS),
            *(zero.label(f"stored_{name}") for name in SUMS),
        ),
        select(
            *(stored[name] for name in level.key_columns),
            *(zero for _ in SUMS),
            *(stored[name] for name in SUMS),
        ),
    ).subquery("both")
    keys = [both.c[name] for name in level.key_columns]
    sums = [func.sum(both.c[f"expected_{name}"]) for name in SUMS]
    stored_sums = [func.sum(both.c[f"stored_{name}"]) for name in SUMS]
    differ = [
        expected_sum != stored_sum
        for expected_sum, stored_sum in zip(sums, stored_sums, strict=True)
    ]
    return select(*keys, *sums, *stored_sums).group_by(*keys).having(or_(*differ)).order_by(*keys)


def _drift(row: Row[Any], *, monthly: bool) -> TotalsDrift:
    household_id, kind, day, currency, category, account_id, *sums = row
    expected_amount, expected_count, expected_entries, *stored = (int(n) for n in sums)
    stored_amount, stored_count, stored_entries = stored
    key = TotalsKey(
        HouseholdId(household_id),
        TransactionType(kind),
        day,
        Currency.of(currency),
        None if category == NO_CATEGORY else CategoryId(category),
        AccountId(account_id),
    )
    return TotalsDrift(
        key,
        (stored_amount, stored_count, stored_entries),
        (expected_amount, expected_count, expected_entries),
        monthly,
    )


class SqlAlchemyTotalsVerifier:
    """Finds cells of the daily and monthly totals that drifted from the ledger, and
    rebuilds them from it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def drifted_totals(self) -> Sequence[TotalsDrift]:
        drifts: list[TotalsDrift] = []
        async with translating(), self._engine.connect() as connection:
            await restrict(connection, ALL_HOUSEHOLDS)
            for level in LEVELS:
                query = _drifted_totals_query(connection.dialect.name, level)
                rows = (await connection.execute(query)).all()
                drifts += [_drift(row, monthly=level is MONTHS) for row in rows]
        return drifts

    async def rebuild_totals(self, households: Sequence[HouseholdId] | None = None) -> None:
        async with translating(), self._engine.begin() as connection:
            await restrict(connection, ALL_HOUSEHOLDS)
            if households is None:
                await rebuild_daily_totals(connection)
                return
            for household_id in sorted(households):
                await rebuild_daily_totals(connection, household_id)
