"""Listing transactions (contract section 6): filters, sorts, offset pages and cursors."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

ACCOUNTS = "/api/v1/accounts"
CATEGORIES = "/api/v1/categories"
TRANSACTIONS = "/api/v1/transactions"
SORTS = ["date", "-date", "amount", "-amount", "created_at", "-created_at"]

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


async def _open(client: Client, user: SignedIn, currency: str = "EUR") -> str:
    body = {"name": f"Account {uuid.uuid4().hex[:8]}", "type": "checking", "currency": currency}
    response = await client.post(ACCOUNTS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    account_id: str = response.json()["id"]
    return account_id


async def _category(client: Client, user: SignedIn, kind: str) -> str:
    body = {"name": f"Cat {uuid.uuid4().hex[:8]}", "kind": kind}
    response = await client.post(CATEGORIES, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    category_id: str = response.json()["id"]
    return category_id


async def _record(client: Client, user: SignedIn, **fields: Any) -> str:
    body = {"type": "expense", "amount": "1", "date": "2026-01-01", **fields}
    response = await client.post(TRANSACTIONS, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    txn_id: str = response.json()["id"]
    return txn_id


async def _page(client: Client, user: SignedIn, **params: Any) -> dict[str, Any]:
    response = await client.get(f"{TRANSACTIONS}?{urlencode(params)}", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _ids(client: Client, user: SignedIn, **params: Any) -> list[str]:
    page = await _page(client, user, limit=500, **params)
    return [item["id"] for item in page["items"]]


async def _walk_offsets(
    client: Client, user: SignedIn, limit: int, **params: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = await _page(client, user, limit=limit, offset=len(items), **params)
        items += page["items"]
        if len(page["items"]) < limit:
            return items


async def _walk_cursors(
    client: Client, user: SignedIn, limit: int, **params: Any
) -> list[dict[str, Any]]:
    page = await _page(client, user, limit=limit, **params)
    items = list(page["items"])
    while page["next_cursor"] is not None:
        page = await _page(client, user, limit=limit, cursor=page["next_cursor"], **params)
        assert (page["total"], page["offset"]) == (None, None)
        items += page["items"]
    return items


@dataclass
class Ledger:
    """One user's known set of transactions, to check every filter against."""

    user: SignedIn
    checking: str
    savings: str
    dollars: str
    groceries: str
    salary: str
    shop: str
    pay: str
    transfer: str
    kiosk: str
    books: str
    refund: str


async def _ledger(client: Client, user: SignedIn) -> Ledger:
    checking, savings, dollars = (
        await _open(client, user),
        await _open(client, user),
        await _open(client, user, "USD"),
    )
    groceries = await _category(client, user, "expense")
    salary = await _category(client, user, "income")
    shop = await _record(
        client,
        user,
        account_id=checking,
        amount="12.50",
        date="2026-01-05",
        category_id=groceries,
        description="Weekly shop",
        payee="Corner Market",
        tags=["food"],
    )
    pay = await _record(
        client,
        user,
        type="income",
        account_id=checking,
        amount="2000",
        date="2026-01-01",
        category_id=salary,
        description="January SALARY",
        payee="ACME",
    )
    transfer = await _record(
        client,
        user,
        type="transfer",
        account_id=checking,
        to_account_id=savings,
        amount="100",
        date="2026-01-10",
        description="To savings",
    )
    kiosk = await _record(
        client,
        user,
        account_id=savings,
        amount="5",
        date="2026-02-01",
        payee="Kiosk",
        tags=["food", "snack"],
    )
    books = await _record(
        client, user, account_id=dollars, amount="40", date="2026-01-20", description="Books"
    )
    refund = await _record(
        client,
        user,
        type="income",
        account_id=savings,
        amount="12.5",
        date="2026-02-15",
        description="refund",
    )
    return Ledger(
        user,
        checking,
        savings,
        dollars,
        groceries,
        salary,
        shop,
        pay,
        transfer,
        kiosk,
        books,
        refund,
    )


# --- the page envelope ---------------------------------------------------------------------


async def test_the_first_page_answers_total_offset_and_a_next_cursor(
    client: Client, new_user: NewUser
) -> None:
    ledger = await _ledger(client, await new_user())

    page = await _page(client, ledger.user, limit=2)

    assert set(page) == {"items", "total", "limit", "offset", "next_cursor"}
    assert (page["total"], page["limit"], page["offset"]) == (6, 2, 0)
    assert isinstance(page["next_cursor"], str)
    assert [item["id"] for item in page["items"]] == [ledger.refund, ledger.kiosk]


