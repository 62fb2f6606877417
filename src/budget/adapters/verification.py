"""Balance and daily totals verification in SQL: grouped queries over all transactions.

Run by the CLI on connections of their own; failures are translated like everywhere else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
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
    Level,
    rebuild_daily_totals,
    totals_of_transactions,
)
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId
from budget.domain.model.totals import TotalsKey
from budget.domain.model.transaction import TransactionType
from budget.domain.model.verification import BalanceDrift, TotalsDrift


def _drifted_query() -> Select[Any]:
    t = TransactionRow
    source_side = select(
        t.account_id.label("account_id"),
        func.sum(case((t.type == "income", t.amount), else_=-t.amount)).label("effect"),
    ).group_by(t.account_id)
    destination_side = (
        select(t.to_account_id.label("account_id"), func.sum(t.to_amount).label("effect"))
        .where(t.to_account_id.is_not(None))
        .group_by(t.to_account_id)
    )
    parts = union_all(source_side, destination_side).subquery("parts")
    effects = (
        select(parts.c.account_id, func.sum(parts.c.effect).label("total"))
        .group_by(parts.c.account_id)
        .subquery("effects")
    )
    expected = AccountRow.opening_balance + func.coalesce(effects.c.total, 0)
    return (
        select(
            AccountRow.id,
            AccountRow.household_id,
            AccountRow.currency,
            AccountRow.balance,
            expected.label("expected"),
        )
        .outerjoin(effects, effects.c.account_id == AccountRow.id)
        .where(AccountRow.balance != expected)
        .order_by(AccountRow.household_id, AccountRow.id)
    )


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
                    .values(balance=AccountRow.balance - drift.drift)
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
            expected.c.amount.label("expected_amount"),
            expected.c["count"].label("expected_count"),
            zero.label("stored_amount"),
            zero.label("stored_count"),
        ),
        select(*(stored[name] for name in level.key_columns), zero, zero).add_columns(
            stored.amount, stored["count"]
        ),
    ).subquery("both")
    keys = [both.c[name] for name in level.key_columns]
    sums = [func.sum(both.c[name]) for name in ("expected_amount", "expected_count")]
    stored_sums = [func.sum(both.c[name]) for name in ("stored_amount", "stored_count")]
    return (
        select(*keys, *sums, *stored_sums)
        .group_by(*keys)
        .having(or_(sums[0] != stored_sums[0], sums[1] != stored_sums[1]))
        .order_by(*keys)
    )


def _drift(row: Row[Any], *, monthly: bool) -> TotalsDrift:
    household_id, kind, day, currency, category, account_id, *sums = row
    expected_amount, expected_count, stored_amount, stored_count = (int(n) for n in sums)
    key = TotalsKey(
        HouseholdId(household_id),
        TransactionType(kind),
        day,
        Currency.of(currency),
        None if category == NO_CATEGORY else CategoryId(category),
        AccountId(account_id),
    )
    return TotalsDrift(
        key, (stored_amount, stored_count), (expected_amount, expected_count), monthly
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
