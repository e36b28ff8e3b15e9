"""Systemic therapy (active or planned) and corticosteroids."""

from __future__ import annotations

import pytest

from service.facts.model import TherapyClass
from tests.facts import read, reference
from tests.fhir import (
    ATC,
    SNOMED,
    concept,
    days_ago,
    medication_administration,
    medication_request,
    medication_statement,
    metastasis,
    ref,
    symptom,
)

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _coded(system: str, code: str, **kwargs: object) -> dict:
    request = medication_request("carboplatin", **kwargs)
    request["medicationCodeableConcept"] = concept(system, code)
    return request


@pytest.mark.parametrize(
    ("system", "code", "therapy_class"),
    [
        (ATC, "L01EB04", TherapyClass.TARGETED),  # osimertinib
        (ATC, "L01ED03", TherapyClass.TARGETED),  # alectinib
        (ATC, "L01XE03", TherapyClass.TARGETED),  # erlotinib, before ATC 2022
        (ATC, "L01FF02", TherapyClass.IMMUNOTHERAPY),  # pembrolizumab
        (ATC, "L01XC18", TherapyClass.IMMUNOTHERAPY),  # pembrolizumab, before ATC 2022
        (ATC, "L01FX04", TherapyClass.IMMUNOTHERAPY),  # ipilimumab
        (ATC, "L01FG01", TherapyClass.TARGETED),  # bevacizumab
        (ATC, "L01XA02", TherapyClass.CHEMOTHERAPY),  # carboplatin
        (ATC, "L01BA04", TherapyClass.CHEMOTHERAPY),  # pemetrexed
        (ATC, "L01CB01", TherapyClass.CHEMOTHERAPY),  # etoposide
        ("urn:oid:2.16.840.1.113883.6.73", "L01XA01", TherapyClass.CHEMOTHERAPY),
        (RXNORM, "2555", TherapyClass.CHEMOTHERAPY),  # cisplatin
        (RXNORM, "40048", TherapyClass.CHEMOTHERAPY),  # carboplatin
        (RXNORM, "1727455", TherapyClass.TARGETED),  # alectinib
        (RXNORM, "1547545", TherapyClass.IMMUNOTHERAPY),  # pembrolizumab
    ],
)
def test_classified_by_atc_or_rxnorm(system: str, code: str, therapy_class: TherapyClass) -> None:
    found = _coded(system, code)
    (therapy,) = read(found).systemic_therapies
    assert (therapy.therapy_class, therapy.planned, therapy.code) == (therapy_class, False, code)
    assert therapy.source.reference == reference(found)
    assert therapy.source.recorded.isoformat() == days_ago(14)


@pytest.mark.parametrize(
    ("status", "intent"),
    [
        ("draft", "order"),
        ("on-hold", "order"),
        ("active", "plan"),
        ("active", "proposal"),
    ],
)
def test_planned_systemic_therapy(status: str, intent: str) -> None:
    (therapy,) = read(medication_request("pembrolizumab", status=status, intent=intent)).systemic_therapies
    assert therapy.planned


@pytest.mark.parametrize("status", ["completed", "stopped", "cancelled", "entered-in-error", "unknown"])
def test_ended_or_void_requests_are_not_systemic_therapy(status: str) -> None:
    assert read(medication_request("osimertinib", status=status)).systemic_therapies == ()


def test_do_not_perform_is_not_therapy() -> None:
    request = medication_request("osimertinib")
    request["doNotPerform"] = True
    assert read(request).systemic_therapies == ()


def test_other_patient_is_ignored() -> None:
    assert read(medication_request("osimertinib", patient_id="someone-else")).systemic_therapies == ()


def test_other_drugs_are_ignored() -> None:
    assert read(_coded(ATC, "N02BE01")).systemic_therapies == ()  # paracetamol


@pytest.mark.parametrize(("status", "planned"), [("active", False), ("intended", True)])
def test_medication_statement(status: str, planned: bool) -> None:
    (therapy,) = read(medication_statement("alectinib", status=status)).systemic_therapies
    assert therapy.planned is planned


@pytest.mark.parametrize("status", ["completed", "stopped", "not-taken", "entered-in-error"])
def test_medication_statement_not_current(status: str) -> None:
    assert read(medication_statement("alectinib", status=status)).systemic_therapies == ()


@pytest.mark.parametrize(
    ("status", "days", "counts"),
    [
        ("in-progress", 0, True),
        ("completed", 21, True),
        ("completed", 42, True),
        ("completed", 43, False),
        ("not-done", 1, False),
        ("entered-in-error", 1, False),
    ],
)
def test_medication_administration(status: str, days: int, counts: bool) -> None:
    given = medication_administration("carboplatin", status=status, effective=days_ago(days))
    assert bool(read(given).systemic_therapies) is counts


def test_medication_by_reference() -> None:
    medication = {"resourceType": "Medication", "id": "med-1", "code": concept(ATC, "L01ED03")}
    request = medication_request("carboplatin")
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "Medication/med-1"}
    (therapy,) = read(medication, request).systemic_therapies
    assert (therapy.therapy_class, therapy.code) == (TherapyClass.TARGETED, "L01ED03")


