"""row-level security: the household list the policies read is an inlinable expression

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:30:00.000000

The policies of migration 0005 call ``budget_households()`` in a scalar subquery, once per
statement. Its body read the setting in a ``FROM`` subquery, which keeps PostgreSQL from
inlining the function: every statement on a household-owned table then ran the SQL
function executor for each policy it touched (a write that moves a balance and both totals
touches five), about a tenth of a millisecond each, and the per-statement cost of the
ledger's commonest queries more than doubled. The new body is a single expression with no
``FROM``, which the planner inlines into the policy; what it returns is unchanged (the
setting's ids; none for unset, empty or ``*``). The policies refer to the function, so
they need no change. Downgrade restores the previous body. SQLite: nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INLINABLE = """
CREATE OR REPLACE FUNCTION budget_households() RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN coalesce(current_setting('budget.households', true), '') IN ('', '*')
            THEN '{}'::uuid[]
        ELSE string_to_array(current_setting('budget.households', true), ',')::uuid[]
    END
$$
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION budget_households() RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN s IS NULL OR s = '' OR s = '*' THEN '{}'::uuid[]
        ELSE string_to_array(s, ',')::uuid[]
    END
    FROM (SELECT current_setting('budget.households', true) AS s) AS setting
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(INLINABLE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PREVIOUS)
