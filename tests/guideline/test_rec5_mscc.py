"""Recommendation 5 (A): metastatic spinal cord compression, as patient stories through the HTTP API.

Acute evaluation for palliative RT if surgery is not possible (critical on every hook until treated);
fractionation by expected survival: < 6 months 8 Gy/1F, otherwise 30 Gy/10F; both, labelled, when unknown.
"""

from __future__ import annotations

from tests.fhir import (
    SITE_CODES,
    SNOMED,
    cards_for,
    days_ago,
    ecog,
    hook_request,
    lung_cancer,
    metastasis,
    only_card,
    rt_course,
    rt_order,
    suggested_regimens,
    surgery,
    survival_estimate,
    symptom,
)

ACUTE = "mscc-acute-evaluation"
FRACTIONATION = "mscc-fractionation"
THORACIC_SPINE = (SNOMED, SITE_CODES["thoracic-spine"])


def mscc_patient(*extra: dict, site: tuple[str, str] | None = THORACIC_SPINE) -> list[dict]:
    """NSCLC, PS 2, a thoracic spine bone metastasis and MSCC recorded 2 days ago."""
    return [
        lung_cancer("nsclc"), ecog(2),
        metastasis("bone", body_site=THORACIC_SPINE),
        symptom("mscc", body_site=site, recorded=days_ago(2), onsetDateTime=days_ago(2), id="mscc-1"),
        *extra,
    ]



# --- mscc-acute-evaluation ----------------------------------------------------------------------

def test_untreated_mscc_is_critical_on_patient_view_first(cds):
    """MSCC 2 days ago, untreated: critical card first, with the trial numbers and the MSCC date."""
    response = cds("patient-view", hook_request("patient-view", mscc_patient()))
    card = only_card(response, ACUTE)
    assert response["cards"][0]["source"]["topic"]["code"] == ACUTE
    assert card["indicator"] == "critical"
    assert "84 % vs 57 %" in card["detail"] and "324" in card["detail"]
    assert days_ago(2) in card["detail"]
    extension = card["extension"]["palliative-rt-cds"]
    assert (extension["ruleId"], extension["recommendation"], extension["evidenceGrade"]) == (ACUTE, "5", "A")
    assert [fact["resource"] for fact in extension["facts"]] == ["Condition/mscc-1"]


def test_untreated_mscc_is_critical_whatever_is_ordered(cds):
    """A thoracic order is drafted: the MSCC card still shows on order-select and order-sign."""
    order = rt_order("lung", 20, 5)
    for hook in ("order-select", "order-sign"):
        response = cds(hook, hook_request(hook, mscc_patient(), orders=[order]))
        assert only_card(response, ACUTE)["indicator"] == "critical"
        assert response["cards"][0]["source"]["topic"]["code"] == ACUTE


def test_decompression_after_onset_ends_the_acute_card_but_not_the_fractionation(cds):
    """Near miss: decompression for the MSCC yesterday: no critical card; postoperative RT advice."""
    decompression = surgery("Posterior decompression Th8-Th9", performed=days_ago(1),
                            reason=[{"reference": "Condition/mscc-1"}], body_site=THORACIC_SPINE)
    response = cds("patient-view", hook_request("patient-view", mscc_patient(decompression)))
    assert cards_for(response, ACUTE) == []
    card = only_card(response, FRACTIONATION)
    assert "Patchell" in card["detail"]


def test_irradiated_mscc_gets_neither_card(cds):
    """Near miss: 8 Gy/1F to the thoracic spine completed yesterday, after the MSCC onset."""
    course = rt_course("thoracic-spine", 8, 1, ended=days_ago(1), reason=[{"reference": "Condition/mscc-1"}])
    response = cds("patient-view", hook_request("patient-view", mscc_patient(course)))
    assert cards_for(response, ACUTE) == []
    assert cards_for(response, FRACTIONATION) == []


def test_cord_compression_without_lung_cancer_is_out_of_scope(cds):
    """Near miss: spinal cord compression in a patient with no lung cancer recorded."""
    resources = [ecog(2), metastasis("bone", body_site=THORACIC_SPINE),
                 symptom("mscc", body_site=THORACIC_SPINE, recorded=days_ago(2))]
    response = cds("patient-view", hook_request("patient-view", resources))
    assert cards_for(response, ACUTE) == [] and cards_for(response, FRACTIONATION) == []


def test_acute_card_in_danish(cds):
    card = only_card(cds("patient-view", hook_request("patient-view", mscc_patient()), "da"), ACUTE)
    assert "**vurderes akut**" in card["detail"]
    assert card["summary"].startswith("Medullært tværsnitssyndrom")
    assert "Anbefaling 5, evidensstyrke A" in card["detail"]


# --- mscc-fractionation -------------------------------------------------------------------------

