"""End to end over real sockets: the installed command serves on a loopback port, a FHIR stub answers on
another, and every hook is called without prefetch so all data comes through the FHIR fallback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from service.cards.notices import NOTICE_SYSTEM
from tests.conftest import card_rule_ids
from tests.fhir import PATIENT_ID, TODAY, bundle, hook_request, lung_cancer, metastasis, rt_order, symptom
from tests.test_response_invariants import assert_conformant

pytestmark = pytest.mark.e2e

TOKEN = "e2e-access-token"
STORY = [lung_cancer(), metastasis("bone"), symptom("mscc")]
SLOW_SECONDS = 10


class FhirStub(BaseHTTPRequestHandler):
    """A read-only FHIR server holding STORY: conditions in two pages; under /slow, observations hang."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        FhirStub.seen.append({"path": url.path, "query": query,
                              "authorization": self.headers.get("Authorization")})
        base, _, relative = url.path.partition("/fhir/")
        if relative == "Observation" and base == "/slow":
            time.sleep(SLOW_SECONDS)
        self._answer(self._resource(relative, query, f"http://{self.headers['Host']}{base}/fhir"))

    def _resource(self, relative: str, query: dict[str, list[str]], base_url: str) -> dict[str, Any] | None:
        if relative == f"Patient/{PATIENT_ID}":
            return {"resourceType": "Patient", "id": PATIENT_ID}
        if query.get("patient") != [PATIENT_ID] and "page" not in query:
            return None
        if relative == "Condition" and query.get("page") == ["2"]:
            return bundle(list(STORY[2:]))
        if relative == "Condition":
            first = bundle(STORY[:2])
            first["link"] = [{"relation": "next", "url": f"{base_url}/Condition?page=2"}]
            return first
        return bundle([r for r in STORY if r["resourceType"] == relative])

    def _answer(self, resource: dict[str, Any] | None) -> None:
        body = json.dumps(resource or {"resourceType": "OperationOutcome",
                                       "issue": [{"severity": "error", "code": "not-found"}]}).encode()
        self.send_response(200 if resource else 404)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


class _StubServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the service opens a connection per prefetch key at once


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def fhir_base() -> Iterator[str]:
    server = _StubServer(("127.0.0.1", 0), FhirStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def service_url(tmp_path_factory) -> Iterator[str]:
    workdir: Path = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {**os.environ, "PRT_CDS_AUTH_MODE": "off", "PRT_CDS_FIXED_TODAY": TODAY.isoformat(),
           "PRT_CDS_LANGUAGE": "en", "PRT_CDS_FHIR_TIMEOUT_S": "1.5",
           "PRT_CDS_DATABASE_URL": f"sqlite:///{workdir / 'cds.db'}"}
    log = (workdir / "service.log").open("wb")
    command = [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "service did not start"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _without_prefetch(hook: str, fhir_server: str) -> dict[str, Any]:
    orders = [rt_order("thoracic-spine", 8, 1)] if hook != "patient-view" else []
    request = hook_request(hook, [], orders=orders)
    del request["prefetch"]
    request["fhirServer"] = fhir_server
    request["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300,
                                    "scope": "patient/*.read", "subject": "palliative-rt-cds",
                                    "patient": PATIENT_ID}
    return request


def _notices(response: dict[str, Any]) -> list[dict[str, Any]]:
    return [card for card in response["cards"] if card["source"]["topic"]["system"] == NOTICE_SYSTEM]


def test_discovery_over_http(service_url) -> None:
    services = httpx.get(f"{service_url}/cds-services").json()["services"]
    assert len(services) == 3


@pytest.mark.parametrize("hook", ["patient-view", "order-select", "order-sign"])
def test_every_hook_reads_its_data_from_the_fhir_server(service_url, fhir_base, hook: str) -> None:
    FhirStub.seen.clear()
    response = httpx.post(f"{service_url}/cds-services/palliative-rt-{hook}",
                          json=_without_prefetch(hook, f"{fhir_base}/fhir"), timeout=10)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert_conformant(answer)
    assert "mscc-acute-evaluation" in card_rule_ids(answer)
    assert not _notices(answer)
    paths = sorted(request["path"].removeprefix("/fhir/") for request in FhirStub.seen)
    assert paths == sorted(["BodyStructure", "Condition", "Condition", "MedicationAdministration",
                            "MedicationRequest", "MedicationStatement", "Observation",
                            f"Patient/{PATIENT_ID}", "Procedure"])
    assert {request["authorization"] for request in FhirStub.seen} == {f"Bearer {TOKEN}"}


def test_a_hanging_fhir_server_gives_a_degraded_answer_in_time(service_url, fhir_base) -> None:
    started = time.monotonic()
    response = httpx.post(f"{service_url}/cds-services/palliative-rt-patient-view",
                          json=_without_prefetch("patient-view", f"{fhir_base}/slow/fhir"),
                          timeout=SLOW_SECONDS)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    answer = response.json()
    assert "mscc-acute-evaluation" in card_rule_ids(answer)
    [notice] = _notices(answer)
    assert "observations" in notice["detail"]


def test_no_fhir_server_and_no_prefetch_answers_412(service_url) -> None:
    request = hook_request("patient-view", [])
    del request["prefetch"]
    response = httpx.post(f"{service_url}/cds-services/palliative-rt-patient-view", json=request)
    assert response.status_code == 412
    assert response.json()["resourceType"] == "OperationOutcome"


def test_feedback_round_trip(service_url, fhir_base) -> None:
    answer = httpx.post(f"{service_url}/cds-services/palliative-rt-patient-view",
                        json=_without_prefetch("patient-view", f"{fhir_base}/fhir"), timeout=10).json()
    card = answer["cards"][0]
    feedback = {"feedback": [{"card": card["uuid"], "outcome": "overridden",
                              "outcomeTimestamp": "2026-11-27T10:00:00Z"}]}
    url = f"{service_url}/cds-services/palliative-rt-patient-view/feedback"
    assert httpx.post(url, json=feedback).status_code == 200
    assert httpx.post(url, json=feedback).status_code == 200
    assert httpx.get(f"{service_url}/readyz").json() == {"status": "ready"}
