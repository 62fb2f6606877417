"""households: a shared ledger owns the data instead of a user

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00.000000

Creates ``households``, ``memberships`` and ``invitations`` and ``users.default_household_id``.
Every existing user gets a personal household whose id is the user's own id (named
"Personal", dated from the user's ``created_at``), an ``owner`` membership and that
household as default. Because a household's id equals its former owner's id, the owned
tables (accounts, categories, transactions, budgets, daily and monthly totals) keep every
value: their ``owner_id`` is renamed ``household_id`` (``RENAME COLUMN`` on both databases),
its foreign key moves from ``users`` to ``households``, and the constraints and indexes
that named the owner take the household's names.

A renamed column carries everything that refers to it, on both databases: the indexes, the
primary keys of the totals, and the composite foreign keys of transactions to ``accounts
(owner_id, id)`` and the unique constraint behind them. So on PostgreSQL the upgrade is a
handful of catalogue changes (``RENAME COLUMN``, ``ALTER ... RENAME``, one foreign key
swapped per table; only the new foreign keys read the tables, to validate them) and a large
ledger migrates in seconds. SQLite (3.35 or later, for ``RENAME`` and ``DROP COLUMN``)
cannot alter a foreign key or rename an index, so each owned table is then rebuilt once with
``batch_alter_table``; that needs ``PRAGMA foreign_keys`` off, as
``budget.adapters.migrations`` runs migrations, or dropping the old tables would fire their
``ON DELETE`` actions (the migration refuses to run otherwise).

The downgrade gives each household's rows to its oldest owner (by ``joined_at``, then user
id) and deletes the rows of households left without an owner. Where two households of one
owner have an unarchived account, or a top-level category of one kind, of the same name,
the one that is not in the owner's personal household (or the younger household's) is
renamed ``"<name> (<household name>)"``, so that the names stay unique per owner. On
PostgreSQL the composite foreign keys are dropped while rows move and re-created after.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNED_TABLES = (
    "transactions",
    "budgets",
    "daily_totals",
    "monthly_totals",
    "categories",
    "accounts",
)
"""Each before the tables it refers to (the order the downgrade deletes in)."""


class _Owner(NamedTuple):
    """Who the owned rows belong to: the column, the table it refers to, and the name of
    the unique ``(owner, id)`` constraint of accounts."""

    column: str
    referred: str
    accounts_unique: str

    def foreign_key(self, table: str) -> str:
        return f"fk_{table}_{self.column}_{self.referred}"


USER = _Owner("owner_id", "users", "uq_accounts_owner_id_id")
HOUSEHOLD = _Owner("household_id", "households", "uq_accounts_household_id_id")


class _Index(NamedTuple):
    """An owned table's index, led by the owner column, under its two names."""

    user_name: str
    household_name: str
    other_columns: tuple[str, ...]
    unique: bool = False
    sqlite_where: str | None = None
    postgresql_where: str | None = None

    def name(self, owner: _Owner) -> str:
        return self.household_name if owner is HOUSEHOLD else self.user_name

    def columns(self, owner: _Owner) -> list[str]:
        return [owner.column, *self.other_columns]


