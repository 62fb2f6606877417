"""row-level security on every household-owned table (PostgreSQL)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 16:00:00.000000

The second line of household isolation, behind the household filter every query carries:
on PostgreSQL, each household-owned table gets ``ENABLE`` and ``FORCE ROW LEVEL
SECURITY`` and one policy, for every command, that lets a row be seen and written only
when its ``household_id`` is among the households the current work named in the setting
``budget.households`` (comma-separated ids; ``*`` for all of them; unset or empty for
none). ``budget.adapters.database.restrict`` makes the setting.

The two functions the policy calls are wrapped in scalar subqueries, so that PostgreSQL
evaluates them once per statement (an InitPlan) rather than once per row.

The policies do not apply to superusers or to the tables' owner unless forced: ``FORCE``
covers the owner, and the app's connections act as the role ``budget_app`` (``NOLOGIN``,
neither superuser nor owner), created here when the migrating login may create roles,
granted the data rights on every table of the schema (now and, through default
privileges, on tables later migrations create), and granted to the migrating login so
that it may ``SET ROLE`` to it. Migrations keep running as the login itself, which owns
the tables; ``FORCE`` binds the owner too, so ``migrations/env.py`` sets the setting to
``*`` for the migrations' transaction. Without the right to create roles the migration still
adds the policies and says so: the app then applies them only if its login is neither
superuser nor owner (``docs/architecture.md``). SQLite has no row-level security: nothing
to do there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNED_TABLES = (
    "accounts",
    "categories",
    "transactions",
    "budgets",
    "daily_totals",
    "monthly_totals",
)
POLICY = "household_isolation"

FUNCTIONS = (
    """
CREATE OR REPLACE FUNCTION budget_households() RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN s IS NULL OR s = '' OR s = '*' THEN '{}'::uuid[]
        ELSE string_to_array(s, ',')::uuid[]
    END
    FROM (SELECT current_setting('budget.households', true) AS s) AS setting
$$
""",
    """
CREATE OR REPLACE FUNCTION budget_all_households() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('budget.households', true), '') = '*'
$$
""",
)

# The cast makes ANY take the array the scalar subquery yields, not the subquery's rows.
VISIBLE = (
    "(SELECT budget_all_households())"
    " OR household_id = ANY (((SELECT budget_households()))::uuid[])"
)

ROLE_AND_GRANTS = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_app') THEN
        BEGIN
            CREATE ROLE budget_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'cannot create role budget_app: row-level security applies only '
                    'if the app logs in as neither superuser nor table owner';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_app') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO budget_app', current_schema());
        EXECUTE format(
            'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO budget_app',
            current_schema()
        );
        EXECUTE format(
            'ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
            'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO budget_app',
            current_schema()
        );
        IF NOT pg_has_role(session_user, 'budget_app', 'MEMBER') THEN
            BEGIN
                EXECUTE format('GRANT budget_app TO %I', session_user);
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'cannot grant budget_app to %', session_user;
            END;
        END IF;
    END IF;
END
$$;
"""

REVOKE_GRANTS = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budget_app') THEN
        EXECUTE format(
            'ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
            'REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM budget_app',
            current_schema()
        );
        EXECUTE format(
            'REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM budget_app', current_schema()
        );
        EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM budget_app', current_schema());
    END IF;
END
$$;
"""


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    for function in FUNCTIONS:
        op.execute(function)
    for table in OWNED_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {POLICY} ON {table} USING ({VISIBLE}) WITH CHECK ({VISIBLE})")
    op.execute(ROLE_AND_GRANTS)


def downgrade() -> None:
    if not _postgresql():
        return
    # The role stays: other databases of the cluster may use it.
    op.execute(REVOKE_GRANTS)
    for table in OWNED_TABLES:
        op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION IF EXISTS budget_households()")
    op.execute("DROP FUNCTION IF EXISTS budget_all_households()")
