"""The served OpenAPI document describes the contract (docs/API.md) exactly.

The document needs no database, so the app is built once, without one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from budget.domain.model.currency import ISO_4217_EXPONENTS
from budget.entrypoints.app import create_app
from budget.entrypoints.http.openapi import ENUM_DESCRIPTIONS
from tests.integration.conftest import make_settings

Document = dict[str, Any]
Operation = tuple[str, str, dict[str, Any]]

PROBLEM_JSON = "application/problem+json"
PUBLIC = {
    ("GET", "/"),
    ("GET", "/metrics"),
    ("GET", "/up"),
    ("GET", "/ready"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
}
# The contract's own body for "database unavailable" on the readiness probe.
NOT_A_PROBLEM = {("GET", "/ready", "503")}
# Problems with a member of their own (contract section 10: the statement's difference).
RECONCILE = ("POST", "/api/v1/accounts/{account_id}/reconcile")
EXTENDED_PROBLEMS = {(*RECONCILE, "409"): "StatementMismatchProblem"}
MONEY = {
    "amount",
    "to_amount",
    "opening_balance",
    "balance",
    "limit",
    "carried_over",
    "available",
    "spent",
    "remaining",
    "income",
    "expense",
    "net",
    "total",
    "cleared_balance",
    "statement_balance",
    "difference",
}
MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


def _unused_sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'never-opened.sqlite3'}"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Document:
    app = create_app(make_settings(_unused_sqlite_url(tmp_path_factory.mktemp("openapi"))))
    with TestClient(app) as client:
        response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    served: Document = response.json()
    return served


def _operations(document: Document) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


def _responses(document: Document) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            yield method, path, status, response


def _component(document: Document, reference: dict[str, Any]) -> dict[str, Any]:
    component: dict[str, Any] = document["components"]["schemas"][reference["$ref"].split("/")[-1]]
    return component


def _request_bodies(document: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every request body's object, and the objects inside it (a transaction's split parts)."""
    for method, path, operation in _operations(document):
        # Multipart bodies (imports) are form fields, checked on their own.
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            yield from _objects(document, f"{method} {path}", schema)


def _objects(
    document: Document, where: str, schema: dict[str, Any]
) -> Iterator[tuple[str, dict[str, Any]]]:
    if "$ref" in schema:
        component = _component(document, schema)
        if component.get("type") == "object":
            yield where, component
            for name, prop in component["properties"].items():
                yield from _objects(document, f"{where} {name}", prop)
    for arm in [*([schema["items"]] if "items" in schema else []), *schema.get("oneOf", [])]:
        yield from _objects(document, where, arm)


def _property(document: Document, component: str, name: str) -> dict[str, Any]:
    prop: dict[str, Any] = document["components"]["schemas"][component]["properties"][name]
    return prop


def _types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a (possibly nullable or wrapped) schema allows."""
    found = {schema["type"]} if isinstance(schema.get("type"), str) else set(schema.get("type", []))
    for arm in schema.get("oneOf", []) + schema.get("allOf", []):
        found |= _types(arm)
    return found


def _string_schemas(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every place in a property's schema that holds free text (not a date, id or enum)."""
    arms = schema.get("oneOf", [])
    is_text = "string" in _types(schema) and not any(
        "format" in arm or "$ref" in arm for arm in [schema, *arms]
    )
    if is_text:
        yield schema
    for arm in [schema, *arms]:
        if "items" in arm:
            yield from _string_schemas(arm["items"])


def _header(document: Document, response: dict[str, Any], name: str) -> dict[str, Any] | None:
    header = response.get("headers", {}).get(name)
    if header and "$ref" in header:
        header = document["components"]["headers"][header["$ref"].split("/")[-1]]
    return header


# --- the operations --------------------------------------------------------------------------


def test_the_document_is_openapi_3_1(document: Document) -> None:
    assert document["openapi"].startswith("3.1")


def test_every_operation_has_an_operation_id_tags_and_a_summary(document: Document) -> None:
    incomplete = [
        (method, path)
        for method, path, operation in _operations(document)
        if not (operation.get("operationId") and operation.get("tags") and operation.get("summary"))
    ]

    assert incomplete == []


