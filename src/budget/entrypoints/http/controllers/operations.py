"""The landing page and the Prometheus metrics (contract section 16)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

import budget
from budget.entrypoints.http.controllers.health import DatabaseProbe
from budget.entrypoints.http.metrics import CONTENT_TYPE, Exposition
from budget.entrypoints.http.openapi import METRICS_TOKEN
from budget.entrypoints.http.problems import Problem, problem_response, problems

PRODUCT = "Budget"
DOCS_ASSETS_DIRECTORY = Path(__file__).resolve().parent.parent / "static" / "docs"
"""The vendored Swagger UI and Scalar assets (see the README there), served at
``openapi.DOCS_ASSETS``."""
LANDING = Template(files("budget.entrypoints.http").joinpath("static/landing.html").read_text())


@dataclass(frozen=True, slots=True)
class MetricsAccess:
    """Who may read ``/metrics``: anyone outside production; in production only a bearer of
    ``token`` (401 without it or with another), and nobody when no token is set (404)."""

    production: bool
    token: str

    def refusal(self, authorization: str | None) -> Response[Problem] | None:
        if not self.production:
            return None
        if not self.token:
            return problem_response(404, "Not found.")
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            presented.strip().encode(), self.token.encode()
        ):
            return None
        return problem_response(
            401,
            "The metrics token is required.",
            headers={"WWW-Authenticate": 'Bearer realm="budget-metrics"'},
        )


def landing_page(ready: bool, now: datetime) -> str:
    status = "ok" if ready else "unavailable"
    return LANDING.substitute(
        product=escape(PRODUCT),
        version=escape(budget.__version__),
        status=status,
        database=status,
        checked_at=now.strftime("%Y-%m-%d %H:%M:%S"),
    )


class OperationsController(Controller):
    path = "/"
    tags = ["operations"]
    opt = {"exclude_from_auth": True}

    @get(
        "/",
        operation_id="landing",
        summary="Landing page: product, version, readiness and links to the docs",
        description=(
            "An HTML page that loads nothing from another origin: the product's name, its "
            "version (`info.version` of this document), the current `/ready` result and links "
            "to `/schema/swagger`, `/schema/scalar` and `/schema/openapi.json`."
        ),
        media_type=MediaType.HTML,
    )
    async def landing(self, database_ready: NamedDependency[DatabaseProbe]) -> str:
        return landing_page(await database_ready(), datetime.now(UTC))

    @get(
        "/metrics",
        operation_id="metrics",
        summary="Prometheus metrics",
        description=(
            "The Prometheus text format: requests and latency by method, route template and "
            "status, the database pool in use, pending webhook deliveries and scheduler runs. "
            "Open outside production; with `BUDGET_ENV=production` only with "
            "`Authorization: Bearer $BUDGET_METRICS_TOKEN` (401 without it or with another "
            "token; 404 when no token is configured)."
        ),
        media_type=CONTENT_TYPE,
        security=[{METRICS_TOKEN: []}, {}],
        responses={
            200: ResponseSpec(
                data_container=str,
                media_type="text/plain",
                description="Prometheus text exposition format 0.0.4",
                generate_examples=False,
            ),
            **{status: spec for status, spec in problems(401, 404).items() if status != 503},
        },
    )
    async def metrics(
        self,
        request: Request[Any, Any, Any],
        metrics_access: NamedDependency[MetricsAccess],
        metrics_exposition: NamedDependency[Exposition],
    ) -> Response[Any]:
        refusal = metrics_access.refusal(request.headers.get("authorization"))
        if refusal is not None:
            return refusal
        return Response(await metrics_exposition(), media_type=CONTENT_TYPE)
