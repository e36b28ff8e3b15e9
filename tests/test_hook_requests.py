"""Calling the three hook services: valid requests, tolerance of newer clients, card language."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.app import create_app
from tests.fhir import (
    PATIENT_ID,
    hook_request,
    lung_cancer,
    medication_request,
    metastasis,
    rt_order,
    symptom,
)

MSCC_STORY = [lung_cancer(), metastasis("bone"), symptom("mscc")]
"""NSCLC with bone metastases and spinal cord compression: recommendation 5 fires on every hook."""


def _post(client: TestClient, hook: str, request: dict, **headers: str):
    return client.post(f"/cds-services/palliative-rt-{hook}", json=request, headers=headers)


def test_every_hook_answers_200_with_a_json_card_list(client) -> None:
    for hook in ("patient-view", "order-select", "order-sign"):
        orders = [rt_order("thorax", 30, 10)] if hook != "patient-view" else []
        response = _post(client, hook, hook_request(hook, [symptom("cough")], orders=orders))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert isinstance(response.json()["cards"], list)


def test_patient_view_of_a_patient_without_lung_cancer_has_no_cards(client) -> None:
    response = _post(client, "patient-view", hook_request("patient-view", [symptom("cough")]))
    assert response.json() == {"cards": []}


def test_mscc_patient_gets_the_critical_card_on_every_hook(cds, rule_ids) -> None:
    for hook in ("patient-view", "order-select", "order-sign"):
        orders = [rt_order("thoracic-spine", 8, 1)] if hook != "patient-view" else []
        response = cds(hook, hook_request(hook, MSCC_STORY, orders=orders))
        assert "mscc-acute-evaluation" in rule_ids(response), hook
        critical = [card for card in response["cards"] if card["indicator"] == "critical"]
        assert critical, hook


def test_unknown_members_and_extensions_of_newer_clients_are_tolerated(cds, rule_ids) -> None:
    request = hook_request("patient-view", MSCC_STORY)
    request["extension"] = {"org.example.trace": {"id": 7}}
    request["hookVersion"] = "1.0"
    request["context"]["extension"] = {"org.example.ward": "B3"}
    request["context"]["encounterId"] = "enc-1"
    assert "mscc-acute-evaluation" in rule_ids(cds("patient-view", request))


def test_order_select_with_only_a_medication_selected_is_answered(cds) -> None:
    drug = medication_request("pembrolizumab", status="draft", intent="order")
    order = rt_order("thorax", 30, 10)
    request = hook_request("order-select", [lung_cancer()], orders=[order, drug],
                           selections=[f"MedicationRequest/{drug['id']}"])
    assert "cards" in cds("order-select", request)


def test_accept_language_chooses_danish_or_english_cards(client) -> None:
    request = hook_request("patient-view", MSCC_STORY)
    danish = _post(client, "patient-view", request, **{"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"})
    english = _post(client, "patient-view", request, **{"Accept-Language": "en-GB"})
    assert danish.headers["content-language"] == "da"
    assert english.headers["content-language"] == "en"
    danish_summaries = {card["source"]["topic"]["code"]: card["summary"] for card in danish.json()["cards"]}
    english_summaries = {card["source"]["topic"]["code"]: card["summary"] for card in english.json()["cards"]}
    assert danish_summaries.keys() == english_summaries.keys()
    assert all(danish_summaries[key] != english_summaries[key] for key in danish_summaries)


def test_without_a_supported_accept_language_the_configured_language_is_used(settings) -> None:
    request = hook_request("patient-view", MSCC_STORY)
    with TestClient(create_app(settings.model_copy(update={"language": "da"}))) as danish_client:
        assert _post(danish_client, "patient-view", request).headers["content-language"] == "da"
        assert _post(danish_client, "patient-view", request,
                     **{"Accept-Language": "fr-FR"}).headers["content-language"] == "da"


def test_draft_orders_bundle_without_type_is_accepted(cds) -> None:
    request = hook_request("order-sign", [lung_cancer()], orders=[rt_order("thorax", 30, 10)])
    assert "type" not in request["context"]["draftOrders"]
    assert "cards" in cds("order-sign", request)


def test_the_answer_never_names_the_patient_outside_order_resources(cds) -> None:
    response = cds("patient-view", hook_request("patient-view", MSCC_STORY))
    for card in response["cards"]:
        without_actions = {key: value for key, value in card.items() if key != "suggestions"}
        assert PATIENT_ID not in str(without_actions)
