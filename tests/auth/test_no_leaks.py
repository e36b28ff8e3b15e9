"""Secrets never leave the request: the FHIR access token, the client's JWTs and the patient identifier
appear in no log line, no error body and nowhere in the database, across a full request cycle
(discovery, a hook call with FHIR fallback reads, feedback, replays, bad requests, 401, 412)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient

from service.settings import Settings
from tests.auth.tokens import DISCOVERY_URL, ISSUER, JWKS_URL, SigningKey, claims, jwk_set, sign
from tests.fhir import (
    SITE_CODES,
    SNOMED,
    bundle,
    days_ago,
    ecog,
    hook_request,
    lung_cancer,
    metastasis,
    symptom,
)

PATIENT = "PX-7Q2X-093144"
ACCESS_TOKEN = "fhir-at-" + secrets.token_urlsafe(24)
FHIR = "https://fhir.region-h.example/R4"
SERVICE = "palliative-rt-patient-view"
SERVICE_URL = f"{DISCOVERY_URL}/{SERVICE}"
THORACIC_SPINE = (SNOMED, SITE_CODES["thoracic-spine"])


def mscc_story() -> list[dict[str, Any]]:
    """NSCLC with spinal cord compression two days ago: a critical card on patient-view."""
    return [
        lung_cancer("nsclc", patient_id=PATIENT),
        metastasis("bone", body_site=THORACIC_SPINE, patient_id=PATIENT),
        symptom("mscc", body_site=THORACIC_SPINE, recorded=days_ago(2), onsetDateTime=days_ago(2),
                patient_id=PATIENT),
    ]


def ehr_request(*, without: tuple[str, ...] = ("observations", "medications", "procedures"),
                ) -> dict[str, Any]:
    """The hook call of an EHR that sends a FHIR access token and leaves keys for the service to read."""
    request = hook_request("patient-view", mscc_story(), patient_id=PATIENT)
    request["fhirServer"] = FHIR
    request["fhirAuthorization"] = {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 300,
                                    "scope": "patient/*.read", "subject": "palliative-rt-cds"}
    for key in without:
        request["prefetch"].pop(key)
    return request


class Exchanges:
    """Every answer the service gave in the test."""

    def __init__(self) -> None:
        self.answers: list[httpx.Response] = []

    def keep(self, response: httpx.Response) -> httpx.Response:
        self.answers.append(response)
        return response


@pytest.fixture
def fhir_server() -> respx.MockRouter:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def test_secrets_appear_in_no_log_answer_or_database(
        tmp_path: Path, jwt_settings: Callable[..., Settings], open_client: Callable[[Settings], TestClient],
        es_key: SigningKey, fhir_server: respx.MockRouter, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fhir_server.get(JWKS_URL).respond(json=jwk_set(es_key))
    observations = fhir_server.get(f"{FHIR}/Observation").respond(
        json=bundle([ecog(2, patient_id=PATIENT)]))
    fhir_server.get(f"{FHIR}/MedicationRequest").respond(500, json={"resourceType": "OperationOutcome"})
    fhir_server.get(f"{FHIR}/Procedure").mock(side_effect=httpx.ConnectError(f"refused {PATIENT}"))
    fhir_server.get(f"{FHIR}/Condition").respond(503)
    client = open_client(jwt_settings(trusted_issuers={ISSUER: {"jwks_url": JWKS_URL}}))
    seen = Exchanges()
    jwts: list[str] = []

    def bearer(aud: str) -> dict[str, str]:
        jwts.append(sign(es_key, claims(aud)))
        return {"Authorization": f"Bearer {jwts[-1]}"}

    # The normal cycle: discovery, a hook call with fallback reads (one degraded), feedback.
    assert seen.keep(client.get("/cds-services", headers=bearer(DISCOVERY_URL))).status_code == 200
    headers = bearer(SERVICE_URL)
    answer = seen.keep(client.post(f"/cds-services/{SERVICE}", json=ehr_request(), headers=headers))
    assert answer.status_code == 200, answer.text
    cards = answer.json()["cards"]
    assert cards
    feedback = {"feedback": [{"card": card["uuid"], "outcome": "overridden",
                              "outcomeTimestamp": "2026-11-27T10:15:00Z"} for card in cards]}
    assert seen.keep(client.post(f"/cds-services/{SERVICE}/feedback", json=feedback,
                                 headers=bearer(f"{SERVICE_URL}/feedback"))).status_code == 200

    # The FHIR server did receive the token and the patient id: the secrets were in play.
    fhir_call = observations.calls.last.request
    assert fhir_call.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert PATIENT in str(fhir_call.url)

    # What goes wrong: a replay, a FHIR token sent as the client JWT, bad requests, missing conditions.
    assert seen.keep(client.post(f"/cds-services/{SERVICE}", json=ehr_request(),
                                 headers=headers)).status_code == 401
    assert seen.keep(client.post(f"/cds-services/{SERVICE}", json=ehr_request(),
                                 headers={"Authorization": f"Bearer {ACCESS_TOKEN}"})).status_code == 401
    wrong_hook = {**ehr_request(), "hook": "order-sign"}
    assert seen.keep(client.post(f"/cds-services/{SERVICE}", json=wrong_hook,
                                 headers=bearer(SERVICE_URL))).status_code == 400
    bad_authorization = ehr_request()
    bad_authorization["fhirAuthorization"]["token_type"] = ACCESS_TOKEN
    bad_authorization["fhirAuthorization"]["expires_in"] = PATIENT
    assert seen.keep(client.post(f"/cds-services/{SERVICE}", json=bad_authorization,
                                 headers=bearer(SERVICE_URL))).status_code == 400
    no_conditions = ehr_request(without=("conditions",))
    assert seen.keep(client.post(f"/cds-services/{SERVICE}", json=no_conditions,
                                 headers=bearer(SERVICE_URL))).status_code == 412

    secrets_ = [PATIENT, ACCESS_TOKEN, *jwts, *(jwt.split(".")[2] for jwt in jwts)]
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert "hookInstance=" in logged  # the log was captured
    for secret in secrets_:
        assert secret not in logged
        for response in seen.answers:
            assert all(secret not in value for value in response.headers.values())
            # A successful hook answer is for this patient (suggested orders name them); errors never are.
            if response.is_error:
                assert secret not in response.text
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("cds.db*"))
    assert b"overridden" in stored  # the database was written
    for secret in secrets_:
        assert secret.encode() not in stored
