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
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIHeader,
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
from budget.domain.model.budget_rules import BudgetState
from budget.domain.model.category import CategoryKind
from budget.domain.model.household import Role
from budget.domain.model.period import PeriodKind
from budget.domain.model.reports import Interval
from budget.domain.model.transaction import TransactionStatus, TransactionType
from budget.domain.model.webhook import DeliveryStatus
from budget.entrypoints.http.auth import BEARER
from budget.entrypoints.http.schemas.common import CurrencyCode
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
    **SORT_DESCRIPTIONS,
    WebhookEvent: "An event type a webhook can subscribe to",
    DeliveryStatus: (
        "Where a webhook delivery stands: pending (not yet delivered; retried until it is, "
        "for more than a day), succeeded (a 2xx answer), failed (given up)"
    ),
}


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Budget API",
        version=budget.__version__,
        description=DESCRIPTION,
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(path="/swagger"),
            ScalarRenderPlugin(path="/scalar"),
        ],
        servers=[Server(url="/")],
        components=Components(
            security_schemes={
                BEARER: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="An access token from POST /api/v1/auth/login",
                )
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
            Tag(name="webhooks", description="Signed deliveries of a household's events"),
        ],
        use_handler_docstrings=False,
    )


def complete_document(document: OpenAPI) -> OpenAPI:
    """Add to Litestar's ``document`` (in place) what the route options cannot express."""
    schemas = document.components.schemas
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
