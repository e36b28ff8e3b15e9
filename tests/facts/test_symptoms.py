"""Active symptoms and superior vena cava syndrome."""

from __future__ import annotations

import pytest

from service.facts.model import Region, SymptomKind
from tests.facts import read, reference
from tests.fhir import (
    ICD10,
    ICD10CM,
    LOINC,
    SITE_CODES,
    SKS,
    SKS_D,
    SNOMED,
    concept,
    condition,
    days_ago,
    metastasis,
    observation,
    ref,
    rt_order,
    symptom,
)


@pytest.mark.parametrize(
    ("system", "code", "kind"),
    [
        (SNOMED, "66857006", SymptomKind.HEMOPTYSIS),
        (SNOMED, "49727002", SymptomKind.COUGH),
        (SNOMED, "267036007", SymptomKind.DYSPNEA),
        (SNOMED, "29857009", SymptomKind.THORACIC_PAIN),
        (SNOMED, "22253000", SymptomKind.PAIN),
        (SNOMED, "25064002", SymptomKind.HEADACHE),
        (SNOMED, "91175000", SymptomKind.SEIZURE),
        (ICD10, "R04.2", SymptomKind.HEMOPTYSIS),
        (ICD10, "R05", SymptomKind.COUGH),
        (ICD10CM, "R05.1", SymptomKind.COUGH),
        (ICD10CM, "R06.02", SymptomKind.DYSPNEA),
        (ICD10, "R07.4", SymptomKind.THORACIC_PAIN),
        (ICD10CM, "R07.89", SymptomKind.THORACIC_PAIN),
        (SKS_D, "DR042", SymptomKind.HEMOPTYSIS),
        (SKS, "DR05", SymptomKind.COUGH),
        (SKS_D, "DR060", SymptomKind.DYSPNEA),
        (SKS_D, "DR073", SymptomKind.THORACIC_PAIN),
        (SKS_D, "DR522", SymptomKind.PAIN),
        (ICD10, "R51", SymptomKind.HEADACHE),
        (ICD10, "R56.8", SymptomKind.SEIZURE),
    ],
)
def test_symptom_condition(system: str, code: str, kind: SymptomKind) -> None:
    found = condition(system, code)
    (symptom_fact,) = read(found).symptoms
    assert symptom_fact.kind is kind
    assert symptom_fact.source.reference == reference(found)


@pytest.mark.parametrize("status", ["active", "recurrence", "relapse"])
def test_current_clinical_statuses(status: str) -> None:
    assert read(symptom("cough", status=status)).symptoms


def test_throat_pain_is_not_thoracic_pain() -> None:
    assert read(condition(ICD10, "R07.0")).symptoms == ()


@pytest.mark.parametrize(
    "ignored",
    [
        {"status": "resolved"},
        {"status": "inactive"},
        {"status": "remission"},
        {"abated": "2026-11-01"},
        {"verification": "refuted"},
        {"verification": "entered-in-error"},
        {"patient_id": "someone-else"},
    ],
)
def test_symptom_condition_ignored(ignored: dict) -> None:
    assert read(symptom("hemoptysis", **ignored)).symptoms == ()


def test_symptom_site_from_body_site() -> None:
    (found,) = read(symptom("pain", body_site=(SNOMED, SITE_CODES["femur"]))).symptoms
    assert found.site.region is Region.BONE


@pytest.mark.parametrize(
    "value",
    [
        {"valueBoolean": True},
        {},
        {"valueCodeableConcept": concept(LOINC, "LA9633-4")},
        {"valueCodeableConcept": concept(SNOMED, "373066001")},
    ],
)
def test_symptom_observation_asserting_it(value: dict) -> None:
    found = observation((SNOMED, "267036007"), **value)
    (symptom_fact,) = read(found).symptoms
    assert symptom_fact.kind is SymptomKind.DYSPNEA
    assert symptom_fact.source.reference == reference(found)


@pytest.mark.parametrize(
    "value",
    [
        {"valueBoolean": False},
        {"valueCodeableConcept": concept(LOINC, "LA9634-2")},
        {"valueCodeableConcept": concept(LOINC, "LA32-8")},
    ],
)
def test_symptom_observation_saying_absent(value: dict) -> None:
    assert read(observation((SNOMED, "267036007"), **value)).symptoms == ()


def test_latest_symptom_observation_decides() -> None:
    present = observation((SNOMED, "49727002"), valueBoolean=True, effective=days_ago(20))
    absent = observation((SNOMED, "49727002"), valueBoolean=False, effective=days_ago(2))
    assert read(present, absent).symptoms == ()


@pytest.mark.parametrize(
    "ignored",
    [
        {"effective": days_ago(91)},
        {"status": "entered-in-error"},
        {"status": "cancelled"},
        {"patient_id": "someone-else"},
    ],
)
def test_symptom_observation_ignored(ignored: dict) -> None:
    assert read(observation((SNOMED, "66857006"), valueBoolean=True, **ignored)).symptoms == ()


def test_symptom_observation_of_90_days_still_counts() -> None:
    assert read(observation((SNOMED, "66857006"), valueBoolean=True, effective=days_ago(90))).symptoms


def test_order_reason_is_a_symptom_at_the_ordered_site() -> None:
    met = metastasis("bone")
    order = rt_order("femur", 8, 1, reason=[ref(met)], reason_codes=[(SNOMED, "12584003")])
    (found,) = read(met, orders=(order,)).symptoms
    assert found.kind is SymptomKind.PAIN
    assert found.site.body_structure == SITE_CODES["femur"]
    assert found.source.reference == reference(order)


# --- superior vena cava syndrome ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (SNOMED, "63363004"),
        (ICD10, "I87.1"),
        (SKS_D, "DI871"),
    ],
)
def test_svc_syndrome_condition(system: str, code: str) -> None:
    found = condition(system, code)
    assert read(found).svc_syndrome.reference == reference(found)


def test_svc_syndrome_observation() -> None:
    found = observation((SNOMED, "63363004"), valueBoolean=True)
    assert read(found).svc_syndrome.reference == reference(found)


@pytest.mark.parametrize(
    "ignored",
    [
        {"status": "resolved"},
        {"verification": "refuted"},
        {"verification": "entered-in-error"},
        {"patient_id": "someone-else"},
    ],
)
def test_svc_syndrome_ignored(ignored: dict) -> None:
    assert read(symptom("svc-syndrome", **ignored)).svc_syndrome is None


def test_old_svc_observation_is_ignored() -> None:
    assert read(observation((SNOMED, "63363004"), effective=days_ago(120))).svc_syndrome is None


def test_resolved_symptom_condition_is_not_read() -> None:
    """A resolved problem is not a current symptom: its other elements are never validated."""
    resolved = condition(SNOMED, "22253000", status="resolved", onsetDateTime="not a date")
    facts = read(resolved)
    assert facts.symptoms == ()
    assert facts.data_quality == ()


def test_condition_whose_status_cannot_be_read_is_reported() -> None:
    unreadable = condition(SNOMED, "22253000")
    unreadable["clinicalStatus"] = {"coding": {"code": "active"}}
    facts = read(unreadable)
    assert facts.symptoms == ()
    assert [note.reference for note in facts.data_quality] == [reference(unreadable)]


def test_symptom_observations_older_than_90_days_are_not_read() -> None:
    old = observation((SNOMED, "22253000"), effective=days_ago(91), valueBoolean="yes")
    recent = observation((SNOMED, "49727002"), effective=days_ago(3))
    facts = read(old, recent)
    assert [symptom.kind for symptom in facts.symptoms] == [SymptomKind.COUGH]
    assert facts.data_quality == ()
