"""Recommendation 6 (C): palliative re-irradiation, as patient stories through the HTTP API.

Re-irradiation may be considered if the prior course relieved symptoms, more than 3-6 months have passed,
organ-at-risk constraints can be kept, and it is clinically relevant; not as life-prolonging treatment
alone in asymptomatic patients; mind the spinal cord when survival exceeds 6 months.
"""

from __future__ import annotations

from tests.fhir import (
    cards_for,
    days_ago,
    ecog,
    hook_request,
    lung_cancer,
    m_stage,
    only_card,
    rt_course,
    rt_order,
    survival_estimate,
    symptom,
)

TOO_SHORT = "reirradiation-interval-too-short"
CHECKLIST = "reirradiation-checklist"
NO_RESPONSE = "reirradiation-no-prior-response"
ASYMPTOMATIC = "reirradiation-asymptomatic-life-prolonging"
SPINAL_CORD = "reirradiation-spinal-cord"
AFTER_CURATIVE = "reirradiation-after-curative"
REIRRADIATION_RULES = (TOO_SHORT, CHECKLIST, NO_RESPONSE, ASYMPTOMATIC, SPINAL_CORD, AFTER_CURATIVE)


def stage_iv_nsclc(*extra: dict) -> list[dict]:
    """Stage IV (cM1) NSCLC, PS 1, with hemoptysis (symptomatic in the thorax)."""
    return [lung_cancer("nsclc"), m_stage(), ecog(1), symptom("hemoptysis"), *extra]



def rule_set(response: dict) -> set[str]:
    return {card["source"]["topic"]["code"] for card in response["cards"]} & set(REIRRADIATION_RULES)


# --- reirradiation-interval-too-short ------------------------------------------------------------

def test_thoracic_re_irradiation_six_weeks_after_the_last_course_is_warned(cds):
    """Thorax 20 Gy/5F ended 46 days ago, 17 Gy/2F to the thorax ordered: warning, 1.5 months, prior BED."""
    course = rt_course("thorax", 20, 5, ended=days_ago(46), id="course-thorax")
    order = rt_order("lung", 17, 2)
    response = cds("order-sign", hook_request("order-sign", stage_iv_nsclc(course), orders=[order]))
    card = only_card(response, TOO_SHORT)
    assert card["indicator"] == "warning"
    assert "1.5 months" in card["summary"]
    assert "20 Gy/5F to the thorax" in card["detail"] and "28.0" in card["detail"]
    assert days_ago(46) in card["detail"]
    assert "more than 3-6 months" in card["detail"]
    assert card["extension"]["palliative-rt-cds"]["evidenceGrade"] == "C"
    assert {fact["resource"] for fact in card["extension"]["palliative-rt-cds"]["facts"]} == {
        "Procedure/course-thorax", f"ServiceRequest/{order['id']}"}
    assert cards_for(response, CHECKLIST) == []


def test_interval_boundary_is_three_months_of_30_44_days(cds):
    """91 days (2.99 months) is too short; 92 days (3.02 months) is not."""
    for days, expected in ((91, TOO_SHORT), (92, CHECKLIST)):
        course = rt_course("thorax", 20, 5, ended=days_ago(days))
        request = hook_request("order-select", stage_iv_nsclc(course), orders=[rt_order("lung", 20, 5)])
        found = rule_set(cds("order-select", request))
        assert expected in found and ({TOO_SHORT, CHECKLIST} - {expected}).isdisjoint(found), days


def test_the_most_recent_overlapping_course_decides(cds):
    """Thorax courses 400 and 30 days ago, thoracic order: too short (1.0 month), no checklist."""
    courses = [rt_course("thorax", 30, 10, ended=days_ago(400)), rt_course("lung", 8, 1, ended=days_ago(30))]
    request = hook_request("order-sign", stage_iv_nsclc(*courses), orders=[rt_order("lung", 20, 5)])
    response = cds("order-sign", request)
    assert "1.0 months" in only_card(response, TOO_SHORT)["summary"]


def test_spinal_cord_course_of_unstated_level_may_overlap_the_thoracic_spine(cds):
    """Spinal cord (level not coded) 20 Gy/5F ended 40 days ago, thoracic spine 8 Gy/1F ordered: the
    cord may lie in the new field, so the short interval is warned rather than passed over."""
    course = rt_course("spinal-cord", 20, 5, ended=days_ago(40))
    order = rt_order("thoracic-spine", 8, 1)
    response = cds("order-sign", hook_request("order-sign", stage_iv_nsclc(course), orders=[order]))
    assert only_card(response, TOO_SHORT)["indicator"] == "warning"


def test_course_at_another_site_is_not_re_irradiation(cds):
    """Near miss: femur irradiated 30 days ago, thoracic order: no re-irradiation card at all."""
    course = rt_course("femur", 8, 1, ended=days_ago(30))
    request = hook_request("order-select", stage_iv_nsclc(course), orders=[rt_order("lung", 20, 5)])
    assert rule_set(cds("order-select", request)) == set()