def test_exactly_the_non_public_operations_need_the_bearer_scheme(document: Document) -> None:
    secured = {
        (method, path)
        for method, path, operation in _operations(document)
        if operation.get("security") == [{"BearerToken": []}]
    }
    every = {(method, path) for method, path, _ in _operations(document)}

    assert secured == every - PUBLIC


def test_every_error_answer_is_a_problem_document(document: Document) -> None:
    not_problems = [
        (method, path, status)
        for method, path, status, response in _responses(document)
        if int(status) >= 400
        and (method, path, status) not in NOT_A_PROBLEM
        and (
            set(response.get("content", {})) != {PROBLEM_JSON}
            or response["content"][PROBLEM_JSON]["schema"]
            != {
                "$ref": "#/components/schemas/"
                + EXTENDED_PROBLEMS.get((method, path, status), "Problem")
            }
        )
    ]

    assert not_problems == []


def test_an_extended_problem_is_a_problem_with_members_of_its_own(document: Document) -> None:
    schemas = document["components"]["schemas"]
    problem = schemas["Problem"]
    mismatch = schemas["StatementMismatchProblem"]

    assert mismatch["properties"].items() >= problem["properties"].items()
    assert set(mismatch["properties"]) == {*problem["properties"], "difference"}
    assert mismatch["required"] == problem["required"]
    assert mismatch["properties"]["difference"]["pattern"] == MONEY_PATTERN


def test_a_400_is_documented_exactly_where_a_json_body_or_an_idempotency_key_is_read(
    document: Document,
) -> None:
    wrong = [
        (method, path)
        for method, path, operation in _operations(document)
        if ("400" in operation["responses"])
        != ("requestBody" in operation or _takes_idempotency_key(operation))
    ]

    assert wrong == []


def _takes_idempotency_key(operation: dict[str, Any]) -> bool:
    return any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))


def test_every_authenticated_write_documents_the_idempotency_key(document: Document) -> None:
    missing = [
        (method, path)
        for method, path, operation in _operations(document)
        if method in {"POST", "PATCH", "DELETE"}
        and operation.get("security")
        and not _takes_idempotency_key(operation)
    ]

    assert missing == []


def test_every_operation_with_a_body_documents_413(document: Document) -> None:
    missing = [
        (method, path)
        for method, path, operation in _operations(document)
        if "requestBody" in operation and "413" not in operation["responses"]
    ]

    assert missing == []


def test_every_secured_operation_documents_401_and_every_one_503(document: Document) -> None:
    missing = [
        (method, path, status)
        for method, path, operation in _operations(document)
        for status in ("401", "503")
        if (status == "503" or (method, path) not in PUBLIC)
        and status not in operation["responses"]
        # Neither fails with the database: the landing page shows its readiness, and the
        # metrics of a failing source keep their last value.
        and path not in {"/up", "/", "/metrics"}
    ]

    assert missing == []


# --- response headers ------------------------------------------------------------------------


def test_every_201_documents_its_location(document: Document) -> None:
    created = [(m, p, r) for m, p, status, r in _responses(document) if status == "201"]

    # An invitation has no GET of its own, hence no Location (contract section 9).
    invite = ("POST", "/api/v1/households/{household_id}/invitations")
    assert {(m, p) for m, p, _ in created} == {
        ("POST", "/api/v1/auth/register"),
        ("POST", "/api/v1/households"),
        invite,
        ("POST", "/api/v1/accounts"),
        ("POST", "/api/v1/categories"),
        ("POST", "/api/v1/transactions"),
        ("POST", "/api/v1/budgets"),
        ("POST", "/api/v1/exchange-rates"),
        ("POST", "/api/v1/rules"),
        ("POST", "/api/v1/imports"),
        ("POST", "/api/v1/recurring"),
        ("POST", "/api/v1/recurring/{recurring_id}/post"),
        ("POST", "/api/v1/webhooks"),
    }
    for method, path, response in created:
        location = _header(document, response, "Location")
        if (method, path) == invite:
            assert location is None
            continue
        assert location, (method, path)
        assert location["required"] is True
        assert location["schema"] == {"type": "string"}


