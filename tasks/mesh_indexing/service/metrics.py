"""Prometheus metrics of one server process: requests by route and status, latency, requests
in flight, and what the model sees (batch sizes, batch seconds, texts waiting).

Each app has its own registry (not prometheus_client's global one), so that several apps in
one process (tests) count apart. With ``--workers N`` each worker keeps its own counts: a
scrape reads the worker that answered it (docs/service.md).
"""

from __future__ import annotations

import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "mesh_service"
#: request latency buckets, seconds: a cached answer takes milliseconds, a batch of long
#: abstracts on a CPU seconds
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
BATCH_SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
#: the route label of a request that matched no route (kept apart to bound cardinality)
UNMATCHED = "unmatched"
#: methods counted by name; any other token a client sends is counted as "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            f"{PREFIX}_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            f"{PREFIX}_request_duration_seconds",
            "Seconds from the request's arrival to the end of its answer, by route template",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            f"{PREFIX}_requests_in_flight",
            "HTTP requests being answered now",
            registry=self.registry,
        )
        self.batch_size = Histogram(
            f"{PREFIX}_model_batch_size",
            "Texts per model call (dynamic batching), by project",
            ["project"],
            buckets=BATCH_SIZE_BUCKETS,
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            f"{PREFIX}_model_batch_duration_seconds",
            "Seconds per model call, by project",
            ["project"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.queued = Gauge(
            f"{PREFIX}_model_queue_texts",
            "Texts waiting for a model batch, by project",
            ["project"],
            registry=self.registry,
        )
        self.ready = Gauge(
            f"{PREFIX}_project_ready",
            "1 once the project's model is loaded",
            ["project"],
            registry=self.registry,
        )

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class RequestMetricsMiddleware:
    """Counts every HTTP request by its route template (``/v1/projects/{project_id}/suggest``,
    never the raw path), method and status, and times it. Pure ASGI: it sees the status a
    handler sends, and counts an exception that escapes as a 500."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_and_remember(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_and_remember)
        finally:
            self.metrics.in_flight.dec()
            # a route's template; a mount (the docs page's assets) leaves only its root path
            route = scope.get("route")
            template = getattr(route, "path", None) or scope.get("root_path") or UNMATCHED
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.metrics.requests.labels(template, method, str(status)).inc()
            self.metrics.latency.labels(template).observe(time.perf_counter() - started)
