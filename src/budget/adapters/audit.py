"""Balance verification in SQL: one grouped query over all transactions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, case, func, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncEngine

from budget.adapters.tables import AccountRow, TransactionRow
from budget.domain.model.ids import AccountId, UserId
from budget.domain.services.maintenance import BalanceDrift


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
            AccountRow.owner_id,
            AccountRow.currency,
            AccountRow.balance,
            expected.label("expected"),
        )
        .outerjoin(effects, effects.c.account_id == AccountRow.id)
        .where(AccountRow.balance != expected)
        .order_by(AccountRow.owner_id, AccountRow.id)
    )


class SqlAlchemyBalanceAudit:
    """Finds drifted balances and removes the drift with relative (race-safe) updates."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def drifted(self) -> Sequence[BalanceDrift]:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(_drifted_query())).all()
        return [
            BalanceDrift(
                AccountId(r.id), UserId(r.owner_id), r.currency, int(r.balance), int(r.expected)
            )
            for r in rows
        ]

    async def correct(self, drifts: Sequence[BalanceDrift]) -> None:
        async with self._engine.begin() as connection:
            for drift in sorted(drifts, key=lambda d: d.account_id):
                await connection.execute(
                    update(AccountRow)
                    .where(AccountRow.id == drift.account_id)
                    .values(balance=AccountRow.balance - drift.drift)
                )
