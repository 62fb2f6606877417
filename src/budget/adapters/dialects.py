"""What differs between PostgreSQL and SQLite: one small function per concern.

The other adapter modules never compare dialect names: they pass ``dialect.name`` to these
functions. A new difference gets a function here (and a test on both databases in
``tests/integration/test_dialects.py``), not an ``if`` in a repository.

- transactions: ``one_writer_at_a_time``, ``read_only_options``
- locking: ``locks_rows``
- joins: ``joins_laterally``
- upserts: ``adding_upsert``, ``replacing_upsert``, ``changing_upsert``
- JSON arrays: ``tag_contains``
- dates: ``month_of``, ``week_of``, ``days_before``, ``calendar_days``
- many rows as parameters: ``parameter_rows``, ``rows_table``
- exchange rates: ``fx_factor_columns``, ``fx_converted``, ``register_fx_function``
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Insert,
    Numeric,
    Select,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import ColumnClause

from budget.domain.model.exchange_rate import convert_minor

POSTGRESQL = "postgresql"
SQLITE = "sqlite"

READ_ONLY_OPTION = "budget_read_only"
"""Execution option of SQLite connections that only read: they ``BEGIN`` deferred (see
``database.py``) instead of taking the write lock up front."""


# ---------------------------------------------------------------- transactions


def one_writer_at_a_time(dialect: str) -> bool:
    """Whether the database takes one writing transaction at a time (SQLite, from ``BEGIN
    IMMEDIATE`` to commit): then writers queue in the process (``WriterQueue``).
    PostgreSQL writers only wait for the rows they share."""
    return dialect != POSTGRESQL


def read_only_options(dialect: str) -> dict[str, Any]:
    """Execution options of an engine for work that only reads.

    PostgreSQL runs each statement in autocommit (no BEGIN/ROLLBACK round trips: a single
    statement always sees one consistent snapshot); SQLite begins deferred, so that
    readers run beside each other instead of queueing for the write lock.
    """
    if dialect == POSTGRESQL:
        return {"isolation_level": "AUTOCOMMIT"}
    return {READ_ONLY_OPTION: True}


# ---------------------------------------------------------------- locking


def locks_rows(dialect: str) -> bool:
    """Whether the database locks single rows (PostgreSQL ``FOR UPDATE``/``FOR KEY
    SHARE``). SQLite has no row locks (it drops ``FOR UPDATE`` from statements) and holds
    the whole database for one writer, so a statement run only for its row locks is
    skipped there."""
    return dialect == POSTGRESQL


def joins_laterally(dialect: str) -> bool:
    """Whether the database has ``LATERAL`` joins (a subquery run once per row of the left
    side, seeing its columns): PostgreSQL does, SQLite does not."""
    return dialect == POSTGRESQL


def writes_in_one_statement(dialect: str) -> bool:
    """Whether several data-modifying statements can run as one (PostgreSQL's ``WITH``
    queries that ``UPDATE`` or ``INSERT ... RETURNING``): one round trip instead of one
    each. SQLite runs them one by one."""
    return dialect == POSTGRESQL


# ---------------------------------------------------------------- upserts


def _insert(
    dialect: str, table: Table, rows: Mapping[str, Any] | Select[Any], columns: Sequence[str]
) -> postgresql.Insert | sqlite.Insert:
    insert: postgresql.Insert | sqlite.Insert
    if dialect == POSTGRESQL:
        insert = postgresql.insert(table)
    else:
        insert = sqlite.insert(table)
        if isinstance(rows, Select):
            # SQLite reads "SELECT ... FROM t ON CONFLICT" as a join's ON unless the SELECT
            # has a WHERE clause of its own.
            rows = rows.where(true())
    if isinstance(rows, Select):
        return insert.from_select(list(columns), rows)
    return insert.values(dict(rows))


def adding_upsert(
    dialect: str,
    table: Table,
    rows: Mapping[str, Any] | Select[Any],
    *,
    key: Sequence[str],
    add: Sequence[str],
    columns: Sequence[str] = (),
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO UPDATE`` adding the ``add`` columns of the new
    row to the stored ones; ``rows`` is one row's values or a ``SELECT`` of ``columns``."""
    statement = _insert(dialect, table, rows, columns)
    stored = table.c
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: stored[name] + statement.excluded[name] for name in add},
    )


def replacing_upsert(
    dialect: str,
    table: Table,
    rows: Mapping[str, Any] | Select[Any],
    *,
    key: Sequence[str],
    replace: Sequence[str],
    columns: Sequence[str] = (),
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO UPDATE`` setting the ``replace`` columns to the
    new row's; ``rows`` as in ``adding_upsert``."""
    statement = _insert(dialect, table, rows, columns)
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: statement.excluded[name] for name in replace},
    )


def changing_upsert(
    dialect: str,
    table: Table,
    rows: Select[Any],
    *,
    key: Sequence[str],
    replace: Sequence[str],
    columns: Sequence[str],
) -> Insert:
    """``replacing_upsert`` that leaves a stored row alone when its ``replace`` columns
    already hold the new values (so ``RETURNING`` names only the rows that changed)."""
    statement = _insert(dialect, table, rows, columns)
    stored = table.c
    changed = or_(*(stored[name] != statement.excluded[name] for name in replace))
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: statement.excluded[name] for name in replace},
        where=changed,
    )