def test_curative_order_is_out_of_scope(cds):
    """Near miss: thorax irradiated 30 days ago, a curative-intent thoracic order: no re-irradiation card."""
    course = rt_course("thorax", 20, 5, ended=days_ago(30))
    order = rt_order("lung", 60, 30, intent="curative")
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[order])
    assert rule_set(cds("order-sign", request)) == set()


def test_interval_card_in_danish(cds):
    course = rt_course("thorax", 20, 5, ended=days_ago(46))
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[rt_order("lung", 17, 2)])
    card = only_card(cds("order-sign", request, "da"), TOO_SHORT)
    assert "1,5 mdr." in card["summary"]
    assert "over 3-6 måneder fra sidste strålebehandling" in card["detail"]
    assert "Muligt overlap: kontrollér den samlede dosis." in card["detail"]


# --- reirradiation-checklist --------------------------------------------------------------------

def test_re_irradiation_after_eight_months_lists_the_criteria_on_select(cds):
    """Thorax 30 Gy/10F ended 250 days ago, 20 Gy/5F ordered: info with the three criteria, not at signing."""
    course = rt_course("thorax", 30, 10, ended=days_ago(250))
    order = rt_order("lung", 20, 5)
    select = cds("order-select", hook_request("order-select", stage_iv_nsclc(course), orders=[order]))
    card = only_card(select, CHECKLIST)
    assert card["indicator"] == "info"
    assert "the prior treatment relieved symptoms" in card["detail"]
    assert "constraints for organs at risk" in card["detail"]
    assert "Possible overlap: check the composite dose." in card["detail"]
    assert "grey zone" not in card["detail"]
    sign = cds("order-sign", hook_request("order-sign", stage_iv_nsclc(course), orders=[order]))
    assert cards_for(sign, CHECKLIST) == []


def test_four_months_is_the_guidelines_grey_zone(cds):
    """Thorax course ended 122 days ago (4.0 months): the checklist names the 3-6 month grey zone."""
    course = rt_course("thorax", 20, 5, ended=days_ago(122))
    request = hook_request("order-select", stage_iv_nsclc(course), orders=[rt_order("lung", 20, 5)])
    card = only_card(cds("order-select", request), CHECKLIST)
    assert "4.0 months have passed" in card["detail"] and "grey zone" in card["detail"]


def test_prior_course_without_end_date_asks_to_check_the_interval(cds):
    """Thorax course recorded without dates: checklist, saying the interval must be checked."""
    course = rt_course("thorax", 30, 10)
    del course["performedPeriod"]
    request = hook_request("order-select", stage_iv_nsclc(course), orders=[rt_order("lung", 20, 5)])
    for lang, words in (("en", "end of the prior course unknown"),
                        ("da", "slutdato for tidligere forløb ukendt")):
        response = cds("order-select", request, lang)
        card = only_card(response, CHECKLIST)
        assert words in card["summary"]
        assert cards_for(response, TOO_SHORT) == []


# --- reirradiation-no-prior-response -------------------------------------------------------------

def test_prior_course_without_response_is_warned(cds):
    """Thorax course 8 months ago recorded 'no response to treatment': warning, criterion (1) not met."""
    course = rt_course("thorax", 20, 5, ended=days_ago(250), no_response=True)
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[rt_order("lung", 20, 5)])
    card = only_card(cds("order-sign", request), NO_RESPONSE)
    assert card["indicator"] == "warning"
    assert "criterion (1)" in card["summary"]


def test_prior_course_with_response_recorded_otherwise_is_not_warned(cds):
    """Near miss: the same course without a 'no response' outcome."""
    course = rt_course("thorax", 20, 5, ended=days_ago(250))
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[rt_order("lung", 20, 5)])
    assert cards_for(cds("order-sign", request), NO_RESPONSE) == []


# --- reirradiation-asymptomatic-life-prolonging --------------------------------------------------

def test_asymptomatic_thoracic_re_irradiation_is_warned(cds):
    """No thoracic symptom recorded, thorax treated 1 year ago, 30 Gy/10F ordered: warning."""
    resources = [lung_cancer("nsclc"), m_stage(), ecog(0), rt_course("thorax", 30, 10, ended=days_ago(365))]
    request = hook_request("order-sign", resources, orders=[rt_order("lung", 30, 10)])
    card = only_card(cds("order-sign", request), ASYMPTOMATIC)
    assert card["indicator"] == "warning"
    assert "not recommended as life-prolonging treatment alone" in card["detail"]


def test_symptomatic_thoracic_re_irradiation_is_not_called_life_prolonging(cds):
    """Near miss: the same story with active hemoptysis."""
    course = rt_course("thorax", 30, 10, ended=days_ago(365))
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[rt_order("lung", 30, 10)])
    assert cards_for(cds("order-sign", request), ASYMPTOMATIC) == []


