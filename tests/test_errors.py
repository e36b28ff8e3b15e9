"""Every error answers its status with a FHIR OperationOutcome that names the field, never internals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.fhir import hook_request, lung_cancer, rt_order

URL = "/cds-services/palliative-rt-patient-view"


def _outcome(response, status: int) -> list[dict[str, Any]]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"] and all(issue["severity"] == "error" for issue in body["issue"])
    return body["issue"]


def _diagnostics(issues: list[dict[str, Any]]) -> str:
    return " | ".join(issue["diagnostics"] for issue in issues)


def _without(path: str) -> dict[str, Any]:
    request = hook_request("order-select", [lung_cancer()], orders=[rt_order("thorax", 30, 10)])
    *parents, last = path.split(".")
    target = request
    for part in parents:
        target = target[part]
    del target[last]
    return request


@pytest.mark.parametrize("body", [b"", b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_a_json_object_answers_400(client, body: bytes) -> None:
    issues = _outcome(client.post(URL, content=body, headers={"Content-Type": "application/json"}), 400)
    assert _diagnostics(issues).startswith("body:")


@pytest.mark.parametrize("path", ["hook", "hookInstance", "context", "context.patientId", "context.userId",
                                  "context.draftOrders", "context.selections"])
def test_a_missing_required_field_is_named(client, path: str) -> None:
    response = client.post("/cds-services/palliative-rt-order-select", json=_without(path))
    issues = _outcome(response, 400)
    assert f"{path}: field required" in _diagnostics(issues)
    assert [path] in [issue.get("expression") for issue in issues]


def test_a_hook_that_does_not_match_the_service_answers_400(client) -> None:
    request = hook_request("order-sign", [lung_cancer()], orders=[rt_order("thorax", 30, 10)])
    issues = _outcome(client.post(URL, json=request), 400)
    assert issues[0]["expression"] == ["hook"]
    assert "patient-view" in issues[0]["diagnostics"]


def test_fhir_authorization_without_fhir_server_answers_400(client) -> None:
    request = hook_request("patient-view", [lung_cancer()])
    request["fhirAuthorization"] = {"access_token": "secret-token", "token_type": "Bearer", "expires_in": 300,
                                    "scope": "patient/*.read", "subject": "palliative-rt-cds"}
    response = client.post(URL, json=request)
    issues = _outcome(response, 400)
    assert "fhirServer" in _diagnostics(issues)
    assert "secret-token" not in response.text


def test_invalid_members_are_named_with_their_path(client) -> None:
    request = hook_request("order-select", [lung_cancer()], orders=[rt_order("thorax", 30, 10)])
    request["context"]["selections"] = ["not a reference"]
    request["context"]["draftOrders"] = {"resourceType": "Parameters"}
    issues = _outcome(client.post("/cds-services/palliative-rt-order-select", json=request), 400)
    assert "context.draftOrders: draftOrders must be a FHIR Bundle" in _diagnostics(issues)
    assert "context.selections" in _diagnostics(issues)


def test_a_selection_that_is_not_a_draft_order_answers_400(client) -> None:
    request = hook_request("order-select", [lung_cancer()], orders=[rt_order("thorax", 30, 10)],
                           selections=["ServiceRequest/not-drafted"])
    issues = _outcome(client.post("/cds-services/palliative-rt-order-select", json=request), 400)
    assert issues[0]["expression"] == ["context.selections"]
    assert "ServiceRequest/not-drafted" in issues[0]["diagnostics"]


@pytest.mark.parametrize("server", ["ftp://fhir.example.org", "fhir.example.org/r4", "https://"])
def test_a_fhir_server_that_is_not_an_http_url_answers_400(client, server: str) -> None:
    request = hook_request("patient-view", [lung_cancer()])
    request["fhirServer"] = server
    issues = _outcome(client.post(URL, json=request), 400)
    assert issues[0]["expression"] == ["fhirServer"]


def test_wrong_token_type_is_named(client) -> None:
    request = hook_request("patient-view", [lung_cancer()])
    request["fhirServer"] = "https://fhir.example.org"
    request["fhirAuthorization"] = {"access_token": "t", "token_type": "MAC", "expires_in": 300,
                                    "scope": "patient/*.read", "subject": "s"}
    issues = _outcome(client.post(URL, json=request), 400)
    assert "fhirAuthorization.token_type" in _diagnostics(issues)


def test_unknown_service_answers_404(client) -> None:
    request = hook_request("patient-view", [lung_cancer()])
    issues = _outcome(client.post("/cds-services/no-such-service", json=request), 404)
    assert issues[0]["code"] == "not-found"


def test_unknown_path_and_wrong_method_answer_with_an_operation_outcome(client) -> None:
    _outcome(client.get("/no-such-path"), 404)
    _outcome(client.get(URL), 405)


def test_a_body_over_the_limit_answers_413_before_parsing(settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"max_body_bytes": 2048}))) as client:
        issues = _outcome(client.post(URL, content=b"{" + b" " * 4096 + b"}"), 413)
        assert issues[0]["code"] == "too-long"

        def chunks():
            yield b"{"
            yield b" " * 4096
            yield b"}"

        # No Content-Length (chunked upload): the limit holds while reading.
        _outcome(client.post(URL, content=chunks()), 413)


def test_an_unexpected_error_answers_500_without_internals(client, monkeypatch) -> None:
    def fail(*_: object, **__: object) -> None:
        raise RuntimeError("internal detail /srv/secret.py pat-1")

    monkeypatch.setattr("service.api.evaluation.build_patient_facts", fail)
    response = client.post(URL, json=hook_request("patient-view", [lung_cancer()]))
    issues = _outcome(response, 500)
    assert issues[0]["diagnostics"] == "internal error"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_jwt_mode_without_trusted_issuers_rejects_every_cds_call_with_a_bare_401(settings) -> None:
    request = hook_request("patient-view", [lung_cancer()])
    with TestClient(create_app(settings.model_copy(update={"auth_mode": "jwt"}))) as client:
        for response in (client.get("/cds-services"),
                         client.post(URL, json=request),
                         client.post(f"{URL}/feedback", json={"feedback": []}),
                         client.get("/cds-services", headers={"Authorization": "Bearer abc.def.ghi"}),
                         client.post("/cds-services/no-such-service", json=request)):
            assert response.status_code == 401
            assert response.content == b""
            assert response.headers["www-authenticate"] == "Bearer"
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


def test_auth_off_logs_a_warning_at_start(settings, caplog) -> None:
    with caplog.at_level("WARNING", logger="service"), TestClient(create_app(settings)):
        pass
    assert "PRT_CDS_AUTH_MODE=off" in caplog.text


def test_readyz_answers_503_when_the_database_is_unreachable(client, tmp_path, monkeypatch) -> None:
    from sqlalchemy import create_engine

    assert client.get("/readyz").json() == {"status": "ready"}
    store = client.app.state.runtime.store
    monkeypatch.setattr(store, "engine", create_engine(f"sqlite:///{tmp_path}/missing-dir/cds.db"))
    issues = _outcome(client.get("/readyz"), 503)
    assert issues[0]["diagnostics"] == "database: not reachable"
    assert client.get("/healthz").json() == {"status": "ok"}
