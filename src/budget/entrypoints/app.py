"""The composition root: ``create_app(settings)`` wires adapters into use cases and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.cors import CORSConfig

from budget.entrypoints.container import Container, build_container
from budget.entrypoints.http.auth import auth_middleware
from budget.entrypoints.http.budget_routes import BUDGET_CONTROLLERS, BUDGET_DEPENDENCIES
from budget.entrypoints.http.controllers.auth import AuthController
from budget.entrypoints.http.controllers.health import HealthController
from budget.entrypoints.http.controllers.users import AdminUsersController, MeController
from budget.entrypoints.http.dependencies import DEPENDENCIES
from budget.entrypoints.http.ledger_routes import LEDGER_CONTROLLERS, LEDGER_DEPENDENCIES
from budget.entrypoints.http.middleware import RequestIdMiddleware, stamp_response
from budget.entrypoints.http.openapi import complete_document, openapi_config
from budget.entrypoints.http.problems import EXCEPTION_HANDLERS, JsonBodyRequest
from budget.entrypoints.http.report_routes import REPORT_CONTROLLERS, REPORT_DEPENDENCIES
from budget.settings import Settings, ensure_secret

log = logging.getLogger("budget.app")

MAX_BODY_BYTES = 1024 * 1024


def create_app(settings: Settings, *, container: Container | None = None) -> Litestar:
    """Build the Litestar application for ``settings`` (the only composition root)."""
    settings = ensure_secret(settings)
    container = container or build_container(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await container.engine.dispose()

    app = Litestar(
        route_handlers=[
            HealthController,
            AuthController,
            MeController,
            AdminUsersController,
            *LEDGER_CONTROLLERS,
            *BUDGET_CONTROLLERS,
            *REPORT_CONTROLLERS,
        ],
        dependencies={
            **DEPENDENCIES,
            **LEDGER_DEPENDENCIES,
            **BUDGET_DEPENDENCIES,
            **REPORT_DEPENDENCIES,
        },
        middleware=[
            RequestIdMiddleware,
            auth_middleware(),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=JsonBodyRequest,
        before_send=[stamp_response(settings.access_log)],
        openapi_config=openapi_config(),
        cors_config=cors_config(settings),
        request_max_body_size=MAX_BODY_BYTES,
        lifespan=[lifespan],
        debug=settings.debug,
        logging_config=None,
    )
    app.state.container = container
    complete_document(app.openapi_schema)
    return app


def cors_config(settings: Settings) -> CORSConfig | None:
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_origins),
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Location", "Retry-After"],
    )
