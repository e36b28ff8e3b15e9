"""service.api.bundle_request: a patient record (FHIR Bundle) or a request, as the request for a hook."""

from __future__ import annotations

import pytest

from service.api.bundle_request import NotAHookRequest, hook_request
from service.api.services import PREFETCH
from service.guideline.model import Hook
from tests.cli.test_evaluate import painful_femur_record, record_bundle
from tests.fhir import PATIENT_ID, medication_request, rt_course, rt_order
from tests.fhir import hook_request as story_request


def keyed(request: dict) -> dict[str, list[str]]:
    """prefetch key -> the ids of its resources."""
    return {key: [entry["resource"]["id"] for entry in value["entry"]]
            for key, value in request["prefetch"].items() if value and value["resourceType"] == "Bundle"}


def test_every_prefetch_key_is_filled_with_the_record_s_resources_of_its_type() -> None:
    story = [*painful_femur_record(), rt_course("femur", 8, 1), medication_request("pembrolizumab")]
    request = hook_request(record_bundle(story), Hook.PATIENT_VIEW)
    assert set(request["prefetch"]) == set(PREFETCH)
    assert request["prefetch"]["patient"] == {"resourceType": "Patient", "id": PATIENT_ID}
    expected = {key: [r["id"] for r in story if PREFETCH[key].startswith(f"{r['resourceType']}?")]
                for key in PREFETCH if key != "patient"}
    assert keyed(request) == expected
    assert request["context"]["patientId"] == PATIENT_ID
    assert "draftOrders" not in request["context"]


def test_draft_service_requests_become_the_draft_orders_all_selected_on_order_select() -> None:
    first, second = rt_order("femur", 30, 10), rt_order("thorax", 20, 5)
    signed = {**rt_order("humerus", 8, 1), "status": "active"}
    request = hook_request(record_bundle([*painful_femur_record(), first, second, signed]))
    assert request["hook"] == "order-select"
    drafts = [entry["resource"]["id"] for entry in request["context"]["draftOrders"]["entry"]]
    assert drafts == [first["id"], second["id"]]
    assert request["context"]["selections"] == [f"ServiceRequest/{draft}" for draft in drafts]
    all_prefetched = [i for ids in keyed(request).values() for i in ids]
    assert signed["id"] not in all_prefetched and first["id"] not in all_prefetched


def test_a_record_without_draft_orders_goes_to_patient_view() -> None:
    assert hook_request(record_bundle(painful_femur_record()))["hook"] == "patient-view"


def test_order_sign_has_draft_orders_and_no_selections() -> None:
    order = rt_order("femur", 30, 10)
    context = hook_request(record_bundle([*painful_femur_record(), order]), Hook.ORDER_SIGN)["context"]
    assert [e["resource"] for e in context["draftOrders"]["entry"]] == [order]
    assert "selections" not in context


def test_a_request_keeps_its_hook_or_moves_to_another() -> None:
    order = rt_order("femur", 30, 10)
    sign = story_request("order-sign", painful_femur_record(), orders=[order])
    assert hook_request(sign) is sign and hook_request(sign, Hook.ORDER_SIGN) is sign
    view = hook_request(sign, Hook.PATIENT_VIEW)
    assert view["hook"] == "patient-view" and "draftOrders" not in view["context"]
    assert view["prefetch"] == sign["prefetch"] and view["hookInstance"] != sign["hookInstance"]
    select = hook_request(sign, Hook.ORDER_SELECT)
    assert select["context"]["selections"] == [f"ServiceRequest/{order['id']}"]
    with pytest.raises(NotAHookRequest, match="a patient-view request has no draft orders to check on"):
        hook_request(view, Hook.ORDER_SIGN)


@pytest.mark.parametrize("document, message", [
    ({"resourceType": "Bundle", "entry": {"resource": {}}}, "Bundle.entry: must be a list"),
    ({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Condition",
                                                         "subject": {"reference": "Patient/a"}}},
                                          {"resource": {"resourceType": "Observation",
                                                        "subject": {"reference": "Patient/b"}}}]},
     "no Patient resource, and the resources refer to 2 patients"),
    ({"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}]},
     "the Patient resource has no id"),
    ({"resourceType": "Bundle", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p"}},
        {"resource": {"resourceType": "ServiceRequest", "status": "draft"}}]},
     "a draft ServiceRequest has no id: order-select selects draft orders by id"),
])
def test_records_that_make_no_request_say_why(document: dict, message: str) -> None:
    with pytest.raises(NotAHookRequest, match=message):
        hook_request(document)


def test_the_wrapped_record_gets_the_cards_of_the_same_story_sent_as_a_request(cds) -> None:
    story, order = painful_femur_record(), rt_order("femur", 30, 10)
    from_record = cds("order-select", hook_request(record_bundle([*story, order])))
    as_request = cds("order-select", story_request("order-select", story, orders=[order]))
    assert from_record["cards"]
    assert [c["summary"] for c in from_record["cards"]] == [c["summary"] for c in as_request["cards"]]
