"""Recommendation 4: symptomatic extrathoracic disease, as patient stories through the HTTP API.

Bone metastases (A): 8 Gy/1F for the painful uncomplicated metastasis, fractionated RT (e.g. 20-25 Gy/4-5F,
alternatively 30 Gy/10F) with fracture or soft-tissue component; SBRT for selected lesions (B); soft-tissue
and subcutaneous metastases typically 20 Gy/4F (C).
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
    ref,
    rt_course,
    rt_order,
    stated,
    suggested_regimens,
    symptom,
)

UNCOMPLICATED = "bone-uncomplicated-single-fraction"
COMPLICATED = "bone-complicated-fractionated"
SBRT = "sbrt-selected-lesion"
SOFT_TISSUE = "soft-tissue-metastasis"

FEMUR = (SNOMED, SITE_CODES["femur"])
THORACIC_SPINE = (SNOMED, SITE_CODES["thoracic-spine"])


def painful_femur_metastasis(**metastasis_kwargs) -> list[dict]:
    """NSCLC, PS 1, a bone metastasis in the femur with a pain Condition at the femur."""
    return [
        lung_cancer("nsclc"),
        ecog(1),
        metastasis("bone", body_site=FEMUR, **metastasis_kwargs),
        symptom("pain", body_site=FEMUR, recorded=days_ago(10)),
    ]



# --- bone-uncomplicated-single-fraction ---------------------------------------------------------

def test_painful_femur_metastasis_patient_view_offers_8_gy_single_fraction(cds):
    """NSCLC, PS 1, painful femur metastasis, nothing ordered: info, create 8 Gy/1F, 70 % relief."""
    response = cds("patient-view", hook_request("patient-view", painful_femur_metastasis()))
    card = only_card(response, UNCOMPLICATED)
    assert card["indicator"] == "info"
    assert suggested_regimens(card) == [("create", 800, 1)]
    assert card["suggestions"][0]["isRecommended"] is True
    assert "70 %" in card["detail"] and "1-2 weeks" in card["detail"]
    assert card["extension"]["palliative-rt-cds"]["evidenceGrade"] == "A"
    assert card["extension"]["palliative-rt-cds"]["recommendation"] == "4"
    assert cards_for(response, COMPLICATED) == []


def test_thirty_gy_in_ten_fractions_to_painful_femur_is_rewritten_to_8_gy_on_order_sign(cds):
    """Painful uncomplicated femur metastasis, ordered 30 Gy/10F: info at signing, update to 8 Gy/1F."""
    order = rt_order("femur", 30, 10)
    response = cds("order-sign", hook_request("order-sign", painful_femur_metastasis(), orders=[order]))
    card = only_card(response, UNCOMPLICATED)
    assert card["indicator"] == "info"
    assert "30 Gy/10F" in card["summary"]
    assert suggested_regimens(card) == [("update", 800, 1)]
    assert card["suggestions"][0]["actions"][0]["resource"]["id"] == order["id"]


def test_pain_named_by_the_order_makes_the_metastasis_symptomatic(cds):
    """Femur metastasis without a pain Condition; the order's reason is pain at that metastasis: 8 Gy/1F."""
    bone = metastasis("bone", body_site=FEMUR)
    order = rt_order("femur", 20, 5, reason=[ref(bone)], reason_codes=[(SNOMED, "22253000")])
    request = hook_request("order-select", [lung_cancer("nsclc"), ecog(1), bone], orders=[order])
    card = only_card(cds("order-select", request), UNCOMPLICATED)
    assert suggested_regimens(card) == [("update", 800, 1)]


def test_single_fraction_already_ordered_is_confirmed_on_select_and_silent_on_sign(cds):
    """Ordered 8 Gy/1F: order-select shows the card without a suggestion; order-sign shows nothing."""
    order = rt_order("femur", 8, 1)
    select = cds("order-select", hook_request("order-select", painful_femur_metastasis(), orders=[order]))
    card = only_card(select, UNCOMPLICATED)
    assert "suggestions" not in card or not card["suggestions"]
    sign = cds("order-sign", hook_request("order-sign", painful_femur_metastasis(), orders=[order]))
    assert cards_for(sign, UNCOMPLICATED) == []