# ---------------------------------------------------------------- JSON arrays


def tag_contains(dialect: str, column: Any, tag: str) -> ColumnElement[bool]:
    """Whether the JSON array of strings in ``column`` holds ``tag`` (PostgreSQL: JSONB
    containment; SQLite: ``json_each``)."""
    if dialect == POSTGRESQL:
        return type_coerce(column, postgresql.JSONB).contains([tag])
    each = func.json_each(column).table_valued("value")
    return exists().select_from(each).where(each.c.value == tag)


# ---------------------------------------------------------------- dates


def _truncated(unit: str, day: ColumnElement[dt.date]) -> ColumnElement[dt.date]:
    # A timestamp without time zone keeps the session time zone out of the truncation.
    return func.date_trunc(unit, day.cast(DateTime(timezone=False))).cast(Date)


def month_of(dialect: str, day: ColumnElement[dt.date]) -> ColumnElement[dt.date]:
    """The first day of the month of ``day``, in SQL."""
    if dialect == POSTGRESQL:
        return _truncated("month", day)
    return type_coerce(func.date(day, "start of month"), Date)


def week_of(dialect: str, day: ColumnElement[dt.date]) -> ColumnElement[dt.date]:
    """The Monday of the week of ``day``, in SQL."""
    if dialect == POSTGRESQL:
        return _truncated("week", day)
    # "weekday 0" moves forward to the next Sunday (or stays on one); six days back is Monday.
    return type_coerce(func.date(day, "weekday 0", "-6 days"), Date)


def days_before(dialect: str, day: ColumnElement[dt.date], days: int) -> ColumnElement[dt.date]:
    """The day ``days`` days before ``day``, in SQL."""
    if dialect == POSTGRESQL:
        return type_coerce(day - literal_column(str(int(days))), Date)
    return type_coerce(func.date(day, f"-{int(days)} days"), Date)


def calendar_days(dialect: str, first: Any, last: Any, back: int) -> Any:
    """A materialized CTE of every day from ``first`` to ``last`` (inclusive): ``day``, and
    ``oldest``, the day ``back`` days before it.

    Materialized so that both are plain columns to whoever reads them: PostgreSQL puts a
    comparison with a plain column into an index condition even under row-level security,
    where a cast or a date arithmetic (not leakproof) must wait until after the policy.
    """
    if dialect == POSTGRESQL:
        # A series of integers: the planner knows how many rows it gives (it guesses 1 000
        # for a series of timestamps, which can tip a plan's cost over the JIT threshold).
        series = func.generate_series(0, last - first)
        days = series.table_valued("value").render_derived(name="series")
        day = type_coerce(first + days.c.value, Date)
        return (
            select(day.label("day"), days_before(dialect, day, back).label("oldest"))
            .cte("calendar")
            .prefix_with("MATERIALIZED")
        )
    start = select(type_coerce(first, Date).label("day")).cte("calendar_walk", recursive=True)
    step = select(type_coerce(func.date(start.c.day, "+1 day"), Date)).where(start.c.day < last)
    walk = start.union_all(step)
    return (
        select(walk.c.day, days_before(dialect, walk.c.day, back).label("oldest"))
        .cte("calendar")
        .prefix_with("MATERIALIZED")
    )


# ---------------------------------------------------------------- many rows as parameters


def parameter_rows(
    dialect: str,
    columns: Sequence[ColumnClause[Any]],
    rows: Sequence[Sequence[Any]],
    *,
    per_statement: int,
) -> list[tuple[int | None, dict[str, Any]]]:
    """``rows`` (values in ``columns`` order) as ``(shape, parameters)`` pairs, one per
    statement, for ``rows_table(shape, columns)``.

    PostgreSQL takes every row at once as one array per column (shape None: a statement
    and ``len(columns)`` parameters however many rows); SQLite takes batches of up to
    ``per_statement`` rows of bound parameters (shape: the batch's length), to stay under
    its limits on parameters and compound members.
    """
    if not rows:
        return []
    if dialect == POSTGRESQL:
        values = zip(*rows, strict=True)
        return [(None, {c.name: list(v) for c, v in zip(columns, values, strict=True)})]
    batches: list[tuple[int | None, dict[str, Any]]] = []
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        params = {
            f"r{n}_{c.name}": value
            for n, row in enumerate(batch)
            for c, value in zip(columns, row, strict=True)
        }
        batches.append((len(batch), params))
    return batches


def rows_table(shape: int | None, columns: Sequence[ColumnClause[Any]], name: str) -> CTE:
    """The CTE ``name`` whose rows are the parameters of one ``parameter_rows`` pair of
    this ``shape`` (cache what you build on it: it is the same for every call)."""
    if shape is None:
        arrays = (bindparam(c.name, type_=postgresql.ARRAY(c.type)) for c in columns)
        unnested = func.unnest(*arrays).table_valued(*columns).render_derived(name=name)
        return select(unnested).cte(name)
    parts = [
        select(*(bindparam(f"r{n}_{c.name}", type_=c.type).label(c.name) for c in columns))
        for n in range(shape)
    ]
    return (union_all(*parts) if shape > 1 else parts[0]).cte(name)


