"""The OpenAPI document: its configuration, and the few facts Litestar cannot express.

Litestar builds the document from the routes; ``complete_document`` then adds, once at
start-up, what its route options cannot say: the headers of error answers (a
``ResponseSpec`` carries no headers), ``X-Request-ID`` on every answer,
``additionalProperties: false`` on request bodies and the objects inside them (msgspec's
``forbid_unknown_fields``), one fixed description per enum, generic components titled by
their names (``AccountPage``, not ``Page[AccountRead]``), and no 400 where no body is
read (Litestar documents one for any route with parameters, in a shape we never send: bad
parameters are a 422 problem).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import (
    OpenAPIRenderPlugin,
    ScalarRenderPlugin,
    SwaggerRenderPlugin,
)
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
    SecurityScheme,
    Server,
    Tag,
)

import budget
from budget.domain.model.account import AccountType
from budget.domain.model.audit import AuditAction
from budget.domain.model.budget_rules import BudgetState
from budget.domain.model.category import CategoryKind
from budget.domain.model.changes import Entity, Op
from budget.domain.model.household import Role
from budget.domain.model.imports import ImportStatus
from budget.domain.model.period import PeriodKind
from budget.domain.model.recurring import Frequency, WeekendRule
from budget.domain.model.reports import Interval
from budget.domain.model.transaction import TransactionStatus, TransactionType
from budget.domain.model.webhook import DeliveryStatus
from budget.entrypoints.http.auth import BEARER
from budget.entrypoints.http.rule_sorts import RULE_ENUM_DESCRIPTIONS
from budget.entrypoints.http.schemas.common import CurrencyCode
from budget.entrypoints.http.schemas.imports import ImportSort
from budget.entrypoints.http.schemas.webhooks import UNIQUE_LISTS, WebhookEvent
from budget.entrypoints.http.sorts import SORT_DESCRIPTIONS

DESCRIPTION = """\
Budget: accounts, categories, transactions, budgets and reports, kept in households that
one or more users share with a role each (owner, editor, viewer).

* Money is always a JSON **string** holding a plain decimal with exactly the currency's
  ISO 4217 decimals (`"12.50"`, `"3"` for JPY).
