"""Persistence failures become domain errors: ``budget.adapters.errors.translate``.

PostgreSQL's errors are built as asyncpg raises them and SQLAlchemy wraps them (a SQLSTATE
and a constraint name, never read from the message); SQLite's come from a real in-memory
database, as the driver raises them. The races that produce them run for real in
``tests/integration/test_lost_references.py`` and ``test_constraint_names.py``.
"""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
from sqlalchemy import exc
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

from budget.adapters import errors
from budget.adapters.errors import translate, translating, violation
from budget.adapters.uow import translate as translate_of_the_unit_of_work
from budget.domain.errors import (
    ACCOUNT_IN_USE,
    AccountInUseError,
    ConcurrentChangeError,
    ConflictError,
    ImportIdTakenError,
    RuleViolationError,
    StorageUnavailableError,
)
from budget.domain.model.budget import FOREIGN_CATEGORY as FOREIGN_BUDGET_CATEGORY
from budget.domain.model.transaction import FOREIGN_ACCOUNT, FOREIGN_CATEGORY

INSERT = "INSERT INTO transactions (id, owner_id) VALUES ($1, $2)"
DELETE = "DELETE FROM accounts WHERE accounts.id = $1"


def _postgres(
    sqlstate: str, constraint: str, table: str, statement: str = INSERT
) -> exc.IntegrityError:
    """An integrity error as SQLAlchemy's asyncpg dialect raises it."""
    cause = asyncpg.PostgresError.new(
        {"C": sqlstate, "M": "a message nobody reads", "n": constraint, "t": table}
    )
    orig = AsyncAdapt_asyncpg_dbapi.IntegrityError(f"{type(cause)}: {cause}")
    orig.pgcode = orig.sqlstate = sqlstate
    orig.__cause__ = cause
    return exc.IntegrityError(statement, {}, orig)


def _sqlite(schema: str, *statements: str) -> exc.IntegrityError:
    """The integrity error SQLite raises for the last statement, wrapped by SQLAlchemy."""
    connection = sqlite3.connect(":memory:")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.executescript(schema)
    try:
        for statement in statements:
            connection.execute(statement)
    except sqlite3.IntegrityError as error:
        return exc.IntegrityError(statements[-1], {}, error)
    finally:
        connection.close()
    raise AssertionError("no integrity error")


@pytest.mark.parametrize(
    ("table", "constraint", "field", "detail"),
    [
        ("transactions", errors.FK_TRANSACTIONS_ACCOUNT, "account_id", FOREIGN_ACCOUNT),
        ("transactions", errors.FK_TRANSACTIONS_TO_ACCOUNT, "to_account_id", FOREIGN_ACCOUNT),
        ("transactions", errors.FK_TRANSACTIONS_CATEGORY, "category_id", FOREIGN_CATEGORY),
        ("budgets", errors.FK_BUDGETS_CATEGORY, "category_id", FOREIGN_BUDGET_CATEGORY),
        ("transaction_splits", errors.FK_TRANSACTION_SPLITS_CATEGORY, "splits", FOREIGN_CATEGORY),
    ],
)
def test_a_reference_to_a_row_deleted_meanwhile_is_a_rule_violation_on_its_field(
    table: str, constraint: str, field: str, detail: str
) -> None:
    translated = translate(_postgres(errors.FOREIGN_KEY_VIOLATION, constraint, table))

    assert isinstance(translated, RuleViolationError)
    assert [(p.field, p.detail, p.in_query) for p in translated.problems] == [
        (field, detail, False)
    ]


@pytest.mark.parametrize(
    "constraint", [errors.FK_TRANSACTIONS_ACCOUNT, errors.FK_TRANSACTIONS_TO_ACCOUNT]
)
def test_deleting_an_account_that_a_transaction_refers_to_is_account_in_use(
    constraint: str,
) -> None:
    error = _postgres(errors.FOREIGN_KEY_VIOLATION, constraint, "transactions", DELETE)

    translated = translate(error)

    assert isinstance(translated, AccountInUseError)
    assert isinstance(translated, ConflictError)
    assert translated.detail == ACCOUNT_IN_USE


@pytest.mark.parametrize(
    ("constraint", "statement"),
    [
        ("fk_transactions_owner_id_users", INSERT),
        ("fk_x", "DELETE FROM users WHERE users.id = $1"),
        (errors.FK_TRANSACTIONS_CATEGORY, "DELETE FROM categories WHERE categories.id = $1"),
    ],
)
def test_an_unexpected_foreign_key_failure_is_left_untranslated(
    constraint: str, statement: str
) -> None:
    error = _postgres(errors.FOREIGN_KEY_VIOLATION, constraint, "transactions", statement)

    assert translate(error) is None


def test_a_broken_foreign_key_on_sqlite_is_left_untranslated() -> None:
    error = _sqlite(
        "CREATE TABLE p (id INTEGER PRIMARY KEY);"
        "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id));",
        "INSERT INTO c VALUES (1, 9)",
    )

    assert violation(error) == (errors.FOREIGN_KEY_VIOLATION, None)
    assert translate(error) is None


@pytest.mark.parametrize(
    ("constraint", "table"),
    [
        (errors.UQ_USERS_EMAIL, "users"),
        (errors.UQ_ACCOUNTS_HOUSEHOLD_NAME_ACTIVE, "accounts"),
        (errors.UQ_CATEGORIES_TOP_LEVEL_NAME, "categories"),
        (errors.UQ_CATEGORIES_SUBCATEGORY_NAME, "categories"),
    ],
)
def test_a_taken_unique_name_is_a_conflict_chosen_by_constraint_name(
    constraint: str, table: str
) -> None:
    translated = translate(_postgres(errors.UNIQUE_VIOLATION, constraint, table))

    assert type(translated) is ConflictError
    assert translated.detail == errors.CONFLICTS[constraint]


