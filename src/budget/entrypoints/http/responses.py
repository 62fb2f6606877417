"""201 Created answers: the ``Location`` header and its OpenAPI documentation."""

from __future__ import annotations

from typing import TypeVar

from litestar import Response
from litestar.datastructures import ResponseHeader

T = TypeVar("T")


def location_header(noun: str, url: str) -> list[ResponseHeader]:
    """Documents the ``Location`` of a route that creates a ``noun`` found at ``url``.

    ``url`` is the documented form, e.g. ``/api/v1/accounts/{id}``; being a string, it also
    gives the header its ``string`` schema.
    """
    return [
        ResponseHeader(
            name="Location",
            value=url,
            description=f"Where the new {noun} is: `{url}`",
            documentation_only=True,
            required=True,
        )
    ]


def created(content: T, location: str) -> Response[T]:
    """A 201 answer with ``content`` and the new resource's URL in ``Location``."""
    return Response(content, status_code=201, headers={"Location": location})
