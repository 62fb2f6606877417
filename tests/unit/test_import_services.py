"""The import use cases with fakes: what is committed, and when nothing is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from budget.domain.errors import PermissionDeniedError, RuleViolationError
from budget.domain.model.account import Account, AccountType
from budget.domain.model.household import Role
from budget.domain.model.imports import ImportNotFoundError, RowsInvalidError
from budget.domain.model.statement import Statement, StatementFormat, StatementLine
from budget.domain.model.transaction import TransactionStatus
from budget.domain.ports.imports import ImportRowRules, KeepRows
from budget.domain.services.accounts import AccountDraft, CreateAccount
from budget.domain.services.imports import (
    ImportReconciledError,
    ImportRequest,
    ImportStatement,
    UndoImport,
)
from tests.fakes import FakeClock, FakeIds, personal_caller
from tests.fakes_imports import FakeImportUnitOfWork, FakeStatementParser, UpperCasePayees

ALICE = personal_caller(1)
DAY = dt.date(2026, 11, 2)
LINES = (
    StatementLine(2, DAY, Decimal("-12.50"), payee="bakery", import_id="A"),
    StatementLine(3, DAY, Decimal("100"), payee="acme", import_id="B"),
)


async def _account(uow: FakeImportUnitOfWork) -> Account:
    draft = AccountDraft("Checking", AccountType.CHECKING, "EUR", "10")
    return await CreateAccount(uow, FakeClock(), FakeIds()).execute(ALICE, draft)


def _importer(
    uow: FakeImportUnitOfWork,
    lines: tuple[StatementLine, ...] = LINES,
    rules: ImportRowRules | None = None,
) -> ImportStatement:
    parser = FakeStatementParser(Statement(lines))
    return ImportStatement(uow, FakeClock(), FakeIds(), parser, rules or KeepRows())


def _request(account: Account, *, dry_run: bool = False) -> ImportRequest:
    return ImportRequest(account.id, StatementFormat.OFX, b"...", dry_run=dry_run)


async def test_an_import_commits_its_transactions_and_moves_the_balance() -> None:
    uow = FakeImportUnitOfWork()
    account = await _account(uow)
    outcome = await _importer(uow).execute(ALICE, _request(account))
    assert (outcome.counts.created, len(uow.store.transactions)) == (2, 2)
    assert uow.store.accounts[account.id].balance.format() == "97.50"


async def test_a_dry_run_commits_nothing() -> None:
    uow = FakeImportUnitOfWork()
    account = await _account(uow)
    commits = uow.commits
    outcome = await _importer(uow).execute(ALICE, _request(account, dry_run=True))
    assert (outcome.id, len(outcome.transactions), uow.commits) == (None, 2, commits)


async def test_an_invalid_row_fails_the_whole_import() -> None:
    uow = FakeImportUnitOfWork()
    account = await _account(uow)
    lines = (*LINES, StatementLine(4, DAY, Decimal("0")))
    commits = uow.commits
    with pytest.raises(RowsInvalidError) as refused:
        await _importer(uow, lines).execute(ALICE, _request(account))
    assert [p.field for p in refused.value.problems] == ["rows/4"]
    assert uow.commits == commits


async def test_the_rules_see_every_draft_once_and_their_changes_are_kept() -> None:
    uow = FakeImportUnitOfWork()
    account = await _account(uow)
    rules = UpperCasePayees()
    outcome = await _importer(uow, rules=rules).execute(ALICE, _request(account))
    assert rules.calls == [2]
    assert [t.payee for t in outcome.transactions] == ["BAKERY", "ACME"]


async def test_a_second_import_of_the_same_lines_creates_nothing() -> None:
    uow = FakeImportUnitOfWork()
    account = await _account(uow)
    await _importer(uow).execute(ALICE, _request(account))
    again = await _importer(uow).execute(ALICE, _request(account))
    assert (again.counts.created, again.counts.duplicates) == (0, 2)


async def test_a_viewer_cannot_import() -> None:
    uow = FakeImportUnitOfWork()
    account = await _account(uow)
    viewer = personal_caller(2, h1=Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        await _importer(uow).execute(viewer, _request(account))


async def test_an_account_of_another_household_is_a_rule_violation_on_account_id() -> None:
    uow = FakeImportUnitOfWork()
    account = await _account(uow)
    with pytest.raises(RuleViolationError) as refused:
        await _importer(uow).execute(personal_caller(2), _request(account))
    assert [p.field for p in refused.value.problems] == ["account_id"]


async def test_undo_deletes_the_transactions_and_restores_the_balance() -> None:
    uow = FakeImportUnitOfWork()
    account = await _account(uow)
    outcome = await _importer(uow).execute(ALICE, _request(account))
    assert outcome.id is not None
    await UndoImport(uow).execute(ALICE, outcome.id)
    assert uow.store.transactions == {}
    assert uow.store.accounts[account.id].balance.format() == "10.00"
    with pytest.raises(ImportNotFoundError):
        await UndoImport(uow).execute(ALICE, outcome.id)


async def test_undo_is_refused_while_a_transaction_is_reconciled() -> None:
    uow = FakeImportUnitOfWork()
    account = await _account(uow)
    outcome = await _importer(uow).execute(ALICE, _request(account))
    assert outcome.id is not None
    next(iter(uow.store.transactions.values())).status = TransactionStatus.RECONCILED
    commits = uow.commits
    with pytest.raises(ImportReconciledError):
        await UndoImport(uow).execute(ALICE, outcome.id)
    assert (len(uow.store.transactions), uow.commits) == (2, commits)
