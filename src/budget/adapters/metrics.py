"""Process-wide metrics that parts of the service other than the HTTP edge report.

``GET /metrics`` answers these after the app's request series (``http/metrics.py``):

- ``SCHEDULER_RUNS``: a counter the scheduler increments per job run,
  ``SCHEDULER_RUNS.labels(job="recurring", outcome="ok").inc()``.
- ``WEBHOOK_DELIVERIES_PENDING``: a gauge of webhook deliveries waiting to be made; the
  webhook feature sets it, or better registers a callback that reads the figure when
  Prometheus asks: ``register_gauge_callback(WEBHOOK_DELIVERIES_PENDING_NAME, help, fn)``.
- ``register_gauge_callback(name, help, fn)``: a gauge whose value ``fn`` (plain or async)
  gives at each scrape; registering a name again replaces its callback (each app built in
  one process registers its own).
- the process's CPU, memory and open files (``ProcessCollector``).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.exposition import generate_latest

log = logging.getLogger("budget.metrics")

# No ``*_created`` series beside every counter and histogram: Prometheus needs none.
disable_created_metrics()  # type: ignore[no-untyped-call]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

SCHEDULER_RUNS = Counter(
    "budget_scheduler_runs",
    "Scheduler job runs, by job and outcome (ok, failed)",
    ("job", "outcome"),
    registry=REGISTRY,
)
WEBHOOK_DELIVERIES_PENDING_NAME = "budget_webhook_deliveries_pending"
WEBHOOK_DELIVERIES_PENDING = Gauge(
    WEBHOOK_DELIVERIES_PENDING_NAME,
    "Webhook deliveries recorded and not yet delivered (or given up)",
    registry=REGISTRY,
)

GaugeCallback = Callable[[], float | Awaitable[float]]

_gauges: dict[str, Gauge] = {WEBHOOK_DELIVERIES_PENDING_NAME: WEBHOOK_DELIVERIES_PENDING}
_callbacks: dict[str, GaugeCallback] = {}


def register_gauge_callback(name: str, documentation: str, callback: GaugeCallback) -> Gauge:
    """A gauge named ``name`` whose value ``callback`` gives at each scrape."""
    gauge = _gauges.get(name)
    if gauge is None:
        gauge = _gauges[name] = Gauge(name, documentation, registry=REGISTRY)
    _callbacks[name] = callback
    return gauge


async def refresh_gauges() -> None:
    """Ask every callback for its gauge's value; one that fails keeps its last value."""
    for name, callback in list(_callbacks.items()):
        try:
            value = callback()
            if inspect.isawaitable(value):
                value = await value
            _gauges[name].set(float(value))
        except Exception:
            log.warning("metric %s not refreshed", name, exc_info=True)


async def process_exposition() -> bytes:
    """The Prometheus text of the process-wide metrics, gauges refreshed."""
    await refresh_gauges()
    return generate_latest(REGISTRY)