def test_pain_named_on_the_order_counts_as_a_symptom(cds):
    """Near miss: femur irradiated a year ago, the new femur order names pain as its reason."""
    course = rt_course("femur", 8, 1, ended=days_ago(365))
    order = rt_order("femur", 8, 1, reason_codes=[("http://snomed.info/sct", "22253000")])
    response = cds("order-sign", hook_request("order-sign", stage_iv_nsclc(course), orders=[order]))
    assert cards_for(response, ASYMPTOMATIC) == []


# --- reirradiation-spinal-cord ------------------------------------------------------------------

def test_thoracic_spine_over_prior_thoracic_field_shows_cumulative_eqd2(cds):
    """Thorax 30 Gy/10F a year ago, 20 Gy/5F to the thoracic spine, survival unknown:
    warning, EQD2(a/b 2) 37.5 + 30.0 = 67.5 Gy, labelled as not the cord dose."""
    course = rt_course("thorax", 30, 10, ended=days_ago(365))
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[rt_order("thoracic-spine", 20, 5)])
    card = only_card(cds("order-sign", request), SPINAL_CORD)
    assert card["indicator"] == "warning"
    assert "67.5 Gy" in card["summary"]
    assert "37.5 Gy + draft 30.0 Gy = **67.5 Gy**" in card["detail"]
    assert "This is not the cord dose" in card["detail"] and "110-120 %" in card["detail"]
    assert "Expected survival is not recorded" in card["detail"]


def test_short_survival_spares_the_spinal_cord_warning(cds):
    """Near miss: the same story with expected survival 4 months (late effects unlikely to matter)."""
    course = rt_course("thorax", 30, 10, ended=days_ago(365))
    request = hook_request("order-sign", stage_iv_nsclc(course, survival_estimate(4)),
                           orders=[rt_order("thoracic-spine", 20, 5)])
    assert cards_for(cds("order-sign", request), SPINAL_CORD) == []


def test_long_survival_keeps_the_spinal_cord_warning(cds):
    """Expected survival 9 months, thorax 20 Gy/5F re-treated with 20 Gy/5F: 30.0 + 30.0 = 60.0 Gy."""
    course = rt_course("thorax", 20, 5, ended=days_ago(200))
    request = hook_request("order-sign", stage_iv_nsclc(course, survival_estimate(9)),
                           orders=[rt_order("lung", 20, 5)])
    card = only_card(cds("order-sign", request), SPINAL_CORD)
    assert "= **60.0 Gy**" in card["detail"]
    assert "9.0 months" in card["detail"]


def test_femur_re_irradiation_has_no_cord_warning(cds):
    """Near miss: femur over femur: no region containing the spinal cord."""
    course = rt_course("femur", 8, 1, ended=days_ago(365))
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[rt_order("femur", 8, 1)])
    assert cards_for(cds("order-sign", request), SPINAL_CORD) == []


def test_unknown_draft_dose_says_the_sum_cannot_be_computed(cds):
    """Thoracic spine order without dose over a thoracic course: the warning says EQD2 cannot be computed."""
    course = rt_course("thorax", 30, 10, ended=days_ago(365))
    order = rt_order("thoracic-spine", None, None)
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[order])
    card = only_card(cds("order-sign", request), SPINAL_CORD)
    assert "cannot be computed" in card["summary"]


def test_spinal_cord_card_in_danish(cds):
    course = rt_course("thorax", 30, 10, ended=days_ago(365))
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[rt_order("thoracic-spine", 20, 5)])
    card = only_card(cds("order-sign", request, "da"), SPINAL_CORD)
    assert "67,5 Gy" in card["summary"]
    assert "Dette er ikke dosis til medulla" in card["detail"]


# --- reirradiation-after-curative ---------------------------------------------------------------

def test_palliative_thoracic_order_after_curative_chemoradiotherapy_is_warned(cds):
    """Curative 66 Gy/33F to the thorax 14 months ago, palliative 20 Gy/5F now: warning."""
    course = rt_course("thorax", 66, 33, intent="curative", ended=days_ago(426))
    request = hook_request("order-sign", stage_iv_nsclc(course), orders=[rt_order("lung", 20, 5)])
    card = only_card(cds("order-sign", request), AFTER_CURATIVE)
    assert card["indicator"] == "warning"
    assert "66 Gy/33F to the thorax" in card["detail"] and "curative" in card["detail"]


def test_prior_pci_is_not_a_curative_course(cds):
    """Near miss: PCI (preventive whole brain) 1 year ago, palliative whole-brain order now."""
    resources = [lung_cancer("sclc"), m_stage(), ecog(1), symptom("headache"),
                 rt_course("brain", 25, 10, intent="preventive", ended=days_ago(365), qualifier="255503000")]
    order = rt_order("brain", 20, 5, qualifier="255503000")
    response = cds("order-sign", hook_request("order-sign", resources, orders=[order]))
    assert cards_for(response, AFTER_CURATIVE) == []