def test_a_unique_constraint_without_a_conflict_of_its_own_is_left_untranslated() -> None:
    error = _postgres(errors.UNIQUE_VIOLATION, "pk_transactions", "transactions")

    assert translate(error) is None


def test_a_constraint_name_in_another_sqlstate_is_left_untranslated() -> None:
    check_violation = "23514"

    assert translate(_postgres(check_violation, errors.UQ_USERS_EMAIL, "users")) is None


def test_a_duplicate_email_on_sqlite_is_a_conflict_chosen_by_its_column_list() -> None:
    error = _sqlite(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT,"
        " CONSTRAINT uq_users_email UNIQUE (email));",
        "INSERT INTO users VALUES (1, 'a@example.com')",
        "INSERT INTO users VALUES (2, 'a@example.com')",
    )

    assert violation(error) == (errors.UNIQUE_VIOLATION, errors.UQ_USERS_EMAIL)
    assert type(translate(error)) is ConflictError


@pytest.mark.parametrize(
    ("parent", "constraint"),
    [
        ("NULL", errors.UQ_CATEGORIES_TOP_LEVEL_NAME),
        ("7", errors.UQ_CATEGORIES_SUBCATEGORY_NAME),
    ],
)
def test_a_duplicate_category_name_on_sqlite_is_told_apart_by_its_partial_index(
    parent: str, constraint: str
) -> None:
    error = _sqlite(
        "CREATE TABLE categories (id INTEGER PRIMARY KEY, household_id INTEGER, kind TEXT,"
        " parent_id INTEGER, name TEXT);"
        "CREATE UNIQUE INDEX top ON categories (household_id, kind, name)"
        " WHERE parent_id IS NULL;"
        "CREATE UNIQUE INDEX sub ON categories (household_id, kind, parent_id, name)"
        " WHERE parent_id IS NOT NULL;",
        f"INSERT INTO categories VALUES (1, 1, 'expense', {parent}, 'Food')",  # noqa: S608
        f"INSERT INTO categories VALUES (2, 1, 'expense', {parent}, 'Food')",  # noqa: S608
    )

    assert violation(error) == (errors.UNIQUE_VIOLATION, constraint)
    assert type(translate(error)) is ConflictError


def test_a_taken_import_id_is_its_own_conflict_chosen_by_constraint_name() -> None:
    error = _postgres(
        errors.UNIQUE_VIOLATION, errors.UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID, "transactions"
    )

    assert type(translate(error)) is ImportIdTakenError


def test_a_taken_import_id_on_sqlite_is_told_by_its_column_list() -> None:
    error = _sqlite(
        "CREATE TABLE transactions (id INTEGER PRIMARY KEY, account_id INTEGER, import_id TEXT);"
        "CREATE UNIQUE INDEX uq ON transactions (account_id, import_id);",
        "INSERT INTO transactions VALUES (1, 1, 'bank-1')",
        "INSERT INTO transactions VALUES (2, 1, 'bank-1')",
    )

    assert violation(error) == (errors.UNIQUE_VIOLATION, errors.UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID)
    assert type(translate(error)) is ImportIdTakenError


def _postgres_failure(sqlstate: str) -> exc.DBAPIError:
    """A failure that is not an integrity error, as SQLAlchemy's asyncpg dialect raises it."""
    cause = asyncpg.PostgresError.new({"C": sqlstate, "M": "a message nobody reads"})
    orig = AsyncAdapt_asyncpg_dbapi.Error(f"{type(cause)}: {cause}")
    orig.pgcode = orig.sqlstate = sqlstate
    orig.__cause__ = cause
    return exc.DBAPIError(INSERT, {}, orig)


@pytest.mark.parametrize(
    "sqlstate", [errors.DEADLOCK_DETECTED, errors.SERIALIZATION_FAILURE], ids=["deadlock", "serial"]
)
def test_a_writer_the_database_made_give_way_is_a_concurrent_change(sqlstate: str) -> None:
    assert isinstance(translate(_postgres_failure(sqlstate)), ConcurrentChangeError)


def test_another_failure_of_a_statement_is_left_untranslated() -> None:
    division_by_zero = "22012"

    assert translate(_postgres_failure(division_by_zero)) is None


def test_a_lost_connection_is_storage_unavailable() -> None:
    error = exc.OperationalError("SELECT 1", {}, OSError("connection refused"))

    assert isinstance(translate(error), StorageUnavailableError)


@pytest.mark.parametrize("error", [RuntimeError("a bug"), ValueError("bad"), KeyError("k")])
def test_an_error_that_is_not_a_persistence_failure_is_left_untranslated(
    error: Exception,
) -> None:
    assert translate(error) is None


def test_the_unit_of_work_translates_with_the_one_translate() -> None:
    assert translate_of_the_unit_of_work is translate


async def test_translating_raises_the_domain_error_chained_to_the_failure() -> None:
    failure = exc.OperationalError("SELECT 1", {}, OSError("connection refused"))

    with pytest.raises(StorageUnavailableError) as raised:
        async with translating():
            raise failure

    assert raised.value.__cause__ is failure


async def test_translating_lets_every_other_error_through_unchanged() -> None:
    bug = RuntimeError("a bug")

    with pytest.raises(RuntimeError) as raised:
        async with translating():
            raise bug

    assert raised.value is bug
