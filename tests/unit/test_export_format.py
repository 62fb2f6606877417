"""The export formats' pure parts: formula defusing, CSV rows, and the command's progress."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from budget.domain.model.account import Account, AccountType
from budget.domain.model.currency import Currency
from budget.domain.model.ids import AccountId, CategoryId, HouseholdId, TransactionId
from budget.domain.model.ledger_queries import TransactionFilters
from budget.domain.model.money import Money
from budget.domain.model.paging import Sort
from budget.domain.model.splits import Split
from budget.domain.model.transaction import Transaction, TransactionType
from budget.domain.services.exports import TransactionExport
from budget.entrypoints.export_command import _Reporter
from budget.entrypoints.exports import safe_cell, transaction_rows

EUR = Currency.of("EUR")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOUSEHOLD = HouseholdId(UUID(int=1))
ACCOUNT = Account.open(
    AccountId(UUID(int=2)), HOUSEHOLD, "Main", AccountType.CASH, Money(0, EUR), T0
)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+A1", "'+A1"),
        ("-A1", "'-A1"),
        ("@A1", "'@A1"),
        ("-12.50", "-12.50"),
        ("+7", "+7"),
        ("-.5", "-.5"),
        ("- 5", "'- 5"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_cells_that_would_run_as_formulas_are_defused(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


def _split_expense() -> Transaction:
    parts = (
        Split(CategoryId(UUID(int=5)), Money(2000, EUR), "Food"),
        Split(None, Money(1000, EUR), "=rest"),
    )
    return Transaction(
        TransactionId(UUID(int=9)),
        HOUSEHOLD,
        TransactionType.EXPENSE,
        ACCOUNT.id,
        None,
        Money(3000, EUR),
        None,
        None,
        date(2026, 1, 2),
        "whole",
        "Shop",
        ("a", "b"),
        T0,
        T0,
        parts,
    )


def test_a_split_transaction_writes_one_row_per_part() -> None:
    export = TransactionExport(
        (HOUSEHOLD,), TransactionFilters(), Sort("date"), {ACCOUNT.id: ACCOUNT}, {}
    )

    rows = transaction_rows(_split_expense(), export)

    assert [(r[8], r[11], r[14]) for r in rows] == [
        ("20.00", str(UUID(int=5)), "Food"),
        ("10.00", "", "'=rest"),
    ]
    assert {(r[5], r[13], r[15]) for r in rows} == {("Main", "Shop", "a|b")}


def test_off_a_terminal_progress_is_one_plain_line_per_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reporter = _Reporter(700)

    with reporter:
        reporter.advance(500)
        reporter.advance(200)

    assert capsys.readouterr().err.splitlines() == ["500/700 transactions", "700/700 transactions"]
