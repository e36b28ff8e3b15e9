"""Prefetch: the four key states, FHIR fallback (respx), pagination, deadline, 412 and degraded answers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient

from service.app import create_app
from service.cards.notices import NOTICE_SYSTEM
from service.wire.prefetch import fill_template
from tests.fhir import PATIENT_ID, bundle, ecog, hook_request, lung_cancer, metastasis, symptom

FHIR = "https://fhir.example.org/r4"
TOKEN = "secret-access-token"
MSCC_STORY = [lung_cancer(), metastasis("bone"), symptom("mscc")]
SEARCHED_TYPES = ("Condition", "Observation", "Procedure", "MedicationRequest", "MedicationStatement",
                  "MedicationAdministration", "BodyStructure")


def _with_server(request: dict[str, Any], *, token: bool = True,
                 keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request with the prefetch reduced to `keep` and the FHIR server (and token) given."""
    request["prefetch"] = {key: value for key, value in request["prefetch"].items() if key in keep}
    request["fhirServer"] = FHIR
    if token:
        request["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300,
                                        "scope": "patient/*.read", "subject": "palliative-rt-cds",
                                        "patient": PATIENT_ID}
    return request


def _notices(response: dict[str, Any]) -> list[dict[str, Any]]:
    return [card for card in response["cards"] if card["source"]["topic"]["system"] == NOTICE_SYSTEM]


@pytest.fixture
def fhir() -> Iterator[respx.MockRouter]:
    """A FHIR server holding the MSCC story; every search answers one page unless a test says otherwise."""
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{FHIR}/Patient/{PATIENT_ID}", name="Patient").respond(
            json={"resourceType": "Patient", "id": PATIENT_ID})
        for resource_type in SEARCHED_TYPES:
            matching = [r for r in MSCC_STORY if r["resourceType"] == resource_type]
            router.get(f"{FHIR}/{resource_type}", name=resource_type).respond(json=bundle(matching))
        yield router


def _paged(fhir: respx.MockRouter, resource_type: str, first: dict[str, Any], second: dict[str, Any]) -> None:
    """`first` answers the search, `second` its `?page=2`."""
    fhir.routes[resource_type].mock(side_effect=lambda request: httpx.Response(
        200, json=second if request.url.params.get("page") == "2" else first))


def _client(settings, **updates: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=updates)))


def test_absent_keys_are_fetched_from_the_fhir_server_with_the_access_token(fhir, cds, rule_ids) -> None:
    response = cds("patient-view", _with_server(hook_request("patient-view", [])))
    assert "mscc-acute-evaluation" in rule_ids(response)
    assert not _notices(response)
    for resource_type in ("Patient", *SEARCHED_TYPES):
        call = fhir.routes[resource_type].calls.last
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert fhir.routes["Condition"].calls.last.request.url.params["patient"] == PATIENT_ID


def test_without_fhir_authorization_the_server_is_called_without_a_token(fhir, cds, rule_ids) -> None:
    response = cds("patient-view", _with_server(hook_request("patient-view", []), token=False))
    assert "mscc-acute-evaluation" in rule_ids(response)
    assert "Authorization" not in fhir.routes["Condition"].calls.last.request.headers


def test_present_keys_are_used_and_not_fetched(fhir, cds, rule_ids) -> None:
    request = _with_server(hook_request("patient-view", MSCC_STORY),
                           keep=("patient", "conditions", "observations", "procedures", "medications",
                                 "medicationStatements", "medicationAdministrations", "bodyStructures"))
    assert "mscc-acute-evaluation" in rule_ids(cds("patient-view", request))
    assert not any(route.called for route in fhir.routes)


def test_null_key_means_no_data_and_is_not_refetched(fhir, cds) -> None:
    request = _with_server(hook_request("patient-view", MSCC_STORY),
                           keep=("patient", "conditions", "procedures", "medications", "medicationStatements",
                                 "medicationAdministrations", "bodyStructures"))
    request["prefetch"]["observations"] = None
    response = cds("patient-view", request)
    assert not fhir.routes["Observation"].called
    assert not _notices(response)


