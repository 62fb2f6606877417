"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from budget.adapters.database import ping
from budget.entrypoints.http.dependencies import container_of
from budget.entrypoints.http.problems import RETRY_AFTER_UNAVAILABLE


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
    async def ready(self, state: State) -> Response[Readiness]:
        if await ping(container_of(state).engine):
            return Response(Readiness("ok", "ok"))
        return Response(
            Readiness("unavailable", "unavailable"),
            status_code=503,
            headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
        )