def test_short_survival_rewrites_a_ten_fraction_spine_order_to_8_gy(cds):
    """MSCC, expected survival 3 months, 30 Gy/10F to the thoracic spine: update to 8 Gy/1F (SCORAD III)."""
    order = rt_order("thoracic-spine", 30, 10)
    request = hook_request("order-sign", mscc_patient(survival_estimate(3)), orders=[order])
    card = only_card(cds("order-sign", request), FRACTIONATION)
    assert card["indicator"] == "info"
    assert "3.0 months" in card["summary"]
    assert suggested_regimens(card) == [("update", 800, 1)]
    assert card["suggestions"][0]["isRecommended"] is True
    assert card["suggestions"][0]["actions"][0]["resource"]["id"] == order["id"]
    assert "SCORAD III" in card["detail"]


def test_long_survival_with_a_thoracic_order_creates_a_spine_order(cds):
    """MSCC, survival 12 months, only a thoracic order drafted: create 30 Gy/10F to the thoracic spine."""
    thoracic = rt_order("lung", 20, 5)
    request = hook_request("order-sign", mscc_patient(survival_estimate(12)), orders=[thoracic])
    card = only_card(cds("order-sign", request), FRACTIONATION)
    assert suggested_regimens(card) == [("create", 3000, 10)]
    resource = card["suggestions"][0]["actions"][0]["resource"]
    assert resource["bodySite"][0]["coding"][0]["code"] == SITE_CODES["thoracic-spine"]
    assert resource["status"] == "draft"


def test_unknown_survival_gives_both_regimens_labelled(cds):
    """MSCC, no survival estimate, patient-view: 8 Gy/1F if < 6 months, 30 Gy/10F otherwise, both `create`."""
    card = only_card(cds("patient-view", hook_request("patient-view", mscc_patient())), FRACTIONATION)
    assert suggested_regimens(card) == [("create", 800, 1), ("create", 3000, 10)]
    labels = [s["label"] for s in card["suggestions"]]
    assert labels[0].startswith("If expected survival < 6 months")
    assert labels[1].startswith("If expected survival >= 6 months")
    assert "not recorded" in card["detail"]


def test_spine_order_is_rewritten_when_the_compression_level_is_not_coded(cds):
    """MSCC without a body site, 30 Gy/10F to the thoracic spine, survival 2 months: `update` it."""
    order = rt_order("thoracic-spine", 30, 10)
    request = hook_request("order-sign", mscc_patient(survival_estimate(2), site=None), orders=[order])
    card = only_card(cds("order-sign", request), FRACTIONATION)
    assert suggested_regimens(card) == [("update", 800, 1)]
    assert card["suggestions"][0]["actions"][0]["resource"]["id"] == order["id"]


def test_matching_order_is_not_re_offered_at_signing(cds):
    """Near miss: survival 12 months, 30 Gy/10F to the thoracic spine already ordered: silent at signing."""
    request = hook_request("order-sign", mscc_patient(survival_estimate(12)),
                           orders=[rt_order("thoracic-spine", 30, 10)])
    response = cds("order-sign", request)
    assert cards_for(response, FRACTIONATION) == []
    assert len(cards_for(response, ACUTE)) == 1


def test_no_fractionation_card_without_mscc(cds):
    """Near miss: painful thoracic spine metastasis without cord compression, spine order drafted."""
    resources = [lung_cancer("nsclc"), ecog(1), metastasis("bone", body_site=THORACIC_SPINE)]
    response = cds("order-select", hook_request("order-select", resources,
                                                orders=[rt_order("thoracic-spine", 20, 5)]))
    assert cards_for(response, FRACTIONATION) == [] and cards_for(response, ACUTE) == []


def test_fractionation_card_in_danish(cds):
    request = hook_request("patient-view", mscc_patient(survival_estimate(4)))
    card = only_card(cds("patient-view", request, "da"), FRACTIONATION)
    assert card["summary"] == "MSCC med forventet restlevetid 4,0 mdr.: 8 Gy/1F anbefales (f.eks.)"
    assert suggested_regimens(card) == [("create", 800, 1)]


def test_decompression_reference_kept_on_the_card(cds):
    """After decompression with survival 12 months: 30 Gy/10F (as after surgery in Patchell), fact listed."""
    decompression = surgery("Decompression", performed=days_ago(1),
                            reason=[{"reference": "Condition/mscc-1"}], id="decomp-1")
    request = hook_request("patient-view", mscc_patient(decompression, survival_estimate(12)))
    card = only_card(cds("patient-view", request), FRACTIONATION)
    assert suggested_regimens(card) == [("create", 3000, 10)]
    assert any(fact["resource"] == "Procedure/decomp-1"
               for fact in card["extension"]["palliative-rt-cds"]["facts"])
