"""Load and shutdown over real sockets: `palliative-rt-cds serve` on loopback, several concurrent
connections with mixed hooks, FHIR fallback reads and feedback (scripts/load_test.py is the long run).

- Bounded load: no error, one JSON log line per request, every feedback report stored exactly once.
- SIGTERM during load: requests in flight are finished (graceful shutdown), none is cut off, and once the
  service is restarted on the same database, a client's unacknowledged feedback is stored and nothing twice.
"""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts.fhir_stub import SLOW_S, FhirStub
from scripts.load_test import (
    Load,
    LoadResult,
    prefetched_resources,
    sample_requests,
    start_service,
    stored_feedback,
)

pytestmark = pytest.mark.e2e

CONNECTIONS = 8
SMOKE_SECONDS = 4.0
NOT_PROCESSED = ("ConnectError", "RemoteProtocolError: Server disconnected without sending a response")
"""Transport errors of requests the server never read: refused, or sent as it closed an idle connection."""


@pytest.fixture(scope="module")
def fhir() -> Iterator[FhirStub]:
    records = [resource for sample in sample_requests() for resource in prefetched_resources(sample)]
    with FhirStub(records) as stub:
        yield stub


def _request_lines(log: Path) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return [line for line in lines if line["logger"] == "service.requests"]


def test_concurrent_load_gives_no_error_and_stores_each_feedback_once(tmp_path, fhir) -> None:
    service = start_service(tmp_path)
    try:
        load = Load(service.url, connections=CONNECTIONS, fhir_base=fhir.url("ok"), fallback_share=0.2,
                    seed=7)
        result = asyncio.run(load.run(SMOKE_SECONDS))
    finally:
        service.stop()
    assert not result.errors
    assert {"patient-view", "order-select", "order-sign", "fallback", "feedback"} <= set(result.requests)
    assert result.feedback_sent
    assert stored_feedback(service.database_url) == len(result.feedback_sent)
    lines = _request_lines(service.log)
    assert len([line for line in lines if line["route"] != "/readyz"]) == len(result.exchanges)
    assert all(line["status"] == 200 for line in lines)


def _in_background(load: Load) -> tuple[threading.Thread, list[LoadResult], asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    results: list[LoadResult] = []
    thread = threading.Thread(target=lambda: results.append(loop.run_until_complete(load.run())), daemon=True)
    thread.start()
    return thread, results, loop


def test_sigterm_during_load_finishes_in_flight_requests_and_loses_no_feedback(tmp_path, fhir) -> None:
    """Every hook call reads the FHIR server, which takes SLOW_S: at SIGTERM several are being answered."""
    service = start_service(tmp_path)
    load = Load(service.url, connections=CONNECTIONS, fhir_base=fhir.url("slow"), fallback_share=1.0, seed=11)
    thread, results, loop = _in_background(load)
    try:
        time.sleep(3 * SLOW_S)
        terminated = time.monotonic()
        service.process.send_signal(signal.SIGTERM)
        exit_status = service.process.wait(timeout=30)
    finally:
        loop.call_soon_threadsafe(load.stop.set)
        thread.join(timeout=60)
        service.stop()
    [result] = results
    assert exit_status in (0, -signal.SIGTERM)

    in_flight = [e for e in result.exchanges if e.sent < terminated < e.answered]
    assert any(e.ok and e.kind == "fallback" for e in in_flight), "no hook call was finished after SIGTERM"
    for exchange in result.exchanges:
        assert exchange.ok or (exchange.sent >= terminated - SLOW_S / 2
                               and exchange.outcome.startswith(NOT_PROCESSED)), exchange

    acknowledged = stored_feedback(service.database_url)
    assert acknowledged >= len(result.feedback_sent)

    restarted = start_service(tmp_path, database_url=service.database_url)
    try:
        with httpx.Client(base_url=restarted.url) as client:
            # A client sends what was not acknowledged again, and may repeat what was.
            for report in result.feedback_unanswered | result.feedback_sent:
                assert client.post(report.url, json=report.body()).status_code == 200
    finally:
        restarted.stop()
    assert stored_feedback(service.database_url) == len(result.feedback_unanswered | result.feedback_sent)