def test_painless_bone_metastasis_gets_no_single_fraction_card(cds):
    """Near miss: a femur metastasis without any recorded pain."""
    resources = [lung_cancer("nsclc"), ecog(1), metastasis("bone", body_site=FEMUR)]
    request = hook_request("patient-view", resources)
    assert cards_for(cds("patient-view", request), UNCOMPLICATED) == []


def test_stereotactic_order_is_left_to_the_sbrt_rule(cds):
    """Near miss: painful femur metastasis, stereotactic 24 Gy/3F ordered: no 8 Gy/1F rewrite."""
    order = rt_order("femur", 24, 3, stereotactic=True)
    response = cds("order-sign", hook_request("order-sign", painful_femur_metastasis(), orders=[order]))
    assert cards_for(response, UNCOMPLICATED) == []


def test_oligometastatic_patient_is_left_to_the_sbrt_rule(cds):
    """Near miss: painful femur metastasis, oligometastatic disease stated, 30 Gy/10F ordered."""
    resources = [*painful_femur_metastasis(), stated("oligometastatic-disease")]
    order = rt_order("femur", 30, 10)
    response = cds("order-select", hook_request("order-select", resources, orders=[order]))
    assert cards_for(response, UNCOMPLICATED) == []
    assert len(cards_for(response, SBRT)) == 1


def test_spine_metastasis_with_cord_compression_is_not_uncomplicated(cds):
    """Near miss: painful thoracic spine metastasis with MSCC at that level: the MSCC rules govern."""
    resources = [
        lung_cancer("nsclc"), ecog(2),
        metastasis("bone", body_site=THORACIC_SPINE),
        symptom("pain", body_site=THORACIC_SPINE),
        symptom("mscc", body_site=THORACIC_SPINE, recorded=days_ago(1)),
    ]
    response = cds("patient-view", hook_request("patient-view", resources))
    assert cards_for(response, UNCOMPLICATED) == []
    assert cards_for(response, COMPLICATED) == []
    assert len(cards_for(response, "mscc-fractionation")) == 1


def test_metastasis_irradiated_since_the_pain_was_recorded_is_not_offered_again(cds):
    """Near miss: pain recorded 10 days ago, 8 Gy/1F to the femur given 3 days ago."""
    resources = [*painful_femur_metastasis(), rt_course("femur", 8, 1, ended=days_ago(3))]
    assert cards_for(cds("patient-view", hook_request("patient-view", resources)), UNCOMPLICATED) == []


def test_pain_returning_after_an_earlier_course_names_re_irradiation(cds):
    """Femur irradiated 200 days ago, pain recorded 10 days ago: offered, with the re-irradiation note."""
    resources = [*painful_femur_metastasis(), rt_course("femur", 8, 1, ended=days_ago(200))]
    card = only_card(cds("patient-view", hook_request("patient-view", resources)), UNCOMPLICATED)
    assert "re-irradiation (recommendation 6)" in card["detail"]
    assert suggested_regimens(card) == [("create", 800, 1)]


def test_single_fraction_card_in_danish(cds):
    """The card in Danish: 8 Gy/1F, one fraction as effective as several, about 70 %."""
    order = rt_order("femur", 20, 5)
    response = cds("order-sign", hook_request("order-sign", painful_femur_metastasis(), orders=[order]), "da")
    card = only_card(response, UNCOMPLICATED)
    assert card["summary"].startswith("Ukompliceret smertegivende knoglemetastase")
    assert "20 Gy/5F" in card["summary"]
    assert "ca. 70 %" in card["detail"] and "samme effektivitet som flere fraktioner" in card["detail"]
    assert "Anbefaling 4, evidensstyrke A" in card["detail"]