INDEXES: dict[str, tuple[_Index, ...]] = {
    "accounts": (
        _Index(
            "ix_accounts_owner_id_created_at",
            "ix_accounts_household_id_created_at",
            ("created_at",),
        ),
        _Index(
            "uq_accounts_owner_name_active",
            "uq_accounts_household_name_active",
            ("name",),
            unique=True,
            sqlite_where="archived = 0",
            postgresql_where="archived = false",
        ),
    ),
    "categories": (
        _Index(
            "uq_categories_owner_kind_name_top",
            "uq_categories_household_kind_name_top",
            ("kind", "name"),
            unique=True,
            sqlite_where="parent_id IS NULL",
            postgresql_where="parent_id IS NULL",
        ),
        _Index(
            "uq_categories_owner_kind_parent_name",
            "uq_categories_household_kind_parent_name",
            ("kind", "parent_id", "name"),
            unique=True,
            sqlite_where="parent_id IS NOT NULL",
            postgresql_where="parent_id IS NOT NULL",
        ),
    ),
    "transactions": (
        _Index(
            "ix_transactions_owner_date_id",
            "ix_transactions_household_date_id",
            ("date", "id"),
        ),
        _Index(
            "ix_transactions_owner_account_date",
            "ix_transactions_household_account_date",
            ("account_id", "date"),
        ),
        _Index(
            "ix_transactions_owner_to_account_date",
            "ix_transactions_household_to_account_date",
            ("to_account_id", "date"),
        ),
        _Index(
            "ix_transactions_owner_category_date",
            "ix_transactions_household_category_date",
            ("category_id", "date"),
        ),
        _Index(
            "ix_transactions_owner_type_currency_date",
            "ix_transactions_household_type_currency_date",
            ("type", "currency", "date"),
        ),
        _Index(
            "ix_transactions_owner_amount_id",
            "ix_transactions_household_amount_id",
            ("amount", "id"),
        ),
        _Index(
            "ix_transactions_owner_created_id",
            "ix_transactions_household_created_id",
            ("created_at", "id"),
        ),
    ),
    "budgets": (
        _Index(
            "ix_budgets_owner_category_period_currency",
            "ix_budgets_household_category_period_currency",
            ("category_id", "period", "currency"),
        ),
    ),
    "daily_totals": (
        _Index(
            "ix_daily_totals_owner_type_currency_category_date",
            "ix_daily_totals_household_type_currency_category_date",
            ("type", "currency", "category_key", "date"),
        ),
    ),
    "monthly_totals": (),
}

ACCOUNT_FOREIGN_KEYS = {
    "fk_transactions_account": "account_id",
    "fk_transactions_to_account": "to_account_id",
}
"""The composite foreign keys of transactions to ``accounts (owner, id)``, by column."""

GUID_COLUMNS = frozenset(
    {
        "id",
        "owner_id",
        "household_id",
        "parent_id",
        "account_id",
        "to_account_id",
        "category_id",
        "category_key",
    }
)
"""The owned tables' UUID columns: SQLite reflects their ``BINARY(16)`` as ``NUMERIC``."""

_users = sa.table(
    "users",
    sa.column("id", GUID(length=16)),
    sa.column("created_at", DateTimeUTC(timezone=True)),
    sa.column("default_household_id", GUID(length=16)),
)
_households = sa.table(
    "households",
    sa.column("id", GUID(length=16)),
    sa.column("name", sa.String()),
    sa.column("created_at", DateTimeUTC(timezone=True)),
    sa.column("updated_at", DateTimeUTC(timezone=True)),
)
_memberships = sa.table(
    "memberships",
    sa.column("household_id", GUID(length=16)),
    sa.column("user_id", GUID(length=16)),
    sa.column("role", sa.String()),
    sa.column("joined_at", DateTimeUTC(timezone=True)),
)


def _postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


# ---------------------------------------------------------------- upgrade


def upgrade() -> None:
    postgresql = _postgresql()
    if not postgresql:
        _require_sqlite_foreign_keys_off()
    _create_households()
    _give_every_user_a_personal_household()
    if postgresql:
        for table in OWNED_TABLES:
            op.drop_constraint(op.f(USER.foreign_key(table)), table, type_="foreignkey")
    _hand_over(USER, HOUSEHOLD)


