"""Recommendation 3 (A; surgery C): brain metastases of NSCLC and the whole-brain dose, as patient stories.

SRS or WBRT by number and size (SRS doses never one-click; WBRT 20/5, 20/4, 30/10 suggested); surgery or
SRS for few metastases; postoperative RT after metastasectomy; systemic therapy first for asymptomatic
metastases and oncogene-driven NSCLC; WBRT can be omitted in poor PS without a systemic option; WBRT below
20 Gy/5F is not recommended.
"""

from __future__ import annotations

from tests.fhir import (
    PARTIAL,
    SITE_CODES,
    SNOMED,
    WHOLE,
    brain_metastasectomy,
    cards_for,
    condition,
    days_ago,
    driver,
    driver_variant,
    ecog,
    hook_request,
    lung_cancer,
    medication_request,
    metastasis,
    only_card,
    prescription,
    rt_course,
    rt_order,
    suggested_regimens,
    surgery,
    symptom,
)

SRS_OR_WBRT = "brain-srs-or-wbrt"
FEW_SURGERY = "brain-few-nsclc-surgery"
POSTOPERATIVE = "brain-postoperative-rt"
SYSTEMIC_FIRST = "brain-asymptomatic-systemic-first"
TARGETED_FIRST = "brain-oncogene-driven-targeted-first"
OMIT_POOR_PS = "brain-wbrt-omit-poor-ps"
DOSE_TOO_LOW = "brain-wbrt-dose-too-low"
BRAIN = (SNOMED, SITE_CODES["brain"])
ENTIRE_QUALIFIER = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-body-location-qualifier"


def brain_patient(*extra: dict, histology: str = "nsclc", lesions: int | None = 2,
                  ps: int | None = 1) -> list[dict]:
    """Lung cancer with brain metastases (Condition/bm-1, recorded 20 days ago), ECOG `ps` a week ago."""
    resources = [lung_cancer(histology),
                 metastasis("brain", lesions=lesions, id="bm-1", recorded=days_ago(20)), *extra]
    return resources + ([ecog(ps)] if ps is not None else [])


def wbrt(dose: float, fractions: int, **kwargs) -> dict:
    return rt_order("brain", dose, fractions, qualifier=WHOLE, id="wbrt-1", **kwargs)


def srs(dose: float = 27, fractions: int = 3) -> dict:
    return rt_order("brain", dose, fractions, qualifier=PARTIAL, stereotactic=True, id="srs-1")



def fact_resources(card: dict) -> list[str]:
    return [fact["resource"] for fact in card["extension"]["palliative-rt-cds"]["facts"]]


# --- brain-srs-or-wbrt ----------------------------------------------------------------------------

