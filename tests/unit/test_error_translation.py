"""Persistence failures become domain errors: ``budget.adapters.uow.translate``.

The messages are PostgreSQL's own (through asyncpg), as the races of concurrent deletes
produce them (see ``tests/integration/test_concurrent_deletes_api.py``).
"""

from __future__ import annotations

import pytest
from sqlalchemy import exc

from budget.adapters.uow import translate
from budget.domain.errors import (
    ACCOUNT_IN_USE,
    AccountInUseError,
    ConflictError,
    RuleViolationError,
)
from budget.domain.model.budget import FOREIGN_CATEGORY as FOREIGN_BUDGET_CATEGORY
from budget.domain.model.transaction import FOREIGN_ACCOUNT, FOREIGN_CATEGORY

ASYNCPG = "<class 'asyncpg.exceptions.ForeignKeyViolationError'>: "


def _integrity_error(message: str) -> exc.IntegrityError:
    return exc.IntegrityError("INSERT ...", {}, Exception(ASYNCPG + message))


def _missing_parent(table: str, constraint: str) -> exc.IntegrityError:
    return _integrity_error(
        f'insert or update on table "{table}" violates foreign key constraint "{constraint}"'
        f'\nDETAIL:  Key (category_id)=(0190) is not present in table "categories".'
    )


@pytest.mark.parametrize(
    ("table", "constraint", "field", "detail"),
    [
        ("transactions", "fk_transactions_account", "account_id", FOREIGN_ACCOUNT),
        ("transactions", "fk_transactions_to_account", "to_account_id", FOREIGN_ACCOUNT),
        (
            "transactions",
            "fk_transactions_category_id_categories",
            "category_id",
            FOREIGN_CATEGORY,
        ),
        ("budgets", "fk_budgets_category_id_categories", "category_id", FOREIGN_BUDGET_CATEGORY),
    ],
)
def test_a_reference_to_a_row_deleted_meanwhile_is_a_rule_violation_on_its_field(
    table: str, constraint: str, field: str, detail: str
) -> None:
    translated = translate(_missing_parent(table, constraint))

    assert isinstance(translated, RuleViolationError)
    assert [(p.field, p.detail, p.in_query) for p in translated.problems] == [
        (field, detail, False)
    ]


def test_deleting_an_account_that_a_transaction_refers_to_is_account_in_use() -> None:
    error = _integrity_error(
        'update or delete on table "accounts" violates foreign key constraint'
        ' "fk_transactions_account" on table "transactions"'
        '\nDETAIL:  Key (owner_id, id)=(0190, 0191) is still referenced from table "transactions".'
    )

    translated = translate(error)

    assert isinstance(translated, AccountInUseError)
    assert isinstance(translated, ConflictError)
    assert translated.detail == ACCOUNT_IN_USE


@pytest.mark.parametrize(
    "message",
    [
        'insert or update on table "transactions" violates foreign key constraint'
        ' "fk_transactions_owner_id_users"',
        'update or delete on table "users" violates foreign key constraint "fk_x" on table "y"',
        "FOREIGN KEY constraint failed",
    ],
)
def test_an_unexpected_foreign_key_failure_is_left_untranslated(message: str) -> None:
    assert translate(_integrity_error(message)) is None


def test_a_taken_unique_name_is_still_a_conflict() -> None:
    error = _integrity_error(
        'duplicate key value violates unique constraint "uq_accounts_owner_name_active"'
    )

    assert type(translate(error)) is ConflictError
