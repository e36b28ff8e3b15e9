"""Recommendation 3 (A): corticosteroids for brain metastases, as patient stories through the HTTP API.

Cerebral symptoms: steroids indicated, e.g. prednisolone 25 mg daily (suggested as a prescription, shown at
signing too); before WBRT of asymptomatic metastases: steroids can partly prevent acute effects (no dose).
"""

from __future__ import annotations

from tests.fhir import (
    PARTIAL,
    SNOMED,
    WHOLE,
    cards_for,
    days_ago,
    ecog,
    hook_request,
    lung_cancer,
    medication_request,
    metastasis,
    only_card,
    rt_order,
    symptom,
)

STEROIDS = "brain-steroids"
BEFORE_WBRT = "brain-steroids-before-wbrt"
ATC = "http://www.whocc.no/atc"


def brain_patient(*extra: dict) -> list[dict]:
    """NSCLC with 3 brain metastases (Condition/bm-1) and ECOG 1."""
    return [lung_cancer("nsclc"), metastasis("brain", lesions=3, id="bm-1", recorded=days_ago(10)), ecog(1),
            *extra]



def wbrt_order() -> dict:
    return rt_order("brain", 20, 5, qualifier=WHOLE, id="wbrt-1")


# --- brain-steroids -------------------------------------------------------------------------------

def test_headache_from_brain_metastases_suggests_prednisolone(cds):
    """Headache 2 days ago, no steroid: info; prednisolone 25 mg example dose as a draft MedicationRequest."""
    headache = symptom("headache", id="ha-1", recorded=days_ago(2))
    card = only_card(cds("patient-view", hook_request("patient-view", brain_patient(headache))), STEROIDS)
    assert card["indicator"] == "info"
    assert "25 mg" in card["detail"] and "50-100 mg" in card["detail"] and "100 mg" in card["detail"]
    [suggestion] = card["suggestions"]
    [action] = suggestion["actions"]
    assert action["type"] == "create"
    resource = action["resource"]
    assert resource["resourceType"] == "MedicationRequest" and resource["status"] == "draft"
    assert resource["medicationCodeableConcept"]["coding"][0] == {
        "system": ATC, "code": "H02AB06", "display": "prednisolone"}
    assert "example dose" in resource["dosageInstruction"][0]["text"]
    facts = [fact["resource"] for fact in card["extension"]["palliative-rt-cds"]["facts"]]
    assert facts == ["Condition/bm-1", "Condition/ha-1"]


def test_seizure_named_on_the_brain_order_shows_the_steroid_card_at_signing(cds):
    """SRS ordered for a seizure (reasonCode): the prescription suggestion is shown on order-sign."""
    order = rt_order("brain", 27, 3, qualifier=PARTIAL, stereotactic=True,
                     reason_codes=[(SNOMED, "91175000")], id="srs-1")
    response = cds("order-sign", hook_request("order-sign", brain_patient(), orders=[order]))
    card = only_card(response, STEROIDS)
    assert card["suggestions"][0]["actions"][0]["resource"]["resourceType"] == "MedicationRequest"


def test_planned_immunotherapy_is_noted(cds):
    resources = brain_patient(symptom("seizure"),
                              medication_request("pembrolizumab", status="draft", intent="plan"))
    card = only_card(cds("patient-view", hook_request("patient-view", resources)), STEROIDS)
    assert "presumes that prednisolone is not needed" in card["detail"]


def test_steroid_card_in_danish(cds):
    request = hook_request("patient-view", brain_patient(symptom("headache")))
    response = cds("patient-view", request, lang="da")
    card = only_card(response, STEROIDS)
    assert card["summary"] == ("Symptomgivende hjernemetastaser uden steroid: steroid er indiceret, "
                               "f.eks. prednisolon 25 mg dagligt")
    assert "kan startes alene på mistanken om cerebrale metastaser" in card["detail"]
    assert card["suggestions"][0]["label"].startswith("Ordinér prednisolon")


def test_near_misses_steroid_already_given_or_no_brain_metastases(cds):
    """Prednisolone for the brain metastasis already active; headache without brain metastases."""
    prednisolone = medication_request("prednisolone", reason=[{"reference": "Condition/bm-1"}])
    no_brain = [lung_cancer("nsclc"), metastasis("bone"), ecog(1), symptom("headache")]
    for resources in (brain_patient(symptom("headache"), prednisolone), no_brain):
        response = cds("patient-view", hook_request("patient-view", resources))
        assert cards_for(response, STEROIDS) == []


def test_near_miss_antiemetic_dexamethasone_counts_as_an_active_corticosteroid(cds):
    """The table: "no active corticosteroid". An active antiemetic steroid is already a steroid: no second one
    is suggested (it does not, however, make the metastases symptomatic)."""
    resources = brain_patient(symptom("headache"), medication_request("dexamethasone"))
    response = cds("patient-view", hook_request("patient-view", resources))
    assert cards_for(response, STEROIDS) == []


def test_accepted_prednisolone_is_not_suggested_again_at_signing(cds):
    """The clinician took the suggestion: the draft prednisolone is among the draft orders at signing.
    Suggesting it again would be an accept/re-sign loop."""
    order = rt_order("brain", 27, 3, qualifier=PARTIAL, stereotactic=True,
                     reason_codes=[(SNOMED, "91175000")], id="srs-1")
    prednisolone = medication_request("prednisolone", status="draft", intent="proposal")
    response = cds("order-sign", hook_request("order-sign", brain_patient(), orders=[order, prednisolone]))
    assert cards_for(response, STEROIDS) == []


def test_near_miss_prednisolone_prescribed_but_not_started(cds):
    prednisolone = medication_request("prednisolone", status="draft", intent="plan")
    request = hook_request("patient-view", brain_patient(symptom("headache"), prednisolone))
    response = cds("patient-view", request)
    assert cards_for(response, STEROIDS) == []


def test_near_miss_thoracic_order_does_not_carry_the_brain_card(cds):
    response = cds("order-sign", hook_request("order-sign", brain_patient(symptom("headache")),
                                              orders=[rt_order("lung", 20, 5)]))
    assert cards_for(response, STEROIDS) == []


# --- brain-steroids-before-wbrt -------------------------------------------------------------------

def test_wbrt_for_asymptomatic_metastases_without_steroid(cds):
    response = cds("order-select", hook_request("order-select", brain_patient(), orders=[wbrt_order()]))
    card = only_card(response, BEFORE_WBRT)
    assert card["indicator"] == "info"
    assert "suggestions" not in card
    assert "no preventive dose" in card["detail"] and "hair loss" in card["detail"]


def test_near_misses_signing_steroid_given_srs_or_symptomatic(cds):
    """Order-sign (info, no suggestion); dexamethasone active; SRS order; headache (brain-steroids speaks)."""
    srs = rt_order("brain", 27, 3, qualifier=PARTIAL, stereotactic=True)
    cases = (
        ("order-sign", brain_patient(), wbrt_order()),
        ("order-select", brain_patient(medication_request("dexamethasone")), wbrt_order()),
        ("order-select", brain_patient(), srs),
        ("order-select", brain_patient(symptom("headache")), wbrt_order()),
    )
    for hook, resources, order in cases:
        response = cds(hook, hook_request(hook, resources, orders=[order]))
        assert cards_for(response, BEFORE_WBRT) == []