async def test_the_last_offset_page_answers_no_next_cursor(
    client: Client, new_user: NewUser
) -> None:
    ledger = await _ledger(client, await new_user())

    page = await _page(client, ledger.user, limit=4, offset=4)

    assert (page["total"], page["offset"], page["next_cursor"]) == (6, 4, None)
    assert [item["id"] for item in page["items"]] == [ledger.shop, ledger.pay]


async def test_defaults_are_limit_50_offset_0_and_newest_first(
    client: Client, new_user: NewUser
) -> None:
    ledger = await _ledger(client, await new_user())

    page = await _page(client, ledger.user)

    assert (page["limit"], page["offset"], page["next_cursor"]) == (50, 0, None)
    assert [item["id"] for item in page["items"]] == [
        ledger.refund,
        ledger.kiosk,
        ledger.books,
        ledger.transfer,
        ledger.shop,
        ledger.pay,
    ]


async def test_a_user_without_transactions_gets_an_empty_page(
    client: Client, new_user: NewUser
) -> None:
    page = await _page(client, await new_user())

    assert page == {"items": [], "total": 0, "limit": 50, "offset": 0, "next_cursor": None}


# --- filters -------------------------------------------------------------------------------


async def test_account_id_matches_either_side_of_a_transfer(
    client: Client, new_user: NewUser
) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, account_id=ledger.savings)

    assert set(found) == {ledger.transfer, ledger.kiosk, ledger.refund}


async def test_account_id_matches_the_source_of_a_transfer(
    client: Client, new_user: NewUser
) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, account_id=ledger.checking)

    assert set(found) == {ledger.shop, ledger.pay, ledger.transfer}


async def test_category_id_filters_by_category(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    assert await _ids(client, ledger.user, category_id=ledger.groceries) == [ledger.shop]


async def test_uncategorized_keeps_income_and_expenses_without_category_and_no_transfers(
    client: Client, new_user: NewUser
) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, uncategorized="true")

    assert set(found) == {ledger.kiosk, ledger.books, ledger.refund}


async def test_uncategorized_false_does_not_filter(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    assert len(await _ids(client, ledger.user, uncategorized="false")) == 6


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("transfer", {"transfer"}),
        ("income", {"pay", "refund"}),
        ("expense", {"shop", "kiosk", "books"}),
    ],
)
async def test_type_filters_by_type(
    client: Client, new_user: NewUser, kind: str, expected: set[str]
) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, type=kind)

    assert set(found) == {getattr(ledger, name) for name in expected}


async def test_dates_are_inclusive_on_both_ends(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, date_from="2026-01-05", date_to="2026-01-20")

    assert found == [ledger.books, ledger.transfer, ledger.shop]