* Errors are RFC 9457 problem details (`application/problem+json`); a validation error
  lists every invalid field of the body and the query at once in `errors[]`, each with a
  `pointer` (a JSON pointer into the body, or a query parameter's name). A rule across
  fields is checked once each of them is valid.
* Every response carries `X-Request-ID`.
* Authenticate with `Authorization: Bearer <access token>` from `POST /api/v1/auth/login`.
* Every account, category, transaction and budget belongs to one household and says which
  in `household_id`. A create without `household_id` lands in the caller's default
  household; lists cover all of the caller's households unless filtered by `household_id`;
  a record of a household the caller is not a member of answers 404 exactly like an
  unknown id, while a viewer's write answers 403. A body referring to a record of another
  household answers 422 on that field. Role changes and removals apply from the member's
  next request.
"""

PROBLEM_JSON = "application/problem+json"
METRICS_TOKEN = "MetricsToken"
REQUEST_ID = "X-Request-ID"
WWW_AUTHENTICATE = "WWW-Authenticate"
RETRY_AFTER = "Retry-After"

HEADERS: dict[str, OpenAPIHeader | Reference] = {
    REQUEST_ID: OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING, pattern=r"^[A-Za-z0-9._-]{1,128}$"),
        description=(
            "The request's id: the one the client sent in `X-Request-ID` when it is 1-128 "
            "of `A-Za-z0-9._-`, else a new one. Server errors are logged with it."
        ),
        required=True,
    ),
    WWW_AUTHENTICATE: OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING, examples=['Bearer realm="budget"']),
        description="`Bearer`: authenticate with an access token",
        required=True,
    ),
    RETRY_AFTER: OpenAPIHeader(
        schema=Schema(type=OpenAPIType.INTEGER, minimum=0, examples=[5]),
        description="Seconds to wait before trying again",
        required=True,
    ),
}

RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed per caller (user, or address) in a 60-second window",
    "RateLimit-Remaining": "Requests left in the current window",
    "RateLimit-Reset": "Seconds until the current window ends",
}
for _name, _description in RATE_LIMIT_HEADERS.items():
    HEADERS[_name] = OpenAPIHeader(
        schema=Schema(type=OpenAPIType.INTEGER, minimum=0),
        description=_description + " (absent when the API-wide rate limit is off)",
        required=False,
    )
API_PREFIX = "/api/v1"
RATE_LIMITED = "Too many requests from this caller: retry after `Retry-After` seconds"

# The headers an answer with this status always carries, besides X-Request-ID.
_STATUS_HEADERS: dict[str, tuple[str, ...]] = {
    "401": (WWW_AUTHENTICATE,),
    "429": (RETRY_AFTER,),
    "503": (RETRY_AFTER,),
}

# Litestar gives an enum's component the description and default of whichever field it
# meets first (which varies with the hash seed); these replace them.
ENUM_DESCRIPTIONS: dict[type[Enum], str] = {
    AccountType: "What kind of account it is; informational only, no rule depends on it",
    CategoryKind: "Whether a category is for income or for expenses",
    TransactionType: "Which way the money moves",
    TransactionStatus: (
        "Where a transaction stands against the bank: uncleared (not yet seen on a "
        "statement; the default), cleared (seen), reconciled (checked against a statement "
        "and locked). Cleared and reconciled transactions count in cleared_balance"
    ),
    PeriodKind: "How long one budget period lasts (weekly periods run 7 days)",
    BudgetState: "How a period's spending stands against what is available",
    Interval: "Bucket width of a cash-flow report (weeks start on Monday)",
    CurrencyCode: "An ISO 4217 alphabetic code, upper case",
    Role: (
        "A member's role in a household: owner (everything, members included), editor "
        "(the household's data), viewer (read only)"
    ),
    Frequency: "The unit of a recurring transaction's step",
    WeekendRule: (
        "What happens to an occurrence planned on a Saturday or Sunday: keep it, or post it "
        "on the Friday before or the Monday after"
    ),
    Entity: "The kind of resource a change-feed item is",
    Op: "upsert: the resource is as data says (created or changed); delete: it is gone",
    AuditAction: "create: the record was made; update: fields of it changed",
    **SORT_DESCRIPTIONS,
    **RULE_ENUM_DESCRIPTIONS,
    ImportSort: "How a list of imports is ordered: a field, or -field to reverse",
    ImportStatus: "completed (kept, undoable) or dry_run (validated only, nothing kept)",
    WebhookEvent: "An event type a webhook can subscribe to",
    DeliveryStatus: (
        "Where a webhook delivery stands: pending (not yet delivered; retried until it is, "
        "for more than a day), succeeded (a 2xx answer), failed (given up)"
    ),
}


DOCS_ASSETS = "/static/docs"
"""Where the app serves the vendored docs assets (``http/static/docs``, see its README)."""
SWAGGER_UI_VERSION = "5.35.0"
SCALAR_VERSION = "1.76.0"
NO_FAVICON = "<link rel='icon' href='data:,'>"
"""The docs pages load nothing from another origin, not even Litestar's favicon."""
SCALAR_OPTIONS = {
    "withDefaultFonts": False,
    "telemetry": False,
    "showDeveloperTools": "never",
    "mcp": {"disabled": True},
}


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI and Scalar, their pinned assets served by the app itself (no CDN)."""
    return [
        SwaggerRenderPlugin(
            path="/swagger",
            version=SWAGGER_UI_VERSION,
            js_url=f"{DOCS_ASSETS}/swagger-ui/swagger-ui-bundle.js",
            css_url=f"{DOCS_ASSETS}/swagger-ui/swagger-ui.css",
            standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui/swagger-ui-standalone-preset.js",
            favicon=NO_FAVICON,
        ),
        ScalarRenderPlugin(
            path="/scalar",
            version=SCALAR_VERSION,
            js_url=f"{DOCS_ASSETS}/scalar/standalone.js",
            css_url=f"{DOCS_ASSETS}/scalar.css",
            options=SCALAR_OPTIONS,
            favicon=NO_FAVICON,
        ),
    ]


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Budget API",
        version=budget.__version__,
        description=DESCRIPTION,
        path="/schema",
        render_plugins=render_plugins(),
        servers=[Server(url="/")],
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="An access token from POST /api/v1/auth/login",
                ),
                METRICS_TOKEN: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="`BUDGET_METRICS_TOKEN`: required by `GET /metrics` in production",
                ),
            },
            headers=HEADERS,
        ),
        tags=[
            Tag(name="health", description="Liveness and readiness"),
            Tag(name="auth", description="Registration and tokens"),
            Tag(name="users", description="The signed-in user"),
            Tag(name="admin", description="User administration"),
            Tag(name="households", description="Shared ledgers, their members and roles"),
            Tag(name="invitations", description="Invitations to join a household"),
            Tag(name="accounts", description="Accounts and their balances"),
            Tag(name="categories", description="Income and expense categories"),
            Tag(name="transactions", description="Income, expenses and transfers"),
            Tag(name="budgets", description="Budgets, their status and history"),
            Tag(name="reports", description="Summaries per currency"),
            Tag(name="operations", description="The landing page and metrics"),
            Tag(name="changes", description="The change feed for offline clients"),
            Tag(name="webhooks", description="Signed deliveries of a household's events"),
        ],
        use_handler_docstrings=False,
    )


def complete_document(document: OpenAPI) -> OpenAPI:
    """Add to Litestar's ``document`` (in place) what the route options cannot express."""
    schemas = document.components.schemas
    document_rate_limit(document)
    for operation in operations(document):
        body = operation.request_body
        if body is None:
            (operation.responses or {}).pop("400", None)
        elif isinstance(body, RequestBody):
            for media in body.content.values():
                _forbid_unknown_fields(schemas, media.schema)
        for status, response in (operation.responses or {}).items():
            if isinstance(response, OpenAPIResponse):
                _add_headers(status, response)
    for enum, description in ENUM_DESCRIPTIONS.items():
        if component := schemas.get(enum.__name__):
            component.description, component.default = description, None
    _title_generic_components(schemas)
    _mark_unique_lists(schemas)
    return document


def document_rate_limit(document: OpenAPI) -> None:
    """Every operation under ``/api/v1`` may answer 429, and every answer there carries the
    ``RateLimit-*`` headers (contract section 16)."""
    for path, item in (document.paths or {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method in ("get", "put", "post", "patch", "delete"):
            operation = getattr(item, method)
            if operation is None:
                continue
            responses = operation.responses = operation.responses or {}
            responses.setdefault(
                "429",
                OpenAPIResponse(
                    description=RATE_LIMITED,
                    content={
                        PROBLEM_JSON: OpenAPIMediaType(
                            schema=Reference(ref="#/components/schemas/Problem")
                        )
                    },
                ),
            )
            for response in responses.values():
                if isinstance(response, OpenAPIResponse):
                    headers = response.headers = response.headers or {}
                    for name in RATE_LIMIT_HEADERS:
                        headers.setdefault(name, Reference(ref=f"#/components/headers/{name}"))


def _mark_unique_lists(schemas: dict[str, Schema]) -> None:
    """``uniqueItems`` on the body lists that refuse repeats (msgspec cannot state it)."""
    for name, fields in UNIQUE_LISTS.items():
        properties = schemas[name].properties or {} if name in schemas else {}
        for prop in (properties.get(field_name) for field_name in fields):
            arms = (prop, *(prop.one_of or ())) if isinstance(prop, Schema) else ()
            for arm in arms:
                if isinstance(arm, Schema) and arm.type == OpenAPIType.ARRAY:
                    arm.unique_items = True


def operations(document: OpenAPI) -> Iterator[Operation]:
    for item in (document.paths or {}).values():
        for method in ("get", "put", "post", "patch", "delete"):
            if (operation := getattr(item, method)) is not None:
                yield operation


def _add_headers(status: str, response: OpenAPIResponse) -> None:
    headers = response.headers or {}
    for name in (*_STATUS_HEADERS.get(status, ()), REQUEST_ID):
        headers.setdefault(name, Reference(ref=f"#/components/headers/{name}"))
    response.headers = headers


def _forbid_unknown_fields(schemas: dict[str, Schema], schema: Schema | Reference | None) -> None:
    """``additionalProperties: false`` on the body's object and the objects inside it (a
    transaction's split parts): every request Struct forbids unknown fields."""
    if isinstance(schema, Reference):
        component = schemas[_component_name(schema)]
        if component.type == OpenAPIType.OBJECT and component.additional_properties is None:
            component.additional_properties = False
            for prop in (component.properties or {}).values():
                _forbid_unknown_fields(schemas, prop)
    elif isinstance(schema, Schema):
        items = schema.items if isinstance(schema.items, Schema | Reference) else None
        for arm in [items, *(schema.one_of or ())]:
            _forbid_unknown_fields(schemas, arm)


def _title_generic_components(schemas: dict[str, Schema]) -> None:
    """Title a generic Struct's component (``Page[AccountRead]``) by its name (``AccountPage``)."""
    for name, schema in schemas.items():
        if schema.title and "[" in schema.title:
            schema.title = name


def _component_name(reference: Reference) -> str:
    return reference.ref.rsplit("/", 1)[-1]
