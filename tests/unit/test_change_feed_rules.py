"""Change-feed tokens and walks, and the audit trail's diff in wire format."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from budget.domain.errors import GoneError, RuleViolationError
from budget.domain.model.audit import creation_changes, update_changes
from budget.domain.model.changes import FeedToken, decode_token, encode_token, plan_walk
from budget.domain.model.ids import HouseholdId, UserId

KEY = b"k" * 32
ALICE, BOB = UserId(UUID(int=1)), UserId(UUID(int=2))
HOME, SHARED, OTHER = (HouseholdId(UUID(int=n)) for n in (10, 11, 12))
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
MONTH = timedelta(days=30)


def test_a_token_round_trips() -> None:
    token = FeedToken(ALICE, NOW, {HOME: 7, SHARED: 0})

    assert decode_token(encode_token(token, KEY), KEY) == token


@pytest.mark.parametrize("text", ["", "abc", "a.b.c", "!!.??", "e30.AAAA"])
def test_malformed_tokens_are_a_violation_on_since(text: str) -> None:
    with pytest.raises(RuleViolationError) as raised:
        decode_token(text, KEY)

    assert [p.field for p in raised.value.problems] == ["since"]


def test_a_token_signed_with_another_key_is_refused() -> None:
    text = encode_token(FeedToken(ALICE, NOW, {HOME: 1}), b"o" * 32)

    with pytest.raises(RuleViolationError):
        decode_token(text, KEY)


def test_another_users_token_is_refused() -> None:
    with pytest.raises(RuleViolationError):
        FeedToken(ALICE, NOW, {}).check(BOB, NOW, MONTH)


def test_a_token_older_than_the_retention_is_gone() -> None:
    with pytest.raises(GoneError):
        FeedToken(ALICE, NOW - MONTH - timedelta(seconds=1), {}).check(ALICE, NOW, MONTH)


def test_a_token_within_the_retention_is_accepted() -> None:
    FeedToken(ALICE, NOW - MONTH + timedelta(seconds=1), {}).check(ALICE, NOW, MONTH)


def test_a_walk_ends_left_households_and_starts_joined_ones_from_scratch() -> None:
    walk = plan_walk(FeedToken(ALICE, NOW, {HOME: 5, OTHER: 9}), {HOME, SHARED})

    assert walk.ended == (OTHER,)
    assert walk.households == ((HOME, 5, False), (SHARED, 0, True))


def test_a_walk_without_a_token_starts_every_household_from_scratch() -> None:
    assert plan_walk(None, {SHARED, HOME}).households == ((HOME, 0, True), (SHARED, 0, True))


def test_a_create_records_every_writable_field_from_null() -> None:
    wire = {
        "id": "x",
        "name": "Wallet",
        "balance": "1.00",
        "updated_at": "t",
        "created_at": "t",
        "last_reconciled_on": None,
    }

    assert creation_changes(wire) == {"name": {"from": None, "to": "Wallet"}}


def test_an_update_records_changed_fields_only_never_balances_or_timestamps() -> None:
    before = {
        "name": "Wallet",
        "archived": False,
        "balance": "1.00",
        "cleared_balance": "1.00",
        "updated_at": "a",
    }
    after = {
        "name": "Purse",
        "archived": False,
        "balance": "2.00",
        "cleared_balance": "0.00",
        "updated_at": "b",
    }

    assert update_changes(before, after) == {"name": {"from": "Wallet", "to": "Purse"}}


def test_an_update_that_changes_nothing_visible_records_nothing() -> None:
    assert update_changes({"name": "A", "balance": "1"}, {"name": "A", "balance": "2"}) == {}
