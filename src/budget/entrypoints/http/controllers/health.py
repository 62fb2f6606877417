"""Liveness and readiness probes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from budget.entrypoints.http.problems import RETRY_AFTER_UNAVAILABLE

DatabaseProbe = Callable[[], Awaitable[bool]]
"""True when the database answers; the composition root provides it as ``database_ready``."""


class Liveness(msgspec.Struct):
    status: Literal["ok"] = "ok"


class Readiness(msgspec.Struct):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]


class HealthController(Controller):
    path = "/"
    tags = ["health"]
    opt = {"exclude_from_auth": True}

    @get("/up", operation_id="up", summary="Liveness: the process answers (no database)")
    async def up(self) -> Liveness:
        return Liveness()

    @get(
        "/ready",
        operation_id="ready",
        summary="Readiness: the database answers",
        description="200 when the database answers, else 503 with `Retry-After`.",
        responses={
            503: ResponseSpec(data_container=Readiness, description="The database is unavailable")
        },
    )
    async def ready(self, database_ready: NamedDependency[DatabaseProbe]) -> Response[Readiness]:
        if await database_ready():
            return Response(Readiness("ok", "ok"))
        return Response(
            Readiness("unavailable", "unavailable"),
            status_code=503,
            headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
        )
