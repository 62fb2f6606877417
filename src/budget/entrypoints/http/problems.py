"""Problem details (RFC 9457): every error answer, and the map from domain errors to it."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    SerializationException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec

from budget.domain.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    GoneError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RuleViolationError,
    StorageUnavailableError,
)
from budget.domain.model.reconciliation import StatementMismatchError
from budget.entrypoints.http.middleware import request_id_of
from budget.entrypoints.http.schemas.common import MONEY_PATTERN, PATTERN_DETAILS
from budget.entrypoints.http.validation import (
    body_decoder,
    broken_rules,
    invalid_body,
    invalid_fields,
)

log = logging.getLogger("budget.http")

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_UNAVAILABLE = "5"
NOT_JSON = "The request body is not valid JSON."


class FieldError(msgspec.Struct):
    pointer: str
    detail: str


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class StatementMismatchProblem(Problem):
    """A reconciliation's 409: when the statement differs from the cleared balance it says by
    how much (a 409 for a concurrent change has no ``difference``)."""

    difference: (
        Annotated[
            str,
            msgspec.Meta(
                pattern=MONEY_PATTERN,
                description=(
                    "statement_balance - cleared balance, in the account's currency with "
                    "exactly its decimals; present when the statement differs"
                ),
                examples=["-12.50"],
            ),
        ]
        | msgspec.UnsetType
    ) = msgspec.UNSET


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    difference: str | None = None,
) -> Response[Problem]:
    phrase = HTTPStatus(status).phrase
    fields: dict[str, Any] = {
        "type": f"https://budget.invalid/problems/{phrase.lower().replace(' ', '-')}",
        "title": title or phrase,
        "status": status,
        "detail": detail,
        "errors": errors,
    }
    problem = (
        Problem(**fields)
        if difference is None
        else StatementMismatchProblem(**fields, difference=difference)
    )
    return Response(problem, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFoundError, 404),
    (ConflictError, 409),
    (RuleViolationError, 422),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (RateLimitedError, 429),
    (StorageUnavailableError, 503),
    (GoneError, 410),
)


def domain_error_handler(request: Request[Any, Any, Any], error: DomainError) -> Response[Problem]:
    status = next(code for kind, code in _DOMAIN_STATUS if isinstance(error, kind))
    headers: dict[str, str] = {}
    errors = None
    difference = None
    if isinstance(error, StatementMismatchError):
        difference = error.difference.format()
    elif isinstance(error, RuleViolationError):
        errors = _with_every_invalid_field(
            request,
            [
                FieldError(p.field if p.in_query else _pointer(p.field), p.detail)
                for p in error.problems
            ],
        )
    elif isinstance(error, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="budget"'
    elif isinstance(error, RateLimitedError):
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, StorageUnavailableError):
        headers["Retry-After"] = RETRY_AFTER_UNAVAILABLE
        log.warning(
            "database unavailable during %s %s (request id %s)",
            request.method,
            request.url.path,
            request_id_of(request.scope),
        )
    return problem_response(
        status,
        error.detail,
        title=error.title,
        errors=errors,
        headers=headers,
        difference=difference,
    )


def _pointer(path: str) -> str:
    """``tags[0]`` or ``tags.0`` -> ``#/tags/0``; the whole body is ``#`` (RFC 6901)."""
    parts = [p for p in re.split(r"[.\[\]]+", path) if p]
    return "#/" + "/".join(parts) if parts else "#"


_MSGSPEC_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")
_LIST_ITEM = re.compile(r"^(?P<list>.+)\[(?P<index>[0-9]+)\]$")
_PATTERN_MESSAGES = {
    f"Expected `str` matching regex {pattern!r}": detail
    for pattern, detail in PATTERN_DETAILS.items()
}


def validation_handler(
    request: Request[Any, Any, Any], error: ValidationException
) -> Response[Problem]:
    """Litestar answers 400 for any bad input; the contract wants 422 for well-formed JSON."""
    items = error.extra if isinstance(error.extra, list) else []
    errors = [_field_error(item) for item in items if isinstance(item, dict)]
    if any(e.pointer == "#" and "'data'" in e.detail for e in errors) or not errors:
        return problem_response(400, NOT_JSON)
    return problem_response(
        422,
        "The request has invalid fields.",
        title=RuleViolationError.title,
        errors=_with_every_invalid_field(request, errors),
    )


def _with_every_invalid_field(
    request: Request[Any, Any, Any], errors: list[FieldError]
) -> list[FieldError]:
    """Every invalid field of the request (``validation``), then the rest of ``errors``.

    Runs only for a request already refused with a 422: msgspec names the first invalid
    field of a body, Litestar the invalid parameters of one handler or dependency, a use
    case the value it refused; the second pass finds the others.
    """
    try:
        found = [FieldError(pointer, detail) for pointer, detail in invalid_fields(request)]
    except Exception:  # the first errors still make a correct, if shorter, answer
        log.exception("second validation pass failed (request id %s)", request_id_of(request.scope))
        return errors
    named = {error.pointer for error in found}
    # msgspec names a bad split part by its list (``#/splits``, "item 1: ..."); the second
    # pass already named it, or a field inside it, more precisely.
    return found + [
        error
        for error in errors
        if error.pointer not in named
        and not any(pointer.startswith(f"{error.pointer}/") for pointer in named)
    ]


