"""A fuzzer keeps the OpenAPI document honest: schemathesis against the served document.

For every operation of ``/schema/openapi.json`` schemathesis sends the document's examples,
its boundary cases (coverage: each constraint just inside and just outside, undeclared
methods, OPTIONS) and a few generated requests, valid and invalid, as a signed-in user, and
fails on any 5xx, any answer the document does not describe (status, media type, headers,
body), invalid data the server accepts, valid data it refuses, and an ``Allow`` that does not
list the path's methods.

Generation is derandomized and small, so the run is the same every time and stays short.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis import Case, CheckContext, Response
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from budget.entrypoints.app import create_app
from tests.integration.conftest import PASSWORD, make_app, make_settings, unique_email

MAX_EXAMPLES = 5
"""Generated requests per operation and mode, besides the document's examples and the
boundary cases (those are always all sent)."""

SESSION_ENDING = (
    "POST /api/v1/auth/logout",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/users/me/password",
    "DELETE /api/v1/users/me",
)
"""Operations left out: they end the fuzzing user's session (or the user)."""


@dataclass(frozen=True)
class Refusal:
    """Requests valid by the document that the server refuses with a 422 on ``pointers``."""

    operations: tuple[str, ...]
    pointers: frozenset[str]
    why: str


ACCOUNTS = ("POST /api/v1/accounts", "PATCH /api/v1/accounts/{account_id}")
CATEGORIES = ("POST /api/v1/categories", "PATCH /api/v1/categories/{category_id}")
TRANSACTIONS = ("POST /api/v1/transactions", "PATCH /api/v1/transactions/{transaction_id}")
BUDGETS = ("POST /api/v1/budgets", "PATCH /api/v1/budgets/{budget_id}")
RECURRING = ("POST /api/v1/recurring", "PATCH /api/v1/recurring/{recurring_id}")
REPORTS = (
    "GET /api/v1/reports/summary",
    "GET /api/v1/reports/by-category",
    "GET /api/v1/reports/cashflow",
)

RULES = ("POST /api/v1/rules", "PATCH /api/v1/rules/{rule_id}")
KEYED_METHODS = frozenset({"POST", "PATCH", "DELETE"})

KNOWN_REFUSALS = (
    Refusal(
        (*ACCOUNTS, *TRANSACTIONS, *BUDGETS),
        frozenset({"#/opening_balance", "#/amount", "#/to_amount"}),
        "money is a decimal string: its decimals depend on the currency (sent along, or "
        "stored), and its range (above 0 for amounts, at most 10^12) is a number's, which "
        "JSON Schema bounds only for numbers; the descriptions state both",
    ),
    Refusal(
        ("GET /api/v1/transactions",),
        frozenset({"min_amount", "max_amount"}),
        "amount bounds: the same range as money; max_amount not below min_amount",
    ),
    Refusal(
        (*CATEGORIES, *TRANSACTIONS, *BUDGETS),
        frozenset({"#/parent_id", "#/account_id", "#/to_account_id", "#/category_id"}),
        "ownership: a reference must be to an account or category of the resource's household, "
        "of the right kind "
        "(a top-level parent of the same kind; a category of the transaction's type; an "
        "expense category for a budget)",
    ),
    Refusal(
        ("GET /api/v1/reports/summary",),
        frozenset({"account_id"}),
        "ownership: the account must be in the report's household",
    ),
    Refusal(
        (
            "POST /api/v1/accounts",
            "POST /api/v1/categories",
            "POST /api/v1/budgets",
            "POST /api/v1/exchange-rates",
            "POST /api/v1/exchange-rates/batch",
        ),
        frozenset({"#/household_id"}),
        "membership: a new resource goes to one of your households",
    ),
    Refusal(
        ("PATCH /api/v1/users/me",),
        frozenset({"#/default_household_id"}),
        "membership: the default household must be one of yours",
    ),
    Refusal(
        TRANSACTIONS,
        frozenset({"#/to_account_id", "#/to_amount", "#/category_id"}),
        "the fields a type takes: a transfer's to_account_id and to_amount (required across "
        "currencies, equal to amount within one), a category only for income and expenses",
    ),
    Refusal(
        ("GET /api/v1/transactions",),
        frozenset({"cursor", "date_to"}),
        "a cursor is opaque (only one the server issued, for the same sort and filters, and "
        "never with offset); date_to not before date_from",
    ),
    Refusal(
        REPORTS,
        frozenset({"date_from", "date_to"}),
        "a report's range: date_to not before date_from, at most 10 years, not past the "
        "last day the server reports on",
    ),
    Refusal(BUDGETS, frozenset({"#/end_date"}), "end_date not before start_date"),
    Refusal(
        TRANSACTIONS,
        frozenset({"#/splits", "#/splits/*/amount", "#/splits/*/category_id"}),
        "split parts: income and expenses only, adding up exactly to amount; each part's "
        "amount positive money in the transaction's currency, its category one of the "
        "household's of the transaction's kind",
    ),
    Refusal(
        ("PATCH /api/v1/transactions/{transaction_id}",),
        frozenset({"#/import_id"}),
        "import_id is immutable: only the stored value is accepted",
    ),
    Refusal(
        ("POST /api/v1/webhooks", "PATCH /api/v1/webhooks/{webhook_id}"),
        frozenset({"#/url", "#/household_id"}),
        "a webhook URL is an absolute http or https URL with a host (in production, not a "
        "private address); a new webhook goes to one of your households",
    ),
    Refusal(
        ("POST /api/v1/accounts/{account_id}/reconcile",),
        frozenset({"#/statement_balance", "#/statement_date"}),
        "statement_balance is money of the account's currency (decimals, at most 10^12); "
        "statement_date not after today",
    ),
    Refusal(
        ("POST /api/v1/auth/register",),
        frozenset({"#/password"}),
        "a password equal to the e-mail address, or on the server's list of common ones",
    ),
    Refusal(
        RULES,
        frozenset(
            {
                "#/household_id",
                "#/conditions/*/op",
                "#/conditions/*/value",
                "#/actions/*",
                "#/actions/*/value",
                "#/actions/*/add_tags",
            }
        ),
        "rules: a condition's op and value depend on its field (text ops for payee and "
        "description, comparisons and money for amount, an id for account_id, a type for "
        "type); an action is {set, value} or {add_tags} alone, its value depends on set (a "
        "category of the rule's household, or a payee); tags count once trimmed; a new rule "
        "goes to one of your households",
    ),
    Refusal(
        RULES,
        frozenset({"#/priority"}),
        "a JSON number written with a fraction (7.0): JSON Schema counts it as an integer, "
        "the server's strict JSON decoding does not",
    ),
    Refusal(
        ("POST /api/v1/exchange-rates",),
        frozenset({"#/quote", "#/rate"}),
        "a rate's quote differs from its base; its value is above 0 with at most 12 "
        "significant digits, which a pattern cannot count; the descriptions state both",
    ),
    Refusal(
        ("POST /api/v1/exchange-rates/batch",),
        frozenset({"#/items/*/quote", "#/items/*/rate", "#/items/*/date"}),
        "each item as a single rate; no (base, quote, date) twice in one batch (a 422 on the "
        "later item's date)",
    ),
    Refusal(
        RECURRING,
        frozenset({"#/interval", "#/count"}),
        "a JSON number written with a fraction (7.0): JSON Schema counts it as an integer, "
        "the server's strict JSON decoding does not",
    ),
    Refusal(
        BUDGETS,
        frozenset({"#/alert_threshold"}),
        "a JSON number written with a fraction (93.0): JSON Schema counts it as an integer, "
        "the server's strict JSON decoding does not",
    ),
    Refusal(
        ("POST /api/v1/imports",),
        frozenset({"#/file", "#/account_id", "#/household_id", "#/mapping", "#/rows/*"}),
        "a statement import: the file must be readable as its format (and its rows valid), "
        "account_id is required for every format but budget-backup and must be an account of "
        "yours, mapping is required for CSV only, household_id is for budget-backup only",
    ),
    Refusal(
        RECURRING,
        frozenset(
            {
                "#/amount",
                "#/to_amount",
                "#/account_id",
                "#/to_account_id",
                "#/category_id",
                "#/household_id",
                "#/splits",
                "#/splits/*/amount",
                "#/splits/*/category_id",
            }
        ),
        "a template's fields follow a transaction's rules (money, ownership, the fields a "
        "type takes, split parts); household_id must be one of yours and its account's",
    ),
    Refusal(
        RECURRING,
        frozenset({"#/count", "#/end_date", "#/start_date"}),
        "a schedule ends by end_date (not before start_date) or count, not both, and may "
        "not owe more than 366 occurrences at once",
    ),
    Refusal(
        ("GET /api/v1/recurring/upcoming",),
        frozenset({"date_to"}),
        "date_to at most 12 months after today",
    ),
)
"""Where requests valid by the document may meet a 422, and on which fields only: rules no
OpenAPI document can express (ownership, fields that depend on one another or on stored
data). The only exceptions to the checks: keep the list short and each entry honest."""