def test_every_401_documents_www_authenticate(document: Document) -> None:
    missing = [
        (method, path)
        for method, path, status, response in _responses(document)
        if status == "401" and not _header(document, response, "WWW-Authenticate")
    ]

    assert missing == []


def test_every_429_and_503_documents_retry_after(document: Document) -> None:
    statuses = [
        (method, path, status, _header(document, response, "Retry-After"))
        for method, path, status, response in _responses(document)
        if status in {"429", "503"}
    ]

    assert ("POST", "/api/v1/auth/login", "429") in {s[:3] for s in statuses}
    assert [s[:3] for s in statuses if not s[3]] == []
    assert all(s[3] and s[3]["schema"]["type"] == "integer" for s in statuses)


def test_every_answer_documents_x_request_id(document: Document) -> None:
    missing = [
        (method, path, status)
        for method, path, status, response in _responses(document)
        if not _header(document, response, "X-Request-ID")
    ]

    assert missing == []
    assert document["components"]["headers"]["X-Request-ID"]["schema"]["type"] == "string"


# --- request bodies and parameters ----------------------------------------------------------


def test_request_bodies_say_unknown_fields_are_rejected(document: Document) -> None:
    bodies = list(_request_bodies(document))

    assert len(bodies) >= 14
    assert [where for where, body in bodies if body.get("additionalProperties") is not False] == []


def test_every_text_field_of_a_request_body_refuses_nul(document: Document) -> None:
    unguarded = [
        (where, name)
        for where, body in _request_bodies(document)
        for name, prop in body["properties"].items()
        for text in _string_schemas(prop)
        if "pattern" not in text or re.search(text["pattern"], "a\x00b")
    ]

    assert unguarded == []


def test_the_no_nul_pattern_accepts_text_in_any_script(document: Document) -> None:
    pattern = _property(document, "AccountCreate", "name")["pattern"]

    for text in ["", "Café", "日本語", "😀 𝄞", "tab\tand\nnewline", "\u200b"]:
        assert re.search(pattern, text), text


def test_every_text_query_parameter_refuses_nul(document: Document) -> None:
    unguarded = [
        (method, path, parameter["name"])
        for method, path, operation in _operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
        for text in _string_schemas(parameter["schema"])
        if "pattern" not in text or re.search(text["pattern"], "a\x00b")
    ]

    assert unguarded == []


def test_every_integer_query_parameter_is_bounded_both_ways(document: Document) -> None:
    unbounded = [
        (method, path, parameter["name"])
        for method, path, operation in _operations(document)
        for parameter in operation.get("parameters", [])
        if "integer" in _types(parameter["schema"])
        and not {"minimum", "maximum"} <= set(parameter["schema"])
    ]
    offsets = {
        parameter["schema"]["maximum"]
        for _, _, operation in _operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "offset"
    }

    assert unbounded == []
    assert offsets == {2**31 - 1}


def test_money_is_always_a_string(document: Document) -> None:
    not_strings = [
        (name, field)
        for name, schema in document["components"]["schemas"].items()
        if not name.endswith("Page")  # a page's `limit` and `total` are counts
        for field, prop in schema.get("properties", {}).items()
        if field in MONEY and _types(prop) - {"null"} != {"string"}
    ]

    assert not_strings == []


def test_money_has_the_decimal_pattern_and_an_example_everywhere(document: Document) -> None:
    money = [
        (name, field, prop)
        for name, schema in document["components"]["schemas"].items()
        if not name.endswith("Page")
        for field, prop in schema.get("properties", {}).items()
        if field in MONEY
    ]
    in_bodies = {
        (body["title"], field)
        for _, body in _request_bodies(document)
        for field in body["properties"]
        if field in MONEY
    }

    assert len(in_bodies) >= 7
    assert {(name, field) for name, field, _ in money} >= in_bodies
    assert [(n, f) for n, f, prop in money if prop.get("pattern") != MONEY_PATTERN] == []
    assert [(n, f) for n, f, prop in money if not prop.get("examples")] == []


