"""201 Created answers: the ``Location`` header and its OpenAPI documentation."""

from __future__ import annotations

from typing import TypeVar

from litestar import Response
from litestar.datastructures import ResponseHeader

T = TypeVar("T")


def location_header(noun: str, base: str) -> list[ResponseHeader]:
    """Documents the ``Location`` header of a route that creates a ``noun`` under ``base``."""
    return [
        ResponseHeader(
            name="Location",
            description=f"The new {noun}'s URL, e.g. `{base}/<id>`",
            documentation_only=True,
            required=True,
        )
    ]


def created(content: T, location: str) -> Response[T]:
    """A 201 answer with ``content`` and the new resource's URL in ``Location``."""
    return Response(content, status_code=201, headers={"Location": location})
