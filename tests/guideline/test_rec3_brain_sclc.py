"""Recommendation 3 (A): brain metastases of SCLC, as patient stories through the HTTP API.

Systemic therapy should be considered first; WBRT for later multiple brain metastases is offered when
expected survival is > 3 months and no PCI was given. Unknown histology: none of these cards.
"""

from __future__ import annotations

from tests.fhir import (
    PARTIAL,
    WHOLE,
    cards_for,
    days_ago,
    ecog,
    hook_request,
    lung_cancer,
    metastasis,
    only_card,
    rt_course,
    rt_order,
    survival_estimate,
)

SYSTEMIC_FIRST = "brain-sclc-systemic-first"
AFTER_PCI = "brain-sclc-after-pci"
SURVIVAL_SHORT = "brain-sclc-wbrt-survival-short"


def sclc_patient(*extra: dict, histology: str = "sclc") -> list[dict]:
    """SCLC with brain metastases (Condition/bm-1) and ECOG 1."""
    return [lung_cancer(histology), metastasis("brain", id="bm-1", recorded=days_ago(10)), ecog(1), *extra]


def wbrt_order() -> dict:
    return rt_order("brain", 30, 10, qualifier=WHOLE, id="wbrt-1")


def pci(**kwargs) -> dict:
    """PCI 25 Gy/10F, eight months ago (preventive intent: whole brain)."""
    return rt_course("brain", 25, 10, intent="preventive", ended=days_ago(240), id="pci-1", **kwargs)



# --- brain-sclc-systemic-first --------------------------------------------------------------------

def test_sclc_brain_metastases_consider_systemic_therapy_first(cds):
    card = only_card(cds("patient-view", hook_request("patient-view", sclc_patient())), SYSTEMIC_FIRST)
    assert card["indicator"] == "info"
    assert "53 %" in card["detail"] and "1,638" in card["detail"]
    assert "67 % vs 57 %" in card["detail"] and "39 % vs 29 %" in card["detail"] and "93 %" in card["detail"]
    assert "8-10 %" in card["detail"] and "CASPIAN" in card["detail"]
    assert card["extension"]["palliative-rt-cds"]["facts"][0]["resource"] == "Condition/bm-1"


def test_brain_order_shows_the_sclc_card_on_order_select(cds):
    response = cds("order-select", hook_request("order-select", sclc_patient(), orders=[wbrt_order()]))
    assert only_card(response, SYSTEMIC_FIRST)["indicator"] == "info"


def test_near_misses_unknown_histology_or_no_brain_metastases(cds):
    unknown = sclc_patient(histology="unknown")
    no_brain = [lung_cancer("sclc"), metastasis("liver"), ecog(1)]
    for resources in (unknown, no_brain):
        response = cds("patient-view", hook_request("patient-view", resources))
        assert cards_for(response, SYSTEMIC_FIRST) == []


# --- brain-sclc-after-pci -------------------------------------------------------------------------

def test_wbrt_after_pci_is_a_warning_naming_the_pci(cds):
    """PCI 25 Gy/10F eight months ago; WBRT 30 Gy/10F ordered: warning, the PCI shown with its date."""
    response = cds("order-sign", hook_request("order-sign", sclc_patient(pci()), orders=[wbrt_order()]))
    card = only_card(response, AFTER_PCI)
    assert card["indicator"] == "warning"
    assert "recommendation 6" in card["detail"]
    assert "25 Gy/10F" in card["detail"] and days_ago(240) in card["detail"]
    facts = [fact["resource"] for fact in card["extension"]["palliative-rt-cds"]["facts"]]
    assert facts == ["Procedure/pci-1", "ServiceRequest/wbrt-1"]


def test_wbrt_after_prior_wbrt_is_a_warning_too(cds):
    prior = rt_course("brain", 20, 5, qualifier=WHOLE, ended=days_ago(200))
    response = cds("order-select", hook_request("order-select", sclc_patient(prior), orders=[wbrt_order()]))
    assert only_card(response, AFTER_PCI)["indicator"] == "warning"


def test_near_misses_no_prior_brain_course_or_prior_srs(cds):
    srs_course = rt_course("brain", 24, 3, qualifier=PARTIAL, ended=days_ago(200))
    for resources in (sclc_patient(), sclc_patient(srs_course)):
        response = cds("order-sign", hook_request("order-sign", resources, orders=[wbrt_order()]))
        assert cards_for(response, AFTER_PCI) == []


def test_near_miss_nsclc_after_pci_like_course(cds):
    """The rule is SCLC-specific: NSCLC with a prior whole-brain course does not get it."""
    response = cds("order-sign", hook_request("order-sign", sclc_patient(pci(), histology="nsclc"),
                                              orders=[wbrt_order()]))
    assert cards_for(response, AFTER_PCI) == []


# --- brain-sclc-wbrt-survival-short ---------------------------------------------------------------

def test_wbrt_with_expected_survival_2_months_is_a_warning(cds):
    resources = sclc_patient(survival_estimate(2, id="surv-1"))
    response = cds("order-sign", hook_request("order-sign", resources, orders=[wbrt_order()]))
    card = only_card(response, SURVIVAL_SHORT)
    assert card["indicator"] == "warning"
    assert "2.0 months" in card["summary"] and "> 3 months" in card["summary"]
    assert card["extension"]["palliative-rt-cds"]["facts"][0]["resource"] == "Observation/surv-1"


def test_expected_survival_of_exactly_3_months_is_not_more_than_3(cds):
    resources = sclc_patient(survival_estimate(3))
    response = cds("order-sign", hook_request("order-sign", resources, orders=[wbrt_order()]))
    assert only_card(response, SURVIVAL_SHORT)["indicator"] == "warning"


def test_unknown_survival_gives_both_branches_on_order_select_only(cds):
    select = cds("order-select", hook_request("order-select", sclc_patient(), orders=[wbrt_order()]))
    card = only_card(select, SURVIVAL_SHORT)
    assert card["indicator"] == "info" and "not recorded" in card["summary"]
    sign = cds("order-sign", hook_request("order-sign", sclc_patient(), orders=[wbrt_order()]))
    assert cards_for(sign, SURVIVAL_SHORT) == []


def test_near_miss_expected_survival_6_months(cds):
    response = cds("order-sign", hook_request("order-sign", sclc_patient(survival_estimate(6)),
                                              orders=[wbrt_order()]))
    assert cards_for(response, SURVIVAL_SHORT) == []
