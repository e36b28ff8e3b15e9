"""The benchmark's own correctness (never its timing): the seeded workloads are reproducible, sized as
documented and answered with the card they are built for; the FHIR stub serves the fallback workload;
the report computes ratios and targets from the numbers it is given."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import orjson
import pytest
import uvicorn
from fastapi.testclient import TestClient

from bench import baselines
from bench.fhir_stub import BASE_PATH, FhirStub
from bench.report import Results, render_table
from bench.workload import (
    DEFAULT_SEED,
    HOOK_INSTANCE,
    SERVICE_PATH,
    SIZES,
    fallback_request,
    order_sign_request,
    patient_history,
)
from tests.fhir import cards_for, suggested_regimens

EXPECTED_RULE = "bone-uncomplicated-single-fraction"
SINGLE_FRACTION = ("update", 800, 1)
"""The draft order replaced by 8 Gy/1F."""


def _resources(request: dict) -> list[dict]:
    return [entry["resource"] for value in request["prefetch"].values() if value["resourceType"] == "Bundle"
            for entry in value["entry"]]


@pytest.mark.parametrize("workload", list(SIZES))
def test_workload_is_reproducible_and_of_its_size(workload: str) -> None:
    count = SIZES[workload]
    request = order_sign_request(count)
    assert orjson.dumps(request) == orjson.dumps(order_sign_request(count))
    assert orjson.dumps(request) != orjson.dumps(order_sign_request(count, DEFAULT_SEED + 1))
    resources = _resources(request)
    assert len(resources) == count
    assert len({(r["resourceType"], r["id"]) for r in resources}) == count
    assert orjson.dumps(request).count(HOOK_INSTANCE.encode()) == 1


def test_typical_workload_is_a_long_history_of_about_250_kb() -> None:
    request = order_sign_request(SIZES["typical"])
    assert 200_000 < len(orjson.dumps(request)) < 320_000
    types = Counter(r["resourceType"] for r in _resources(request))
    assert types["Observation"] > 40 and types["Condition"] > 20 and types["MedicationRequest"] > 30
    courses = [r for r in _resources(request) if r["resourceType"] == "Procedure"
               and "codexrt" in str(r.get("meta", {}).get("profile"))]
    assert len(courses) >= 2


@pytest.mark.parametrize("workload", list(SIZES))
def test_each_workload_is_answered_with_its_card(client, workload: str) -> None:
    """NSCLC, painful uncomplicated femur metastasis, ECOG 1, ordered 30 Gy/10F: suggests 8 Gy/1F."""
    response = client.post(SERVICE_PATH, content=orjson.dumps(order_sign_request(SIZES[workload])),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    [card] = cards_for(response.json(), EXPECTED_RULE)
    assert SINGLE_FRACTION in suggested_regimens(card)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def fhir_stub() -> Iterator[str]:
    """The stub on a loopback port, answering at once, holding the typical workload's history."""
    server = uvicorn.Server(uvicorn.Config(FhirStub(patient_history(SIZES["typical"]), latency_s=0),
                                           host="127.0.0.1", port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "FHIR stub did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{server.config.port}{BASE_PATH}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.e2e
def test_fallback_workload_reads_the_history_from_the_stub(client, fhir_stub: str) -> None:
    conditions = httpx.get(f"{fhir_stub}/Condition", params={"patient": "pat-1"}).json()
    expected = [r for r in patient_history(SIZES["typical"]) if r["resourceType"] == "Condition"]
    assert [entry["resource"] for entry in conditions["entry"]] == expected
    assert httpx.get(f"{fhir_stub}/Condition", params={"patient": "other"}).status_code == 404

    response = client.post(SERVICE_PATH, content=orjson.dumps(fallback_request(fhir_stub)),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    answer = response.json()
    [card] = cards_for(answer, EXPECTED_RULE)
    assert SINGLE_FRACTION in suggested_regimens(card)
    assert all(card["source"]["topic"]["code"] != "data-unavailable" for card in answer["cards"])


@dataclass
class _Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    cpu_ms: float | None = 1.25


def test_report_compares_the_service_with_the_baselines_run_alongside() -> None:
    results = Results(started="2026-11-27T22:00:00+00:00", seed=1, connections=16, duration_s=10, warmup_s=3,
                      fhir_latency_ms=20, machine={})
    for app, rps in (("service", 900.0), ("raw", 1800.0), ("dict", 450.0)):
        results.add_load("typical", 200, 270_000, app, _Load(rps, 16.0, 24.0), cards=1)
    for resources, p50 in ((20, 1.0), (200, 2.8), (2000, 21.0)):
        results.add_growth(resources, _Load(0, p50, p50))
    results.add_fallback(_Load(0, 27.0, 30.0), {"Observation?patient=pat-1": _Load(0, 20.0, 21.0),
                                                "Patient/pat-1": _Load(0, 19.0, 20.0)})
    results.peak_rss_mb = {"service": 120.0}
    results.startup_s = {"service": 1.2}
    results.evaluate_targets()

    assert results.ratio("typical", "raw") == 0.5
    assert results.ratio("typical", "dict") == 2.0
    assert results.slopes() == [0.01, 0.0101]
    assert results.fallback["limit_ms"] == 31.0 and results.fallback["slowest_query"] == "Observation"
    assert all(target["met"] for target in results.targets), results.targets
    service_row = "| typical | 200 | 264 | service | 900 | 16.0 | 24.0 | 0 | 1.25 | 0.50 | 2.00 |"
    assert service_row in render_table(results)


def test_report_flags_a_quadratic_cost_and_errors() -> None:
    results = Results(started="", seed=1, connections=16, duration_s=10, warmup_s=3, fhir_latency_ms=20,
                      machine={})
    results.add_load("typical", 200, 270_000, "service", _Load(100.0, 150.0, 300.0, errors=3), cards=1)
    for resources, p50 in ((20, 1.0), (200, 5.0), (2000, 401.0)):
        results.add_growth(resources, _Load(0, p50, p50))
    results.evaluate_targets()
    met = {target["target"]: target["met"] for target in results.targets}
    assert met["errors, every workload"] is False
    assert met["growth: slope 200->2,000 / slope 20->200"] is False
    assert met["typical: p99 ms at 16 connections"] is False


@pytest.mark.parametrize("baseline", ["raw_app", "dict_app", "parse_app"])
def test_each_baseline_answers_the_service_path_with_no_cards(baseline: str) -> None:
    with TestClient(getattr(baselines, baseline)) as client:
        response = client.post(SERVICE_PATH, content=orjson.dumps(order_sign_request(SIZES["small"])),
                               headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()) == (200, {"cards": []})


def test_the_parse_baseline_really_parses_the_body() -> None:
    with TestClient(baselines.parse_app, raise_server_exceptions=False) as client:
        response = client.post(SERVICE_PATH, content=b"{not json",
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 500