@pytest.mark.parametrize(
    ("component", "field", "limits"),
    [
        ("RegisterBody", "password", {"minLength": 8, "maxLength": 128}),
        ("PasswordChange", "new_password", {"minLength": 8, "maxLength": 128}),
        ("AccountCreate", "name", {"minLength": 1, "maxLength": 100}),
        ("AccountUpdate", "name", {"minLength": 1, "maxLength": 100}),
        ("CategoryCreate", "name", {"minLength": 1, "maxLength": 100}),
        ("BudgetCreate", "name", {"minLength": 1, "maxLength": 100}),
        ("BudgetUpdate", "name", {"minLength": 1, "maxLength": 100}),
        ("TransactionCreate", "description", {"maxLength": 500}),
        ("TransactionCreate", "payee", {"maxLength": 200}),
        ("TransactionUpdate", "payee", {"maxLength": 200}),
        ("TransactionCreate", "tags", {"maxItems": 20}),
        ("CategoryCreate", "color", {"pattern": "^#[0-9a-fA-F]{6}$"}),
        ("CategoryUpdate", "color", {"pattern": "^#[0-9a-fA-F]{6}$"}),
        ("BudgetCreate", "alert_threshold", {"minimum": 1, "maximum": 100}),
        ("BudgetUpdate", "alert_threshold", {"minimum": 1, "maximum": 100}),
    ],
)
def test_field_limits_are_documented_as_the_contract_states_them(
    document: Document, component: str, field: str, limits: dict[str, Any]
) -> None:
    prop = _property(document, component, field)

    assert {key: prop.get(key) for key in limits} == limits


def _references(schema: dict[str, Any]) -> set[str]:
    """The components a (possibly nullable or wrapped) schema refers to."""
    found = {schema["$ref"].split("/")[-1]} if "$ref" in schema else set()
    for arm in schema.get("oneOf", []) + schema.get("allOf", []):
        found |= _references(arm)
    return found


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("AccountCreate", "currency"),
        ("AccountUpdate", "currency"),
        ("BudgetCreate", "currency"),
        ("BudgetUpdate", "currency"),
        ("RegisterBody", "default_currency"),
        ("ProfileUpdate", "default_currency"),
        ("ExchangeRateCreate", "base"),
        ("ExchangeRateCreate", "quote"),
        ("ExchangeRateItem", "base"),
        ("ExchangeRateItem", "quote"),
    ],
)
def test_a_currency_in_a_body_is_one_of_the_known_iso_4217_codes(
    document: Document, component: str, field: str
) -> None:
    assert _references(_property(document, component, field)) == {"CurrencyCode"}


def test_every_currency_query_parameter_is_one_of_the_known_iso_4217_codes(
    document: Document,
) -> None:
    currencies = {
        (method, path): _references(parameter["schema"])
        for method, path, operation in _operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "currency"
    }

    assert set(currencies) == {
        ("GET", "/api/v1/accounts"),
        ("GET", "/api/v1/budgets"),
        ("GET", "/api/v1/reports/summary"),
        ("GET", "/api/v1/reports/by-category"),
        ("GET", "/api/v1/reports/cashflow"),
        ("GET", "/api/v1/reports/net-worth"),
    }
    assert set(map(frozenset, currencies.values())) == {frozenset({"CurrencyCode"})}


def test_the_currency_enum_lists_exactly_the_codes_the_server_knows(document: Document) -> None:
    codes = document["components"]["schemas"]["CurrencyCode"]["enum"]

    assert codes == sorted(ISO_4217_EXPONENTS)
    assert {"EUR", "USD", "JPY", "BHD"} <= set(codes)


