"""What operators see: one JSON log line per request (no patient data, no tokens) and Prometheus metrics
per service and status, cards per rule id and indicator, feedback outcomes per rule id; with several
workers, /metrics adds up all of them."""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from scripts.load_test import start_service
from service.observability.logs import JsonLines, json_service_logs
from service.observability.metrics import MULTIPROCESS_DIR_VARIABLE
from tests.fhir import hook_request, lung_cancer, metastasis, rt_order, symptom

PATIENT = "PATIENT-0815-SECRET"
NAME = "Jens Hansen-Sekret"
TOKEN = "ACCESS-TOKEN-SECRET"
CLIENT_JWT = "CLIENT.JWT.SECRET"
COMMENT = "Discussed with the patient's daughter Karen Sekret"
MSCC_STORY = [lung_cancer(patient_id=PATIENT) | {"note": [{"text": NAME}]},
              metastasis("bone", patient_id=PATIENT), symptom("mscc", patient_id=PATIENT)]
VIEW = "/cds-services/palliative-rt-patient-view"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    samples = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _story_call(client: TestClient, *, with_failing_server: bool = False) -> tuple[dict[str, Any], Any]:
    request = hook_request("patient-view", MSCC_STORY, patient_id=PATIENT)
    if with_failing_server:
        del request["prefetch"]["observations"]
        request["fhirServer"] = f"http://127.0.0.1:{_closed_port()}/fhir/{PATIENT}"
        request["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300,
                                        "scope": "patient/*.read", "subject": "cds"}
    response = client.post(VIEW, json=request, headers={"Authorization": f"Bearer {CLIENT_JWT}"})
    assert response.status_code == 200, response.text
    return request, response.json()


