"""What every fact shares: the patient filter, unreadable resources, the evaluation date, speed."""

from __future__ import annotations

import time

import pytest

from service.facts.build import build_patient_facts
from service.facts.valuesets import OBSERVATION_SEARCH_CODES
from tests.facts import read, reference
from tests.fhir import (
    LOINC,
    PATIENT_ID,
    SITE_CODES,
    SNOMED,
    TODAY,
    condition,
    days_ago,
    ecog,
    lung_cancer,
    medication_request,
    metastasis,
    observation,
    rt_course,
    rt_order,
    symptom,
)


def test_today_is_the_evaluation_date() -> None:
    assert read().today == TODAY


def test_nothing_known_is_nothing_read() -> None:
    facts = read()
    assert (facts.lung_cancer, facts.metastatic, facts.performance_status, facts.orders) == (
        None,
        (),
        None,
        (),
    )


def test_absolute_and_versioned_subject_references_are_this_patient() -> None:
    absolute = lung_cancer(subject={"reference": f"https://ehr.example/fhir/Patient/{PATIENT_ID}/_history/3"})
    assert read(absolute).lung_cancer is not None


def test_another_patient_is_ignored_whatever_its_reference_form() -> None:
    other = lung_cancer(subject={"reference": "https://ehr.example/fhir/Patient/someone-else"})
    assert read(other).lung_cancer is None


def test_patient_and_unknown_resource_types_are_ignored() -> None:
    facts = read(
        {"resourceType": "Patient", "id": PATIENT_ID},
        {"resourceType": "Basic", "id": "x"},
        {"resourceType": "Encounter", "id": "e"},
        lung_cancer(),
    )
    assert facts.lung_cancer is not None
    assert facts.data_quality == ()


def test_invalid_resource_is_skipped_and_reported_without_its_values() -> None:
    broken = ecog(2, effective="yesterday-ish")
    facts = read(broken, ecog(1, effective=days_ago(20)))
    assert facts.performance_status.ecog == 1
    (note,) = facts.data_quality
    assert note.reference == reference(broken)
    assert "effectiveDateTime" in note.problem
    assert "yesterday" not in note.problem


def test_irrelevant_invalid_resources_are_not_validated() -> None:
    lab = observation((LOINC, "2160-0"), valueQuantity={"value": "many"})
    assert read(lab).data_quality == ()


@pytest.mark.parametrize(
    "garbage",
    [
        {"resourceType": "Condition", "id": "c", "code": {"coding": "C34.9"}},
        {"resourceType": "Condition", "id": "c", "code": {"coding": [{"system": 1, "code": ["x"]}]}},
        {
            "resourceType": "Condition",
            "id": "c",
            "code": {"coding": [{"system": SNOMED, "code": "254637007"}]},
            "subject": "Patient/pat-1",
        },
        {
            "resourceType": "Procedure",
            "id": "p",
            "status": "completed",
            "code": {"coding": [{"system": SNOMED, "code": "1217123003"}]},
            "subject": {"reference": "Patient/pat-1"},
            "extension": [{"url": "x", "valueInteger": "many"}],
        },
        "not a resource",
    ],
)
def test_malformed_resources_never_raise(garbage: object) -> None:
    facts = build_patient_facts([garbage, lung_cancer()], patient_id=PATIENT_ID, today=TODAY)
    assert facts.lung_cancer is not None


@pytest.mark.parametrize(
    "code",
    [{"coding": "C34.9"}, {"coding": [{"system": 1, "code": ["x"]}]}, "C34.9", [{"coding": [{"code": 3}]}]],
)
def test_resource_whose_codes_cannot_be_read_is_reported(code: object) -> None:
    garbled = {**lung_cancer(), "code": code}
    facts = read(garbled)
    assert facts.lung_cancer is None
    assert [n.reference for n in facts.data_quality] == [reference(garbled)]


def test_unreadable_lung_cancer_is_reported() -> None:
    broken = lung_cancer(recorded="27/11/2026")
    facts = read(broken)
    assert facts.lung_cancer is None
    assert [n.reference for n in facts.data_quality] == [reference(broken)]


def test_observation_search_codes_cover_the_observations_read() -> None:
    for token in (
        "http://loinc.org|89247-1",
        "http://loinc.org|89243-0",
        "http://loinc.org|75328-5",
        "http://snomed.info/sct|399387003",
        "http://loinc.org|69548-6",
        "urn:palliative-rt-cds:concept|oligometastatic-disease",
        "http://snomed.info/sct|399537006",
    ):
        assert token in OBSERVATION_SEARCH_CODES
    assert all(
        "|" in token and not token.startswith(("icd10", "sks", "atc")) for token in OBSERVATION_SEARCH_CODES
    )


def _request_of_200_resources() -> list[dict]:
    resources: list[dict] = [
        lung_cancer(),
        ecog(1),
        metastasis("bone", body_site=(SNOMED, SITE_CODES["femur"])),
    ]
    resources += [condition(SNOMED, str(100000 + i)) for i in range(60)]
    resources += [observation((LOINC, f"{1000 + i}-0"), valueQuantity={"value": i}) for i in range(90)]
    resources += [ecog(i % 5, effective=days_ago(i * 10)) for i in range(10)]
    resources += [rt_course("thorax", 30, 10) for _ in range(5)]
    resources += [medication_request("carboplatin") for _ in range(20)]
    resources += [symptom("cough") for _ in range(12)]
    return resources


def test_a_200_resource_request_costs_a_few_milliseconds() -> None:
    resources, orders = _request_of_200_resources(), [rt_order("thorax", 20, 5)]
    assert len(resources) == 200
    build_patient_facts(resources, patient_id=PATIENT_ID, today=TODAY, draft_orders=orders)
    runs = 20
    # CPU time of this process: other work on a shared machine does not count against it.
    started = time.process_time()
    for _ in range(runs):
        build_patient_facts(resources, patient_id=PATIENT_ID, today=TODAY, draft_orders=orders)
    per_request_ms = (time.process_time() - started) / runs * 1000
    assert per_request_ms < 25, f"{per_request_ms:.1f} ms"