def _create_households() -> None:
    op.create_table(
        "households",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    op.create_table(
        "memberships",
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("user_id", GUID(length=16), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("joined_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_memberships_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_memberships_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", "user_id", name=op.f("pk_memberships")),
    )
    op.create_index(
        "ix_memberships_user_id_household_id",
        "memberships",
        ["user_id", "household_id"],
        unique=False,
    )
    op.create_table(
        "invitations",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("household_id", GUID(length=16), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("invited_by", GUID(length=16), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_invitations_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
    )
    op.create_index(
        "ix_invitations_household_id_created_at",
        "invitations",
        ["household_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_invitations_email_created_at", "invitations", ["email", "created_at"], unique=False
    )
    # A plain ADD COLUMN on both databases (SQLite adds a nullable column without a rebuild).
    op.add_column("users", sa.Column("default_household_id", GUID(length=16), nullable=True))


def _give_every_user_a_personal_household() -> None:
    """One statement each: the household's id is the user's, the user its owner."""
    u = _users.c
    op.execute(
        _households.insert().from_select(
            ["id", "name", "created_at", "updated_at"],
            sa.select(u.id, sa.literal("Personal", sa.String()), u.created_at, u.created_at),
        )
    )
    op.execute(
        _memberships.insert().from_select(
            ["household_id", "user_id", "role", "joined_at"],
            sa.select(u.id, u.id, sa.literal("owner", sa.String()), u.created_at),
        )
    )
    op.execute(_users.update().values(default_household_id=u.id))


# ---------------------------------------------------------------- downgrade


def downgrade() -> None:
    postgresql = _postgresql()
    if postgresql:
        # Rows change owner below: no key may check them until they belong to users again.
        for name in ACCOUNT_FOREIGN_KEYS:
            op.drop_constraint(name, "transactions", type_="foreignkey")
        for table in OWNED_TABLES:
            op.drop_constraint(op.f(HOUSEHOLD.foreign_key(table)), table, type_="foreignkey")
    else:
        _require_sqlite_foreign_keys_off()
    _delete_the_rows_of_households_without_an_owner()
    _rename_what_would_collide_under_one_owner()
    _give_the_rows_to_the_oldest_owner()
    _hand_over(HOUSEHOLD, USER)
    if postgresql:
        for name, column in ACCOUNT_FOREIGN_KEYS.items():
            op.create_foreign_key(
                name, "transactions", "accounts", ["owner_id", column], ["owner_id", "id"]
            )
    op.drop_column("users", "default_household_id")
    op.drop_index("ix_invitations_email_created_at", table_name="invitations")
    op.drop_index("ix_invitations_household_id_created_at", table_name="invitations")
    op.drop_table("invitations")
    op.drop_index("ix_memberships_user_id_household_id", table_name="memberships")
    op.drop_table("memberships")
    op.drop_table("households")


def _owned(table: str, *columns: sa.ColumnClause[Any]) -> sa.TableClause:
    return sa.table(table, sa.column("household_id", GUID(length=16)), *columns)


def _oldest_owner(household_id: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    m = _memberships.c
    return (
        sa.select(m.user_id)
        .where(m.household_id == household_id, m.role == "owner")
        .order_by(m.joined_at, m.user_id)
        .limit(1)
        .scalar_subquery()
    )


def _delete_the_rows_of_households_without_an_owner() -> None:
    m = _memberships.c
    owned = sa.select(m.household_id).where(m.role == "owner")
    for table in OWNED_TABLES:
        rows = _owned(table)
        op.execute(rows.delete().where(rows.c.household_id.not_in(owned)))


def _rename_what_would_collide_under_one_owner() -> None:
    """Unarchived account names and top-level category names (per kind) must be unique per
    owner after the downgrade; subcategory names are unique per parent, which stays."""
    accounts = _owned(
        "accounts",
        sa.column("id", GUID(length=16)),
        sa.column("name", sa.String()),
        sa.column("archived", sa.Boolean()),
    )
    categories = _owned(
        "categories",
        sa.column("id", GUID(length=16)),
        sa.column("name", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("parent_id", GUID(length=16)),
    )
    _rename_collisions(accounts, [], accounts.c.archived.is_(sa.false()))
    _rename_collisions(categories, [categories.c.kind], categories.c.parent_id.is_(None))


def _rename_collisions(
    rows: sa.TableClause, scope: list[sa.ColumnClause[Any]], where: sa.ColumnElement[bool]
) -> None:
    """Reads the names (accounts and categories are few), updates only the colliding rows."""
    c = rows.c
    h = _households.c
    owner = _oldest_owner(c.household_id)
    found = op.get_bind().execute(
        sa.select(c.id, c.name, h.name, owner.label("owner"), *scope)
        .join_from(rows, _households, h.id == c.household_id)
        .where(where)
        # The owner's personal household keeps its names, then the oldest household.
        .order_by(sa.case((c.household_id == owner, 0), else_=1), h.created_at, h.id, c.id)
    )
    taken: dict[tuple[Any, ...], set[str]] = {}
    for row_id, name, household, owner_id, *kind in found:
        names = taken.setdefault((owner_id, *kind), set())
        if name in names:
            name = _free_name(name, household, names)
            op.execute(rows.update().where(c.id == row_id).values(name=name))
        names.add(name)


def _free_name(name: str, household: str, taken: set[str], limit: int = 100) -> str:
    number = 1
    while True:
        label = household[:40] if number == 1 else f"{household[:40]} {number}"
        suffix = f" ({label})"
        candidate = name[: limit - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _give_the_rows_to_the_oldest_owner() -> None:
    """Only the rows of households whose oldest owner is not the user of the household's id
    move (a personal household its user still owns keeps its rows untouched)."""
    h = _households.c
    moving = sa.select(h.id).where(_oldest_owner(h.id) != h.id)
    for table in OWNED_TABLES:
        rows = _owned(table)
        op.execute(
            rows.update()
            .where(rows.c.household_id.in_(moving))
            .values(household_id=_oldest_owner(rows.c.household_id))
        )


# ---------------------------------------------------------------- the owner column


def _hand_over(source: _Owner, target: _Owner) -> None:
    """Renames the owner column of every owned table and what is named after it, and makes
    its foreign key refer to the target's table. On PostgreSQL the source's foreign keys
    are already gone."""
    for table in OWNED_TABLES:
        op.alter_column(table, source.column, new_column_name=target.column)
    if not _postgresql():
        for table in OWNED_TABLES:
            _rebuild_sqlite(table, source, target)
        return
    op.execute(
        f"ALTER TABLE accounts RENAME CONSTRAINT {source.accounts_unique} "
        f"TO {target.accounts_unique}"
    )
    for table in OWNED_TABLES:
        for index in INDEXES[table]:
            op.execute(f"ALTER INDEX {index.name(source)} RENAME TO {index.name(target)}")
        op.create_foreign_key(
            op.f(target.foreign_key(table)),
            table,
            target.referred,
            [target.column],
            ["id"],
            ondelete="CASCADE",
        )


def _require_sqlite_foreign_keys_off() -> None:
    """A rebuild drops the old table; with foreign keys on, that would delete through
    ``ON DELETE`` actions (a category's budgets, its transactions' category)."""
    if op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "migration 0004 rebuilds tables on SQLite and needs PRAGMA foreign_keys=OFF "
            "(budget.adapters.migrations runs migrations that way)"
        )


def _rebuild_sqlite(table: str, source: _Owner, target: _Owner) -> None:
    """One copy of ``table`` (its column already renamed) with the target's foreign key
    and names; the composite foreign keys of transactions were rewritten by the rename."""
    with _batch(table) as batch_op:
        batch_op.drop_constraint(op.f(source.foreign_key(table)), type_="foreignkey")
        batch_op.create_foreign_key(
            op.f(target.foreign_key(table)),
            target.referred,
            [target.column],
            ["id"],
            ondelete="CASCADE",
        )
        if table == "accounts":
            batch_op.drop_constraint(source.accounts_unique, type_="unique")
            batch_op.create_unique_constraint(target.accounts_unique, [target.column, "id"])
        for index in INDEXES[table]:
            batch_op.drop_index(index.name(source))
            batch_op.create_index(
                index.name(target),
                index.columns(target),
                unique=index.unique,
                sqlite_where=sa.text(index.sqlite_where) if index.sqlite_where else None,
                postgresql_where=(
                    sa.text(index.postgresql_where) if index.postgresql_where else None
                ),
            )


def _keep_guid_type(_inspector: Any, _table: sa.Table, column: dict[str, Any]) -> None:
    if column["name"] in GUID_COLUMNS:
        column["type"] = GUID(length=16)


@contextmanager
def _batch(table: str) -> Iterator[BatchOperations]:
    """A rebuild that keeps ``BINARY(16)`` for UUID columns (reflected, they would become
    ``NUMERIC``) and reflects no referred table."""
    with op.batch_alter_table(
        table,
        recreate="always",
        reflect_kwargs={
            "resolve_fks": False,
            "listeners": [("column_reflect", _keep_guid_type)],
        },
    ) as batch_op:
        yield batch_op