def test_operation_outcome_key_is_refetched(fhir, cds, rule_ids) -> None:
    request = _with_server(hook_request("patient-view", []), keep=("conditions",))
    request["prefetch"]["conditions"] = {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "timeout", "diagnostics": "search timed out"}]}
    response = cds("patient-view", request)
    assert fhir.routes["Condition"].call_count == 1
    assert "mscc-acute-evaluation" in rule_ids(response)


def test_conditions_unobtainable_by_any_route_answer_412(client) -> None:
    operation_outcome = {"resourceType": "OperationOutcome",
                         "issue": [{"severity": "error", "code": "exception"}]}
    absent = hook_request("patient-view", MSCC_STORY)
    del absent["prefetch"]["conditions"]
    failed = hook_request("patient-view", MSCC_STORY)
    failed["prefetch"]["conditions"] = operation_outcome
    for request in (absent, failed):
        response = client.post("/cds-services/palliative-rt-patient-view", json=request)
        assert response.status_code == 412
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["expression"] == ["prefetch.conditions"]


def test_failing_fhir_server_for_conditions_answers_412(fhir, client) -> None:
    fhir.routes["Condition"].respond(503)
    request = _with_server(hook_request("patient-view", []))
    response = client.post("/cds-services/palliative-rt-patient-view", json=request)
    assert response.status_code == 412
    assert "conditions" in response.json()["issue"][0]["diagnostics"]


def test_optional_keys_without_any_route_give_cards_and_one_notice_naming_them(cds, rule_ids) -> None:
    request = hook_request("patient-view", MSCC_STORY)
    for key in ("observations", "procedures"):
        del request["prefetch"][key]
    response = cds("patient-view", request)
    assert "mscc-acute-evaluation" in rule_ids(response)
    [notice] = _notices(response)
    assert notice["indicator"] == "info"
    assert "observations (performance status" in notice["detail"]
    assert "procedures (previous radiotherapy" in notice["detail"]
    assert "medication" not in notice["detail"]


def test_notice_is_worded_in_danish(cds) -> None:
    request = hook_request("patient-view", MSCC_STORY)
    del request["prefetch"]["observations"]
    [notice] = _notices(cds("patient-view", request, lang="da"))
    assert "observationer (performancestatus" in notice["detail"]
    assert notice["summary"].startswith("Ufuldstændige data")


