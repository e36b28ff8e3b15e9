"""Recommendation 2 (A): life-prolonging thoracic radiotherapy for asymptomatic lung cancer, as stories."""

from __future__ import annotations

from typing import Any

from tests.fhir import (
    ICD10,
    LESION_COUNT_URL,
    condition,
    days_ago,
    ecog,
    hook_request,
    lung_cancer,
    m_stage,
    medication_request,
    metastasis,
    only_card,
    rt_course,
    rt_order,
    stated,
    suggested_regimens,
    survival_estimate,
    symptom,
)

LIFE_PROLONGING = "thoracic-life-prolonging"
LOW_BED = "thoracic-life-prolonging-low-bed"
POOR_PS = "thoracic-asymptomatic-poor-ps"
EXTENSIVE = "thoracic-asymptomatic-extensive-disease"
SURVIVAL_SHORT = "thoracic-survival-short"
SYSTEMIC_FIRST = "thoracic-systemic-option-first"
OLIGOMETASTATIC = "oligometastatic-local-therapy"


def not_curable_nsclc() -> list[dict[str, Any]]:
    """NSCLC stated not a candidate for curative treatment, no metastasis recorded."""
    return [lung_cancer("nsclc"), stated("not-curable")]


def eligible(ps: int = 1, months: float = 9) -> list[dict[str, Any]]:
    """Rec-2 eligible: asymptomatic, no extrathoracic metastasis, PS 0-1, survival > 6 months, no drugs."""
    return [*not_curable_nsclc(), ecog(ps), survival_estimate(months)]


