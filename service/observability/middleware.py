"""Observes every HTTP request: one JSON log line and the request metrics, after the answer is sent.

The log line holds the route template (never the path as sent, which a client could fill with anything),
the CDS service and hook, the client's hookInstance, status, duration, cards by rule id and whether the
answer was degraded: no patient data, no URL, no token.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.observability import metrics
from service.observability.record import RequestRecord, start_record

log = logging.getLogger("service.requests")

PROBE_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
"""Polled by orchestrators and scrapers every few seconds: logged at DEBUG, counted like any request."""
UNMATCHED = "unmatched"


class ObserveRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = start_record(scope.setdefault("state", {}))
        status = 500  # unless an answer starts: the server answers an escaped error with 500
        started = time.perf_counter()

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        metrics.REQUESTS_IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, send_observed)
        finally:
            metrics.REQUESTS_IN_PROGRESS.dec()
            _report(scope, record, status, time.perf_counter() - started)


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return route.path if isinstance(route, BaseRoute) and hasattr(route, "path") else UNMATCHED


def _report(scope: Scope, record: RequestRecord, status: int, seconds: float) -> None:
    route = _route(scope)
    service = record.service_id or ""
    status_label = str(status)
    metrics.REQUESTS.labels(route, service, status_label).inc()
    metrics.REQUEST_SECONDS.labels(route, service, status_label).observe(seconds)
    for (rule_id, indicator), count in record.cards.items():
        metrics.CARDS.labels(service, rule_id, indicator).inc(count)
    if record.degraded:
        metrics.DEGRADED_ANSWERS.labels(service).inc()
    for (rule_id, outcome), count in record.feedback_stored.items():
        metrics.FEEDBACK.labels(service, rule_id, outcome).inc(count)

    level = logging.DEBUG if route in PROBE_ROUTES else logging.INFO
    if log.isEnabledFor(level):
        log.log(level, "%s %s %d", scope["method"], route, status,
                extra={"fields": _log_fields(scope["method"], route, status, seconds, record)})


def _log_fields(method: str, route: str, status: int, seconds: float,
                record: RequestRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {"method": method, "route": route, "status": status,
                              "duration_ms": round(seconds * 1000, 1)}
    if record.service_id is not None:
        fields |= {"service": record.service_id, "hook": record.hook}
    if record.hook_instance is not None:
        fields["hookInstance"] = record.hook_instance
    if record.evaluated:
        cards: Counter[str] = Counter()
        for (rule_id, _), count in record.cards.items():
            cards[rule_id] += count
        fields |= {"cards": dict(cards), "degraded": record.degraded}
        if record.unavailable:
            fields["unavailable"] = list(record.unavailable)
    if record.feedback_received:
        fields["feedback"] = {"received": record.feedback_received,
                              "stored": record.feedback_stored.total()}
    return fields
