"""The service's Prometheus metrics (prefix `prt_cds_`), exposed at `/metrics`.

Labels hold only bounded, non-identifying values: route templates, service and rule ids, statuses,
prefetch keys and failure reasons; never a patient, a URL or a token. With several worker processes set
PROMETHEUS_MULTIPROC_DIR to an empty directory shared by the workers: `/metrics` then adds up all of them.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

REGISTRY = CollectorRegistry(auto_describe=True)
"""The service's own metrics; in one process also the process, platform and GC collectors."""

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "prt_cds_requests", "HTTP requests answered, by route template, CDS service id and status.",
    ["route", "service", "status"], registry=REGISTRY)
REQUEST_SECONDS = Histogram(
    "prt_cds_request_duration_seconds", "Time from request to the last byte of the answer.",
    ["route", "service", "status"], buckets=_LATENCY_BUCKETS, registry=REGISTRY)
REQUESTS_IN_PROGRESS = Gauge(
    "prt_cds_requests_in_progress", "Requests being answered now.",
    multiprocess_mode="livesum", registry=REGISTRY)
DEGRADED_ANSWERS = Counter(
    "prt_cds_degraded_answers", "Hook answers given without some of the patient's data (the data-unavailable "
    "card).", ["service"], registry=REGISTRY)
CARDS = Counter(
    "prt_cds_cards_issued", "Cards issued, by CDS service, rule or notice id, and indicator.",
    ["service", "rule_id", "indicator"], registry=REGISTRY)
FEEDBACK = Counter(
    "prt_cds_feedback", "Feedback reports stored (a repeated report counts once), by CDS service, rule id "
    "of the card (`unknown` for cards this service has no record of) and outcome.",
    ["service", "rule_id", "outcome"], registry=REGISTRY)
CARDS_NOT_RECORDED = Counter(
    "prt_cds_cards_not_recorded", "Issued cards whose record the database failed to write (their batch was "
    "lost): feedback on them is stored without rule id.", registry=REGISTRY)
FHIR_FETCH_SECONDS = Histogram(
    "prt_cds_fhir_fetch_duration_seconds", "FHIR fallback reads of one prefetch key (every page), by "
    "prefetch key and result (`ok` or the failure reason).",
    ["key", "result"], buckets=_LATENCY_BUCKETS, registry=REGISTRY)
FHIR_FETCH_FAILURES = Counter(
    "prt_cds_fhir_fetch_failures", "FHIR fallback reads that left a prefetch key unread or incomplete, by "
    "prefetch key and reason.", ["key", "reason"], registry=REGISTRY)


def _multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR_VARIABLE))


if not _multiprocess():
    for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        REGISTRY.register(collector)


def clear_multiprocess_directory() -> int:
    """Delete the previous run's per-process metric files; the count deleted.

    A directory that outlives the workers (a restarted container keeps its emptyDir) would otherwise add
    the dead processes' counts to every scrape. Call before the workers start, never while they run.
    """
    directory = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if not directory or not os.path.isdir(directory):
        return 0
    stale = [entry for entry in os.scandir(directory) if entry.is_file() and entry.name.endswith(".db")]
    for entry in stale:
        os.remove(entry.path)
    return len(stale)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    if _multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def fhir_fetch_finished(key: str, seconds: float, failure: str | None) -> None:
    """One prefetch key's FHIR fallback read ended, complete (`failure` None) or not."""
    FHIR_FETCH_SECONDS.labels(key, failure or "ok").observe(seconds)
    if failure is not None:
        FHIR_FETCH_FAILURES.labels(key, failure).inc()
