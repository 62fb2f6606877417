"""The database converts exactly as the domain does (``exchange_rate.convert_minor``), on
SQLite and PostgreSQL: half to even, inverted rates, currencies with 0 to 3 decimals, and
products far beyond 64-bit integers (PostgreSQL's NUMERIC path)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal

from litestar import Litestar
from litestar.testing import AsyncTestClient

from budget.domain.model.currency import Currency
from budget.domain.model.exchange_rate import StoredRate, select_rate
from budget.domain.model.money import format_minor
from tests.integration.conftest import SignedIn

Client = AsyncTestClient[Litestar]
NewUser = Callable[..., Awaitable[SignedIn]]
FIRST = date(2026, 5, 1)
EUR = Currency.of("EUR")

# (currency, amount sent, stored pair and rate), one day each, 8 days apart (a rate is
# never seen from the next case's day); an EUR-based pair is used inverted.
CASES = [
    ("JPY", "1000000000000", ("JPY", "EUR", "0.00612345678901")),
    ("USD", "999999999999.99", ("USD", "EUR", "1.23456789012")),
    ("USD", "999999999999.99", ("EUR", "USD", "1.23456789012")),
    ("BHD", "123.456", ("EUR", "BHD", "0.411")),
    ("USD", "0.01", ("EUR", "USD", "3")),
    ("GBP", "1.25", ("GBP", "EUR", "0.5")),
    ("GBP", "1.35", ("GBP", "EUR", "0.5")),
    ("JPY", "7", ("EUR", "JPY", "0.0000000000012")),
]
GAP = 8


async def _post(client: Client, user: SignedIn, url: str, body: dict[str, object]) -> str:
    response = await client.post(url, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: str = response.json()["id"]
    return created


async def test_every_amount_converts_as_the_domain_converts_it(
    client: Client, new_user: NewUser
) -> None:
    user = await new_user()
    accounts = {}
    for code in sorted({case[0] for case in CASES}):
        body = {"name": code, "type": "cash", "currency": code}
        accounts[code] = await _post(client, user, "/api/v1/accounts", body)
    expected = []
    for offset, (code, amount, (base, quote, rate)) in enumerate(CASES):
        day = FIRST + timedelta(days=offset * GAP)
        body = {
            "type": "expense",
            "account_id": accounts[code],
            "amount": amount,
            "date": day.isoformat(),
        }
        await _post(client, user, "/api/v1/transactions", body)
        stored = {"base": base, "quote": quote, "date": day.isoformat(), "rate": rate}
        await _post(client, user, "/api/v1/exchange-rates", stored)
        currency = Currency.of(code)
        minor = int(Decimal(amount) * currency.minor_per_major)
        stored_rate = StoredRate(base, quote, day, Decimal(rate))
        conversion = select_rate([stored_rate], code, "EUR", day, 7)
        assert conversion is not None
        converted = conversion.convert(minor, currency, EUR)
        expected.append((day.isoformat(), format_minor(converted, EUR.exponent)))
    last = FIRST + timedelta(days=(len(CASES) - 1) * GAP)
    query = f"date_from={FIRST}&date_to={last}&interval=day&currency=EUR"
    response = await client.get(f"/api/v1/reports/cashflow?{query}", headers=user.headers)
    assert response.status_code == 200, response.text
    series = response.json()[0]
    assert series["missing_rates"] == []
    converted = {p["period_start"]: p["expense"] for p in series["points"]}
    assert [(day, converted[day]) for day, _ in expected] == expected
