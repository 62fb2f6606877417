"""The ASGI factory Granian (and any ASGI server) loads: settings come from the environment."""

from __future__ import annotations

import gc

from litestar.types import ASGIApp

from budget.entrypoints.app import create_app
from budget.entrypoints.http.liveness import LivenessLane
from budget.entrypoints.http.middleware import configure_logging
from budget.settings import load_settings

GC_GENERATION0_THRESHOLD = 20_000


def create() -> ASGIApp:
    """The app, behind the liveness probe's own lane (``http/liveness.py``)."""
    settings = load_settings()
    configure_logging(settings.log_level)
    litestar = create_app(settings)
    app = LivenessLane(litestar, log_requests=settings.access_log, metrics=litestar.state.metrics)
    tune_garbage_collector()
    return app


def tune_garbage_collector() -> None:
    """Fewer, cheaper collections in a long-running worker.

    Everything built at start-up (modules, the app, the OpenAPI document) lives as long as
    the process: freezing it keeps the collector from re-scanning it, and a higher
    first-generation threshold stops the frequent pauses that otherwise dominate tail
    latency under load. Reference counting still frees almost everything immediately.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_GENERATION0_THRESHOLD, 20, 20)