def _field_error(item: dict[str, Any]) -> FieldError:
    message = str(item.get("message", "is invalid"))
    key = str(item.get("key") or "")
    source = str(getattr(item.get("source"), "value", item.get("source") or ""))
    named = _MSGSPEC_FIELD.search(message)
    if named:
        # Inside a part (``splits[1]``) the field is that part's.
        key = named.group(1) if key in {"", "data"} else f"{key}.{named.group(1)}"
        message = "is not allowed" if "unknown" in message else "is required"
    elif key == "data":
        key = ""
    message = re.sub(r"\s*-\s*at `\$[^`]*`", "", message)
    message = _PATTERN_MESSAGES.get(message, message)
    if source in {"query", "path", "header", "cookie"}:
        return FieldError(key, message)
    # An element of a list of values (a tag) points at the list, as the domain's checks do.
    if item_of := _LIST_ITEM.match(key):
        key, message = item_of["list"], f"item {item_of['index']}: {message}"
    return FieldError(_pointer(key), message)


def http_exception_handler(
    request: Request[Any, Any, Any], error: HTTPException
) -> Response[Problem]:
    status = error.status_code
    detail = error.detail if status < 500 else "An unexpected error occurred."
    headers = dict(error.headers or {})
    if isinstance(error, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", 'Bearer realm="budget"')
    if status >= 500:
        log.error(
            "HTTP %s during %s %s (request id %s)",
            status,
            request.method,
            request.url.path,
            request_id_of(request.scope),
        )
    return problem_response(status, detail, headers=headers)


def unexpected_error_handler(
    request: Request[Any, Any, Any], error: Exception
) -> Response[Problem]:
    log.exception(
        "unhandled error during %s %s (request id %s)",
        request.method,
        request.url.path,
        request_id_of(request.scope),
    )
    return problem_response(500, "An unexpected error occurred.")


ErrorTranslator = Callable[[Exception], DomainError | None]
"""Names an error the domain knows (a storage outage) that escaped untranslated, else None."""


def translating(translate: ErrorTranslator) -> Callable[..., Response[Problem]]:
    """The ``Exception`` handler, asking ``translate`` (from the composition root) first."""

    def handler(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
        known = translate(error)
        if known is not None:
            return domain_error_handler(request, known)
        return unexpected_error_handler(request, error)

    return handler


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_handler,
    HTTPException: http_exception_handler,
    Exception: unexpected_error_handler,
}


class JsonBodyRequest(Request[Any, Any, Any]):
    """Litestar's request, with a JSON body decoded straight into the handler's Struct.

    The bytes decode into the body Struct in one strict pass, as JSON is typed (``0`` is not
    ``false``, ``"5"`` is not ``5``), without Litestar's intermediate dict and its lax
    conversion. When that fails validation, the body is decoded once more without a type
    (still a 400 when it is not JSON at all) for the pass that names every invalid field.
    A body that decodes still answers 422 when it breaks its own ``RULES`` (a split of one
    part), before the use case looks anything up.

    msgspec reports invalid UTF-8 as ``UnicodeDecodeError`` and absurd nesting as
    ``RecursionError`` instead of its ``DecodeError``; only here, while decoding the body,
    do they mean "not valid JSON" (anywhere else they stay 500s: real bugs).
    """

    async def json(self) -> Any:
        try:
            decoder = body_decoder(self.route_handler)
            if decoder is None:
                return await super().json()
            try:
                decoded = decoder.decode(await self.body())
            except msgspec.ValidationError as error:
                await super().json()  # a 400 if it is not JSON; else kept for the second pass
                raise invalid_body(error) from error
            except msgspec.DecodeError:
                return await super().json()  # Litestar's 400 for a body that is not JSON
            if (refused := broken_rules(decoded)) is not None:
                raise refused
            return decoded
        except UnicodeDecodeError as error:
            raise SerializationException(f"{NOT_JSON[:-1]}: it is not UTF-8.") from error
        except RecursionError as error:
            raise SerializationException(f"{NOT_JSON[:-1]}: it is nested too deeply.") from error


_DESCRIPTIONS = {
    400: "The request body is not valid JSON",
    401: "Not authenticated: see `WWW-Authenticate`",
    403: "Authenticated, but not allowed",
    404: "No such resource of yours",
    409: "Conflicts with the current state (a duplicate, or a blocked delete)",
    413: "The request body is over 1 MiB",
    422: "Validation failed: `errors[].pointer` names each bad field or query parameter",
    429: "Too many failed attempts: retry after `Retry-After` seconds",
    503: "The database is unavailable: retry after `Retry-After` seconds",
}


def problems(
    *statuses: int,
    described: Mapping[int, str] | None = None,
    shapes: Mapping[int, type[Problem]] | None = None,
) -> dict[int, ResponseSpec]:
    """OpenAPI responses for the error statuses a route can answer (503 is always possible):
    each status the general words unless ``described`` gives the route's own, and the
    ``Problem`` shape unless ``shapes`` names one with more members."""
    described, shapes = described or {}, shapes or {}
    return {
        status: ResponseSpec(
            data_container=shapes.get(status, Problem),
            media_type=PROBLEM_JSON,
            description=described.get(status)
            or _DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
            generate_examples=False,
        )
        for status in sorted({*statuses, *described, *shapes, 503})
    }
