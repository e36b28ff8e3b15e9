"""Draft radiotherapy orders from context.draftOrders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.facts.model import Intent, Region, SymptomKind
from tests.facts import read, reference
from tests.fhir import (
    CODEX,
    LOINC,
    PARTIAL,
    SITE_CODES,
    SKS,
    SNOMED,
    TODAY,
    WHOLE,
    body_structure,
    concept,
    lung_cancer,
    metastasis,
    ref,
    rt_order,
    symptom,
)


def test_codex_course_prescription() -> None:
    cancer = lung_cancer()
    order = rt_order("lung", 17, 2, reason=[ref(cancer)])
    (found,) = read(cancer, orders=(order,)).orders
    assert found.reference == reference(order)
    assert (found.total_dose_gy, found.fractions) == (Decimal(17), 2)
    assert found.site.region is Region.THORAX
    assert (found.intent, found.selected, found.stereotactic, found.reirradiation) == (
        Intent.PALLIATIVE,
        True,
        False,
        None,
    )
    assert found.reason_references == (reference(cancer),)
    assert found.authored == TODAY
    assert found.source.reference == reference(order)
    assert found.resource == order


def test_selections_choose_the_selected_orders() -> None:
    first, second = rt_order("thorax", 20, 5), rt_order("brain", 20, 5)
    orders = read(orders=(first, second), selections=[reference(second)]).orders
    assert [o.selected for o in orders] == [False, True]


def test_without_selections_every_order_is_selected() -> None:
    assert all(o.selected for o in read(orders=(rt_order("thorax", 20, 5), rt_order("brain", 20, 5))).orders)


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        ("curative", Intent.CURATIVE),
        ("preventive", Intent.PREVENTIVE),
        (None, Intent.UNKNOWN),
    ],
)
def test_order_intent(intent: str | None, expected: Intent) -> None:
    assert read(orders=(rt_order("brain", 25, 10, intent=intent),)).orders[0].intent is expected


def test_plain_radiotherapy_service_request_without_dose() -> None:
    order = {
        "resourceType": "ServiceRequest",
        "id": "sr-1",
        "status": "draft",
        "intent": "order",
        "code": concept(SKS, "BWGC1"),
        "subject": {"reference": "Patient/pat-1"},
        "bodySite": [concept(SNOMED, SITE_CODES["femur"])],
    }
    (found,) = read(orders=(order,)).orders
    assert (found.site.region, found.total_dose_gy, found.fractions, found.intent) == (
        Region.BONE,
        None,
        None,
        Intent.UNKNOWN,
    )


def test_other_service_requests_are_not_radiotherapy_orders() -> None:
    order = {
        "resourceType": "ServiceRequest",
        "id": "sr-2",
        "status": "draft",
        "intent": "order",
        "code": concept(LOINC, "24627-2"),
        "subject": {"reference": "Patient/pat-1"},
    }
    assert read(orders=(order,)).orders == ()


def test_order_site_from_the_volume() -> None:
    volume = body_structure("brain", qualifier=WHOLE)
    order = rt_order("brain", 20, 5)
    del order["bodySite"]
    order["extension"][0]["extension"][0]["valueReference"] = ref(volume)
    site = read(volume, orders=(order,)).orders[0].site
    assert (site.region, site.whole_brain) == (Region.BRAIN, True)


@pytest.mark.parametrize(("qualifier", "whole"), [(WHOLE, True), (PARTIAL, False), (None, None)])
def test_whole_or_partial_brain_order(qualifier: str | None, whole: bool | None) -> None:
    assert read(orders=(rt_order("brain", 20, 5, qualifier=qualifier),)).orders[0].site.whole_brain is whole


def test_stereotactic_coded_or_inferred() -> None:
    coded = rt_order("lung", 30, 10, stereotactic=True)
    inferred = rt_order("lung", 45, 3)
    plain = rt_order("lung", 30, 10)
    assert [o.stereotactic for o in read(orders=(coded, inferred, plain)).orders] == [True, True, False]


def test_reirradiation_flag_on_the_order() -> None:
    order = rt_order("thorax", 20, 5)
    order["extension"].append(
        {"url": CODEX + "codexrt-radiotherapy-course-involves-reirradiation", "valueBoolean": True}
    )
    assert read(orders=(order,)).orders[0].reirradiation is True


def test_reason_codes_become_symptoms() -> None:
    met = metastasis("bone")
    order = rt_order(
        "femur", 8, 1, reason=[ref(met)], reason_codes=[(SNOMED, "12584003"), (SNOMED, "66857006")]
    )
    assert read(met, orders=(order,)).orders[0].reason_symptoms == (SymptomKind.PAIN, SymptomKind.HEMOPTYSIS)


def test_highest_prescribed_dose_is_the_regimen() -> None:
    order = rt_order("lung", 20, 5)
    order["extension"].append(
        {
            "url": CODEX + "codexrt-radiotherapy-dose-prescribed-to-volume",
            "extension": [
                {"url": "volume", "valueReference": {"reference": "BodyStructure/gtv"}},
                {"url": "totalDose", "valueQuantity": {"value": 2500, "code": "cGy"}},
                {"url": "fractions", "valuePositiveInt": 5},
            ],
        }
    )
    found = read(orders=(order,)).orders[0]
    assert (found.total_dose_gy, found.fractions) == (Decimal(25), 5)


def test_order_of_another_patient_is_ignored() -> None:
    assert read(orders=(rt_order("thorax", 20, 5, patient_id="someone-else"),)).orders == ()


@pytest.mark.parametrize("status", ["entered-in-error", "revoked"])
def test_void_order_is_ignored(status: str) -> None:
    order = rt_order("thorax", 20, 5)
    order["status"] = status
    assert read(orders=(order,)).orders == ()


def test_invalid_order_is_reported_not_read() -> None:
    order = rt_order("thorax", 20, 5)
    order["authoredOn"] = "not a date"
    facts = read(orders=(order,))
    assert facts.orders == ()
    assert [n.reference for n in facts.data_quality] == [reference(order)]


def test_symptom_condition_named_as_reason_is_a_reason_symptom() -> None:
    met, pain = metastasis("bone"), symptom("pain")
    order = rt_order("femur", 8, 1, reason=[ref(met), ref(pain)])
    facts = read(met, pain, orders=(order,))
    assert facts.orders[0].reason_symptoms == (SymptomKind.PAIN,)
    assert [s.reference for s in facts.metastases[0].pain] == [reference(order)]


def test_resolved_symptom_condition_named_as_reason_is_not() -> None:
    pain = symptom("pain", status="resolved")
    order = rt_order("femur", 8, 1, reason=[ref(pain)])
    assert read(pain, orders=(order,)).orders[0].reason_symptoms == ()