# --- bone-complicated-fractionated --------------------------------------------------------------

def fractured_femur_metastasis() -> list[dict]:
    return [
        lung_cancer("nsclc"), ecog(1),
        metastasis("bone", body_site=FEMUR),
        symptom("pathological-fracture", body_site=FEMUR, recorded=days_ago(5)),
    ]


def test_single_fraction_to_fractured_femur_is_warned_with_fractionated_alternatives(cds):
    """Pathological femur fracture, ordered 8 Gy/1F: warning; update to 20/4, 20/5, 25/5 or 30/10."""
    order = rt_order("femur", 8, 1)
    response = cds("order-sign", hook_request("order-sign", fractured_femur_metastasis(), orders=[order]))
    card = only_card(response, COMPLICATED)
    assert card["indicator"] == "warning"
    assert "8 Gy/1F" in card["summary"]
    assert suggested_regimens(card) == [("update", 2000, 4), ("update", 2000, 5), ("update", 2500, 5),
                                        ("update", 3000, 10)]
    assert all(s["actions"][0]["resource"]["id"] == order["id"] for s in card["suggestions"])
    assert "Alternatively 30 Gy/10F" in card["suggestions"][3]["label"]
    assert cards_for(response, UNCOMPLICATED) == []


def test_any_single_conventional_fraction_to_a_fractured_bone_is_warned(cds):
    """Fracture, 6 Gy/1F ordered: warning too. The table names 8 Gy/1F; the guideline says the complicated
    metastasis gets fractionated RT (l. 764-766), so every non-stereotactic single fraction is warned."""
    order = rt_order("femur", 6, 1)
    response = cds("order-sign", hook_request("order-sign", fractured_femur_metastasis(), orders=[order]))
    card = only_card(response, COMPLICATED)
    assert card["indicator"] == "warning" and "6 Gy/1F" in card["summary"]


def test_fractured_femur_patient_view_offers_fractionated_courses(cds):
    """Pathological fracture, nothing ordered: info with four `create` suggestions."""
    response = cds("patient-view", hook_request("patient-view", fractured_femur_metastasis()))
    card = only_card(response, COMPLICATED)
    assert card["indicator"] == "info"
    assert [s[0] for s in suggested_regimens(card)] == ["create"] * 4
    assert "20-25 Gy/4-5F" in card["detail"] and "30 Gy/10F" in card["detail"]


def test_soft_tissue_component_is_complicated(cds):
    """A soft-tissue component stated at the femur metastasis: complicated, not the single fraction."""
    resources = [*painful_femur_metastasis(), stated("soft-tissue-component", body_site=FEMUR)]
    response = cds("patient-view", hook_request("patient-view", resources))
    assert len(cards_for(response, COMPLICATED)) == 1
    assert cards_for(response, UNCOMPLICATED) == []


def test_fractionated_order_to_fractured_femur_is_not_warned(cds):
    """Near miss: fracture, ordered 20 Gy/5F: info on order-select, nothing at signing."""
    order = rt_order("femur", 20, 5)
    select = cds("order-select", hook_request("order-select", fractured_femur_metastasis(), orders=[order]))
    card = only_card(select, COMPLICATED)
    assert card["indicator"] == "info" and not card.get("suggestions")
    sign = cds("order-sign", hook_request("order-sign", fractured_femur_metastasis(), orders=[order]))
    assert cards_for(sign, COMPLICATED) == []


def test_fracture_at_the_compressed_spine_level_is_left_to_mscc(cds):
    """Near miss: fractured thoracic vertebra with MSCC at that level, 8 Gy/1F ordered."""
    resources = [
        lung_cancer("nsclc"), ecog(2),
        metastasis("bone", body_site=THORACIC_SPINE),
        symptom("pathological-fracture", body_site=THORACIC_SPINE),
        symptom("mscc", body_site=THORACIC_SPINE, recorded=days_ago(1)),
    ]
    order = rt_order("thoracic-spine", 8, 1)
    response = cds("order-sign", hook_request("order-sign", resources, orders=[order]))
    assert cards_for(response, COMPLICATED) == []
    assert len(cards_for(response, "mscc-acute-evaluation")) == 1