async def test_date_from_alone_keeps_later_days(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    assert await _ids(client, ledger.user, date_from="2026-02-01") == [ledger.refund, ledger.kiosk]


async def test_date_to_alone_keeps_earlier_days(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    assert await _ids(client, ledger.user, date_to="2026-01-01") == [ledger.pay]


async def test_amount_bounds_are_inclusive(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, min_amount="12.5", max_amount="100")

    assert set(found) == {ledger.shop, ledger.transfer, ledger.books, ledger.refund}


async def test_a_min_amount_between_cents_rounds_up(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, min_amount="12.501", max_amount="99.999")

    assert set(found) == {ledger.books}


async def test_q_matches_payee_case_insensitively(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    assert await _ids(client, ledger.user, q="corner") == [ledger.shop]


async def test_q_matches_description_case_insensitively(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    assert await _ids(client, ledger.user, q="Salary") == [ledger.pay]


async def test_q_is_a_substring_and_not_a_pattern(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    assert await _ids(client, ledger.user, q="%") == []
    assert await _ids(client, ledger.user, q="_") == []


async def test_tag_matches_an_exact_tag(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    assert set(await _ids(client, ledger.user, tag="food")) == {ledger.shop, ledger.kiosk}
    assert await _ids(client, ledger.user, tag="snack") == [ledger.kiosk]
    assert await _ids(client, ledger.user, tag="foo") == []


async def test_filters_combine(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(
        client, ledger.user, account_id=ledger.savings, uncategorized="true", date_from="2026-02-02"
    )

    assert found == [ledger.refund]


async def test_many_filters_combine(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(
        client,
        ledger.user,
        account_id=ledger.checking,
        type="expense",
        tag="food",
        q="shop",
        min_amount="10",
        max_amount="20",
        date_from="2026-01-01",
        date_to="2026-01-31",
        category_id=ledger.groceries,
    )

    assert found == [ledger.shop]


async def test_offset_totals_count_only_the_filtered_items(
    client: Client, new_user: NewUser
) -> None:
    ledger = await _ledger(client, await new_user())

    page = await _page(client, ledger.user, account_id=ledger.checking, limit=1, offset=1)

    assert (page["total"], [item["id"] for item in page["items"]]) == (3, [ledger.shop])


# --- sorts ---------------------------------------------------------------------------------


async def test_sorting_by_amount_compares_numbers_not_text(
    client: Client, new_user: NewUser
) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, sort="amount", type="expense")

    assert found == [ledger.kiosk, ledger.shop, ledger.books]


async def test_sorting_by_date_ascending_puts_the_oldest_first(
    client: Client, new_user: NewUser
) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, sort="date")

    assert found == [
        ledger.pay,
        ledger.shop,
        ledger.transfer,
        ledger.books,
        ledger.kiosk,
        ledger.refund,
    ]


async def test_sorting_by_created_at_follows_creation(client: Client, new_user: NewUser) -> None:
    ledger = await _ledger(client, await new_user())

    found = await _ids(client, ledger.user, sort="-created_at")

    assert found == [
        ledger.refund,
        ledger.books,
        ledger.kiosk,
        ledger.transfer,
        ledger.pay,
        ledger.shop,
    ]


@pytest.mark.parametrize("sort", SORTS)
async def test_offset_pages_over_ties_never_overlap_or_skip(
    client: Client, new_user: NewUser, sort: str
) -> None:
    user = await new_user()
    account = await _open(client, user)
    created = {await _record(client, user, account_id=account, amount="5") for _ in range(7)}

    walked = await _walk_offsets(client, user, 2, sort=sort)

    assert [item["id"] for item in walked] == await _ids(client, user, sort=sort)
    assert sorted(item["id"] for item in walked) == sorted(created)


@pytest.mark.parametrize("sort", SORTS)
async def test_cursor_pages_over_ties_never_overlap_or_skip(
    client: Client, new_user: NewUser, sort: str
) -> None:
    user = await new_user()
    account = await _open(client, user)
    for day in ["2026-03-01", "2026-03-01", "2026-03-02", "2026-03-02", "2026-03-02"]:
        for amount in ["5", "5", "7"]:
            await _record(client, user, account_id=account, amount=amount, date=day)

    walked = await _walk_cursors(client, user, 2, sort=sort)

    assert [item["id"] for item in walked] == await _ids(client, user, sort=sort)
    assert len({item["id"] for item in walked}) == 15


async def test_the_order_breaks_ties_consistently_with_the_sort(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    for amount in ["3", "1", "3", "2", "3"]:
        await _record(client, user, account_id=account, amount=amount)

    page = await _page(client, user, sort="-amount")

    amounts = [item["amount"] for item in page["items"]]
    assert amounts == ["3.00", "3.00", "3.00", "2.00", "1.00"]


# --- cursors -------------------------------------------------------------------------------


async def test_walking_next_cursor_yields_every_transaction_exactly_once(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    account = await _open(client, user)
    created = {
        await _record(
            client, user, account_id=account, amount=str(1 + i % 7), date=f"2026-0{1 + i % 9}-01"
        )
        for i in range(300)
    }

    walked = await _walk_cursors(client, user, 37)

    assert len(walked) == len(created) == 300
    assert {item["id"] for item in walked} == created
    dates = [item["date"] for item in walked]
    assert dates == sorted(dates, reverse=True)


async def test_a_cursor_walk_with_filters_matches_the_filtered_list(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    first, second = await _open(client, user), await _open(client, user)
    for i in range(12):
        await _record(client, user, account_id=first if i % 3 else second, amount=str(i + 1))

    walked = await _walk_cursors(client, user, 3, account_id=first, sort="amount")

    assert [item["id"] for item in walked] == await _ids(
        client, user, account_id=first, sort="amount"
    )
    assert len(walked) == 8


async def test_a_cursor_may_be_used_with_another_limit(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user)
    for _ in range(6):
        await _record(client, user, account_id=account)
    first = await _page(client, user, limit=2)

    rest = await _page(client, user, limit=10, cursor=first["next_cursor"])

    assert len(rest["items"]) == 4
    assert rest["next_cursor"] is None
    assert (rest["total"], rest["offset"], rest["limit"]) == (None, None, 10)


async def test_a_cursor_with_an_offset_is_rejected(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    account = await _open(client, user)
    await _record(client, user, account_id=account)
    await _record(client, user, account_id=account)
    cursor = (await _page(client, user, limit=1))["next_cursor"]

    response = await client.get(
        f"{TRANSACTIONS}?{urlencode({'cursor': cursor, 'offset': 0})}", headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["cursor"]


async def _cursor_of(client: Client, user: SignedIn, **params: Any) -> str:
    account = await _open(client, user)
    for _ in range(3):
        await _record(client, user, account_id=account, tags=["x"], description="abc")
    cursor: str = (await _page(client, user, limit=1, **params))["next_cursor"]
    return cursor


def _tampered(cursor: str) -> str:
    body, signature = cursor.split(".")
    flipped = "A" if body[5] != "A" else "B"
    return f"{body[:5]}{flipped}{body[6:]}.{signature}"


@pytest.mark.parametrize(
    "make_bad",
    [
        _tampered,
        lambda c: c.split(".")[0] + ".",
        lambda c: c[:-2],
        lambda c: c + "x",
        lambda c: "not-a-cursor",
        lambda c: "a.b",
        lambda c: "",
        lambda c: "x" * 2000,
    ],
    ids=[
        "payload-changed",
        "signature-missing",
        "signature-cut",
        "signature-extended",
        "garbage",
        "not-base64-json",
        "empty",
        "too-long",
    ],
)
async def test_a_malformed_or_forged_cursor_is_rejected(
    client: Client, new_user: NewUser, make_bad: Callable[[str], str]
) -> None:
    user = await new_user()
    cursor = await _cursor_of(client, user)

    response = await client.get(
        f"{TRANSACTIONS}?{urlencode({'cursor': make_bad(cursor)})}", headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["cursor"]


async def test_another_users_cursor_is_rejected(client: Client, new_user: NewUser) -> None:
    alice, bob = await new_user(), await new_user()
    cursor = await _cursor_of(client, alice)
    await _cursor_of(client, bob)

    response = await client.get(
        f"{TRANSACTIONS}?{urlencode({'cursor': cursor})}", headers=bob.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["cursor"]


@pytest.mark.parametrize(
    ("issued", "reused"),
    [
        ({}, {"sort": "date"}),
        ({"sort": "amount"}, {"sort": "-amount"}),
        ({"sort": "amount"}, {}),
        ({}, {"tag": "x"}),
        ({"tag": "x"}, {}),
        ({"tag": "x"}, {"tag": "y"}),
        ({"q": "a"}, {"q": "b"}),
        ({}, {"uncategorized": "true"}),
        ({}, {"date_from": "2020-01-01"}),
        ({}, {"min_amount": "0.5"}),
    ],
)
async def test_a_cursor_reused_with_another_sort_or_filters_is_rejected(
    client: Client, new_user: NewUser, issued: dict[str, str], reused: dict[str, str]
) -> None:
    user = await new_user()
    cursor = await _cursor_of(client, user, **issued)

    response = await client.get(
        f"{TRANSACTIONS}?{urlencode({'cursor': cursor, **reused})}", headers=user.headers
    )

    assert response.status_code == 422, response.text
    assert _pointers(response) == ["cursor"]


# --- invalid parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        ({"sort": "payee"}, "sort"),
        ({"sort": "--date"}, "sort"),
        ({"type": "refund"}, "type"),
        ({"account_id": "nope"}, "account_id"),
        ({"category_id": "nope"}, "category_id"),
        ({"uncategorized": "perhaps"}, "uncategorized"),
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "2026-02-02", "date_to": "2026-02-01"}, "date_to"),
        ({"min_amount": "1e3"}, "min_amount"),
        ({"max_amount": "NaN"}, "max_amount"),
        ({"min_amount": "10", "max_amount": "9.99"}, "max_amount"),
        ({"max_amount": "1000000000001"}, "max_amount"),
        ({"q": "x" * 501}, "q"),
        ({"tag": "x" * 51}, "tag"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ],
)
async def test_invalid_list_parameters_are_rejected_with_their_name(
    client: Client, new_user: NewUser, query: dict[str, str], pointer: str
) -> None:
    user = await new_user()

    response = await client.get(f"{TRANSACTIONS}?{urlencode(query)}", headers=user.headers)

    assert response.status_code == 422, response.text
    assert _pointers(response) == [pointer]


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "amount"}, {"sort": "-created_at"}, {"account_id": "savings"}],
    ids=["newest first", "by amount", "by creation", "filtered"],
)
async def test_deep_offset_pages_read_by_ids_first_hold_the_same_rows_as_one_page(
    client: Client, new_user: NewUser, monkeypatch: pytest.MonkeyPatch, params: dict[str, Any]
) -> None:
    # Every page from offset 1 on is read the way deep pages are (ids first, then rows).
    monkeypatch.setattr("budget.adapters.transactions.DEFERRED_JOIN_OFFSET", 1)
    ledger = await _ledger(client, await new_user())
    if "account_id" in params:
        params = {"account_id": ledger.savings}

    walked = await _walk_offsets(client, ledger.user, 2, **params)

    assert walked == (await _page(client, ledger.user, limit=500, **params))["items"]
