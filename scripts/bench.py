"""Benchmark the API against a running server on PostgreSQL (or SQLite).

Seeds one user's personal household with 100 000 transactions over three years (bulk
insert, not HTTP), plus a USD and a JPY account with 2 000 each and daily exchange rates
(for the summary converted to one currency), then drives the HTTP API with N concurrent
clients and reports requests per second, p50 and p99 latency per scenario, and the server's
peak resident memory per round.

    .venv/bin/python scripts/bench.py                      # throw-away PostgreSQL database
    .venv/bin/python scripts/bench.py --database-url sqlite+aiosqlite:///bench.sqlite3

Figures are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import bindparam, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from budget.adapters.migrations import upgrade
from budget.adapters.system import UuidV7Factory
from budget.adapters.tables import AccountRow, ExchangeRateRow, TransactionRow
from budget.adapters.totals import rebuild_daily_totals
from budget.domain.model.ids import HouseholdId

SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench password that is long enough"
PERIODS = ("monthly", "weekly", "quarterly", "yearly")


@dataclass
class Result:
    scenario: str
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


@dataclass(frozen=True)
class Call:
    """One request of a scenario: method, path with query string, and JSON body."""

    method: str
    target: str
    body: bytes | None = None


class Connection:
    """A minimal HTTP/1.1 keep-alive client.

    The load generator shares this 2-core machine with the server and PostgreSQL, so it
    must cost far less CPU per request than the server it measures (httpx costs about as
    much as the server does). It understands exactly what the API sends: a status line,
    headers with Content-Length, and a body.
    """

    def __init__(self, host: str, port: int, authorization: str) -> None:
        self._host, self._port = host, port
        self._fixed = f"Host: {host}:{port}\r\nAuthorization: {authorization}\r\n"

    async def open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self._host, self._port)

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()

    async def send(self, call: Call) -> int:
        head = f"{call.method} {call.target} HTTP/1.1\r\n{self._fixed}"
        if call.body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(call.body)}\r\n"
        self._writer.write(head.encode() + b"\r\n" + (call.body or b""))
        status = int((await self._reader.readline()).split()[1])
        length = 0
        while (line := await self._reader.readline()) != b"\r\n":
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self._reader.readexactly(length)
        return status


async def load(
    name: str,
    port: int,
    authorization: str,
    make_call: Callable[[int], Call],
    total: int,
    concurrency: int,
) -> Result:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def worker() -> None:
        nonlocal errors
        connection = Connection("127.0.0.1", port, authorization)
        await connection.open()
        try:
            for index in counter:
                call = make_call(index)
                started = time.perf_counter()
                status = await connection.send(call)
                latencies.append(time.perf_counter() - started)
                errors += status >= 400
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return Result(
        name,
        total,
        round(total / elapsed, 1),
        round(percentile(latencies, 0.50) * 1000, 2),
        round(percentile(latencies, 0.90) * 1000, 2),
        round(percentile(latencies, 0.99) * 1000, 2),
        round(max(latencies) * 1000, 2),
        errors,
    )


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS"))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pending.extend(int(c) for c in children)
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return total


class MemoryWatch:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss_kib(self.pid))
            await asyncio.sleep(0.1)

    def start(self) -> None:
        self.peak = tree_rss_kib(self.pid)
        self._task = asyncio.create_task(self._sample())

    async def stop(self) -> int:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        return self.peak


async def seed(
    database_url: str,
    household: uuid.UUID,
    accounts: list[uuid.UUID],
    categories: dict[str, list[uuid.UUID]],
    count: int,
) -> None:
    """Bulk-insert ``count`` transactions over three years, set the balances and the daily
    totals to match, and refresh the planner's statistics (as autovacuum eventually would)."""
    rng = random.Random(42)
    ids = UuidV7Factory()
    engine = create_async_engine(database_url)
    today = date.today()
    now = datetime.now(UTC)
    payees = ["Acme Market", "City Transit", "Corner Cafe", "Landlord", "Power Co", "Pharmacy"]
    batch: list[dict[str, object]] = []
    async with engine.begin() as connection:
        for index in range(count):
            kind = rng.choices(["expense", "income", "transfer"], weights=[85, 10, 5])[0]
            amount = rng.randint(100, 20000) if kind != "income" else rng.randint(100000, 400000)
            account = rng.choice(accounts)
            other = next(a for a in accounts if a != account)
            batch.append(
                {
                    "id": ids.new_id(),
                    "household_id": household,
                    "type": kind,
                    "account_id": account,
                    "to_account_id": other if kind == "transfer" else None,
                    "amount": amount,
                    "to_amount": amount if kind == "transfer" else None,
                    "currency": "EUR",
                    "category_id": rng.choice(categories[kind]) if kind != "transfer" else None,
                    "date": today - timedelta(days=rng.randint(0, 3 * 365)),
                    "description": f"bench {index}",
                    "payee": rng.choice(payees),
                    "tags": ["bench"] if index % 10 == 0 else [],
                    "search_text": f"bench {index}\n{rng.choice(payees)}".lower(),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) == 5000:
                await connection.execute(insert(TransactionRow), batch)
                batch.clear()
        if batch:
            await connection.execute(insert(TransactionRow), batch)
        await set_balances(connection, accounts)
        await rebuild_daily_totals(connection, HouseholdId(household))
    await analyze(engine)
    await engine.dispose()


async def set_balances(connection: AsyncConnection, accounts: list[uuid.UUID]) -> None:
    """Each account's balance as its opening balance plus its transactions imply."""
    for account in accounts:
        await connection.execute(
            text(
                "UPDATE accounts SET balance = opening_balance"
                " + COALESCE((SELECT SUM(CASE WHEN type = 'income' THEN amount"
                "   WHEN type = 'expense' THEN -amount ELSE -amount END)"
                "   FROM transactions WHERE account_id = accounts.id), 0)"
                " + COALESCE((SELECT SUM(to_amount) FROM transactions"
                "   WHERE to_account_id = accounts.id), 0) WHERE id = :id"
            ).bindparams(bindparam("id", type_=AccountRow.id.type)),
            {"id": account},
        )


FX_TARGET = "USD"
EXTRA_CURRENCIES = {"USD": (100, 20000), "JPY": (100, 30000)}
"""The bench household's other currencies and the range of their expenses (minor units)."""


async def seed_currencies(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    database_url: str,
    household: uuid.UUID,
    categories: dict[str, list[uuid.UUID]],
    count: int,
) -> None:
    """Three currencies for the report in one currency: a USD and a JPY account with
    ``count`` income and expenses each over the same three years, and daily rates EUR→USD
    and USD→JPY (so JPY converts to USD through the reverse pair, inverted). Every EUR
    amount of the 100 000 converts into USD at its own day's rate."""
    rng = random.Random(7)
    ids = UuidV7Factory()
    today, now = date.today(), datetime.now(UTC)
    accounts = {}
    for currency in EXTRA_CURRENCIES:  # through the API first: SQLite has one writer
        created = await client.post(
            "/api/v1/accounts",
            headers=headers,
            json={"name": f"Wallet {currency}", "type": "cash", "currency": currency},
        )
        created.raise_for_status()
        accounts[currency] = uuid.UUID(created.json()["id"])
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        for currency, (low, high) in EXTRA_CURRENCIES.items():
            account = accounts[currency]
            rows = []
            for index in range(count):
                kind = "income" if rng.random() < 0.1 else "expense"
                rows.append(
                    {
                        "id": ids.new_id(),
                        "household_id": household,
                        "type": kind,
                        "account_id": account,
                        "amount": rng.randint(low, high) * (10 if kind == "income" else 1),
                        "currency": currency,
                        "category_id": rng.choice(categories[kind]),
                        "date": today - timedelta(days=rng.randint(0, 3 * 365)),
                        "description": f"bench {currency} {index}",
                        "payee": "",
                        "tags": [],
                        "search_text": f"bench {currency} {index}",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            await connection.execute(insert(TransactionRow), rows)
        await set_balances(connection, list(accounts.values()))
        rates = [
            {
                "id": ids.new_id(),
                "household_id": household,
                "base": base,
                "quote": quote,
                "date": today - timedelta(days=back),
                # Stored as the API stores it: normalised text (ADR 0015).
                "rate": format(
                    Decimal(f"{value + rng.randint(-500, 500) / 10000:.4f}").normalize(), "f"
                ),
                "created_at": now,
            }
            for back in range(3 * 365 + 1)
            for base, quote, value in (("EUR", "USD", 1.08), ("USD", "JPY", 150.0))
        ]
        await connection.execute(insert(ExchangeRateRow), rates)
        await rebuild_daily_totals(connection, HouseholdId(household))
    await analyze(engine)
    await engine.dispose()


async def analyze(engine: AsyncEngine) -> None:
    """``VACUUM ANALYZE`` on PostgreSQL (outside a transaction: it sets the visibility map
    that index-only scans rely on), ``ANALYZE`` on SQLite."""
    if engine.dialect.name == "postgresql":
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        async with autocommit.connect() as connection:
            await connection.execute(text("VACUUM ANALYZE"))
    else:
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))


async def create_database() -> tuple[str, str]:
    name = f"budget_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(SERVER, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return SERVER.rsplit("/", 1)[0] + f"/{name}", name


async def drop_database(name: str) -> None:
    admin = create_async_engine(SERVER, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BUDGET_DATABASE_URL": database_url,
        "BUDGET_SECRET_KEY": "bench-secret-" + "x" * 40,
        "BUDGET_ACCESS_LOG": "false",
        "BUDGET_LOG_LEVEL": "WARNING",
        "BUDGET_LOGIN_MAX_FAILURES_PER_CLIENT": "100000",
        # The API-wide rate limit would refuse a benchmark's clients (contract section 16).
        "BUDGET_RATE_LIMIT_PER_MINUTE": "0",
    }
    budget = Path(sys.executable).with_name("budget")
    return subprocess.Popen(
        [str(budget), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def wait_up(client: httpx.AsyncClient) -> None:
    for _ in range(200):
        try:
            if (await client.get("/up")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not start")


async def prepare(
    client: httpx.AsyncClient,
) -> tuple[dict[str, str], uuid.UUID, list[uuid.UUID], dict[str, list[uuid.UUID]]]:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    user = (
        await client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    ).json()
    tokens = (
        await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    ).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    accounts = []
    for name in ("Checking", "Savings"):
        created = await client.post(
            "/api/v1/accounts",
            headers=headers,
            json={
                "name": name,
                "type": "checking",
                "currency": "EUR",
                "opening_balance": "1000.00",
            },
        )
        created.raise_for_status()
        accounts.append(uuid.UUID(created.json()["id"]))
    listed = (await client.get("/api/v1/categories?limit=500", headers=headers)).json()["items"]
    categories: dict[str, list[uuid.UUID]] = {"income": [], "expense": []}
    for category in listed:
        categories[category["kind"]].append(uuid.UUID(category["id"]))
    return headers, uuid.UUID(user["default_household_id"]), accounts, categories


async def deep_cursor(client: httpx.AsyncClient, headers: dict[str, str], depth: int) -> str:
    cursor, seen = None, 0
    while seen < depth:
        params: dict[str, str | int] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/transactions", params=params, headers=headers)).json()
        seen += len(page["items"])
        cursor = page["next_cursor"]
    assert cursor is not None
    return cursor


async def create_budgets(
    client: httpx.AsyncClient, headers: dict[str, str], categories: list[uuid.UUID], count: int
) -> bool:
    for index in range(count):
        response = await client.post(
            "/api/v1/budgets",
            headers=headers,
            json={
                "name": f"Budget {index}",
                # Distinct (category, period) pairs: one active budget per pair is allowed.
                # The first budget covers every expense (no category).
                "category_id": str(categories[index % len(categories)]) if index else None,
                "amount": "500.00",
                "currency": "EUR",
                "period": PERIODS[(index // len(categories) + index) % len(PERIODS)],
                "start_date": (date.today() - timedelta(days=700 + index)).isoformat(),
                "rollover": index % 2 == 0,
            },
        )
        if response.status_code == 404:
            return False
        response.raise_for_status()
    return True


async def run(args: argparse.Namespace) -> list[dict[str, object]]:
    owned_name = None
    database_url = args.database_url
    if database_url is None:
        database_url, owned_name = await create_database()
    await upgrade(database_url)
    server = start_server(database_url, args.port, args.workers)
    rounds: list[dict[str, object]] = []
    try:
        limits = httpx.Limits(
            max_connections=args.concurrency, max_keepalive_connections=args.concurrency
        )
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{args.port}", limits=limits, timeout=30
        ) as client:
            await wait_up(client)
            headers, household, accounts, categories = await prepare(client)
            started = time.perf_counter()
            await seed(database_url, household, accounts, categories, args.transactions)
            await seed_currencies(
                client, headers, database_url, household, categories, args.transactions // 50
            )
            print(
                f"seeded {args.transactions} transactions in {time.perf_counter() - started:.1f}s",
                file=sys.stderr,
            )
            has_budgets = await create_budgets(client, headers, categories["expense"], 20)
            cursor = (
                await deep_cursor(client, headers, 90_000) if args.transactions > 90_500 else None
            )
            year_ago = (date.today() - timedelta(days=365)).isoformat()
            scenarios = [
                (name, call)
                for name, call in scenarios_for(
                    accounts, cursor, year_ago, has_budgets, categories["expense"]
                )
                if not args.only or any(word in name for word in args.only)
            ]
            for number in range(1, args.rounds + 1):
                watch = MemoryWatch(server.pid)
                watch.start()
                results = [
                    await load(
                        name,
                        args.port,
                        headers["Authorization"],
                        call,
                        args.requests,
                        args.concurrency,
                    )
                    for name, call in scenarios
                ]
                peak = await watch.stop()
                rounds.append(
                    {
                        "round": number,
                        "peak_rss_mib": round(peak / 1024, 1),
                        "results": [asdict(r) for r in results],
                    }
                )
                print_round(rounds[-1])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if owned_name:
            await drop_database(owned_name)
    return rounds


def scenarios_for(
    accounts: list[uuid.UUID],
    cursor: str | None,
    year_ago: str,
    has_budgets: bool,
    expense_categories: list[uuid.UUID],
) -> list[tuple[str, Callable[[int], Call]]]:
    def get(path: str, **params: object) -> Callable[[int], Call]:
        call = Call("GET", f"{path}?{urlencode(params)}" if params else path)
        return lambda _index: call

    def create(index: int) -> Call:
        body = {
            "type": "expense",
            "account_id": str(accounts[0]),
            "amount": "3.50",
            "date": date.today().isoformat(),
            "description": f"coffee {index}",
        }
        return Call("POST", "/api/v1/transactions", json.dumps(body).encode())

    long_ago = (date.today() - timedelta(days=400)).isoformat()

    def create_split(index: int) -> Call:
        # Three parts in three categories: what a split create costs over a plain one. Dated
        # over a year back, so that later rounds' first pages and summaries stay as they were.
        parts = [
            {"category_id": str(category), "amount": amount}
            for category, amount in zip(
                expense_categories[:3], ("1.50", "1.25", "0.75"), strict=False
            )
        ]
        body = {
            "type": "expense",
            "account_id": str(accounts[0]),
            "amount": "3.50",
            "date": long_ago,
            "description": f"groceries {index}",
            "splits": parts,
        }
        return Call("POST", "/api/v1/transactions", json.dumps(body).encode())

    reconcile = Call(
        "POST",
        f"/api/v1/accounts/{accounts[1]}/reconcile",
        json.dumps(
            {
                "statement_date": date.today().isoformat(),
                "statement_balance": "1000.00",
                "adjust": True,
            }
        ).encode(),
    )

    scenarios = [
        ("transactions: first page", get("/api/v1/transactions", limit=50)),
        (
            "transactions: filtered page",
            get(
                "/api/v1/transactions",
                limit=50,
                type="expense",
                account_id=str(accounts[0]),
                date_from=year_ago,
                min_amount="10",
            ),
        ),
        ("transactions: offset=90000", get("/api/v1/transactions", limit=50, offset=90_000)),
    ]
    if cursor:
        scenarios.append(
            ("transactions: cursor at 90000", get("/api/v1/transactions", limit=50, cursor=cursor))
        )
    scenarios.append(("transactions: create", create))
    if len(expense_categories) >= 3:
        scenarios.append(("transactions: create with a 3-part split", create_split))
    scenarios.append(("accounts: reconcile", lambda _index: reconcile))
    if has_budgets:
        scenarios += [
            (
                "reports: summary over a year",
                get(
                    "/api/v1/reports/summary", date_from=year_ago, date_to=date.today().isoformat()
                ),
            ),
            (
                "reports: summary over a year converted to one currency",
                get(
                    "/api/v1/reports/summary",
                    date_from=year_ago,
                    date_to=date.today().isoformat(),
                    currency=FX_TARGET,
                ),
            ),
            ("budgets: status of 20", get("/api/v1/budgets/status")),
        ]
    return scenarios


def print_round(round_: dict[str, object]) -> None:
    print(f"\nround {round_['round']} — server peak RSS {round_['peak_rss_mib']} MiB")
    print("| scenario | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in round_["results"]:  # type: ignore[attr-defined]
        print(
            f"| {r['scenario']} | {r['requests']} | {r['rps']} | {r['p50_ms']} | "
            f"{r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['errors']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a throw-away PostgreSQL database on 127.0.0.1:5432",
    )
    parser.add_argument("--transactions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000, help="per scenario and round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--only",
        action="append",
        metavar="WORD",
        help="run only the scenarios whose name contains WORD (repeatable)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    rounds = asyncio.run(run(args))
    if args.json:
        args.json.write_text(json.dumps(rounds, indent=2))


if __name__ == "__main__":
    main()
