"""The import rules: sign and type, import ids, invalid rows, duplicates, category names."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from budget.domain.model.category import Category, CategoryKind
from budget.domain.model.currency import Currency
from budget.domain.model.ids import CategoryId, HouseholdId
from budget.domain.model.imports import (
    check_rows,
    count,
    derived_ids,
    draft_rows,
    mark_duplicates,
    match_category,
    type_of,
)
from budget.domain.model.statement import StatementLine
from budget.domain.model.transaction import TransactionType

EUR = Currency.of("EUR")
JPY = Currency.of("JPY")
DAY = dt.date(2026, 11, 2)
HOUSEHOLD = HouseholdId(uuid.UUID(int=1))
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _line(position: int, amount: str, **fields: object) -> StatementLine:
    return StatementLine(position, fields.pop("date", DAY), Decimal(amount), **fields)  # type: ignore[arg-type]


def _category(name: str, kind: CategoryKind, parent: CategoryId | None = None) -> Category:
    return Category(CategoryId(uuid.uuid4()), HOUSEHOLD, name, kind, parent, None, False, NOW, NOW)


def test_money_in_is_income_and_money_out_an_expense() -> None:
    assert (type_of(Decimal("0.01")), type_of(Decimal("-0.01"))) == (
        TransactionType.INCOME,
        TransactionType.EXPENSE,
    )


def test_rows_without_a_file_id_count_equal_date_and_amount() -> None:
    lines = [_line(1, "-12.50"), _line(2, "-12.50"), _line(3, "12.50"), _line(4, "-12.50")]
    assert derived_ids(lines, EUR) == [
        "2026-11-02:-1250:1",
        "2026-11-02:-1250:2",
        "2026-11-02:1250:1",
        "2026-11-02:-1250:3",
    ]


def test_a_file_id_wins_over_the_derived_one() -> None:
    assert derived_ids([_line(1, "5", import_id="FIT-1")], EUR) == ["FIT-1"]


def test_minor_units_follow_the_currency() -> None:
    assert derived_ids([_line(1, "-1500")], JPY) == ["2026-11-02:-1500:1"]


@pytest.mark.parametrize(
    ("line", "detail"),
    [
        (_line(1, "0"), "amount must not be zero"),
        (_line(1, "5", currency="USD"), "is in USD, not in the account's currency EUR"),
        (_line(1, "1.234"), "amount has more decimals than EUR allows (2)"),
        (_line(1, "1000000000000.01"), "amount must be between -1000000000000 and 1000000000000"),
        (_line(1, "1", date=dt.date(1, 1, 1)), "date 0001-01-01 is out of range"),
        (_line(1, "1", import_id="x" * 101), "import id must be 1-100 characters"),
    ],
)
def test_invalid_rows_are_problems_at_their_position(line: StatementLine, detail: str) -> None:
    rows, problems = check_rows(draft_rows([line], []), EUR)
    assert rows == []
    assert [(p.pointer, p.detail) for p in problems] == [("rows/1", detail)]


def test_a_valid_row_has_a_positive_amount_and_its_type() -> None:
    (row,), _ = check_rows(draft_rows([_line(3, "-7.25")], []), EUR)
    assert (row.amount.minor, row.draft.type) == (725, TransactionType.EXPENSE)


def test_existing_and_repeated_ids_make_duplicates() -> None:
    rows, _ = check_rows(
        draft_rows(
            [
                _line(1, "1", import_id="A"),
                _line(2, "2", import_id="B"),
                _line(3, "3", import_id="B"),
            ],
            [],
        ),
        EUR,
    )
    marked = mark_duplicates(rows, {"A"})
    assert [row.duplicate for row in marked] == [True, False, True]
    assert count(marked).duplicates == 2


def test_a_category_name_matches_case_insensitively_top_level_first() -> None:
    parent = _category("Food", CategoryKind.EXPENSE)
    child = _category("groceries", CategoryKind.EXPENSE, parent.id)
    top = _category("Groceries", CategoryKind.EXPENSE)
    income = _category("GROCERIES", CategoryKind.INCOME)
    found = match_category("GROCERIES", TransactionType.EXPENSE, [child, income, top, parent])
    assert found == top.id


def test_a_category_of_the_other_kind_does_not_match() -> None:
    income = _category("Refunds", CategoryKind.INCOME)
    assert match_category("refunds", TransactionType.EXPENSE, [income]) is None


def test_payee_and_description_are_cut_to_what_a_transaction_holds() -> None:
    (draft,) = draft_rows([_line(1, "1", payee="p" * 300, description="d  e\n f")], [])
    assert (len(draft.payee), draft.description) == (200, "d e f")