def patient_view(cds, *resources: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    return cds("patient-view", hook_request("patient-view", list(resources)), lang=lang)


def on_order(cds, hook: str, order: dict[str, Any], *resources: dict[str, Any],
             lang: str = "en") -> dict[str, Any]:
    return cds(hook, hook_request(hook, list(resources), orders=[order]), lang=lang)



def fact_references(card: dict[str, Any]) -> list[str]:
    return [fact["resource"] for fact in card["extension"]["palliative-rt-cds"].get("facts", [])]


# --- thoracic-life-prolonging -----------------------------------------------------------------

def test_asymptomatic_nsclc_ps1_survival_9_months_offers_30_10_and_25_5(cds) -> None:
    """Rec-2 eligible on patient-view: info, suggests 30 Gy/10F and 25 Gy/5F, states each condition."""
    card = only_card(patient_view(cds, *eligible()), LIFE_PROLONGING)
    assert card["indicator"] == "info"
    assert suggested_regimens(card) == [("create", 3000, 10), ("create", 2500, 5)]
    detail = card["detail"]
    for stated_condition in ("No thoracic symptom recorded", "No extrathoracic metastasis recorded",
                      "Performance status 1", "Expected survival 9.0 months",
                      "No active or planned systemic therapy recorded",
                      "No prior thoracic radiotherapy course"):
        assert stated_condition in detail, stated_condition
    assert "3,473" in detail and "26.5 %" in detail and "HERAN" in detail and "oesophageal" in detail
    assert "20 Gy/5F 28.0 Gy" in detail, "the table's BED discrepancy note"
    assert card["extension"]["palliative-rt-cds"]["evidenceGrade"] == "A"


def test_unknown_ps_survival_and_lesion_count_are_stated_as_assumptions(cds) -> None:
    """Bone metastasis of unknown count, no PS, no survival estimate: a conditional card naming each gap."""
    card = only_card(patient_view(cds, lung_cancer("nsclc"), metastasis("bone")), LIFE_PROLONGING)
    assert "if the conditions below hold" in card["summary"]
    detail = card["detail"]
    assert "No performance status within 90 days" in detail and "only with PS 0-1" in detail
    assert "Expected survival is not recorded" in detail and "more than 6 months" in detail
    assert "number of lesions is not recorded" in detail
    assert suggested_regimens(card) == [("create", 3000, 10), ("create", 2500, 5)]


def test_limited_extrathoracic_disease_by_lesion_count(cds) -> None:
    """cM1b, one adrenal metastasis (1 lesion): limited, and the card says how it counted."""
    resources = [lung_cancer("nsclc"), m_stage("1229907005"), metastasis("adrenal", lesions=1), ecog(0),
                 survival_estimate(12)]
    card = only_card(patient_view(cds, *resources), LIFE_PROLONGING)
    assert "1 lesion(s) in 1 organ(s)" in card["detail"]
    assert "EORTC" in card["detail"]


def test_ordered_30_gy_in_10_fractions_is_confirmed_without_suggestions(cds, rule_ids) -> None:
    """Eligible, thoracic 30 Gy/10F: confirmed on order-select (BED10 39.0), nothing at signing."""
    order = rt_order("lung", 30, 10)
    card = only_card(on_order(cds, "order-select", order, *eligible()), LIFE_PROLONGING)
    assert "39.0" in card["summary"] and not card.get("suggestions")
    response = on_order(cds, "order-sign", order, *eligible())
    assert LIFE_PROLONGING not in rule_ids(response) and LOW_BED not in rule_ids(response)


def test_thoracic_order_without_dose_gets_the_regimens_as_updates(cds) -> None:
    """Eligible, thoracic draft without a dose yet: the suggestions fill in the draft (update, same id)."""
    order = rt_order("lung", None, None)
    card = only_card(on_order(cds, "order-sign", order, *eligible()), LIFE_PROLONGING)
    assert suggested_regimens(card) == [("update", 3000, 10), ("update", 2500, 5)]
    assert {s["actions"][0]["resource"]["id"] for s in card["suggestions"]} == {order["id"]}


def test_ps_2_is_not_eligible(cds, rule_ids) -> None:
    """Near miss: PS 2."""
    assert LIFE_PROLONGING not in rule_ids(patient_view(cds, *eligible(ps=2)))


def test_survival_6_months_is_not_eligible(cds, rule_ids) -> None:
    """Near miss: the guideline asks for more than 6 months; 6 is not more."""
    assert LIFE_PROLONGING not in rule_ids(patient_view(cds, *eligible(months=6)))


def test_thoracic_symptom_is_not_eligible(cds, rule_ids) -> None:
    """Near miss: cough makes it recommendation 1."""
    ids = rule_ids(patient_view(cds, *eligible(), symptom("cough")))
    assert LIFE_PROLONGING not in ids and "thoracic-symptom-relief" in ids


def test_active_immunotherapy_is_not_eligible(cds, rule_ids) -> None:
    """Near miss: pembrolizumab active (a systemic option is in use)."""
    response = patient_view(cds, *eligible(), medication_request("pembrolizumab"))
    assert LIFE_PROLONGING not in rule_ids(response)


def test_prior_thoracic_course_is_not_eligible(cds, rule_ids) -> None:
    """Near miss: 30 Gy/10F to the lung 8 months ago (recommendation 6 speaks on a new order)."""
    course = rt_course("lung", 30, 10, ended=days_ago(240))
    assert LIFE_PROLONGING not in rule_ids(patient_view(cds, *eligible(), course))


def test_four_metastatic_organs_is_not_eligible(cds, rule_ids) -> None:
    """Near miss: bone, liver, adrenal and brain metastases (more than 3 organs), counts not all recorded."""
    resources = [*eligible(), metastasis("bone", lesions=1), metastasis("liver"),
                 metastasis("adrenal", lesions=1), metastasis("brain", lesions=1)]
    assert LIFE_PROLONGING not in rule_ids(patient_view(cds, *resources))


# --- thoracic-life-prolonging-low-bed ---------------------------------------------------------

def test_asymptomatic_ps1_ordered_20_gy_in_5_fractions_warns_bed_28(cds) -> None:
    """Asymptomatic NSCLC, PS 1, no systemic option, thoracic 20 Gy/5F: warning, BED 28, suggests 30/10."""
    order = rt_order("lung", 20, 5)
    card = only_card(on_order(cds, "order-sign", order, *eligible()), LOW_BED)
    assert card["indicator"] == "warning"
    assert "20 Gy/5F" in card["summary"] and "28.0" in card["summary"]
    assert suggested_regimens(card) == [("update", 3000, 10)]
    assert card["suggestions"][0]["actions"][0]["resource"]["id"] == order["id"]
    assert card["suggestions"][0].get("isRecommended") is True
    assert "chapter 3 and appendix 1" in card["detail"], "the discrepancy note"
    assert "No active or planned systemic therapy recorded" in card["detail"]


def test_20_gy_in_4_fractions_is_below_35_although_the_guideline_calls_it_equivalent(cds) -> None:
    """The guideline calls 20-25 Gy/4-5F BED (minimum) 35 (l. 512-516, l. 1170-1172), but 20 Gy/4F computes
    to BED10 30.0: the card warns and states both, as the decision table decides."""
    order = rt_order("lung", 20, 4)
    card = only_card(on_order(cds, "order-sign", order, *eligible()), LOW_BED)
    assert "30.0" in card["summary"]
    assert "20-25 Gy/4-5F or 30 Gy/10F" in card["detail"]


def test_low_bed_card_in_danish(cds) -> None:
    """Danish wording of the low-BED warning."""
    order = rt_order("lung", 20, 5)
    card = only_card(on_order(cds, "order-sign", order, *eligible(), lang="da"), LOW_BED)
    assert card["summary"].startswith("Bestilt 20 Gy/5F giver BED10 28,0 Gy")
    assert "Kapitel 3 og bilag 1" in card["detail"] and "Anbefaling 2, evidensstyrke A" in card["detail"]


def test_bed10_threshold_is_35(cds, rule_ids) -> None:
    """22 Gy/4F (BED10 34.1) warns; 22.5 Gy/4F (BED10 35.2, the table's lowest 4-fraction dose) does not."""
    low = rt_order("lung", 22, 4)
    assert "34.1" in only_card(on_order(cds, "order-sign", low, *eligible()), LOW_BED)["summary"]
    assert LOW_BED not in rule_ids(on_order(cds, "order-sign", rt_order("lung", 22.5, 4), *eligible()))


def test_25_gy_in_5_fractions_is_adequate(cds, rule_ids) -> None:
    """Near miss: 25 Gy/5F gives BED10 37.5."""
    order = rt_order("lung", 25, 5)
    assert LOW_BED not in rule_ids(on_order(cds, "order-sign", order, *eligible()))


def test_low_bed_order_for_a_symptomatic_patient_is_not_judged_as_life_prolonging(cds, rule_ids) -> None:
    """Near miss: hemoptysis, 20 Gy/5F is symptom relief."""
    order = rt_order("lung", 20, 5)
    assert LOW_BED not in rule_ids(on_order(cds, "order-sign", order, *eligible(), symptom("hemoptysis")))


def test_low_bed_with_unknown_ps_states_both_branches(cds) -> None:
    """Asymptomatic, no PS recorded, 20 Gy/5F: warns, and says PS 2-4 would bring no benefit at all."""
    order = rt_order("lung", 20, 5)
    card = only_card(on_order(cds, "order-sign", order, *not_curable_nsclc(), survival_estimate(9)), LOW_BED)
    assert "PS 2-4 cannot be expected to benefit" in card["detail"]


# --- thoracic-asymptomatic-poor-ps ------------------------------------------------------------

def test_asymptomatic_ps_3_thoracic_order_warns_no_benefit(cds) -> None:
    """Asymptomatic, PS 3, thoracic 30 Gy/10F at signing: warning, no dose suggestion."""
    order = rt_order("lung", 30, 10)
    card = only_card(on_order(cds, "order-sign", order, *eligible(ps=3)), POOR_PS)
    assert card["indicator"] == "warning" and "PS 3" in card["summary"]
    assert not card.get("suggestions")


def test_asymptomatic_poor_ps_without_order_gives_no_card(cds, rule_ids) -> None:
    """Near miss: patient-view (the table: warning on a thoracic order, otherwise no card)."""
    assert POOR_PS not in rule_ids(patient_view(cds, *eligible(ps=3)))


def test_symptomatic_poor_ps_is_recommendation_1(cds, rule_ids) -> None:
    """Near miss: hemoptysis with PS 3 (recommendation 1's poor-PS warning instead)."""
    order = rt_order("lung", 20, 5)
    ids = rule_ids(on_order(cds, "order-sign", order, *eligible(ps=3), symptom("hemoptysis")))
    assert POOR_PS not in ids and "thoracic-symptom-relief-poor-ps" in ids


# --- thoracic-asymptomatic-extensive-disease --------------------------------------------------

def test_asymptomatic_with_four_metastatic_organs_warns(cds) -> None:
    """Bone 3, liver 2, adrenal 1 and brain 1 lesions (7 lesions in 4 organs), thoracic 30 Gy/10F: warning."""
    resources = [*eligible(), metastasis("bone", lesions=3), metastasis("liver", lesions=2),
                 metastasis("adrenal", lesions=1), metastasis("brain", lesions=1)]
    card = only_card(on_order(cds, "order-sign", rt_order("lung", 30, 10), *resources), EXTENSIVE)
    assert card["indicator"] == "warning"
    assert "4 organs" in card["detail"] and "7" in card["detail"]


def test_two_organs_with_three_lesions_is_limited(cds, rule_ids) -> None:
    """Near miss: bone 2 and adrenal 1 lesions (oligometastatic)."""
    resources = [*eligible(), metastasis("bone", lesions=2), metastasis("adrenal", lesions=1)]
    assert EXTENSIVE not in rule_ids(on_order(cds, "order-sign", rt_order("lung", 30, 10), *resources))


def test_intrathoracic_metastases_do_not_count_towards_extrathoracic_organs(cds, rule_ids) -> None:
    """Near miss: lung 2 and pleura 1 lesions plus bone 2 and adrenal 1 (6 lesions in 4 organs, but 3 in 2
    organs outside the thorax): limited extrathoracic disease, since CONVENTIONS.md counts the organs
    outside the thorax."""
    pleura = condition(ICD10, "C78.2", extension=[{"url": LESION_COUNT_URL, "valueInteger": 1}])
    resources = [*eligible(), metastasis("lung", lesions=2), pleura, metastasis("bone", lesions=2),
                 metastasis("adrenal", lesions=1)]
    response = on_order(cds, "order-sign", rt_order("lung", 30, 10), *resources)
    assert EXTENSIVE not in rule_ids(response)
    assert LIFE_PROLONGING in rule_ids(patient_view(cds, *resources))


def test_unknown_lesion_count_is_not_called_extensive(cds, rule_ids) -> None:
    """Near miss: one bone metastasis without a count (unknown extent: stated as an assumption elsewhere)."""
    response = on_order(cds, "order-select", rt_order("lung", 30, 10), *eligible(), metastasis("bone"))
    assert EXTENSIVE not in rule_ids(response)
    assert "number of lesions is not recorded" in only_card(response, LIFE_PROLONGING)["detail"]


# --- thoracic-survival-short ------------------------------------------------------------------

def test_asymptomatic_survival_4_months_warns(cds) -> None:
    """Asymptomatic, PS 1, expected survival 4 months, thoracic 30 Gy/10F: warning."""
    response = on_order(cds, "order-sign", rt_order("lung", 30, 10), *eligible(months=4))
    card = only_card(response, SURVIVAL_SHORT)
    assert card["indicator"] == "warning" and "4.0" in card["summary"]


def test_survival_of_exactly_6_months_warns(cds, rule_ids) -> None:
    """The effect needs more than 6 months: 6 months warns."""
    response = on_order(cds, "order-sign", rt_order("lung", 30, 10), *eligible(months=6))
    assert SURVIVAL_SHORT in rule_ids(response)


def test_survival_of_7_months_does_not_warn(cds, rule_ids) -> None:
    """Near miss: 7 months."""
    response = on_order(cds, "order-sign", rt_order("lung", 30, 10), *eligible(months=7))
    assert SURVIVAL_SHORT not in rule_ids(response)


# --- thoracic-systemic-option-first -----------------------------------------------------------

def test_planned_immunotherapy_with_thoracic_order_points_to_systemic_first(cds) -> None:
    """Asymptomatic, pembrolizumab planned (draft, intent plan), thoracic 30 Gy/10F on order-select: info."""
    planned = medication_request("pembrolizumab", status="draft", intent="plan")
    response = on_order(cds, "order-select", rt_order("lung", 30, 10), *eligible(), planned)
    card = only_card(response, SYSTEMIC_FIRST)
    assert card["indicator"] == "info" and "12.9" in card["detail"]
    assert f"MedicationRequest/{planned['id']}" in fact_references(card)


def test_completed_chemotherapy_is_no_current_option(cds, rule_ids) -> None:
    """Near miss: carboplatin completed."""
    done = medication_request("carboplatin", status="completed")
    response = on_order(cds, "order-select", rt_order("lung", 30, 10), *eligible(), done)
    assert SYSTEMIC_FIRST not in rule_ids(response)


def test_systemic_option_info_is_not_shown_at_signing(cds, rule_ids) -> None:
    """order-sign shows info only with a suggestion that changes the order."""
    osimertinib = medication_request("osimertinib")
    response = on_order(cds, "order-sign", rt_order("lung", 30, 10), *eligible(), osimertinib)
    assert SYSTEMIC_FIRST not in rule_ids(response)


# --- oligometastatic-local-therapy ------------------------------------------------------------

def test_stated_oligometastatic_disease_on_patient_view(cds) -> None:
    """Oligometastatic disease stated in the record: info with grade A and the 2026 DOLG document."""
    flag = stated("oligometastatic-disease")
    response = patient_view(cds, lung_cancer("nsclc"), metastasis("brain"), flag, ecog(1))
    card = only_card(response, OLIGOMETASTATIC)
    assert card["indicator"] == "info" and "2026" in card["detail"]
    assert card["extension"]["palliative-rt-cds"]["recommendation"] == "2"
    assert f"Condition/{flag['id']}" in fact_references(card)


def test_counted_oligometastatic_disease(cds, rule_ids) -> None:
    """Bone 2 and adrenal 1 lesions: computed oligometastatic."""
    resources = [lung_cancer("nsclc"), metastasis("bone", lesions=2), metastasis("adrenal", lesions=1),
                 ecog(1)]
    assert OLIGOMETASTATIC in rule_ids(patient_view(cds, *resources))


def test_oligoprogression(cds) -> None:
    resources = [lung_cancer("nsclc"), metastasis("bone"), stated("oligoprogression"), ecog(1)]
    card = only_card(patient_view(cds, *resources), OLIGOMETASTATIC)
    assert card["summary"].startswith("Oligoprogression")


def test_six_lesions_is_not_oligometastatic(cds, rule_ids) -> None:
    """Near miss: bone 4 and liver 2 lesions."""
    resources = [lung_cancer("nsclc"), metastasis("bone", lesions=4), metastasis("liver", lesions=2), ecog(1)]
    assert OLIGOMETASTATIC not in rule_ids(patient_view(cds, *resources))


def test_oligometastatic_card_is_for_patient_view_only(cds, rule_ids) -> None:
    """Near miss: on order hooks sbrt-selected-lesion is the counterpart."""
    resources = [lung_cancer("nsclc"), metastasis("bone"), stated("oligometastatic-disease"), ecog(1)]
    response = on_order(cds, "order-select", rt_order("lung", 30, 10), *resources)
    assert OLIGOMETASTATIC not in rule_ids(response)