def test_failing_optional_search_gives_a_degraded_answer(fhir, cds, rule_ids) -> None:
    fhir.routes["Procedure"].respond(500, json={"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "exception"}]})
    fhir.routes["MedicationRequest"].mock(side_effect=httpx.ConnectError("refused"))
    response = cds("patient-view", _with_server(hook_request("patient-view", [])))
    assert "mscc-acute-evaluation" in rule_ids(response)
    [notice] = _notices(response)
    assert "procedures" in notice["detail"] and "medication orders" in notice["detail"]


def test_paginated_prefetch_is_followed_on_the_fhir_server(fhir, cds, rule_ids) -> None:
    first_page = bundle([lung_cancer(), metastasis("bone")])
    first_page["link"] = [{"relation": "self", "url": f"{FHIR}/Condition?patient={PATIENT_ID}"},
                          {"relation": "next", "url": f"{FHIR}/Condition?page=2"}]
    _paged(fhir, "Condition", bundle([]), bundle([symptom("mscc")]))
    request = _with_server(hook_request("patient-view", []), keep=("conditions",))
    request["prefetch"]["conditions"] = first_page
    response = cds("patient-view", request)
    [call] = fhir.routes["Condition"].calls
    assert call.request.url.params["page"] == "2"
    assert "mscc-acute-evaluation" in rule_ids(response)


def test_fetched_searchset_is_followed_to_its_last_page(fhir, cds, rule_ids) -> None:
    first_page = bundle([lung_cancer(), metastasis("bone")])
    first_page["link"] = [{"relation": "next", "url": f"{FHIR}/Condition?page=2"}]
    _paged(fhir, "Condition", first_page, bundle([symptom("mscc")]))
    response = cds("patient-view", _with_server(hook_request("patient-view", [])))
    assert fhir.routes["Condition"].call_count == 2
    assert "mscc-acute-evaluation" in rule_ids(response)
    assert not _notices(response)


def test_next_link_to_another_host_is_not_followed_so_the_token_stays_home(fhir, client) -> None:
    elsewhere = fhir.get("https://elsewhere.example.com/Condition").respond(json=bundle([symptom("mscc")]))
    first_page = bundle([lung_cancer()])
    first_page["link"] = [{"relation": "next", "url": "https://elsewhere.example.com/Condition?page=2"}]
    fhir.routes["Condition"].respond(json=first_page)
    response = client.post("/cds-services/palliative-rt-patient-view",
                           json=_with_server(hook_request("patient-view", [])))
    assert not elsewhere.called
    assert response.status_code == 412  # the conditions could not be read completely


def test_pagination_stops_at_the_page_cap(fhir, settings, rule_ids) -> None:
    endless = bundle([ecog(1)])
    endless["link"] = [{"relation": "next", "url": f"{FHIR}/Observation?page=next"}]
    fhir.routes["Observation"].respond(json=endless)
    with _client(settings, fhir_page_cap=3) as client:
        response = client.post("/cds-services/palliative-rt-patient-view",
                               json=_with_server(hook_request("patient-view", [])))
    assert response.status_code == 200
    assert fhir.routes["Observation"].call_count == 3
    [notice] = _notices(response.json())
    assert "observations" in notice["detail"]
    assert "mscc-acute-evaluation" in rule_ids(response.json())


def test_slow_fhir_server_gives_a_degraded_answer_within_the_deadline(fhir, settings, rule_ids) -> None:
    async def hang(_: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json=bundle([]))

    fhir.routes["Observation"].mock(side_effect=hang)
    with _client(settings, fhir_timeout_s=0.5) as client:
        started = time.perf_counter()
        response = client.post("/cds-services/palliative-rt-patient-view",
                               json=_with_server(hook_request("patient-view", [])))
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert elapsed < 3
    assert "mscc-acute-evaluation" in rule_ids(response.json())
    [notice] = _notices(response.json())
    assert "observations" in notice["detail"]


def test_missing_keys_are_fetched_concurrently(fhir, settings) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.4)
        resource_type = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, json=bundle([r for r in MSCC_STORY if r["resourceType"] == resource_type]))

    for resource_type in SEARCHED_TYPES:
        fhir.routes[resource_type].mock(side_effect=slow)
    # Seven searches of 0.4 s each fit a 2 s deadline only when they run side by side.
    with _client(settings, fhir_timeout_s=2.0) as client:
        response = client.post("/cds-services/palliative-rt-patient-view",
                               json=_with_server(hook_request("patient-view", [])))
    assert response.status_code == 200
    assert not _notices(response.json())


def test_neither_the_access_token_nor_the_patient_id_is_logged(fhir, cds, caplog) -> None:
    fhir.routes["Procedure"].respond(500)
    with caplog.at_level(logging.DEBUG):
        request = _with_server(hook_request("patient-view", []))
        cds("patient-view", request)
    assert caplog.records
    assert request["hookInstance"] in caplog.text
    assert TOKEN not in caplog.text
    assert PATIENT_ID not in caplog.text


def test_template_tokens_are_filled_from_the_context() -> None:
    context = {"patientId": "p 1/x", "userId": "PractitionerRole/role-7", "encounterId": "enc-2"}
    assert fill_template("Condition?patient={{context.patientId}}", context) == "Condition?patient=p%201%2Fx"
    assert fill_template("Encounter/{{ context.encounterId }}", context) == "Encounter/enc-2"
    assert fill_template("PractitionerRole/{{userPractitionerRoleId}}", context) == "PractitionerRole/role-7"
    assert fill_template("Practitioner/{{userPractitionerId}}", context) is None
    assert fill_template("Encounter/{{context.encounterId}}", {"patientId": "p"}) is None
    assert fill_template("Patient?_id={{context.draftOrders}}", {"draftOrders": {"a": 1}}) is None


def test_every_prefetch_key_has_a_notice_label_in_both_languages() -> None:
    from service.api.services import PREFETCH
    from service.cards.catalogue import default_catalogue

    for language in ("da", "en"):
        labels = default_catalogue().shared["notices"][language]["data"]
        assert set(labels) == set(PREFETCH), language
