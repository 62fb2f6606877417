"""Exchange rates over HTTP (contract section 17), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import SignedIn

RATES = "/api/v1/exchange-rates"
BATCH = f"{RATES}/batch"
HOUSEHOLDS = "/api/v1/households"

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
Json = dict[str, Any]


def _pointers(response: Any) -> list[str]:
    return [error["pointer"] for error in response.json().get("errors", [])]


def _rate(**fields: Any) -> Json:
    return {"base": "USD", "quote": "EUR", "date": "2026-03-02", "rate": "0.9215", **fields}


async def _create(client: Client, user: SignedIn, **fields: Any) -> Json:
    response = await client.post(RATES, json=_rate(**fields), headers=user.headers)
    assert response.status_code == 201, response.text
    body: Json = response.json()
    return body


async def _shared(client: Client, new_user: NewUser, role: str) -> tuple[SignedIn, SignedIn, str]:
    """An owner, a member with ``role``, and the owner's new household they share."""
    owner, member = await new_user(), await new_user()
    found = await client.post(HOUSEHOLDS, json={"name": "Shared"}, headers=owner.headers)
    household: str = found.json()["id"]
    invited = await client.post(
        f"{HOUSEHOLDS}/{household}/invitations",
        json={"email": member.email, "role": role},
        headers=owner.headers,
    )
    accepted = await client.post(
        f"/api/v1/invitations/{invited.json()['id']}/accept", headers=member.headers
    )
    assert accepted.status_code == 200, accepted.text
    return owner, member, household


