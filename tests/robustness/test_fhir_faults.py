"""A failing FHIR server on the fallback path: every fault gives a bounded-time answer, the data-unavailable
card when optional data is missing, 412 when the patient's conditions are, and a counted failure reason.

The faults come from a real loopback server (scripts/fhir_stub.py); the service under test reads it through
its own connection pool, with PRT_CDS_FHIR_TIMEOUT_S = TIMEOUT_S.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scripts.fhir_stub import FAULTS, FhirStub
from service.app import create_app
from service.cards.notices import DATA_UNAVAILABLE, NOTICE_SYSTEM
from service.observability.metrics import REGISTRY
from tests.conftest import card_rule_ids
from tests.fhir import ecog, hook_request, lung_cancer, metastasis, symptom
from tests.robustness.support import service_settings

TIMEOUT_S = 1.0
MARGIN_S = 1.5
"""Evaluation, rendering and the test client's own overhead on a busy two-core machine."""
STORY = [lung_cancer(), metastasis("bone"), symptom("mscc"), ecog(1)]
TOKEN = "fault-test-access-token"
REFUSED = "connection-refused"
REASON = {
    "status-401": "http-401", "status-403": "http-403", "status-404": "http-404", "status-500": "http-500",
    "status-503": "http-503", "hang": "timeout", "trickle": "timeout", "invalid-json": "not-json",
    "not-bundle": "unexpected-type", "endless-next": "incomplete", "gigantic": "too-large",
    "gigantic-chunked": "too-large", REFUSED: "connect",
}
assert set(REASON) == {*FAULTS, REFUSED}


@pytest.fixture(scope="module")
def stub() -> Iterator[FhirStub]:
    with FhirStub(STORY) as server:
        yield server


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[TestClient]:
    database = tmp_path_factory.mktemp("faults") / "cds.db"
    settings = service_settings(f"sqlite:///{database}", fhir_timeout_s=TIMEOUT_S)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/fhir"




def _call(client: TestClient, fhir_server: str) -> tuple[float, Any]:
    request = hook_request("patient-view", [])
    del request["prefetch"]
    request |= {"fhirServer": fhir_server,
                "fhirAuthorization": {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300,
                                      "scope": "patient/*.read", "subject": "palliative-rt-cds"}}
    started = time.monotonic()
    response = client.post("/cds-services/palliative-rt-patient-view", json=request)
    return time.monotonic() - started, response


def _failures(key: str, reason: str) -> float:
    return REGISTRY.get_sample_value("prt_cds_fhir_fetch_failures_total", {"key": key, "reason": reason}) or 0


def test_the_stub_serves_the_story_when_healthy(client, stub) -> None:
    _, response = _call(client, stub.url("ok"))
    assert response.status_code == 200
    assert "mscc-acute-evaluation" in card_rule_ids(response.json())
    topics = {card["source"]["topic"]["system"] for card in response.json()["cards"]}
    assert NOTICE_SYSTEM not in topics


@pytest.mark.parametrize("fault", FAULTS)
def test_observations_failing_gives_the_rules_and_the_data_unavailable_card_in_time(client, stub,
                                                                                     fault: str) -> None:
    """Observations (performance status, survival) fail; the conditions arrive: the MSCC card still comes,
    with the info card naming what could not be read."""
    before = _failures("observations", REASON[fault])
    took, response = _call(client, stub.url(f"{fault}:Observation"))
    assert took < TIMEOUT_S + MARGIN_S
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "mscc-acute-evaluation" in card_rule_ids(answer)
    [notice] = [card for card in answer["cards"] if card["source"]["topic"]["code"] == DATA_UNAVAILABLE]
    assert "observations" in notice["detail"]
    assert _failures("observations", REASON[fault]) == before + 1


@pytest.mark.parametrize("fault", REASON)
def test_every_read_failing_answers_412_in_time(client, stub, fault: str) -> None:
    """Without the patient's conditions no rule can tell whether the guideline applies."""
    before = _failures("conditions", REASON[fault])
    took, response = _call(client, _closed_port_url() if fault == REFUSED else stub.url(fault))
    assert took < TIMEOUT_S + MARGIN_S
    assert response.status_code == 412, response.text
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == ["prefetch.conditions"]
    assert _failures("conditions", REASON[fault]) == before + 1


def test_a_record_over_the_byte_budget_is_read_up_to_the_budget_and_answered_in_time(tmp_path) -> None:
    """Many observations and a small budget: the conditions fit, the observations do not."""
    observations = [ecog(score % 5) for score in range(400)]
    budget = 16 * 1024
    with FhirStub([*STORY, *observations]) as big_record, TestClient(create_app(
            service_settings(f"sqlite:///{tmp_path / 'cds.db'}", fhir_timeout_s=TIMEOUT_S,
                             fhir_max_bytes=budget))) as client:
        before = _failures("observations", "too-large")
        took, response = _call(client, big_record.url("ok"))
    assert took < TIMEOUT_S + MARGIN_S
    assert response.status_code == 200
    assert "mscc-acute-evaluation" in card_rule_ids(response.json())
    assert DATA_UNAVAILABLE in {card["source"]["topic"]["code"] for card in response.json()["cards"]}
    assert _failures("observations", "too-large") == before + 1
