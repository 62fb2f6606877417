"""daily totals: the pre-aggregated read model of reports and budgets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:00:00.000000

Creates ``daily_totals`` and its monthly rollup ``monthly_totals``, and fills them from the
existing transactions with one ``INSERT ... SELECT ... GROUP BY`` each (the same statement
on SQLite and PostgreSQL but for the first-of-the-month function). Uncategorised income and
expenses go to the nil UUID as ``category_key``; transfers are left out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_CATEGORY = uuid.UUID(int=0)
KEY = ("owner_id", "type", "date", "currency", "category_key", "account_id")
MONTHLY_KEY = ("owner_id", "type", "month", "currency", "category_key", "account_id")


def upgrade() -> None:
    op.create_table(
        "daily_totals",
        sa.Column("owner_id", GUID(length=16), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category_key", GUID(length=16), nullable=False),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_daily_totals_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_daily_totals")),
    )
    with op.batch_alter_table("daily_totals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_daily_totals_owner_type_currency_category_date",
            ["owner_id", "type", "currency", "category_key", "date"],
            unique=False,
        )
    op.create_table(
        "monthly_totals",
        sa.Column("owner_id", GUID(length=16), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category_key", GUID(length=16), nullable=False),
        sa.Column("account_id", GUID(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_monthly_totals_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(*MONTHLY_KEY, name=op.f("pk_monthly_totals")),
    )
    _backfill()


def _backfill() -> None:
    transactions = sa.table(
        "transactions",
        sa.column("owner_id", GUID(length=16)),
        sa.column("type", sa.String()),
        sa.column("date", sa.Date()),
        sa.column("currency", sa.String()),
        sa.column("category_id", GUID(length=16)),
        sa.column("account_id", GUID(length=16)),
        sa.column("amount", sa.BigInteger()),
    )
    totals = sa.table("daily_totals", *(sa.column(name) for name in (*KEY, "amount", "count")))
    t = transactions.c
    category_key = sa.func.coalesce(t.category_id, sa.literal(NO_CATEGORY, GUID(length=16)))
    keys = [t.owner_id, t.type, t.date, t.currency, category_key, t.account_id]
    grouped = (
        sa.select(*keys, sa.func.sum(t.amount), sa.func.count())
        .where(t.type.in_(["income", "expense"]))
        .group_by(*keys)
    )
    op.execute(totals.insert().from_select([*KEY, "amount", "count"], grouped))

    daily = totals.c
    monthly = sa.table(
        "monthly_totals", *(sa.column(name) for name in (*MONTHLY_KEY, "amount", "count"))
    )
    month = _first_of_month(daily.date)
    month_keys = [daily.owner_id, daily.type, month, daily.currency, daily.category_key]
    rolled_up = sa.select(
        *month_keys, daily.account_id, sa.func.sum(daily.amount), sa.func.sum(daily["count"])
    ).group_by(*month_keys, daily.account_id)
    op.execute(monthly.insert().from_select([*MONTHLY_KEY, "amount", "count"], rolled_up))


def _first_of_month(day: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    if op.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc("month", sa.cast(day, sa.DateTime())), sa.Date())
    return sa.func.date(day, "start of month")


def downgrade() -> None:
    op.drop_table("monthly_totals")
    with op.batch_alter_table("daily_totals", schema=None) as batch_op:
        batch_op.drop_index("ix_daily_totals_owner_type_currency_category_date")

    op.drop_table("daily_totals")