def test_contained_medication() -> None:
    request = medication_request("carboplatin")
    del request["medicationCodeableConcept"]
    request["contained"] = [{"resourceType": "Medication", "id": "m", "code": concept(ATC, "L01FF01")}]
    request["medicationReference"] = {"reference": "#m"}
    (therapy,) = read(request).systemic_therapies
    assert therapy.therapy_class is TherapyClass.IMMUNOTHERAPY


@pytest.mark.parametrize("status", ["active", "draft", "unknown"])
def test_draft_order_medication_request_is_planned(status: str) -> None:
    """What the clinician is ordering now is planned, whatever status the EHR gives the draft."""
    draft = medication_request("pembrolizumab", status=status)
    (therapy,) = read(orders=(draft,)).systemic_therapies
    assert therapy.planned
    assert therapy.source.reference == reference(draft)


def test_draft_order_of_another_drug_is_ignored() -> None:
    assert read(orders=(medication_request("prednisolone", status="draft"),)).systemic_therapies == ()


# --- corticosteroids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "intent", "active", "planned"),
    [
        ("active", "order", True, False),
        ("active", "plan", False, True),
        ("draft", "proposal", False, True),
        ("on-hold", "order", False, True),
        ("completed", "order", False, False),
        ("stopped", "order", False, False),
    ],
)
def test_corticosteroid_request_active_planned_or_ended(
    status: str, intent: str, active: bool, planned: bool
) -> None:
    found = medication_request("prednisolone", status=status, intent=intent)
    (steroid,) = read(found).corticosteroids
    assert (steroid.active, steroid.planned) == (active, planned)
    assert steroid.source.reference == reference(found)


def test_draft_order_corticosteroid_is_planned() -> None:
    brain = metastasis("brain")
    draft = medication_request("prednisolone", status="draft", intent="proposal", reason=[ref(brain)])
    (steroid,) = read(brain, orders=(draft,)).corticosteroids
    assert (steroid.active, steroid.planned, steroid.for_cerebral) == (False, True, True)


@pytest.mark.parametrize(
    "ignored", [{"status": "entered-in-error"}, {"status": "cancelled"}, {"patient_id": "someone-else"}]
)
def test_corticosteroid_ignored(ignored: dict) -> None:
    assert read(medication_request("dexamethasone", **ignored)).corticosteroids == ()


def test_corticosteroid_for_a_brain_metastasis() -> None:
    brain = metastasis("brain")
    (steroid,) = read(brain, medication_request("dexamethasone", reason=[ref(brain)])).corticosteroids
    assert steroid.for_cerebral


@pytest.mark.parametrize("kind", ["headache", "seizure"])
def test_corticosteroid_for_a_cerebral_symptom(kind: str) -> None:
    found = symptom(kind)
    (steroid,) = read(found, medication_request("prednisolone", reason=[ref(found)])).corticosteroids
    assert steroid.for_cerebral


def test_corticosteroid_by_rxnorm() -> None:
    request = medication_request("carboplatin")
    request["medicationCodeableConcept"] = concept(RXNORM, "3264")  # dexamethasone
    assert [s.active for s in read(request).corticosteroids] == [True]


def test_corticosteroid_with_a_cerebral_reason_code() -> None:
    request = medication_request("dexamethasone")
    request["reasonCode"] = [concept(SNOMED, "94225005")]
    assert read(request).corticosteroids[0].for_cerebral


def test_antiemetic_dexamethasone_is_not_for_the_brain() -> None:
    nausea = {**symptom("cough"), "code": concept(SNOMED, "422587007")}
    request = medication_request("dexamethasone", reason=[ref(nausea)])
    (steroid,) = read(metastasis("brain"), nausea, request).corticosteroids
    assert not steroid.for_cerebral


def test_steroid_administered_today_is_active_and_last_week_is_not() -> None:
    today = medication_administration("dexamethasone", effective=days_ago(0))
    last_week = medication_administration("dexamethasone", effective=days_ago(7))
    assert [s.active for s in read(today, last_week).corticosteroids] == [True, False]


def test_requests_of_other_drugs_by_reference_are_not_validated() -> None:
    medication = {"resourceType": "Medication", "id": "med-2", "code": concept(ATC, "N02BE01")}
    request = medication_request("carboplatin")
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "Medication/med-2"}
    request["authoredOn"] = "not a date"
    assert read(medication, request).data_quality == ()


def test_ended_systemic_therapy_is_not_read() -> None:
    """Chemotherapy cycles of years past: their status already says they are no fact, so their other
    elements are never validated."""
    ended = medication_request("carboplatin", status="completed", authored="last spring")
    facts = read(ended)
    assert facts.systemic_therapies == ()
    assert facts.data_quality == ()


def test_ended_corticosteroid_is_still_read() -> None:
    ended = medication_request("dexamethasone", status="completed", authored="last spring")
    facts = read(ended)
    assert facts.corticosteroids == ()
    assert [note.reference for note in facts.data_quality] == [reference(ended)]
