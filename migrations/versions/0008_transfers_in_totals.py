"""totals: transfers are counted in cells of their own

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 03:40:00.000000

The unfiltered transaction list counts a household's transactions from the monthly totals.
Until now transfers were not in the totals and were counted row by row on every first
page. From this revision each transfer has a cell of type ``transfer`` (uncategorised, on
its source account, in its source currency: amount, one transaction, one entry), kept by
every write like the others; reports and budgets never read it (they name the types they
sum). The upgrade fills the cells of existing transfers with one ``INSERT ... SELECT ...
GROUP BY`` per table (as 0003 did for income and expenses); the downgrade deletes them.
On PostgreSQL the migrations' transaction sees every household (``migrations/env.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_CATEGORY = uuid.UUID(int=0)
KEY = ("household_id", "type", "date", "currency", "category_key", "account_id")
MONTHLY_KEY = ("household_id", "type", "month", "currency", "category_key", "account_id")
SUMS = ("amount", "count", "entries")


def upgrade() -> None:
    transactions = sa.table(
        "transactions",
        sa.column("household_id", GUID(length=16)),
        sa.column("type", sa.String()),
        sa.column("date", sa.Date()),
        sa.column("currency", sa.String()),
        sa.column("account_id", GUID(length=16)),
        sa.column("amount", sa.BigInteger()),
    )
    t = transactions.c
    for table, day, key in (
        ("daily_totals", t.date, KEY),
        ("monthly_totals", _first_of_month(t.date), MONTHLY_KEY),
    ):
        keys = [
            t.household_id,
            t.type,
            day,
            t.currency,
            sa.literal(NO_CATEGORY, GUID(length=16)),
            t.account_id,
        ]
        grouped = (
            sa.select(*keys, sa.func.sum(t.amount), sa.func.count(), sa.func.count())
            .where(t.type == "transfer")
            .group_by(*keys[:4], t.account_id)
        )
        totals = sa.table(table, *(sa.column(name) for name in (*key, *SUMS)))
        op.execute(totals.insert().from_select([*key, *SUMS], grouped))


def _first_of_month(day: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    if op.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc("month", sa.cast(day, sa.DateTime())), sa.Date())
    return sa.func.date(day, "start of month")


def downgrade() -> None:
    for table in ("daily_totals", "monthly_totals"):
        totals = sa.table(table, sa.column("type", sa.String()))
        op.execute(totals.delete().where(totals.c.type == "transfer"))
