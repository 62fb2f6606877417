"""Every invalid field of a request at once: a second pass behind a failed first decode.

A JSON body decodes straight into the handler's body Struct (``body_decoder``, used by
``JsonBodyRequest``), which stops at the first error, and Litestar validates the query
parameters of a handler and of each of its dependencies separately, stopping at the first
of those that fails. The contract wants a 422 to list every invalid field of the body and
the query. So when a request has already failed (a ``ValidationException``, or a value
refused with a ``RuleViolationError``), the problem handlers ask ``invalid_fields`` to
check the request again, field by field:

* the JSON body, decoded without a type, against the fields of the handler's body Struct:
  each sent field converted alone to that field's type (with its constraints) as strictly
  as the decoder does, every missing required field, and every unknown field when the
  Struct forbids them; a list of Structs (a transaction's split parts) item by item, each
  field of each item alone (``#/splits/1/amount``); then the body's ``RULES`` whose fields
  are all valid;
* every query parameter of the handler and of its dependencies, converted alone to the
  type Litestar converts it to (its annotation with the ``Parameter`` constraints), as
  leniently as Litestar does (a query value is always text).

So a value is refused here exactly when the first pass refuses it. The checkers are built
on the first failure of each route handler and cached; a request that decodes cleanly
never reaches them, so the happy path costs nothing but its body's ``RULES``
(``broken_rules``, run by the first pass right after decoding).
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache
from typing import Annotated, Any, NamedTuple, Union, cast, get_args, get_origin
from urllib.parse import parse_qsl

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from budget.domain.errors import RuleViolationError
from budget.entrypoints.http.schemas.common import (
    ENUM_DETAILS,
    NO_NUL_PATTERN,
    PATTERN_DETAILS,
    BodyRule,
    Strict,
)

MISSING = "is required"
UNKNOWN = "is not allowed"

_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_STEP = re.compile(r"\.(?P<key>[^.\[]+)|\[(?P<index>[0-9]+)\]|\[\.\.\.\]")
_PATTERN_MESSAGES = {
    f"Expected `str` matching regex {pattern!r}": detail
    for pattern, detail in PATTERN_DETAILS.items()
}
_BAD_ENUM = "Invalid enum value"
_BROKEN_PATTERN = "Expected `str` matching regex"

HANDLERS_CACHED = 1024
"""Route handlers whose decoder and checkers stay cached: far more than one app has, and
bounded, since a cached handler keeps its app alive (a test run builds many apps)."""


class Invalid(NamedTuple):
    """One invalid field: a JSON pointer into the body (``#/amount``) or a query name."""

    pointer: str
    detail: str


def invalid_fields(request: Request[Any, Any, Any]) -> list[Invalid]:
    """Every invalid field of ``request``'s JSON body and query string, body first."""
    handler = request.scope.get("route_handler")
    if not isinstance(handler, HTTPRouteHandler):
        return []
    shape = _shape_of(handler, frozenset(request.path_params))
    found: list[Invalid] = []
    body = ScopeState.from_scope(request.scope).json
    if shape.body is not None and body is not Empty:
        found.extend(shape.body.check(body))
    query = request.query_params
    for name in _names_in_order(request.scope.get("query_string", b"")):
        if parameter := shape.query.get(name):
            found.extend(parameter.check(query.getall(name)))
    return found


def _names_in_order(query_string: bytes) -> list[str]:
    """The query's parameter names, once each, in the order the client wrote them."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return list(dict.fromkeys(name for name, _ in pairs))


@lru_cache(maxsize=HANDLERS_CACHED)
def body_decoder(handler: HTTPRouteHandler) -> msgspec.json.Decoder[Any] | None:
    """A strict JSON decoder for ``handler``'s body Struct, or None when it reads no Struct."""
    struct = _struct_of(handler.signature_model.__annotations__.get("data"))
    return None if struct is None else msgspec.json.Decoder(struct)


def invalid_body(error: msgspec.ValidationError) -> ValidationException:
    """Litestar's exception for a body that failed its Struct, as its own decoding words it."""
    message = str(error)
    located = _AT.search(message)
    key = located["path"].removeprefix(".") if located else ""
    return ValidationException(
        detail="Validation failed for the request body",
        extra=[{"message": message, "key": key, "source": "body"}],
    )


def broken_rules(body: msgspec.Struct) -> ValidationException | None:
    """The 422 for a decoded body that breaks its own ``RULES``, if it does."""
    rules: tuple[BodyRule, ...] = getattr(body, "RULES", ())
    values = {name: getattr(body, name) for name in body.__struct_fields__}
    found = list(_broken(rules, values, ()))
    if not found:
        return None
    return ValidationException(
        detail="Validation failed for the request body",
        extra=[{"message": detail, "key": key, "source": "body"} for key, detail in found],
    )


def _broken(
    rules: tuple[BodyRule, ...], values: Mapping[str, Any], at: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    """``(field path, detail)`` of each rule broken by ``values`` (those of valid fields
    only: a rule waits until each of its fields is valid)."""
    for rule in rules:
        if not all(name in values for name in rule.fields):
            continue
        try:
            rule.check(*(values[name] for name in rule.fields))
        except RuleViolationError as error:
            for problem in error.problems:
                yield ".".join((*at, problem.field)), problem.detail


# --- one request shape per route handler ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shape:
    body: _BodyChecker | None
    query: Mapping[str, _QueryChecker]


@lru_cache(maxsize=HANDLERS_CACHED)
def _shape_of(handler: HTTPRouteHandler, path_parameters: frozenset[str]) -> _Shape:
    """What ``handler`` reads from a request: its body Struct and its query parameters."""
    models = [handler.signature_model]
    kwargs_model = handler.create_kwargs_model(
        path_parameters=cast("Any", dict.fromkeys(path_parameters))
    )
    for batch in kwargs_model.dependency_batches:
        models.extend(dependency.provide.signature_model for dependency in batch)
    annotations: dict[str, Any] = {}
    for model in reversed(models):
        annotations.update(model.__annotations__)
    query = {
        parameter.field_alias: _QueryChecker(
            parameter.field_alias, annotations[parameter.field_name], parameter.is_sequence
        )
        for parameter in kwargs_model.expected_query_params
        if parameter.field_name in annotations
    }
    body = _struct_of(handler.signature_model.__annotations__.get("data"))
    return _Shape(None if body is None else _body_checker(body), query)


def _struct_of(annotation: Any) -> type[msgspec.Struct] | None:
    """The Struct a body decodes to (``AccountCreate``), if it is one (or an optional one)."""
    for candidate in _members(annotation):
        if isinstance(candidate, type) and issubclass(candidate, msgspec.Struct):
            return candidate
    return None


# --- the body ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BodyChecker:
    struct: type[msgspec.Struct]
    fields: Mapping[str, msgspec.structs.FieldInfo]
    forbid_unknown: bool
    rules: tuple[BodyRule, ...]

    def check(self, body: Any, at: tuple[str, ...] = ()) -> Iterator[Invalid]:
        """Every invalid field of ``body`` (found at ``at`` in the request's body)."""
        if not isinstance(body, dict):
            try:
                msgspec.convert(body, self.struct)
            except msgspec.ValidationError as error:
                message = _AT.sub("", str(error))
                yield Invalid(_pointer(at), _detail(message, self.struct, body))
            return
        valid: dict[str, Any] = {}
        for name, field in self.fields.items():
            if name not in body:
                if field.required:
                    yield Invalid(_pointer((*at, name)), MISSING)
                else:
                    valid[field.name] = _default(field)
                continue
            try:
                valid[field.name] = msgspec.convert(body[name], field.type)
            except msgspec.ValidationError as error:
                yield from _field_errors((*at, name), error, field.type, body[name])
        if self.forbid_unknown:
            for name in body:
                if name not in self.fields:
                    yield Invalid(_pointer((*at, str(name))), UNKNOWN)
        for path, detail in _broken(self.rules, valid, at):
            yield Invalid(_pointer(tuple(path.split("."))), detail)


@cache
def _body_checker(struct: type[msgspec.Struct]) -> _BodyChecker:
    fields = {field.encode_name: field for field in msgspec.structs.fields(struct)}
    forbid = bool(struct.__struct_config__.forbid_unknown_fields)
    rules = struct.RULES if issubclass(struct, Strict) else ()
    return _BodyChecker(struct, fields, forbid, rules)


def _default(field: msgspec.structs.FieldInfo) -> Any:
    """What the decoder gives a field that was not sent."""
    if field.default_factory is not msgspec.NODEFAULT:
        return field.default_factory()
    return field.default


def _field_errors(
    at: tuple[str, ...], error: msgspec.ValidationError, annotation: Any, value: Any
) -> Iterator[Invalid]:
    """The field at ``at`` failed: msgspec's first error, or, inside a list of Structs (split
    parts), every invalid field of every item."""
    message = str(error)
    located = _AT.search(message)
    item = _item_struct(annotation)
    if item is not None and isinstance(value, list) and located and located["path"][:1] == "[":
        checker = _body_checker(item)
        for index, element in enumerate(value):
            yield from checker.check(element, (*at, str(index)))
        return
    yield _invalid(at, message, annotation, value)


def _item_struct(annotation: Any) -> type[msgspec.Struct] | None:
    """The Struct of a list of Structs (``list[SplitPart]``), else None."""
    for member in _members(annotation):
        if get_origin(member) is list:
            return _struct_of(get_args(member)[0])
    return None


def _invalid(at: tuple[str, ...], message: str, annotation: Any, value: Any = None) -> Invalid:
    """msgspec's ``message`` about the value at ``at``, as a pointer and the contract's words.

    An element of a list (a tag) points at the list, as the domain's checks do.
    """
    path = list(at)
    if located := _AT.search(message):
        message = message[: located.start()]
        path += [step["key"] or step["index"] or "..." for step in _STEP.finditer(located["path"])]
    detail = _detail(message, annotation, value)
    if len(path) > 1 and path[-1].isdigit():
        return Invalid(_pointer(tuple(path[:-1])), f"item {path[-1]}: {detail}")
    return Invalid(_pointer(tuple(path)), detail)


def _pointer(path: tuple[str, ...]) -> str:
    """``("tags", "0")`` -> ``#/tags/0``; the whole body is ``#`` (RFC 6901, escaped)."""
    steps = [step.replace("~", "~0").replace("/", "~1") for step in path]
    return "#/" + "/".join(steps) if steps else "#"


# --- the query --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _QueryChecker:
    name: str
    annotation: Any
    is_sequence: bool

    def check(self, values: list[str]) -> Iterator[Invalid]:
        # As Litestar reads the query: every value for a list, else the last one.
        value: Any = values if self.is_sequence else values[-1]
        try:
            msgspec.convert(value, self.annotation, strict=False, str_keys=True)
        except msgspec.ValidationError as error:
            yield Invalid(self.name, _detail(_AT.sub("", str(error)), self.annotation, value))


# --- words ------------------------------------------------------------------------------------


def _detail(message: str, annotation: Any, value: Any) -> str:
    """msgspec's words, or the contract's for a broken pattern or a value outside an enum.

    Every pattern of a request string refuses NUL, so text holding one is told just that.
    """
    if message.startswith(_BROKEN_PATTERN) and _holds_nul(value):
        return PATTERN_DETAILS[NO_NUL_PATTERN]
    if message.startswith(_BAD_ENUM):
        enums = [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, Enum)]
        if len(enums) == 1:
            enum = enums[0]
            return ENUM_DETAILS.get(enum) or "must be one of " + ", ".join(
                str(member.value) for member in enum
            )
    return _PATTERN_MESSAGES.get(message, message)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, list) and any(_holds_nul(item) for item in value)


def _members(annotation: Any) -> Iterator[Any]:
    """The types an annotation is made of: through ``Annotated``, unions and ``Optional``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _members(get_args(annotation)[0])
    elif origin is Union or origin is types.UnionType:
        for arm in get_args(annotation):
            yield from _members(arm)
    else:
        yield annotation