CONFIG: dict[str, Any] = {
    "seed": 20261122,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
    "checks": {"enabled": True},
}


@pytest.fixture(scope="module")
def fuzzed_app(database_url: str) -> Iterator[Litestar]:
    """An app of the module's own: schemathesis serves it on its own event loop."""
    app = make_app(database_url)
    yield app
    asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
def bearer(fuzzed_app: Litestar) -> dict[str, str]:
    """A signed-in user's header, made through schemathesis' client (its event loop)."""
    email = unique_email("fuzz")
    with asgi.get_client(fuzzed_app) as client:
        registered = client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
        )
        assert registered.status_code == 201, registered.text
        login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _served_schema() -> Any:
    """The served document, read from an app whose database is never opened."""
    app = create_app(make_settings("sqlite+aiosqlite:///never-opened.sqlite3"))
    config = schemathesis.Config.from_dict(CONFIG)
    loaded = schemathesis.openapi.from_asgi("/schema/openapi.json", app, config=config)
    for label in SESSION_ENDING:
        method, path = label.split(" ")
        loaded = loaded.exclude(method=method, path=path)
    return loaded


schema = _served_schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_the_promises_of_the_document(
    case: Case, fuzzed_app: Litestar, bearer: dict[str, str]
) -> None:
    case.call_and_validate(
        app=fuzzed_app,
        headers=bearer,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[valid_data_is_accepted],
    )


def valid_data_is_accepted(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """schemathesis' ``positive_data_acceptance``, but for the ``KNOWN_REFUSALS``."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        # A split part's pointer names its index: any index matches the refusal's ``*``.
        pointers = {
            re.sub(r"/[0-9]+(?=/|$)", "/*", error["pointer"])
            for error in response.json().get("errors", [])
        }
        allowed = {
            pointer
            for refusal in KNOWN_REFUSALS
            if case.operation.label in refusal.operations
            for pointer in refusal.pointers
        }
        if case.method.upper() in KEYED_METHODS:
            # The fuzzer sends one Idempotency-Key value with many requests: reusing a key
            # for another request is refused by design (contract section 11).
            allowed.add("Idempotency-Key")
        if response.status_code == 422 and pointers and pointers <= allowed:
            return None
        raise
