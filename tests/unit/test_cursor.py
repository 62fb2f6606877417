"""Keyset cursors: they round-trip, and only work for the list and user that got them."""

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from budget.domain.errors import RuleViolationError
from budget.domain.model.currency import Currency
from budget.domain.model.cursor import (
    FOREIGN_CURSOR,
    INVALID_CURSOR,
    Cursor,
    decode_cursor,
    encode_cursor,
    fingerprint,
)
from budget.domain.model.ids import AccountId, HouseholdId, TransactionId, UserId
from budget.domain.model.ledger_queries import Keyset, TransactionFilters, TransactionPaging
from budget.domain.model.money import Money
from budget.domain.model.paging import Sort
from budget.domain.model.transaction import Transaction, TransactionType

KEY = b"k" * 32
ALICE = UserId(UUID(int=1))
BOB = UserId(UUID(int=2))
HOME = HouseholdId(UUID(int=1))  # Alice's personal household
SHARED = HouseholdId(UUID(int=3))
BY_DATE = Sort("date", descending=True)
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
NO_FILTERS = TransactionFilters()


def _txn() -> Transaction:
    return Transaction(
        TransactionId(UUID(int=77)),
        HOME,
        TransactionType.EXPENSE,
        AccountId(UUID(int=5)),
        None,
        Money(1250, Currency.of("EUR")),
        None,
        None,
        date(2026, 11, 20),
        "",
        "",
        (),
        NOW,
        NOW,
    )


def _cursor_text(sort: Sort = BY_DATE) -> str:
    return encode_cursor(Cursor.after(_txn(), sort, fingerprint(ALICE, sort, NO_FILTERS)), KEY)


def _rejection(text: str, expected: str, key: bytes = KEY) -> str:
    with pytest.raises(RuleViolationError) as error:
        decode_cursor(text, key, expected)
    problem = error.value.problems[0]
    assert (problem.field, problem.in_query) == ("cursor", True)
    return problem.detail


def test_a_cursor_round_trips() -> None:
    digest = fingerprint(ALICE, BY_DATE, NO_FILTERS)
    cursor = Cursor.after(_txn(), BY_DATE, digest)

    assert decode_cursor(encode_cursor(cursor, KEY), KEY, digest) == cursor


def test_a_cursor_is_url_safe_text() -> None:
    assert all(ch.isalnum() or ch in "-_." for ch in _cursor_text())


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        (Sort("date"), date(2026, 11, 20)),
        (Sort("amount"), 1250),
        (Sort("created_at", descending=True), NOW),
    ],
)
def test_a_cursor_holds_the_last_items_sort_value_and_id(sort: Sort, value: object) -> None:
    cursor = Cursor.after(_txn(), sort, "digest")

    assert cursor.keyset(sort) == Keyset(value, TransactionId(UUID(int=77)))  # type: ignore[arg-type]


def test_a_cursor_key_that_does_not_fit_the_sort_is_rejected() -> None:
    cursor = Cursor.after(_txn(), Sort("date"), "digest")

    with pytest.raises(RuleViolationError):
        cursor.keyset(Sort("amount"))


def test_a_tampered_payload_is_rejected() -> None:
    body, mac = _cursor_text().split(".")
    forged = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]

    assert _rejection(f"{forged}.{mac}", fingerprint(ALICE, BY_DATE, NO_FILTERS)) == INVALID_CURSOR


def test_a_cursor_signed_with_another_key_is_rejected() -> None:
    digest = fingerprint(ALICE, BY_DATE, NO_FILTERS)
    text = encode_cursor(Cursor.after(_txn(), BY_DATE, digest), b"x" * 32)

    assert _rejection(text, digest) == INVALID_CURSOR


@pytest.mark.parametrize("text", ["", "abc", "a.b.c", "!!!.???", "é.é", "a" * 2000 + ".b"])
def test_malformed_text_is_rejected(text: str) -> None:
    assert _rejection(text, "digest") == INVALID_CURSOR


def test_another_users_cursor_is_rejected() -> None:
    assert _rejection(_cursor_text(), fingerprint(BOB, BY_DATE, NO_FILTERS)) == FOREIGN_CURSOR


def test_a_cursor_reused_with_another_sort_is_rejected() -> None:
    expected = fingerprint(ALICE, Sort("date"), NO_FILTERS)

    assert _rejection(_cursor_text(), expected) == FOREIGN_CURSOR


def test_a_cursor_reused_with_other_filters_is_rejected() -> None:
    expected = fingerprint(ALICE, BY_DATE, TransactionFilters(q="rent"))

    assert _rejection(_cursor_text(), expected) == FOREIGN_CURSOR


@pytest.mark.parametrize("household", [HOME, SHARED])
def test_a_cursor_reused_with_another_household_filter_is_rejected(
    household: HouseholdId,
) -> None:
    expected = fingerprint(ALICE, BY_DATE, NO_FILTERS, household)

    assert _rejection(_cursor_text(), expected) == FOREIGN_CURSOR


def test_the_fingerprint_is_stable_for_equal_lists() -> None:
    first = fingerprint(ALICE, BY_DATE, TransactionFilters(tag="x", min_amount=(5, 0)))
    second = fingerprint(ALICE, BY_DATE, TransactionFilters(tag="x", min_amount=(5, 0)))

    assert first == second


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        encode_cursor(Cursor("k", UUID(int=1), "d"), b"short")


def test_a_cursor_cannot_be_combined_with_an_offset() -> None:
    with pytest.raises(RuleViolationError) as error:
        TransactionPaging(offset=0, cursor=_cursor_text())

    assert error.value.problems[0].field == "cursor"


def test_paging_without_an_offset_starts_at_zero() -> None:
    assert TransactionPaging(limit=10).page_request().offset == 0