def test_symptomatic_nsclc_brain_metastases_get_srs_mentioned_and_wbrt_suggested(cds):
    """NSCLC, 2 brain metastases, headache, PS 1: info; SRS 27/3 and 20/1 only in text; WBRT 20/5, 20/4,
    30/10 as new whole-brain orders."""
    headache = symptom("headache", id="ha-1", recorded=days_ago(3))
    response = cds("patient-view", hook_request("patient-view", brain_patient(headache)))
    card = only_card(response, SRS_OR_WBRT)
    assert card["indicator"] == "info"
    assert "27 Gy/3F or 20 Gy/1F" in card["detail"] and "not offered as a one-click order" in card["detail"]
    assert "3-6 months" in card["detail"] and "10-15 %" in card["detail"]
    assert "cognitive decline" in card["detail"]
    assert suggested_regimens(card) == [("create", 2000, 5), ("create", 2000, 4), ("create", 3000, 10)]
    request = card["suggestions"][0]["actions"][0]["resource"]
    assert request["status"] == "draft"
    assert request["bodySite"][0]["coding"][0]["code"] == SITE_CODES["brain"]
    assert request["bodySite"][0]["extension"][0]["url"] == ENTIRE_QUALIFIER
    assert request["bodySite"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == WHOLE
    assert fact_resources(card) == ["Condition/bm-1", "Condition/ha-1"]
    assert days_ago(3) in card["detail"]
    extension = card["extension"]["palliative-rt-cds"]
    assert (extension["recommendation"], extension["evidenceGrade"]) == ("3", "A")


def test_wbrt_order_gets_the_other_wbrt_regimens_as_updates_of_the_draft(cds):
    """Ordered WBRT 30 Gy/10F: 20/5 and 20/4 rewrite the draft (same id); 30/10 is not re-offered."""
    order = wbrt(30, 10)
    response = cds("order-select", hook_request("order-select", brain_patient(), orders=[order]))
    card = only_card(response, SRS_OR_WBRT)
    assert suggested_regimens(card) == [("update", 2000, 5), ("update", 2000, 4)]
    assert {s["actions"][0]["resource"]["id"] for s in card["suggestions"]} == {"wbrt-1"}


def test_stereotactic_order_is_not_rewritten_into_wbrt(cds):
    """Ordered SRS 27 Gy/3F to part of the brain: the card speaks, but offers no one-click regimen."""
    response = cds("order-select", hook_request("order-select", brain_patient(), orders=[srs()]))
    card = only_card(response, SRS_OR_WBRT)
    assert "suggestions" not in card
    assert "lesion size" in card["summary"]


def test_wbrt_alternatives_are_not_repeated_at_signing(cds):
    """The WBRT regimens are equivalent choices: on order-sign the info card is not shown."""
    response = cds("order-sign", hook_request("order-sign", brain_patient(), orders=[wbrt(30, 10)]))
    assert cards_for(response, SRS_OR_WBRT) == []


def test_unknown_histology_names_the_sclc_path(cds):
    """Histology unknown (C34.9), seizure: the NSCLC card fires and names the SCLC alternative."""
    resources = brain_patient(symptom("seizure"), histology="unknown")
    card = only_card(cds("patient-view", hook_request("patient-view", resources)), SRS_OR_WBRT)
    assert "Histology is not recorded" in card["detail"] and "PCI" in card["detail"]


def test_prior_brain_course_means_no_one_click_course(cds):
    """WBRT 20 Gy/5F 5 months ago, headache again: a new course is re-irradiation; no suggestion."""
    prior = rt_course("brain", 20, 5, qualifier=WHOLE, ended=days_ago(150), id="wbrt-old")
    resources = brain_patient(symptom("headache"), prior)
    card = only_card(cds("patient-view", hook_request("patient-view", resources)), SRS_OR_WBRT)
    assert "suggestions" not in card
    assert "recommendation 6" in card["detail"] and "Procedure/wbrt-old" in fact_resources(card)


def test_near_miss_asymptomatic_brain_metastases_without_an_order(cds):
    response = cds("patient-view", hook_request("patient-view", brain_patient()))
    assert cards_for(response, SRS_OR_WBRT) == []


def test_near_miss_sclc_gets_the_sclc_card_instead(cds):
    response = cds("patient-view", hook_request("patient-view", brain_patient(symptom("headache"),
                                                                              histology="sclc")))
    assert cards_for(response, SRS_OR_WBRT) == []
    assert cards_for(response, "brain-sclc-systemic-first")


def test_near_miss_pci_order(cds):
    """The table: a brain order that is not PCI. Prophylactic cranial irradiation is outside this card."""
    pci = rt_order("brain", 25, 10, qualifier=WHOLE, intent="preventive")
    response = cds("order-select", hook_request("order-select", brain_patient(), orders=[pci]))
    assert cards_for(response, SRS_OR_WBRT) == []


def test_near_miss_curative_brain_order_is_out_of_scope(cds):
    """A curative-intent SRS order is outside this guideline whatever the stage."""
    order = rt_order("brain", 27, 3, qualifier=PARTIAL, stereotactic=True, intent="curative")
    response = cds("order-select", hook_request("order-select", brain_patient(symptom("headache"), lesions=1),
                                                orders=[order]))
    assert cards_for(response, SRS_OR_WBRT) == []


# --- brain-few-nsclc-surgery ----------------------------------------------------------------------

def test_two_metastases_and_ps_1_suggest_surgery_or_srs_grade_c(cds):
    card = only_card(cds("patient-view", hook_request("patient-view", brain_patient())), FEW_SURGERY)
    assert card["indicator"] == "info"
    assert card["extension"]["palliative-rt-cds"]["evidenceGrade"] == "C"
    assert "27 % to 59 %" in card["detail"] and "19 % to 31 %" in card["detail"]
    assert "at most 3 lesions" in card["detail"] and "PS 0-1" in card["detail"]
    assert "Local setting, not the guideline's text" in card["detail"]


def test_unknown_lesion_count_gives_a_conditional_card(cds):
    response = cds("patient-view", hook_request("patient-view", brain_patient(lesions=None)))
    card = only_card(response, FEW_SURGERY)
    assert card["summary"].startswith("If solitary or few")
    assert "number of lesions is not recorded" in card["detail"]


def test_missing_ps_gives_a_conditional_card(cds):
    card = only_card(cds("patient-view", hook_request("patient-view", brain_patient(ps=None))), FEW_SURGERY)
    assert "general condition allows" in card["summary"]
    assert "No performance status within 90 days" in card["detail"]


def test_near_misses_many_metastases_poor_ps_or_unknown_histology(cds):
    for resources in (brain_patient(lesions=4), brain_patient(ps=2), brain_patient(histology="unknown")):
        response = cds("patient-view", hook_request("patient-view", resources))
        assert cards_for(response, FEW_SURGERY) == []


# --- brain-postoperative-rt -----------------------------------------------------------------------

def test_metastasectomy_without_brain_rt_since_asks_for_postoperative_rt(cds):
    operation = brain_metastasectomy(performed=days_ago(10), id="op-1")
    response = cds("patient-view", hook_request("patient-view", brain_patient(operation)))
    card = only_card(response, POSTOPERATIVE)
    assert card["indicator"] == "info"
    assert card["extension"]["palliative-rt-cds"]["evidenceGrade"] == "C"
    assert "WBRT" in card["summary"] and "27 % to 59 %" in card["detail"]
    assert fact_resources(card) == ["Procedure/op-1"] and days_ago(10) in card["detail"]


def test_surgical_procedure_on_the_brain_for_the_metastasis_counts_as_metastasectomy(cds):
    """Encoding 2: a surgical Procedure with bodySite brain whose reasonReference is the brain metastasis."""
    operation = surgery("Resektion af hjernemetastase", performed=days_ago(12), body_site=BRAIN,
                        reason=[{"reference": "Condition/bm-1"}], id="op-2")
    response = cds("patient-view", hook_request("patient-view", brain_patient(operation)))
    assert fact_resources(only_card(response, POSTOPERATIVE)) == ["Procedure/op-2"]


def test_wbrt_order_after_metastasectomy_names_srs_as_preferred(cds):
    operation = brain_metastasectomy(performed=days_ago(20))
    response = cds("order-select", hook_request("order-select", brain_patient(operation),
                                                orders=[wbrt(30, 10)]))
    assert "stereotactic RT is preferred" in only_card(response, POSTOPERATIVE)["summary"]


def test_near_miss_srs_to_the_cavity_after_surgery(cds):
    operation = brain_metastasectomy(performed=days_ago(60))
    cavity = rt_course("brain", 27, 3, qualifier=PARTIAL, ended=days_ago(30))
    response = cds("patient-view", hook_request("patient-view", brain_patient(operation, cavity)))
    assert cards_for(response, POSTOPERATIVE) == []


# --- brain-asymptomatic-systemic-first ------------------------------------------------------------

def osimertinib_planned() -> dict:
    return medication_request("osimertinib", status="draft", intent="plan", id="osi-1")


def test_asymptomatic_egfr_patient_with_planned_osimertinib_is_told_systemic_first(cds):
    resources = brain_patient(driver("EGFR", id="egfr-1"), osimertinib_planned(), lesions=None)
    card = only_card(cds("patient-view", hook_request("patient-view", resources)), SYSTEMIC_FIRST)
    assert card["indicator"] == "info"
    assert "blood-brain barrier" in card["detail"] and "figure 1" in card["detail"]
    assert {"Condition/bm-1", "MedicationRequest/osi-1", "Observation/egfr-1"} <= set(fact_resources(card))


def test_brain_order_under_targeted_therapy_with_unknown_count_is_a_warning(cds):
    resources = brain_patient(driver("EGFR"), osimertinib_planned(), lesions=None)
    response = cds("order-sign", hook_request("order-sign", resources, orders=[srs()]))
    card = only_card(response, SYSTEMIC_FIRST)
    assert card["indicator"] == "warning"
    assert "number of brain metastases is not recorded" in card["detail"]


def test_oligometastatic_cns_spread_keeps_the_brain_order_an_info(cds):
    """Figure 1 footnote: 2 lesions (oligometastatic CNS spread): RT first may be considered."""
    resources = brain_patient(driver("EGFR"), osimertinib_planned(), lesions=2)
    response = cds("order-select", hook_request("order-select", resources, orders=[srs()]))
    assert only_card(response, SYSTEMIC_FIRST)["indicator"] == "info"


def test_immunotherapy_on_a_wbrt_order_is_an_info(cds):
    resources = brain_patient(medication_request("pembrolizumab"), lesions=8)
    response = cds("order-select", hook_request("order-select", resources, orders=[wbrt(20, 5)]))
    assert only_card(response, SYSTEMIC_FIRST)["indicator"] == "info"


def test_near_misses_symptomatic_or_no_brain_active_therapy(cds):
    """Headache (symptomatic); chemotherapy only; osimertinib without a recorded driver."""
    stories = (
        brain_patient(driver("EGFR"), osimertinib_planned(), symptom("headache")),
        brain_patient(medication_request("carboplatin")),
        brain_patient(osimertinib_planned()),
    )
    for resources in stories:
        response = cds("patient-view", hook_request("patient-view", resources))
        assert cards_for(response, SYSTEMIC_FIRST) == []


def test_immunotherapy_with_steroids_for_the_brain_is_not_brain_active(cds):
    """Near miss: prednisolone for the brain metastasis makes the metastases symptomatic anyway."""
    prednisolone = medication_request("prednisolone", reason=[{"reference": "Condition/bm-1"}])
    resources = brain_patient(medication_request("pembrolizumab"), prednisolone)
    response = cds("patient-view", hook_request("patient-view", resources))
    assert cards_for(response, SYSTEMIC_FIRST) == []


# --- brain-oncogene-driven-targeted-first ---------------------------------------------------------

def test_egfr_driven_nsclc_with_brain_metastases_gets_targeted_first(cds):
    resources = brain_patient(driver("EGFR", id="egfr-1"))
    card = only_card(cds("patient-view", hook_request("patient-view", resources)), TARGETED_FIRST)
    assert card["indicator"] == "info"
    assert "EGFR" in card["summary"] and "fails" in card["detail"]
    assert "Observation/egfr-1" in fact_resources(card)


def test_driver_recorded_twice_is_named_once(cds):
    """EGFR as a variant Observation and as the diagnosis "NSCLC with EGFR mutation" (SNOMED 703228009)."""
    resources = brain_patient(driver("EGFR"), condition(SNOMED, "703228009"))
    card = only_card(cds("patient-view", hook_request("patient-view", resources)), TARGETED_FIRST)
    assert card["summary"].count("EGFR") == 1


def test_braf_without_a_recorded_variant_gives_a_conditional_card(cds):
    response = cds("patient-view", hook_request("patient-view", brain_patient(driver("BRAF"))))
    card = only_card(response, TARGETED_FIRST)
    assert "BRAF V600E" in card["summary"] and "variant is not recorded" in card["detail"]


def test_braf_v600e_is_targetable(cds):
    resources = brain_patient(driver_variant("BRAF", "p.V600E"))
    card = only_card(cds("patient-view", hook_request("patient-view", resources)), TARGETED_FIRST)
    assert "with BRAF" in card["summary"]


def test_near_misses_kras_g12d_or_no_brain_metastases(cds):
    kras = brain_patient(driver_variant("KRAS", "p.G12D"))
    no_brain = [lung_cancer("nsclc"), metastasis("liver"), driver("EGFR"), ecog(1)]
    for resources in (kras, no_brain):
        response = cds("patient-view", hook_request("patient-view", resources))
        assert cards_for(response, TARGETED_FIRST) == []


# --- brain-wbrt-omit-poor-ps ----------------------------------------------------------------------

def test_poor_ps_without_systemic_option_can_omit_wbrt(cds):
    response = cds("patient-view", hook_request("patient-view", brain_patient(ps=3, lesions=8)))
    card = only_card(response, OMIT_POOR_PS)
    assert card["indicator"] == "info"
    assert card["summary"].startswith("PS 3")
    assert "QUARTZ" in card["detail"] and "more than 60 %" in card["detail"]


def test_wbrt_order_in_poor_ps_without_systemic_option_is_a_warning(cds):
    response = cds("order-sign", hook_request("order-sign", brain_patient(ps=2, lesions=8),
                                              orders=[wbrt(20, 5)]))
    card = only_card(response, OMIT_POOR_PS)
    assert card["indicator"] == "warning"
    assert "Ordered: 20 Gy/5F" in card["detail"]


def test_missing_ps_gives_both_branches(cds):
    response = cds("order-select", hook_request("order-select", brain_patient(ps=None, lesions=8),
                                                orders=[wbrt(20, 5)]))
    card = only_card(response, OMIT_POOR_PS)
    assert card["indicator"] == "info"
    assert card["summary"].startswith("PS not recorded")


def test_near_misses_good_ps_or_planned_chemotherapy(cds):
    chemo = medication_request("carboplatin", status="draft", intent="plan")
    for resources in (brain_patient(ps=1, lesions=8), brain_patient(chemo, ps=3, lesions=8)):
        response = cds("patient-view", hook_request("patient-view", resources))
        assert cards_for(response, OMIT_POOR_PS) == []


# --- brain-wbrt-dose-too-low ----------------------------------------------------------------------

def test_wbrt_8_gy_single_fraction_is_below_20_gy_5f(cds):
    """WBRT 8 Gy/1F: warning, BED10 14.4 vs 28.0, suggests 20 Gy/5F as an update of the draft."""
    response = cds("order-sign", hook_request("order-sign", brain_patient(lesions=8), orders=[wbrt(8, 1)]))
    card = only_card(response, DOSE_TOO_LOW)
    assert card["indicator"] == "warning"
    assert "BED10 14.4 Gy" in card["summary"] and "28.0" in card["detail"]
    assert suggested_regimens(card) == [("update", 2000, 5)]
    resource = card["suggestions"][0]["actions"][0]["resource"]
    assert resource["id"] == "wbrt-1" and prescription(resource) == (2000, 5)
    assert card["suggestions"][0]["isRecommended"] is True


def test_brain_order_without_extent_and_non_stereotactic_dose_is_read_as_wbrt(cds):
    """No whole/partial qualifier, 15 Gy/5F: read as WBRT, and the card says so."""
    order = rt_order("brain", 15, 5, id="brain-1")
    response = cds("order-select", hook_request("order-select", brain_patient(lesions=8), orders=[order]))
    card = only_card(response, DOSE_TOO_LOW)
    assert "read as whole-brain radiotherapy" in card["detail"]


def test_dose_too_low_in_danish(cds):
    response = cds("order-sign", hook_request("order-sign", brain_patient(lesions=8), orders=[wbrt(8, 1)]),
                   lang="da")
    card = only_card(response, DOSE_TOO_LOW)
    assert card["summary"] == ("Helhjernebestråling 8 Gy/1F (BED10 14,4 Gy) er under 20 Gy/5F: "
                               "lavere dosis kan ikke anbefales")
    assert "klinisk gavn eller overlevelsesgevinst" in card["detail"]
    assert card["suggestions"][0]["label"] == "Helhjernebestråling 20 Gy/5F (BED10 28,0 Gy)"


def test_near_misses_20_gy_in_4_or_5_fractions_and_srs(cds):
    for order in (wbrt(20, 5), wbrt(20, 4), srs(20, 1)):
        response = cds("order-sign", hook_request("order-sign", brain_patient(lesions=8), orders=[order]))
        assert cards_for(response, DOSE_TOO_LOW) == []

