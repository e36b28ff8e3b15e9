"""Property tests on the FHIR side: arbitrary JSON-valid resources in prefetch and draftOrders.

Patient stories from tests/fhir.py are mutated at random places (a member deleted, replaced by a value of
another type, an absurd date, a huge string, deep nesting, a unit that is not Gy or cGy, zero or negative
fractions, an unknown code system) and mixed with wholly arbitrary resources. Whatever arrives, the service
answers 200 with valid cards or a 4xx OperationOutcome, never 5xx, and no card cites a resource the
request did not contain.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from service.api.services import PREFETCH, SERVICE_ID_BY_HOOK
from service.app import create_app
from service.cards.render import EXTENSION_KEY, RULE_SYSTEM
from service.wire.models import CdsResponse
from tests.fhir import (
    DOSE_PRESCRIBED,
    PATIENT_ID,
    SITE_CODES,
    driver,
    ecog,
    karnofsky,
    lung_cancer,
    m_stage,
    medication_request,
    metastasis,
    rt_course,
    rt_order,
    stated,
    survival_estimate,
    symptom,
)
from tests.robustness.support import service_settings
from tests.test_response_invariants import assert_conformant

EXAMPLES = int(os.environ.get("PRT_CDS_PROPERTY_EXAMPLES", "150"))
"""Per property; the long run sets PRT_CDS_PROPERTY_EXAMPLES (README, "Operating the service")."""

STORY_RESOURCES = [
    lung_cancer(), lung_cancer("sclc"), lung_cancer("unknown"), metastasis("bone"),
    metastasis("brain", lesions=3), metastasis("liver"), symptom("mscc"), symptom("hemoptysis"),
    symptom("headache"), stated("not-curable"), stated("oligometastatic-disease"), ecog(1), ecog(3),
    karnofsky(60), survival_estimate(4), survival_estimate(2, unit="wk"), m_stage(), driver("EGFR"),
    medication_request("osimertinib"), medication_request("dexamethasone"), rt_course("thoracic-spine", 8, 1),
]
ORDERS = [rt_order("thorax", 20, 5), rt_order("thoracic-spine", 8, 1), rt_order("brain", 20, 5),
          rt_order("rib", 30, 10, intent=None)]
RESOURCE_TYPES = ["Condition", "Observation", "Procedure", "MedicationRequest", "MedicationStatement",
                  "MedicationAdministration", "BodyStructure", "ServiceRequest", "Patient", "Bundle", "Basic"]
KEY_OF_TYPE = {"Condition": "conditions", "Observation": "observations", "Procedure": "procedures",
               "MedicationRequest": "medications", "MedicationStatement": "medicationStatements",
               "MedicationAdministration": "medicationAdministrations", "BodyStructure": "bodyStructures",
               "Patient": "patient"}

# --- values a FHIR server or EHR might send ---------------------------------------------------------

texts = st.one_of(st.text(max_size=20), st.text(min_size=2000, max_size=5000),
                  st.sampled_from(["", " ", "Gy", "cGy", "mGy", "Sv", "gray", "%", "mo"]))
absurd_dates = st.sampled_from([
    "0001-01-01", "9999-12-31T23:59:59Z", "2026-13-45", "2026-02-30", "2026", "2026-11", "-0001-01-01",
    "2026-11-27T25:61:00+14:00", "1900-01-01T00:00:00Z", "yesterday", "2026-11-27T10:00:00",
])
numbers = st.one_of(st.integers(min_value=-(10**30), max_value=10**30), st.just(0), st.just(-1),
                    st.floats(allow_nan=False, allow_infinity=False), st.decimals(allow_nan=False,
                                                                                  allow_infinity=False,
                                                                                  places=3).map(float))
systems = st.sampled_from(["http://snomed.info/sct", "http://loinc.org", "http://hl7.org/fhir/sid/icd-10",
                           "urn:oid:1.2.208.176.2.4", "http://unitsofmeasure.org", "urn:unknown:system",
                           "http://example.org/local-codes", ""])
codings = st.fixed_dictionaries({"system": systems, "code": texts}, optional={"display": texts})
quantities = st.fixed_dictionaries({"value": numbers}, optional={"unit": texts, "system": systems,
                                                                "code": texts})
json_scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=20)


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for level in range(depth):
        value = {"extension": [value]} if level % 2 else [value]
    return value


replacements = st.one_of(
    json_values, absurd_dates, quantities, st.lists(codings, max_size=3).map(lambda c: {"coding": c}),
    st.integers(min_value=-5, max_value=0), st.integers(min_value=50, max_value=400).map(_nested),
)

arbitrary_resources = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(RESOURCE_TYPES)},
    optional={"id": st.one_of(texts, numbers), "subject": st.one_of(
        st.just({"reference": f"Patient/{PATIENT_ID}"}), json_values), "code": json_values,
        "status": json_values, "extension": json_values, "valueQuantity": quantities,
        "effectiveDateTime": absurd_dates, "bodySite": json_values, "entry": json_values},
)


def _places(value: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key or index) inside a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield value, key
            yield from _places(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield value, index
            yield from _places(item)


@st.composite
def mutated(draw: st.DrawFn, originals: list[dict[str, Any]]) -> dict[str, Any]:
    resource = copy.deepcopy(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        places = list(_places(resource))
        container, key = draw(st.sampled_from(places))
        if isinstance(container, dict) and key != "resourceType" and draw(st.booleans()):
            del container[key]
        else:
            container[key] = draw(replacements)
    return resource


@st.composite
def odd_prescriptions(draw: st.DrawFn) -> dict[str, Any]:
    """A radiotherapy order with a zero, negative or absurd dose or fraction count, in any unit."""
    order = rt_order(draw(st.sampled_from(sorted(SITE_CODES))),
                     draw(st.one_of(st.floats(min_value=-100, max_value=10_000), st.just(0.0))),
                     draw(st.integers(min_value=-5, max_value=100)))
    dose = next(ext for ext in order["extension"] if ext["url"] == DOSE_PRESCRIBED)
    quantity = next(part for part in dose["extension"] if part["url"] == "totalDose")["valueQuantity"]
    quantity["unit"] = quantity["code"] = draw(st.sampled_from(["cGy", "Gy", "mGy", "Sv", "rad", "%", ""]))
    return order


resources = st.one_of(mutated(STORY_RESOURCES), st.sampled_from(STORY_RESOURCES), arbitrary_resources)
orders = st.one_of(mutated(ORDERS), st.sampled_from(ORDERS), odd_prescriptions(), arbitrary_resources)


def _bundle(entries: list[Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in entries]}


@st.composite
def hook_requests(draw: st.DrawFn) -> dict[str, Any]:
    hook = draw(st.sampled_from(sorted(SERVICE_ID_BY_HOOK)))
    prefetch: dict[str, Any] = {key: _bundle([]) for key in PREFETCH if key != "patient"}
    prefetch["patient"] = {"resourceType": "Patient", "id": PATIENT_ID}
    # Mostly a lung cancer patient, so that the guideline's rules run on what follows.
    story = draw(st.lists(st.sampled_from(STORY_RESOURCES), max_size=5))
    story += draw(st.sampled_from([[lung_cancer()], [lung_cancer("sclc")], []]))
    for resource in [*story, *draw(st.lists(resources, max_size=6))]:
        natural = resource.get("resourceType")
        key = KEY_OF_TYPE.get(natural) if isinstance(natural, str) and draw(st.booleans()) else None
        key = key or draw(st.sampled_from(sorted(prefetch)))
        entries = prefetch[key].get("entry")
        if prefetch[key].get("resourceType") == "Bundle" and isinstance(entries, list):
            entries.append({"resource": resource})
        else:
            prefetch[key] = resource
    for key in draw(st.lists(st.sampled_from(sorted(prefetch)), max_size=1)):
        prefetch[key] = draw(json_values)  # a key that is no FHIR resource at all
    context: dict[str, Any] = {"userId": "Practitioner/dr-1", "patientId": PATIENT_ID}
    if hook != "patient-view":
        drafts = draw(st.lists(orders, max_size=3))
        context["draftOrders"] = {"resourceType": "Bundle", "entry": [{"resource": r} for r in drafts]}
        if hook == "order-select":
            context["selections"] = [f"{r.get('resourceType')}/{r.get('id')}" for r in drafts] or ["X/1"]
    return {"hook": hook, "hookInstance": "property-test", "context": context, "prefetch": prefetch}


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[TestClient]:
    database = tmp_path_factory.mktemp("properties") / "cds.db"
    with TestClient(create_app(service_settings(f"sqlite:///{database}")),
                    raise_server_exceptions=False) as test_client:
        yield test_client


def _input_references(request: dict[str, Any]) -> set[str]:
    """"Type/id" of every resource in the request, and "Type/unidentified" for those without an id."""
    found: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("resourceType"), str):
                found.add(f"{value['resourceType']}/{value.get('id') or 'unidentified'}")
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(request["prefetch"])
    collect(request["context"].get("draftOrders"))
    return found


def _answer(client: TestClient, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post(f"/cds-services/{SERVICE_ID_BY_HOOK[request['hook']]}", json=request)
    return response.status_code, response.json()


@given(request=hook_requests())
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_any_fhir_content_gets_valid_cards_or_an_operation_outcome(client, request: dict[str, Any]) -> None:
    status, body = _answer(client, request)
    event(f"HTTP {status}")
    assert status < 500, body
    if status != 200:
        assert 400 <= status < 500 and body["resourceType"] == "OperationOutcome", body
        return
    assert_conformant(body)
    CdsResponse.model_validate(body)
    event("cards" if any(card["source"]["topic"]["system"] == RULE_SYSTEM for card in body["cards"])
          else "no guideline card")
    cited = {fact["resource"] for card in body["cards"]
             for fact in card.get("extension", {}).get(EXTENSION_KEY, {}).get("facts", [])}
    assert cited <= _input_references(request), f"cards cite resources not in the request: {cited}"