# --- sbrt-selected-lesion -----------------------------------------------------------------------

def oligometastatic_by_count() -> list[dict]:
    """NSCLC, PS 0, two bone lesions and one adrenal lesion: oligometastatic (<= 5 lesions, <= 3 organs)."""
    return [
        lung_cancer("nsclc"), ecog(0),
        metastasis("bone", lesions=2, body_site=FEMUR),
        metastasis("adrenal", lesions=1),
    ]


def test_bone_order_in_oligometastatic_patient_mentions_sbrt(cds):
    """Oligometastatic by lesion count, 8 Gy/1F to the femur: info, grade B, the 2026 DOLG document."""
    order = rt_order("femur", 8, 1)
    response = cds("order-select", hook_request("order-select", oligometastatic_by_count(), orders=[order]))
    card = only_card(response, SBRT)
    assert card["indicator"] == "info"
    assert card["extension"]["palliative-rt-cds"]["evidenceGrade"] == "B"
    assert "2026" in card["detail"] and "8 Gy/1F" in card["detail"]
    assert not card.get("suggestions")


def test_stereotactic_adrenal_order_with_oligoprogression(cds):
    """Oligoprogression stated, stereotactic 30 Gy/3F to the adrenal gland: the SBRT card."""
    adrenal = (SNOMED, SITE_CODES["adrenal"])
    resources = [lung_cancer("nsclc"), ecog(1), metastasis("adrenal", body_site=adrenal),
                 stated("oligoprogression")]
    order = rt_order("adrenal", 30, 3, stereotactic=True)
    card = only_card(cds("order-select", hook_request("order-select", resources, orders=[order])), SBRT)
    assert card["summary"].startswith("Stereotactic RT of a single lesion")


def test_many_metastases_get_no_sbrt_card(cds):
    """Near miss: 8 bone lesions (not oligometastatic), 8 Gy/1F to the femur."""
    resources = [lung_cancer("nsclc"), ecog(0), metastasis("bone", lesions=8, body_site=FEMUR)]
    response = cds("order-select", hook_request("order-select", resources, orders=[rt_order("femur", 8, 1)]))
    assert cards_for(response, SBRT) == []


def test_sbrt_card_is_not_a_patient_view_card(cds):
    """Near miss: the same oligometastatic patient on patient-view (oligometastatic-local-therapy speaks)."""
    response = cds("patient-view", hook_request("patient-view", oligometastatic_by_count()))
    assert cards_for(response, SBRT) == []


def test_brain_order_gets_no_sbrt_card(cds):
    """Near miss: oligometastatic patient, brain order: recommendation 3 covers brain SRS."""
    resources = [*oligometastatic_by_count(), metastasis("brain", lesions=1)]
    order = rt_order("brain", 20, 1, stereotactic=True)
    response = cds("order-select", hook_request("order-select", resources, orders=[order]))
    assert cards_for(response, SBRT) == []


# --- soft-tissue-metastasis ---------------------------------------------------------------------

SKIN = (SNOMED, SITE_CODES["skin"])


def painful_skin_metastasis() -> list[dict]:
    return [lung_cancer("nsclc"), ecog(2), metastasis("skin", body_site=SKIN),
            symptom("pain", body_site=SKIN, recorded=days_ago(7))]


