"""The ASGI factory Granian (and any ASGI server) loads: settings come from the environment."""

from __future__ import annotations

from litestar import Litestar

from budget.entrypoints.app import create_app
from budget.entrypoints.http.middleware import configure_logging
from budget.settings import load_settings


def create() -> Litestar:
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