def test_each_request_logs_one_json_line_without_patient_data_or_tokens(client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    request, answer = _story_call(client, with_failing_server=True)
    card = answer["cards"][0]
    feedback = {"feedback": [{"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp":
                              "2026-11-27T10:00:00Z", "overrideReason": {"userComment": COMMENT}}]}
    assert client.post(f"{VIEW}/feedback", json=feedback).status_code == 200
    assert client.post(VIEW, content=f'{{"patient": "{PATIENT}"'.encode()).status_code == 400
    assert client.post(f"/cds-services/{PATIENT}", json={}).status_code == 404
    orphan = hook_request("order-sign", [], orders=[rt_order("thorax", 20, 5)], patient_id=PATIENT)
    del orphan["prefetch"]["conditions"]  # and no FHIR server to read them from: 412
    assert client.post("/cds-services/palliative-rt-order-sign", json=orphan).status_code == 412

    text = "\n".join(JsonLines().format(record) for record in caplog.records)
    for secret in (PATIENT, NAME, TOKEN, CLIENT_JWT, COMMENT, "/fhir/"):
        assert secret not in text, f"{secret!r} was logged"

    lines = [json.loads(JsonLines().format(r)) for r in caplog.records if r.name == "service.requests"]
    assert [(line["route"], line["status"]) for line in lines] == [
        ("/cds-services/{service_id}", 200), ("/cds-services/{service_id}/feedback", 200),
        ("/cds-services/{service_id}", 400), ("/cds-services/{service_id}", 404),
        ("/cds-services/{service_id}", 412)]
    hook_line, feedback_line, _, not_found, precondition = lines
    assert hook_line["hookInstance"] == request["hookInstance"]
    assert (hook_line["service"], hook_line["hook"]) == ("palliative-rt-patient-view", "patient-view")
    assert hook_line["cards"]["mscc-acute-evaluation"] == 1
    assert sum(hook_line["cards"].values()) == len(answer["cards"])
    assert hook_line["degraded"] is True and hook_line["unavailable"] == ["observations"]
    assert hook_line["duration_ms"] > 0 and hook_line["level"] == "info"
    assert feedback_line["feedback"] == {"received": 1, "stored": 1}
    assert "service" not in not_found
    assert precondition["hookInstance"] == orphan["hookInstance"] and "cards" not in precondition


def test_metrics_count_requests_cards_degraded_answers_and_feedback(client) -> None:
    before = _samples(client)
    _, answer = _story_call(client)
    _, degraded = _story_call(client, with_failing_server=True)
    [card] = [card for card in answer["cards"] if card["source"]["topic"]["code"] == "mscc-acute-evaluation"]
    feedback = {"feedback": [{"card": card["uuid"], "outcome": "overridden",
                              "outcomeTimestamp": "2026-11-27T10:00:00Z"}]}
    for _ in range(2):  # a retry is stored once
        assert client.post(f"{VIEW}/feedback", json=feedback).status_code == 200
    after = _samples(client)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    service = "palliative-rt-patient-view"
    hook_route = {"route": "/cds-services/{service_id}", "service": service, "status": "200"}
    assert delta("prt_cds_requests_total", **hook_route) == 2
    assert delta("prt_cds_request_duration_seconds_count", **hook_route) == 2
    assert delta("prt_cds_requests_total", route="/cds-services/{service_id}/feedback", service=service,
                 status="200") == 2
    assert delta("prt_cds_cards_issued_total", service=service, rule_id="mscc-acute-evaluation",
                 indicator=card["indicator"]) == 2
    assert delta("prt_cds_cards_issued_total", service=service, rule_id="data-unavailable",
                 indicator="info") == 1
    assert delta("prt_cds_degraded_answers_total", service=service) == 1
    assert delta("prt_cds_feedback_total", service=service, rule_id="mscc-acute-evaluation",
                 outcome="overridden") == 1
    assert delta("prt_cds_fhir_fetch_failures_total", key="observations", reason="connect") == 1
    assert delta("prt_cds_fhir_fetch_duration_seconds_count", key="observations", result="connect") == 1
    assert sum(len(answer["cards"]) for answer in (answer, degraded)) == sum(
        delta("prt_cds_cards_issued_total", **dict(labels)) for name, labels in after
        if name == "prt_cds_cards_issued_total")


def test_metrics_are_prometheus_text_and_documented(client) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {"prt_cds_requests", "prt_cds_request_duration_seconds", "prt_cds_cards_issued",
            "prt_cds_feedback", "prt_cds_fhir_fetch_failures", "prt_cds_fhir_fetch_duration_seconds",
            "prt_cds_degraded_answers", "prt_cds_requests_in_progress",
            "process_resident_memory_bytes"} <= names
    assert "/metrics" in client.get("/openapi.json").json()["paths"]


def test_the_served_log_is_json_lines_and_replaces_the_access_log() -> None:
    config = json_service_logs({"loggers": {"uvicorn.access": {"handlers": ["access"]}}})
    assert config["loggers"]["service"]["handlers"] == ["json"]
    assert config["loggers"]["uvicorn.access"]["handlers"] == []
    record = logging.LogRecord("service.requests", logging.INFO, __file__, 1, "POST %s", ("/x",), None)
    record.fields = {"status": 200}
    assert json.loads(JsonLines().format(record)) | {"ts": "-"} == {
        "ts": "-", "level": "info", "logger": "service.requests", "message": "POST /x", "status": 200}


@pytest.mark.e2e
def test_with_several_workers_metrics_add_up_every_worker(tmp_path) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    service = start_service(tmp_path, workers=2, env={MULTIPROCESS_DIR_VARIABLE: str(metrics_dir)})

    def workers_that_answered() -> int:
        return len(list(metrics_dir.glob("counter_*.db")))  # one file per process that counted

    sent = 0
    try:
        with httpx.Client(base_url=service.url) as client:
            # Each on a new connection, which either worker may accept, until both have answered.
            while sent < 20 or (workers_that_answered() < 2 and sent < 500):
                assert client.get("/healthz", headers={"Connection": "close"}).status_code == 200
                sent += 1
            text = client.get("/metrics").text
    finally:
        service.stop()
    assert workers_that_answered() == 2
    healthz = [sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "prt_cds_requests_total" and sample.labels["route"] == "/healthz"]
    assert healthz == [sent]


def test_a_restart_starts_the_worker_metrics_afresh(tmp_path) -> None:
    """A metrics directory that outlived the previous workers (a restarted container's emptyDir): serve
    clears it before the workers start, so dead processes' files neither add stale counts nor break
    `/metrics`."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    stale = metrics_dir / "counter_4242.db"
    stale.write_bytes(b"left by a worker of the previous run")
    service = start_service(tmp_path, workers=2, env={MULTIPROCESS_DIR_VARIABLE: str(metrics_dir)})
    try:
        with httpx.Client(base_url=service.url) as client:
            assert client.get("/healthz").status_code == 200
            assert client.get("/metrics").status_code == 200
    finally:
        service.stop()
    assert not stale.exists()