async def test_a_created_rate_is_answered_normalised_with_its_location(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    response = await client.post(RATES, json=_rate(rate="1.50"), headers=user.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["rate"] == "1.5"
    assert set(body) == {"id", "household_id", "base", "quote", "date", "rate", "created_at"}
    assert response.headers["Location"] == f"{RATES}/{body['id']}"


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [("100", "100"), ("100.000", "100"), ("1.", "1"), ("0.00712000", "0.00712"), (".5", "0.5")],
)
async def test_a_rate_is_echoed_without_trailing_zeros_or_a_bare_point(
    client: Client, new_user: NewUser, sent: str, echoed: str
) -> None:
    user = await new_user()
    assert (await _create(client, user, rate=sent))["rate"] == echoed


async def test_a_rate_is_read_back_by_id(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    created = await _create(client, user)
    response = await client.get(f"{RATES}/{created['id']}", headers=user.headers)
    assert response.status_code == 200
    assert response.json() == created


@pytest.mark.parametrize(
    "rate", [1.5, "1e3", "0", "0.000", "-1.2", "1234567890123", "abc", "", "NaN", "1,5"]
)
async def test_a_bad_rate_is_a_422_on_rate(client: Client, new_user: NewUser, rate: Any) -> None:
    user = await new_user()
    response = await client.post(RATES, json=_rate(rate=rate), headers=user.headers)
    assert response.status_code == 422, response.text
    assert _pointers(response) == ["#/rate"]


async def test_twelve_significant_digits_between_zeros_are_allowed(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    body = await _create(client, user, rate="000123456789012.000")
    assert body["rate"] == "123456789012"


async def test_the_same_currency_on_both_sides_is_a_422_on_quote(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    response = await client.post(RATES, json=_rate(quote="USD"), headers=user.headers)
    assert response.status_code == 422
    assert _pointers(response) == ["#/quote"]


async def test_every_invalid_field_is_listed_at_once(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    body = {"base": "XXX", "quote": "usd", "date": "2026-02-30", "rate": 2, "id": "x"}
    response = await client.post(RATES, json=body, headers=user.headers)
    assert response.status_code == 422
    assert set(_pointers(response)) == {"#/base", "#/quote", "#/date", "#/rate", "#/id"}


async def test_a_second_rate_for_the_same_pair_and_day_is_a_409(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    await _create(client, user)
    response = await client.post(RATES, json=_rate(rate="0.93"), headers=user.headers)
    assert response.status_code == 409


async def test_the_reverse_pair_on_the_same_day_is_another_rate(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    await _create(client, user)
    await _create(client, user, base="EUR", quote="USD", rate="1.085")


async def test_concurrent_creates_of_one_rate_store_it_once(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    responses = await asyncio.gather(
        *(client.post(RATES, json=_rate(), headers=user.headers) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    listed = await client.get(RATES, headers=user.headers)
    assert listed.json()["total"] == 1


async def test_a_deleted_rate_is_gone(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    created = await _create(client, user)
    deleted = await client.delete(f"{RATES}/{created['id']}", headers=user.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"{RATES}/{created['id']}", headers=user.headers)).status_code == 404


async def test_another_households_rate_is_a_404_to_read_and_to_delete(
    client: Client, new_user: NewUser
) -> None:
    owner, stranger = await new_user(), await new_user()
    created = await _create(client, owner)
    url = f"{RATES}/{created['id']}"
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.delete(url, headers=stranger.headers)).status_code == 404
    assert (await client.get(url, headers=owner.headers)).status_code == 200


async def test_a_viewer_reads_rates_but_cannot_write_them(
    client: Client, new_user: NewUser
) -> None:
    owner, viewer, household = await _shared(client, new_user, "viewer")
    created = await _create(client, owner, household_id=household)
    url = f"{RATES}/{created['id']}"
    assert (await client.get(url, headers=viewer.headers)).status_code == 200
    assert (await client.delete(url, headers=viewer.headers)).status_code == 403
    sent = _rate(household_id=household, date="2026-03-03")
    assert (await client.post(RATES, json=sent, headers=viewer.headers)).status_code == 403
    batch = {"household_id": household, "items": [_rate()]}
    assert (await client.post(BATCH, json=batch, headers=viewer.headers)).status_code == 403


async def test_an_editor_writes_rates_of_the_shared_household(
    client: Client, new_user: NewUser
) -> None:
    _owner, editor, household = await _shared(client, new_user, "editor")
    created = await _create(client, editor, household_id=household)
    assert created["household_id"] == household
    deleted = await client.delete(f"{RATES}/{created['id']}", headers=editor.headers)
    assert deleted.status_code == 204


async def test_a_household_the_caller_is_not_in_is_a_422_on_household_id(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    sent = _rate(household_id=str(uuid.uuid4()))
    response = await client.post(RATES, json=sent, headers=user.headers)
    assert response.status_code == 422
    assert _pointers(response) == ["#/household_id"]


async def test_the_list_is_newest_first_and_filters_by_pair_and_dates(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        await _create(client, user, date=day)
    await _create(client, user, base="JPY", quote="EUR", date="2026-03-02", rate="0.0061")
    everything = (await client.get(RATES, headers=user.headers)).json()
    assert [r["date"] for r in everything["items"]] == [
        "2026-03-03",
        "2026-03-02",
        "2026-03-02",
        "2026-03-01",
    ]
    assert everything["total"] == 4
    query = "?base=USD&quote=EUR&date_from=2026-03-02&date_to=2026-03-03&sort=date"
    filtered = (await client.get(f"{RATES}{query}", headers=user.headers)).json()
    assert [r["date"] for r in filtered["items"]] == ["2026-03-02", "2026-03-03"]
    assert (filtered["total"], filtered["limit"], filtered["offset"]) == (2, 50, 0)


async def test_the_list_shows_every_household_of_the_caller_unless_filtered(
    client: Client, new_user: NewUser
) -> None:
    owner, editor, household = await _shared(client, new_user, "editor")
    await _create(client, owner, household_id=household)
    await _create(client, editor)
    assert (await client.get(RATES, headers=editor.headers)).json()["total"] == 2
    only = await client.get(f"{RATES}?household_id={household}", headers=editor.headers)
    assert [r["household_id"] for r in only.json()["items"]] == [household]
    stranger = await client.get(f"{RATES}?household_id={uuid.uuid4()}", headers=editor.headers)
    assert stranger.json()["total"] == 0


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        ("sort=rate", "sort"),
        ("base=eur", "base"),
        ("date_from=yesterday", "date_from"),
        ("household_id=nope", "household_id"),
        ("limit=0", "limit"),
    ],
)
async def test_a_bad_list_parameter_is_a_422_naming_it(
    client: Client, new_user: NewUser, query: str, pointer: str
) -> None:
    user = await new_user()
    response = await client.get(f"{RATES}?{query}", headers=user.headers)
    assert response.status_code == 422
    assert _pointers(response) == [pointer]


async def test_a_batch_counts_created_and_changed_rates(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    first = [_rate(date=f"2026-03-0{day}") for day in (1, 2, 3)]
    response = await client.post(BATCH, json={"items": first}, headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"created": 3, "updated": 0}
    again = [
        _rate(date="2026-03-01"),  # same value: neither
        _rate(date="2026-03-02", rate="0.92150"),  # same value, other spelling: neither
        _rate(date="2026-03-03", rate="0.93"),  # changed
        _rate(date="2026-03-04"),  # new
    ]
    response = await client.post(BATCH, json={"items": again}, headers=user.headers)
    assert response.json() == {"created": 1, "updated": 1}
    listed = (await client.get(f"{RATES}?date_from=2026-03-03", headers=user.headers)).json()
    assert [(r["date"], r["rate"]) for r in listed["items"]] == [
        ("2026-03-04", "0.9215"),
        ("2026-03-03", "0.93"),
    ]


async def test_a_batch_with_a_bad_item_writes_nothing_and_points_at_each_bad_field(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    items = [_rate(), _rate(date="2026-03-03", rate="0"), _rate(date="2026-03-04", quote="USD")]
    response = await client.post(BATCH, json={"items": items}, headers=user.headers)
    assert response.status_code == 422
    assert _pointers(response) == ["#/items/1/rate", "#/items/2/quote"]
    assert (await client.get(RATES, headers=user.headers)).json()["total"] == 0


async def test_a_batch_item_of_the_wrong_type_points_into_the_item(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    items = [_rate(), _rate(rate=1.2, base="EURO")]
    response = await client.post(BATCH, json={"items": items}, headers=user.headers)
    assert response.status_code == 422
    assert set(_pointers(response)) == {"#/items/1/rate", "#/items/1/base"}


async def test_a_batch_repeating_a_pair_and_day_is_a_422(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    items = [_rate(), _rate(rate="0.95")]
    response = await client.post(BATCH, json={"items": items}, headers=user.headers)
    assert response.status_code == 422
    assert _pointers(response) == ["#/items/1/date"]


@pytest.mark.parametrize("count", [0, 1001])
async def test_a_batch_of_no_rates_or_too_many_is_a_422_on_items(
    client: Client, new_user: NewUser, count: int
) -> None:
    user = await new_user()
    items = [_rate(date=f"{2000 + i // 365:04d}-01-01") for i in range(count)]
    response = await client.post(BATCH, json={"items": items}, headers=user.headers)
    assert response.status_code == 422
    assert _pointers(response) == ["#/items"]


async def test_a_batch_to_a_household_the_caller_is_not_in_is_a_422(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    body = {"household_id": str(uuid.uuid4()), "items": [_rate()]}
    response = await client.post(BATCH, json=body, headers=user.headers)
    assert response.status_code == 422
    assert _pointers(response) == ["#/household_id"]


async def test_a_thousand_rates_go_in_one_batch(client: Client, new_user: NewUser) -> None:
    user = await new_user()
    items = [
        _rate(base=base, date=f"2026-{month:02d}-{day:02d}", rate=f"1.{month}{day}")
        for base in ("USD", "GBP", "CHF", "JPY")
        for month in range(1, 11)
        for day in range(1, 26)
    ]
    response = await client.post(BATCH, json={"items": items}, headers=user.headers)
    assert response.json() == {"created": 1000, "updated": 0}


async def test_concurrent_batches_over_the_same_rates_all_succeed(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    days = [f"2026-04-{day:02d}" for day in range(1, 21)]

    def batch(rate: str, order: int) -> Json:
        items = [_rate(date=day, rate=rate) for day in days[::order]]
        return {"items": items}

    responses = await asyncio.gather(
        *(
            client.post(BATCH, json=batch(f"0.9{n}", 1 if n % 2 else -1), headers=user.headers)
            for n in range(4)
        )
    )
    assert [r.status_code for r in responses] == [200] * 4
    assert sum(r.json()["created"] for r in responses) == 20
    listed = (await client.get(f"{RATES}?limit=100", headers=user.headers)).json()
    assert listed["total"] == 20
    assert {r["rate"] for r in listed["items"]} <= {"0.9", "0.91", "0.92", "0.93"}


async def test_every_rate_route_needs_a_token(client: Client) -> None:
    some = f"{RATES}/{uuid.uuid4()}"
    for method, url in (
        ("GET", RATES),
        ("POST", RATES),
        ("POST", BATCH),
        ("GET", some),
        ("DELETE", some),
    ):
        response = await client.request(method, url, json={} if method == "POST" else None)
        assert response.status_code == 401


async def test_a_zero_rate_is_reported_beside_an_unknown_currency(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    response = await client.post(RATES, json=_rate(base="XXX", rate="0"), headers=user.headers)
    assert response.status_code == 422
    assert set(_pointers(response)) == {"#/base", "#/rate"}


async def test_a_batch_reports_a_bad_rate_beside_an_item_that_does_not_decode(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    items = [_rate(base="EURO"), _rate(date="2026-03-03", rate="0"), _rate(quote="USD")]
    response = await client.post(BATCH, json={"items": items}, headers=user.headers)
    assert response.status_code == 422
    assert set(_pointers(response)) == {"#/items/0/base", "#/items/1/rate", "#/items/2/quote"}


async def test_concurrent_deletes_of_one_rate_leave_it_gone_without_an_error(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    created = await _create(client, user)
    url = f"{RATES}/{created['id']}"
    responses = await asyncio.gather(*(client.delete(url, headers=user.headers) for _ in range(3)))
    assert {r.status_code for r in responses} <= {204, 404}
    assert 204 in {r.status_code for r in responses}
    assert (await client.get(url, headers=user.headers)).status_code == 404