# ---------------------------------------------------------------- exchange rates


FX_FUNCTION = "budget_fx"
"""The SQLite function that converts one amount (``register_fx_function``)."""


def fx_factor_columns(
    dialect: str, rate: ColumnElement[Any], inverse: ColumnElement[Any], shift: ColumnElement[Any]
) -> list[ColumnElement[Any]]:
    """Columns a (currency, day) row of selected rates carries for ``fx_converted``,
    computed once per (currency, day). SQLite needs none (its function reads ``rate``,
    ``inverse`` and ``shift``). PostgreSQL gets a converted amount as the integer quotient
    ``amount * num / den``, rounded: with the rate's digits ``M`` and decimals ``S``
    (``1.0825``: 10825 and 4), ``num = M * 10^shift+`` and ``den = 10^S * 10^shift-`` for a
    direct rate, ``num = 10^S * 10^shift+`` and ``den = M * 10^shift-`` for an inverted one
    (``shift+``, ``shift-``: the positive and negative parts of the decimals' shift), exact
    in ``NUMERIC``; ``inum`` and ``iden`` are the same as ``BIGINT`` and ``ilimit`` the
    largest amount whose product stays within ``BIGINT`` (0 when they do not fit)."""
    if dialect != POSTGRESQL:
        return []
    digits = func.replace(rate, ".", "").cast(Numeric)
    scale = _ten_to(func.length(func.split_part(rate, ".", 2)))
    up = _ten_to(func.greatest(shift, 0))
    down = _ten_to(func.greatest(-shift, 0))
    num = case((inverse, scale * up), else_=digits * up)
    den = case((inverse, digits * down), else_=scale * down)
    ceiling: ColumnElement[Any] = literal_column("4000000000000000000::numeric")
    fits = and_(num <= ceiling, den <= ceiling)
    return [
        num.label("num"),
        den.label("den"),
        case((fits, num.cast(BigInteger))).label("inum"),
        case((fits, den.cast(BigInteger))).label("iden"),
        case((fits, func.trunc(ceiling / num).cast(BigInteger)), else_=0).label("ilimit"),
    ]


def _ten_to(power: ColumnElement[Any]) -> ColumnElement[Any]:
    """10 to a whole ``power`` >= 0 as an exact ``NUMERIC`` (``power()`` of a NUMERIC goes
    through logarithms: slow, and its scale is not an integer's)."""
    return func.concat("1", func.repeat("0", power)).cast(Numeric)


def fx_converted(dialect: str, amount: ColumnElement[int], factors: Any) -> ColumnElement[int]:
    """``amount`` (positive minor units) times the selected rate of its (currency, day)
    row ``factors`` (``rate``, ``inverse``, ``shift``, and ``fx_factor_columns``), rounded
    half to even to an integer: exactly ``exchange_rate.convert_minor``. NULL without a
    rate.

    PostgreSQL: the quotient and remainder of ``amount * num / den``, plus one when the
    remainder is over half, or exactly half and the quotient odd; in ``BIGINT`` when the
    product fits (``ilimit``), else in ``NUMERIC``, exact either way. SQLite: ``budget_fx``,
    the domain's own ``convert_minor`` (its integers overflow past 2^63, and its NUMERIC is
    a float).
    """
    if dialect != POSTGRESQL:
        return func.budget_fx(amount, factors.c.rate, factors.c.inverse, factors.c.shift)
    c = factors.c
    return case(
        (amount <= c.ilimit, _rounded_quotient(amount * c.inum, c.iden, exact=False)),
        else_=_rounded_quotient(amount * c.num, c.den, exact=True).cast(BigInteger),
    )


def _rounded_quotient(
    product: ColumnElement[Any], den: ColumnElement[Any], *, exact: bool
) -> ColumnElement[Any]:
    """``product / den`` rounded half to even, for a positive ``product``: in ``NUMERIC``
    (``exact``) or in ``BIGINT`` (integer division, a few times faster)."""
    quotient: ColumnElement[Any]
    remainder: ColumnElement[Any]
    if exact:
        quotient, remainder = func.div(product, den), func.mod(product, den)
    else:
        quotient, remainder = product // den, product % den
    twice = 2 * remainder
    odd = quotient % 2 == 1
    return quotient + case((or_(twice > den, and_(twice == den, odd)), 1), else_=0)


def register_fx_function(dbapi_connection: Any) -> None:
    """Give a SQLite connection ``budget_fx(amount, rate, inverse, shift)``."""
    dbapi_connection.create_function(FX_FUNCTION, 4, _sqlite_fx, deterministic=True)


def _sqlite_fx(amount: int | None, rate: str | None, inverse: int, shift: int) -> int | None:
    if amount is None or rate is None:
        return None
    return convert_minor(amount, 0, shift, Decimal(rate), bool(inverse))
