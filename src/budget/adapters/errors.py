"""Persistence failures as domain errors: the constraint names, the one translation table,
and ``translate``.

The names below are shared by ``tables.py`` and the translation table; the migrations
spell them out as they were when written (a migration is history: renaming a constraint
takes a new one), and ``tests/integration/test_constraint_names.py`` checks that the
migrated databases carry exactly these names.

Integrity errors are chosen by SQLSTATE and constraint name, as PostgreSQL (asyncpg)
reports them. SQLite names no constraint: its unique violations are recognised by the
column list of its message (the one place a message is read), and its foreign keys are
left untranslated (it serialises writers, so a concurrent delete cannot race them).
A lost connection or a timeout becomes ``StorageUnavailableError``; a deadlock or a
serialisation failure (PostgreSQL chose this writer to give way to a concurrent one; nothing
was written) becomes ``ConcurrentChangeError``, which use cases may run again.

The unit of work translates on leaving its block; readers wrap their reads in
``async with translating():``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import exc

from budget.adapters.database import is_unavailable
from budget.domain.errors import (
    ACCOUNT_IN_USE,
    RECURRING_ACCOUNT_IN_USE,
    AccountInUseError,
    ConcurrentChangeError,
    ConflictError,
    ImportIdTakenError,
    RuleViolationError,
    StorageUnavailableError,
)
from budget.domain.model.budget import FOREIGN_CATEGORY as FOREIGN_BUDGET_CATEGORY
from budget.domain.model.exchange_rate import ExchangeRateTakenError
from budget.domain.model.recurring_template import OccurrencePostedError
from budget.domain.model.transaction import FOREIGN_ACCOUNT, FOREIGN_CATEGORY

# ---------------------------------------------------------------- constraint names

UQ_USERS_EMAIL = "uq_users_email"
UQ_ACCOUNTS_HOUSEHOLD_ID_ID = "uq_accounts_household_id_id"
UQ_ACCOUNTS_HOUSEHOLD_NAME_ACTIVE = "uq_accounts_household_name_active"
UQ_CATEGORIES_TOP_LEVEL_NAME = "uq_categories_household_kind_name_top"
UQ_CATEGORIES_SUBCATEGORY_NAME = "uq_categories_household_kind_parent_name"
FK_TRANSACTIONS_ACCOUNT = "fk_transactions_account"
FK_TRANSACTIONS_TO_ACCOUNT = "fk_transactions_to_account"
FK_TRANSACTIONS_CATEGORY = "fk_transactions_category_id_categories"
FK_BUDGETS_CATEGORY = "fk_budgets_category_id_categories"
UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID = "uq_transactions_account_import_id"
FK_TRANSACTION_SPLITS_CATEGORY = "fk_transaction_splits_category_id_categories"
UQ_EXCHANGE_RATES_KEY = "uq_exchange_rates_household_base_quote_date"
FK_RECURRING_ACCOUNT = "fk_recurring_account"
FK_RECURRING_TO_ACCOUNT = "fk_recurring_to_account"
FK_RECURRING_CATEGORY = "fk_recurring_category_id_categories"
PK_RECURRING_OCCURRENCES = "pk_recurring_occurrences"

# ---------------------------------------------------------------- SQLSTATEs

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
CONCURRENCY_FAILURES = frozenset({SERIALIZATION_FAILURE, DEADLOCK_DETECTED})
_SQLITE_ERRORS = {
    "SQLITE_CONSTRAINT_UNIQUE": UNIQUE_VIOLATION,
    "SQLITE_CONSTRAINT_FOREIGNKEY": FOREIGN_KEY_VIOLATION,
}

# ---------------------------------------------------------------- the translation table

CONFLICTS: dict[str, str] = {
    UQ_USERS_EMAIL: "That e-mail address is already registered.",
    UQ_ACCOUNTS_HOUSEHOLD_NAME_ACTIVE: (
        "The household already has an unarchived account with that name."
    ),
    UQ_CATEGORIES_TOP_LEVEL_NAME: "The household already has a category with that name here.",
    UQ_CATEGORIES_SUBCATEGORY_NAME: "The household already has a category with that name here.",
}
"""Unique constraints whose violation is an expected conflict, with its detail."""

CONFLICT_ERRORS: dict[str, Callable[[], Exception]] = {
    UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID: ImportIdTakenError,
    UQ_EXCHANGE_RATES_KEY: ExchangeRateTakenError,
    PK_RECURRING_OCCURRENCES: OccurrencePostedError,
}
"""Unique constraints whose violation is a conflict of its own type (checked before
``CONFLICTS``)."""

SQLITE_UNIQUE_COLUMNS: dict[str, str] = {
    "users.email": UQ_USERS_EMAIL,
    "accounts.household_id, accounts.name": UQ_ACCOUNTS_HOUSEHOLD_NAME_ACTIVE,
    "categories.household_id, categories.kind, categories.name": UQ_CATEGORIES_TOP_LEVEL_NAME,
    "categories.household_id, categories.kind, categories.parent_id, categories.name": (
        UQ_CATEGORIES_SUBCATEGORY_NAME
    ),
    "transactions.account_id, transactions.import_id": UQ_TRANSACTIONS_ACCOUNT_IMPORT_ID,
    "exchange_rates.household_id, exchange_rates.base, exchange_rates.quote, "
    "exchange_rates.date": UQ_EXCHANGE_RATES_KEY,
    "recurring_occurrences.recurring_id, recurring_occurrences.planned_date": (
        PK_RECURRING_OCCURRENCES
    ),
}
"""The constraint behind each column list SQLite reports ("UNIQUE constraint failed: ...")."""

LOST_REFERENCES: dict[str, tuple[str, str]] = {
    FK_TRANSACTIONS_ACCOUNT: ("account_id", FOREIGN_ACCOUNT),
    FK_TRANSACTIONS_TO_ACCOUNT: ("to_account_id", FOREIGN_ACCOUNT),
    FK_TRANSACTIONS_CATEGORY: ("category_id", FOREIGN_CATEGORY),
    FK_BUDGETS_CATEGORY: ("category_id", FOREIGN_BUDGET_CATEGORY),
    FK_TRANSACTION_SPLITS_CATEGORY: ("splits", FOREIGN_CATEGORY),
    FK_RECURRING_ACCOUNT: ("account_id", FOREIGN_ACCOUNT),
    FK_RECURRING_TO_ACCOUNT: ("to_account_id", FOREIGN_ACCOUNT),
    FK_RECURRING_CATEGORY: ("category_id", FOREIGN_CATEGORY),
}
"""Foreign keys an inserted or updated row may lose to a concurrent delete: the field that
referred to the vanished row, and why."""


def _account_in_use() -> Exception:
    return AccountInUseError(ACCOUNT_IN_USE)


def _account_in_recurring_use() -> Exception:
    return AccountInUseError(RECURRING_ACCOUNT_IN_USE)


REFUSED_DELETES: dict[str, Callable[[], Exception]] = {
    FK_TRANSACTIONS_ACCOUNT: _account_in_use,
    FK_TRANSACTIONS_TO_ACCOUNT: _account_in_use,
    FK_RECURRING_ACCOUNT: _account_in_recurring_use,
    FK_RECURRING_TO_ACCOUNT: _account_in_recurring_use,
}
"""Foreign keys that refuse to let a referred-to row be deleted (a transaction recorded on
an account meanwhile). Categories and users cascade or set null instead."""


# ---------------------------------------------------------------- translate


def translate(error: BaseException) -> Exception | None:
    """The domain error a persistence failure stands for; None for any other error."""
    if isinstance(error, exc.IntegrityError):
        return _integrity(error)
    if isinstance(error, exc.DBAPIError) and _sqlstate(error) in CONCURRENCY_FAILURES:
        return ConcurrentChangeError()
    if is_unavailable(error):
        return StorageUnavailableError()
    return None


def _integrity(error: exc.IntegrityError) -> Exception | None:
    sqlstate, constraint = violation(error)
    if constraint is None:
        return None
    if sqlstate == UNIQUE_VIOLATION:
        conflict = CONFLICT_ERRORS.get(constraint)
        if conflict is not None:
            return conflict()
        detail = CONFLICTS.get(constraint)
        return None if detail is None else ConflictError(detail)
    if sqlstate != FOREIGN_KEY_VIOLATION:
        return None
    # PostgreSQL reports both sides of a foreign key on the referring table; our only
    # statements that can break one from the referred side are DELETEs (no key changes).
    if _is_delete(error.statement):
        refused = REFUSED_DELETES.get(constraint)
        return None if refused is None else refused()
    lost = LOST_REFERENCES.get(constraint)
    return None if lost is None else RuleViolationError.on(*lost)


def violation(error: exc.IntegrityError) -> tuple[str | None, str | None]:
    """The SQLSTATE and the name of the constraint an integrity error violated (either may
    be None when the driver does not say)."""
    orig: Any = error.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:  # asyncpg, through SQLAlchemy's adaptation
        return sqlstate, getattr(orig.__cause__, "constraint_name", None)
    sqlstate = _SQLITE_ERRORS.get(getattr(orig, "sqlite_errorname", ""))
    if sqlstate == UNIQUE_VIOLATION:
        columns = str(orig).partition(": ")[2]
        return sqlstate, SQLITE_UNIQUE_COLUMNS.get(columns)
    return sqlstate, None


def _sqlstate(error: exc.DBAPIError) -> str | None:
    """The SQLSTATE of a driver error (asyncpg's, as SQLAlchemy adapts it); None for
    SQLite's, which have none."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else None


def _is_delete(statement: str | None) -> bool:
    return bool(statement) and str(statement).lstrip()[:6].upper() == "DELETE"


class _Translating:
    """``async with translating():`` re-raises a persistence failure as its domain error."""

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if error is not None:
            translated = translate(error)
            if translated is not None:
                raise translated from error


_TRANSLATING = _Translating()


def translating() -> _Translating:
    """A context manager that translates the persistence failures raised inside it (and
    lets every other error through unchanged)."""
    return _TRANSLATING