def test_every_sort_parameter_is_the_enum_of_its_allow_list_both_ways(document: Document) -> None:
    schemas = document["components"]["schemas"]
    sorts = {
        path: set(schemas[name]["enum"])
        for method, path, operation in _operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "sort"
        for name in _references(parameter["schema"])
    }
    contract = {
        "/api/v1/admin/users": ("email", "created_at"),
        "/api/v1/households": ("name", "created_at"),
        "/api/v1/accounts": ("name", "created_at", "balance"),
        "/api/v1/categories": ("name", "created_at"),
        "/api/v1/transactions": ("date", "amount", "created_at"),
        "/api/v1/budgets": ("name", "created_at", "start_date"),
        "/api/v1/exchange-rates": ("date",),
        "/api/v1/rules": ("priority", "name", "created_at"),
        "/api/v1/exports/transactions.csv": ("date", "amount", "created_at"),
        "/api/v1/imports": ("created_at",),
        "/api/v1/recurring": ("next_date", "created_at"),
        "/api/v1/webhooks": ("created_at",),
    }

    assert sorts == {
        path: {key for field in fields for key in (field, f"-{field}")}
        for path, fields in contract.items()
    }


def test_each_tag_is_documented_as_1_to_50_characters(document: Document) -> None:
    tags = _property(document, "TransactionCreate", "tags")

    assert {k: tags["items"].get(k) for k in ("minLength", "maxLength")} == {
        "minLength": 1,
        "maxLength": 50,
    }


def test_a_login_password_has_no_minimum_but_a_maximum_length(document: Document) -> None:
    password = _property(document, "LoginBody", "password")

    assert "minLength" not in password
    assert 128 <= password["maxLength"] <= 4096


def test_token_type_is_a_required_bearer(document: Document) -> None:
    pair = document["components"]["schemas"]["TokenPairRead"]

    assert set(pair["required"]) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert pair["properties"]["token_type"] == {"const": "Bearer", "type": "string"}


# --- determinism -----------------------------------------------------------------------------


def test_every_enum_has_its_own_description_and_no_default_of_some_field(
    document: Document,
) -> None:
    enums = {n: s for n, s in document["components"]["schemas"].items() if "enum" in s}
    fixed = {enum.__name__: text for enum, text in ENUM_DESCRIPTIONS.items()}

    assert {"PeriodKind", "CategoryKind", "Interval", "AccountType"} <= set(enums)
    assert {n: s.get("description") for n, s in enums.items()} == fixed
    assert [n for n, s in enums.items() if "default" in s] == []


def _document_with_hash_seed(seed: str, directory: Path) -> str:
    script = (
        "import json, sys\n"
        "from budget.entrypoints.app import create_app\n"
        "from tests.integration.conftest import make_settings\n"
        "app = create_app(make_settings(sys.argv[1]))\n"
        "print(json.dumps(app.openapi_schema.to_schema(), sort_keys=True))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, _unused_sqlite_url(directory)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": seed},
        cwd=Path(__file__).parents[2],
    )
    return completed.stdout


def test_the_document_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    documents = {_document_with_hash_seed(seed, tmp_path) for seed in ("1", "6")}

    assert len(documents) == 1
    assert json.loads(documents.pop())["openapi"].startswith("3.1")


# --- texts -----------------------------------------------------------------------------------


def test_the_reports_describe_the_default_date_range(document: Document) -> None:
    summary = document["paths"]["/api/v1/reports/summary"]["get"]["description"]
    flat = " ".join(summary.split())

    assert "Sending neither reports the current month" in flat
    assert "only `date_to` reports from the first day of `date_to`'s month" in flat
    assert "only `date_from` reports up to the last day of `date_from`'s month" in flat


# --- section 10: splits, status, reconciliation, import ids ----------------------------------


