"""Request metrics for Prometheus: a count and a latency histogram per method, route
template and status (contract section 16).

The route is the template Litestar matched (``/api/v1/accounts/{account_id}``), never the
raw path, so there is one series per route and not one per id; an answer no route gave (a
404 or 405 from the router) is counted under ``route="<unmatched>"``. ``RequestMetrics``
is a ``before_send`` step: per answer, one dictionary look-up of the (method, route,
status) series it has already met, one counter increment and one histogram observation.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.enums import ScopeType
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

UNMATCHED = "<unmatched>"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = "text/plain; version=0.0.4"
"""The Prometheus text format (Litestar adds the charset)."""

Exposition = Callable[[], Awaitable[bytes]]
"""What ``GET /metrics`` answers: the Prometheus text of every registry, gathered when asked."""


class RequestMetrics:
    """The per-request series of one app, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "budget_http_requests",
            "HTTP requests answered, by method, route template and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "budget_http_request_duration_seconds",
            "Time from a request's arrival to its answer's start, by method, route template "
            "and status",
            ("method", "route", "status"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            labels = (method, route, str(status))
            series = self._series[key] = (
                self.requests.labels(*labels),
                self.latency.labels(*labels),
            )
        series[0].inc()
        series[1].observe(seconds)

    async def __call__(self, message: Any, scope: Any) -> None:
        """The ``before_send`` step."""
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        started = scope["state"].get("started")
        elapsed = time.perf_counter() - started if started else 0.0
        route = scope.get("path_template") or UNMATCHED
        self.observe(scope["method"], route, message["status"], elapsed)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class CallbackGauge(Collector):
    """A gauge read from ``read`` at each scrape (the database pool's connections in use)."""

    def __init__(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        self.name = name
        self.documentation = documentation
        self.read = read

    def collect(self) -> list[GaugeMetricFamily]:
        return [GaugeMetricFamily(self.name, self.documentation, value=self.read())]

    def describe(self) -> list[GaugeMetricFamily]:
        return [GaugeMetricFamily(self.name, self.documentation)]
