"""Recommendation 1 (A): palliative thoracic radiotherapy for symptomatic lung cancer, as patient stories."""

from __future__ import annotations

from typing import Any

from tests.fhir import (
    SKS_D,
    condition,
    days_ago,
    ecog,
    hook_request,
    karnofsky,
    lung_cancer,
    metastasis,
    only_card,
    rt_course,
    rt_order,
    suggested_regimens,
    symptom,
)

RELIEF = "thoracic-symptom-relief"
POOR_PS = "thoracic-symptom-relief-poor-ps"
STENT = "svc-nsclc-consider-stent"
SCLC_CHEMO = "svc-sclc-chemotherapy-first"
REGIMEN_LONG = "thoracic-symptom-regimen-long"


def metastatic(histology: str = "nsclc") -> list[dict[str, Any]]:
    """Lung cancer with two bone metastases (M1)."""
    return [lung_cancer(histology), metastasis("bone", lesions=2)]


def patient_view(cds, *resources: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    return cds("patient-view", hook_request("patient-view", list(resources)), lang=lang)


def on_order(cds, hook: str, order: dict[str, Any], *resources: dict[str, Any]) -> dict[str, Any]:
    return cds(hook, hook_request(hook, list(resources), orders=[order]))



def fact_references(card: dict[str, Any]) -> list[str]:
    return [fact["resource"] for fact in card["extension"]["palliative-rt-cds"].get("facts", [])]


def updated_ids(card: dict[str, Any]) -> set[str]:
    return {suggestion["actions"][0]["resource"]["id"] for suggestion in card["suggestions"]}


# --- thoracic-symptom-relief ------------------------------------------------------------------

def test_hemoptysis_nsclc_ps1_patient_view_offers_20_4_and_25_5(cds, rule_ids) -> None:
    """Metastatic NSCLC, hemoptysis, PS 1: info card suggesting 20 Gy/4F and 25 Gy/5F as new draft orders."""
    hemoptysis = symptom("hemoptysis")
    response = patient_view(cds, *metastatic(), hemoptysis, ecog(1))
    card = only_card(response, RELIEF)
    assert card["indicator"] == "info"
    assert suggested_regimens(card) == [("create", 2000, 4), ("create", 2500, 5)]
    for suggestion in card["suggestions"]:
        resource = suggestion["actions"][0]["resource"]
        assert resource["status"] == "draft"
        assert resource["bodySite"][0]["coding"][0]["code"] == "51185008"
    assert "67 %" in card["detail"] and "72-97 %" in card["detail"] and "PARAT" in card["detail"]
    extension = card["extension"]["palliative-rt-cds"]
    assert extension["recommendation"] == "1" and extension["evidenceGrade"] == "A"
    assert f"Condition/{hemoptysis['id']}" in fact_references(card)
    assert POOR_PS not in rule_ids(response)


def test_cough_with_thoracic_17_gy_order_is_rewritten_to_the_guideline_regimens(cds) -> None:
    """Cough, PS 2, 17 Gy/2F thoracic draft: the suggestions update that draft to 20 Gy/4F or 25 Gy/5F."""
    order = rt_order("lung", 17, 2)
    card = only_card(on_order(cds, "order-select", order, *metastatic(), symptom("cough"), ecog(2)), RELIEF)
    assert suggested_regimens(card) == [("update", 2000, 4), ("update", 2500, 5)]
    assert updated_ids(card) == {order["id"]}


def test_order_within_20_25_gy_in_4_5_fractions_is_not_rewritten(cds, rule_ids) -> None:
    """Dyspnea, thoracic 20 Gy/5F (appendix 1: 20-25 Gy/4-5F): confirmed on order-select, quiet at signing."""
    resources = [*metastatic(), symptom("dyspnea"), ecog(1)]
    order = rt_order("thorax", 20, 5)
    card = only_card(on_order(cds, "order-select", order, *resources), RELIEF)
    assert not card.get("suggestions") and "20 Gy/5F" in card["summary"]
    assert RELIEF not in rule_ids(on_order(cds, "order-sign", order, *resources))


def test_asymptomatic_patient_gets_no_symptom_relief_card(cds, rule_ids) -> None:
    """Near miss: metastatic NSCLC without thoracic symptoms."""
    assert RELIEF not in rule_ids(patient_view(cds, *metastatic(), ecog(1)))


def test_resolved_hemoptysis_does_not_count(cds, rule_ids) -> None:
    """Near miss: the hemoptysis Condition is resolved."""
    resolved = symptom("hemoptysis", status="resolved", abated=days_ago(20))
    assert RELIEF not in rule_ids(patient_view(cds, *metastatic(), resolved, ecog(1)))


def test_sclc_whose_only_thoracic_symptom_is_svc_gets_no_relief_card(cds, rule_ids) -> None:
    """Near miss (the table's exception): SCLC with SVC syndrome only; chemotherapy comes first instead."""
    ids = rule_ids(patient_view(cds, *metastatic("sclc"), symptom("svc-syndrome"), ecog(1)))
    assert RELIEF not in ids and SCLC_CHEMO in ids


def test_sclc_with_svc_and_hemoptysis_gets_the_relief_card(cds, rule_ids) -> None:
    response = patient_view(cds, *metastatic("sclc"), symptom("svc-syndrome"), symptom("hemoptysis"), ecog(1))
    assert RELIEF in rule_ids(response)


def test_relief_without_ps_names_both_branches(cds) -> None:
    """Thoracic pain, no PS recorded: the card still advises and says what holds with PS > 2."""
    card = only_card(patient_view(cds, *metastatic(), symptom("thoracic-pain")), RELIEF)
    assert "No performance status" in card["detail"] and "PS > 2" in card["detail"]


def test_relief_after_a_prior_thoracic_course_names_reirradiation(cds) -> None:
    """Hemoptysis 5 months after 20 Gy/4F to the lung: the card cites that course and points to rec. 6."""
    course = rt_course("lung", 20, 4, ended=days_ago(150))
    card = only_card(patient_view(cds, *metastatic(), symptom("hemoptysis"), ecog(1), course), RELIEF)
    assert "re-irradiation, see recommendation 6" in card["detail"]
    assert f"Procedure/{course['id']}" in fact_references(card)


def test_relief_card_in_danish(cds) -> None:
    """Danish wording: Danish summary, regimen labels and BED with a decimal comma."""
    response = patient_view(cds, *metastatic(), symptom("hemoptysis"), ecog(0), lang="da")
    card = only_card(response, RELIEF)
    assert card["summary"].startswith("Thorakale symptomer")
    assert [s["label"] for s in card["suggestions"]] == ["20 Gy/4F mod thorax (BED10 30,0 Gy)",
                                                        "25 Gy/5F mod thorax (BED10 37,5 Gy)"]
    assert "hæmoptyse" in card["detail"] and "Anbefaling 1, evidensstyrke A" in card["detail"]


def test_curative_thoracic_order_gets_no_relief_card(cds, rule_ids) -> None:
    """Near miss: a curative-intent thoracic order is outside the guideline's scope."""
    order = rt_order("lung", 60, 30, intent="curative")
    ids = rule_ids(on_order(cds, "order-select", order, *metastatic(), symptom("cough"), ecog(0)))
    assert RELIEF not in ids and "out-of-scope" in ids


# --- thoracic-symptom-relief-poor-ps ----------------------------------------------------------

def test_hemoptysis_with_ps_3_warns_that_relief_is_uncertain(cds) -> None:
    """Hemoptysis, ECOG 3: warning naming PS 3 and the two trials (19 %, 10.9-19.6 %); no suggestion."""
    ps = ecog(3)
    card = only_card(patient_view(cds, *metastatic(), symptom("hemoptysis"), ps), POOR_PS)
    assert card["indicator"] == "warning" and "PS 3" in card["summary"]
    assert "19 %" in card["detail"] and "10.9-19.6 %" in card["detail"]
    assert not card.get("suggestions")
    assert f"Observation/{ps['id']}" in fact_references(card)


def test_karnofsky_40_counts_as_ps_3_and_shows_at_signing(cds) -> None:
    """Cough, Karnofsky 40 (-> PS 3), thoracic 20 Gy/5F at signing: the warning is shown."""
    order = rt_order("thorax", 20, 5)
    response = on_order(cds, "order-sign", order, *metastatic(), symptom("cough"), karnofsky(40))
    card = only_card(response, POOR_PS)
    assert card["indicator"] == "warning" and "PS 3" in card["summary"]


def test_ps_2_is_not_poor_for_symptom_relief(cds, rule_ids) -> None:
    """Near miss: PS 2 (the guideline's limit is PS > 2)."""
    assert POOR_PS not in rule_ids(patient_view(cds, *metastatic(), symptom("dyspnea"), ecog(2)))


# --- svc-nsclc-consider-stent -----------------------------------------------------------------

def test_svc_syndrome_in_nsclc_mentions_stenting(cds) -> None:
    """NSCLC with SVC syndrome: the review's numbers (46 studies, RT 60 %, relapse 19 %, stent 95 %)."""
    card = only_card(patient_view(cds, *metastatic(), symptom("svc-syndrome"), ecog(1)), STENT)
    assert card["indicator"] == "info"
    assert all(number in card["detail"] for number in ("60 %", "19 %", "95 %", "46 studies"))


def test_svc_syndrome_with_unknown_histology_names_the_sclc_path(cds) -> None:
    """Lung cancer coded SKS DC349 (histology unknown), SVC syndrome: the card names the SCLC path."""
    lung = condition(SKS_D, "DC349")
    liver = metastasis("liver", lesions=1)
    card = only_card(patient_view(cds, lung, liver, symptom("svc-syndrome"), ecog(1)), STENT)
    assert "Histology is not recorded" in card["detail"] and "SCLC" in card["detail"]


def test_svc_syndrome_in_sclc_gets_no_stent_card(cds, rule_ids) -> None:
    """Near miss: SCLC with SVC syndrome."""
    assert STENT not in rule_ids(patient_view(cds, *metastatic("sclc"), symptom("svc-syndrome"), ecog(1)))


# --- svc-sclc-chemotherapy-first --------------------------------------------------------------

def test_sclc_svc_without_order_is_information(cds) -> None:
    card = only_card(patient_view(cds, *metastatic("sclc"), symptom("svc-syndrome"), ecog(1)), SCLC_CHEMO)
    assert card["indicator"] == "info" and "reinduction" in card["detail"]


def test_sclc_svc_with_thoracic_order_warns_at_signing(cds) -> None:
    """SCLC, SVC syndrome, thoracic 20 Gy/5F order: warning at signing, chemotherapy first."""
    order = rt_order("thorax", 20, 5)
    response = on_order(cds, "order-sign", order, *metastatic("sclc"), symptom("svc-syndrome"), ecog(1))
    card = only_card(response, SCLC_CHEMO)
    assert card["indicator"] == "warning"
    assert "rapid-relief-needed" in [reason["code"] for reason in card["overrideReasons"]]


def test_nsclc_svc_gets_no_chemotherapy_first_card(cds, rule_ids) -> None:
    """Near miss: NSCLC with SVC syndrome."""
    assert SCLC_CHEMO not in rule_ids(patient_view(cds, *metastatic(), symptom("svc-syndrome"), ecog(1)))


# --- thoracic-symptom-regimen-long ------------------------------------------------------------

def test_hemoptysis_ps_2_with_30_gy_in_10_fractions_suggests_a_shorter_course(cds, rule_ids) -> None:
    """Hemoptysis, PS 2, thoracic 30 Gy/10F at signing: info, suggests changing the draft to 20/4 or 25/5."""
    order = rt_order("lung", 30, 10)
    response = on_order(cds, "order-sign", order, *metastatic(), symptom("hemoptysis"), ecog(2))
    card = only_card(response, REGIMEN_LONG)
    assert card["indicator"] == "info"
    assert suggested_regimens(card) == [("update", 2000, 4), ("update", 2500, 5)]
    assert updated_ids(card) == {order["id"]}
    assert "30 Gy/10F" in card["summary"] and "Cochrane" in card["detail"]
    assert RELIEF not in rule_ids(response), "the same suggestions are made once"


def test_ten_fractions_in_ps_1_is_not_high_dose(cds, rule_ids) -> None:
    """Cough, PS 1, 30 Gy/10F: the exception needs more than 10 fractions, so the card fires."""
    order = rt_order("lung", 30, 10)
    response = on_order(cds, "order-sign", order, *metastatic(), symptom("cough"), ecog(1))
    assert REGIMEN_LONG in rule_ids(response)


def test_high_dose_palliation_in_ps_1_is_not_questioned(cds, rule_ids) -> None:
    """Near miss: cough, PS 1, 39 Gy/13F (> 10 fractions in PS 0-1: high-dose palliation, l. 1172-1176)."""
    order = rt_order("lung", 39, 13)
    ids = rule_ids(on_order(cds, "order-sign", order, *metastatic(), symptom("cough"), ecog(1)))
    assert REGIMEN_LONG not in ids and RELIEF not in ids


def test_high_dose_order_without_ps_names_the_exception(cds) -> None:
    """Cough, no PS, 39 Gy/13F: the card fires and says that with PS 0-1 it may be high-dose palliation."""
    order = rt_order("lung", 39, 13)
    card = only_card(on_order(cds, "order-select", order, *metastatic(), symptom("cough")), REGIMEN_LONG)
    assert "No performance status" in card["detail"] and "HERAN" in card["detail"]


def test_five_fractions_is_not_long(cds, rule_ids) -> None:
    """Near miss: hemoptysis, 25 Gy/5F."""
    order = rt_order("lung", 25, 5)
    response = on_order(cds, "order-sign", order, *metastatic(), symptom("hemoptysis"), ecog(2))
    assert REGIMEN_LONG not in rule_ids(response)


def test_long_course_for_an_asymptomatic_patient_is_not_a_symptom_question(cds, rule_ids) -> None:
    """Near miss: no thoracic symptom, 30 Gy/10F (recommendation 2 speaks instead)."""
    order = rt_order("lung", 30, 10)
    assert REGIMEN_LONG not in rule_ids(on_order(cds, "order-sign", order, *metastatic(), ecog(2)))


def test_long_course_to_bone_is_not_judged_here(cds, rule_ids) -> None:
    """Near miss: hemoptysis, but the 30 Gy/10F order is to the femur."""
    order = rt_order("femur", 30, 10)
    response = on_order(cds, "order-sign", order, *metastatic(), symptom("hemoptysis"), ecog(2))
    assert REGIMEN_LONG not in rule_ids(response)