def test_painful_subcutaneous_metastasis_typically_20_gy_in_4_fractions(cds):
    """Painful skin metastasis, nothing ordered: info, grade C, create 20 Gy/4F labelled typical."""
    response = cds("patient-view", hook_request("patient-view", painful_skin_metastasis()))
    card = only_card(response, SOFT_TISSUE)
    assert card["indicator"] == "info"
    assert card["extension"]["palliative-rt-cds"]["evidenceGrade"] == "C"
    assert suggested_regimens(card) == [("create", 2000, 4)]
    assert card["suggestions"][0]["label"].startswith("Typically: 20 Gy/4F")
    assert "no randomised trial" in card["detail"]


def test_soft_tissue_order_is_commented_on_select_only(cds):
    """Painful skin metastasis, 30 Gy/10F ordered: info on order-select (no rewrite), nothing at signing."""
    order = rt_order("skin", 30, 10)
    select = cds("order-select", hook_request("order-select", painful_skin_metastasis(), orders=[order]))
    card = only_card(select, SOFT_TISSUE)
    assert "30 Gy/10F" in card["summary"] and not card.get("suggestions")
    sign = cds("order-sign", hook_request("order-sign", painful_skin_metastasis(), orders=[order]))
    assert cards_for(sign, SOFT_TISSUE) == []


def test_painless_soft_tissue_metastasis_gets_no_card(cds):
    """Near miss: a soft-tissue metastasis without recorded symptoms."""
    resources = [lung_cancer("nsclc"), ecog(1), metastasis("soft-tissue", body_site=(SNOMED, "87784001"))]
    assert cards_for(cds("patient-view", hook_request("patient-view", resources)), SOFT_TISSUE) == []


def test_soft_tissue_card_in_danish(cds):
    response = cds("patient-view", hook_request("patient-view", painful_skin_metastasis()), "da")
    card = only_card(response, SOFT_TISSUE)
    assert "Typisk gives 20 Gy/4F" in card["detail"]
    assert card["suggestions"][0]["label"].startswith("Typisk: 20 Gy/4F")


# --- orders without a dose, and lesions irradiated before: both languages -----------------------

def test_order_without_dose_to_painful_femur_is_completed_with_8_gy(cds):
    """Femur order without dose or fractions: the card says so and `update` fills in 8 Gy/1F."""
    order = rt_order("femur", None, None)
    for lang, words in (("en", "the order states no dose"), ("da", "bestilt dosis er ikke angivet")):
        request = hook_request("order-sign", painful_femur_metastasis(), orders=[order])
        card = only_card(cds("order-sign", request, lang), UNCOMPLICATED)
        assert words in card["summary"]
        assert suggested_regimens(card) == [("update", 800, 1)]


def test_order_without_dose_to_fractured_femur_offers_the_fractionated_regimens(cds):
    """Fractured femur, order without dose: info (not a warning) with the four `update` suggestions."""
    order = rt_order("femur", None, None)
    for lang in ("en", "da"):
        request = hook_request("order-sign", fractured_femur_metastasis(), orders=[order])
        card = only_card(cds("order-sign", request, lang), COMPLICATED)
        assert card["indicator"] == "info"
        assert [s[1:] for s in suggested_regimens(card)] == [(2000, 4), (2000, 5), (2500, 5), (3000, 10)]


def test_recurrent_symptoms_at_irradiated_lesions_name_re_irradiation(cds):
    """Skin and fractured femur irradiated 200 days ago, symptoms recorded since: both cards say so."""
    resources = [*painful_skin_metastasis(), metastasis("bone", body_site=FEMUR),
                 symptom("pathological-fracture", body_site=FEMUR, recorded=days_ago(5)),
                 rt_course("skin", 20, 4, ended=days_ago(200)), rt_course("femur", 8, 1, ended=days_ago(200))]
    for lang, words in (("en", "re-irradiation (recommendation 6)"), ("da", "genbestråling (anbefaling 6)")):
        response = cds("patient-view", hook_request("patient-view", resources), lang)
        for rule_id in (SOFT_TISSUE, COMPLICATED):
            assert words in only_card(response, rule_id)["detail"], (lang, rule_id)