def test_the_reconcile_operation_is_documented_with_every_answer(document: Document) -> None:
    operation = document["paths"][RECONCILE[1]]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]

    assert (operation["operationId"], operation["tags"]) == ("reconcileAccount", ["accounts"])
    assert set(operation["responses"]) == {
        "200", "400", "401", "403", "404", "409", "413", "422", "429", "503"
    }  # fmt: skip
    assert set(_component(document, body)["required"]) == {"statement_date", "statement_balance"}
    assert set(_component(document, body)["properties"]) == {
        "statement_date",
        "statement_balance",
        "adjust",
    }
    assert set(_component(document, answer)["required"]) == {
        "account_id",
        "statement_date",
        "statement_balance",
        "cleared_balance",
        "difference",
        "reconciled_count",
        "adjustment_transaction_id",
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/transactions"),
        ("PATCH", "/api/v1/transactions/{transaction_id}"),
        ("DELETE", "/api/v1/transactions/{transaction_id}"),
    ],
)
def test_the_conflicts_of_transactions_are_documented(
    document: Document, method: str, path: str
) -> None:
    operation = document["paths"][path][method.lower()]

    assert "409" in operation["responses"]
    assert "reconciled" in operation["description"] or "import_id" in operation["description"]


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("AccountRead", "cleared_balance"),
        ("AccountRead", "last_reconciled_on"),
        ("TransactionRead", "recurring_id"),
    ],
)
def test_read_only_fields_are_marked_and_absent_from_request_bodies(
    document: Document, component: str, field: str
) -> None:
    bodies = {
        "AccountRead": ("AccountCreate", "AccountUpdate"),
        "TransactionRead": ("TransactionCreate", "TransactionUpdate"),
    }[component]
    schemas = document["components"]["schemas"]

    assert _property(document, component, field)["readOnly"] is True
    assert field in schemas[component]["required"]
    assert [body for body in bodies if field in schemas[body]["properties"]] == []


@pytest.mark.parametrize("component", ["TransactionCreate", "TransactionUpdate"])
def test_splits_are_documented_as_none_or_2_to_50_parts(document: Document, component: str) -> None:
    splits = _property(document, component, "splits")

    assert _references(splits.get("items", {})) | {
        ref for arm in splits.get("oneOf", []) for ref in _references(arm.get("items", {}))
    } == {"SplitPart"}
    assert splits["maxItems"] == 50
    assert splits["not"] == {"type": "array", "minItems": 1, "maxItems": 1}


def test_a_split_part_is_documented_as_the_contract_states_it(document: Document) -> None:
    part = document["components"]["schemas"]["SplitPart"]

    assert part["required"] == ["amount"]
    assert set(part["properties"]) == {"category_id", "amount", "description"}
    assert part["properties"]["description"]["maxLength"] == 500
    assert part["additionalProperties"] is False


@pytest.mark.parametrize("component", ["TransactionCreate", "TransactionUpdate"])
def test_import_id_is_documented_as_1_to_100_characters(document: Document, component: str) -> None:
    import_id = _property(document, component, "import_id")

    assert {k: import_id.get(k) for k in ("minLength", "maxLength")} == {
        "minLength": 1,
        "maxLength": 100,
    }


def test_a_transaction_answers_its_parts_status_and_ids(document: Document) -> None:
    read = document["components"]["schemas"]["TransactionRead"]
    statuses = document["components"]["schemas"]["TransactionStatus"]["enum"]

    assert {"splits", "status", "import_id", "recurring_id"} <= set(read["required"])
    assert _references(read["properties"]["splits"]["items"]) == {"SplitRead"}
    assert statuses == ["uncleared", "cleared", "reconciled"]


def test_the_category_report_says_what_it_counts(document: Document) -> None:
    by_category = document["paths"]["/api/v1/reports/by-category"]["get"]["description"]
    summary = document["paths"]["/api/v1/reports/summary"]["get"]["description"]

    assert "whole transactions plus split parts" in " ".join(by_category.split())
    assert "a split transaction counts once" in " ".join(summary.split())


def test_the_import_takes_a_multipart_form_with_the_contract_fields(document: Document) -> None:
    body = document["paths"]["/api/v1/imports"]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    if "$ref" in schema:
        schema = _component(document, schema)
    assert set(schema["properties"]) == {
        "file",
        "format",
        "account_id",
        "household_id",
        "dry_run",
        "mapping",
    }
    assert set(schema["required"]) == {"file", "format"}
