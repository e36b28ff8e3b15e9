"""Preconditions and scope: performance status and survival estimate before planning, out-of-scope orders."""

from __future__ import annotations

from typing import Any

from tests.fhir import (
    ICD10,
    condition,
    days_ago,
    ecog,
    hook_request,
    karnofsky,
    lung_cancer,
    metastasis,
    observation,
    only_card,
    rt_order,
    survival_estimate,
)

PS_MISSING = "performance-status-missing"
SURVIVAL_MISSING = "survival-estimate-missing"
OUT_OF_SCOPE = "out-of-scope"


def metastatic_nsclc() -> list[dict[str, Any]]:
    return [lung_cancer("nsclc"), metastasis("bone", lesions=1)]


def patient_view(cds, *resources: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    return cds("patient-view", hook_request("patient-view", list(resources)), lang=lang)


def on_order(cds, hook: str, order: dict[str, Any], *resources: dict[str, Any],
             lang: str = "en") -> dict[str, Any]:
    return cds(hook, hook_request(hook, list(resources), orders=[order]), lang=lang)



# --- performance-status-missing ---------------------------------------------------------------

def test_no_ps_on_patient_view_is_information(cds) -> None:
    """Metastatic NSCLC, no PS ever recorded: info asking for a PS before planning RT (l. 211-216)."""
    card = only_card(patient_view(cds, *metastatic_nsclc(), survival_estimate(8)), PS_MISSING)
    assert card["indicator"] == "info"
    extension = card["extension"]["palliative-rt-cds"]
    assert "recommendation" not in extension and "evidenceGrade" not in extension
    assert "l. 211-216" in card["detail"]


def test_no_ps_at_signing_is_a_warning(cds) -> None:
    """A palliative 8 Gy/1F bone order signed without a PS: warning."""
    order = rt_order("femur", 8, 1)
    card = only_card(on_order(cds, "order-sign", order, *metastatic_nsclc()), PS_MISSING)
    assert card["indicator"] == "warning"
    assert "assessed-not-recorded" in [reason["code"] for reason in card["overrideReasons"]]


def test_ps_older_than_90_days_counts_as_missing_and_is_shown(cds) -> None:
    """ECOG 1 recorded 120 days ago: the card says the latest PS is too old and cites it."""
    old = ecog(1, effective=days_ago(120))
    card = only_card(patient_view(cds, *metastatic_nsclc(), old), PS_MISSING)
    assert "older than 90 days" in card["summary"]
    facts = card["extension"]["palliative-rt-cds"]["facts"]
    assert f"Observation/{old['id']}" in [fact["resource"] for fact in facts]


def test_ps_missing_card_in_danish(cds) -> None:
    card = only_card(patient_view(cds, *metastatic_nsclc(), lang="da"), PS_MISSING)
    assert card["summary"].startswith("Performancestatus er ikke registreret")
    assert "Forudsætning for anbefalingerne" in card["detail"]


def test_recent_ps_is_enough(cds, rule_ids) -> None:
    """Near miss: ECOG 2 recorded 30 days ago."""
    assert PS_MISSING not in rule_ids(patient_view(cds, *metastatic_nsclc(), ecog(2, effective=days_ago(30))))


def test_recent_karnofsky_is_enough(cds, rule_ids) -> None:
    """Near miss: Karnofsky 70 recorded last week."""
    assert PS_MISSING not in rule_ids(patient_view(cds, *metastatic_nsclc(), karnofsky(70)))


def test_no_ps_outside_the_guideline_scope_gives_no_card(cds, rule_ids) -> None:
    """Near miss: lung cancer without metastases or a not-curable statement (not in scope on patient-view)."""
    assert PS_MISSING not in rule_ids(patient_view(cds, lung_cancer("nsclc")))


# --- survival-estimate-missing ----------------------------------------------------------------

def test_no_survival_estimate_on_order_select(cds) -> None:
    """Palliative thoracic order selected, no survival estimate: info to record it."""
    card = only_card(on_order(cds, "order-select", rt_order("lung", 20, 5), *metastatic_nsclc(), ecog(1)),
                     SURVIVAL_MISSING)
    assert card["indicator"] == "info" and "6 months" in card["detail"]


def test_survival_estimate_recorded_as_unreadable_text(cds) -> None:
    """A prognosis Observation holding only free text: it counts as missing and the card says why."""
    text_only = observation(("http://loinc.org", "75328-5"), valueString="some months")
    card = only_card(on_order(cds, "order-select", rt_order("lung", 20, 5), *metastatic_nsclc(), ecog(1),
                              text_only), SURVIVAL_MISSING)
    assert "cannot be read as a duration" in card["summary"]


def test_recorded_survival_estimate_is_enough(cds, rule_ids) -> None:
    """Near miss: expected survival 5 months recorded."""
    response = on_order(cds, "order-select", rt_order("lung", 20, 5), *metastatic_nsclc(), ecog(1),
                        survival_estimate(5))
    assert SURVIVAL_MISSING not in rule_ids(response)


def test_survival_estimate_missing_is_only_for_order_select(cds, rule_ids) -> None:
    """Near miss: patient-view and order-sign do not show it (the table: order-select)."""
    assert SURVIVAL_MISSING not in rule_ids(patient_view(cds, *metastatic_nsclc(), ecog(1)))
    response = on_order(cds, "order-sign", rt_order("lung", 20, 5), *metastatic_nsclc(), ecog(1))
    assert SURVIVAL_MISSING not in rule_ids(response)


# --- out-of-scope -----------------------------------------------------------------------------

def test_curative_order_is_out_of_scope(cds, rule_ids) -> None:
    """Metastatic NSCLC, thoracic 60 Gy/30F with curative intent: one info card and no guideline cards."""
    order = rt_order("lung", 60, 30, intent="curative")
    response = on_order(cds, "order-select", order, *metastatic_nsclc(), ecog(0))
    card = only_card(response, OUT_OF_SCOPE)
    assert card["indicator"] == "info" and "Curative intent" in card["summary"]
    assert rule_ids(response) == [OUT_OF_SCOPE]


def test_no_lung_cancer_is_out_of_scope(cds) -> None:
    """Breast cancer (ICD-10 C50.9) with a palliative femur order: this guideline does not apply."""
    resources = [condition(ICD10, "C50.9"), metastasis("bone", lesions=1)]
    card = only_card(on_order(cds, "order-select", rt_order("femur", 8, 1), *resources), OUT_OF_SCOPE)
    assert card["summary"].startswith("No lung cancer recorded")


def test_order_without_intent_for_a_patient_not_recorded_incurable(cds) -> None:
    """NSCLC without metastases or a not-curable statement, order without intent: out of scope, saying why."""
    order = rt_order("lung", 20, 5, intent=None)
    card = only_card(on_order(cds, "order-select", order, lung_cancer("nsclc"), ecog(1)), OUT_OF_SCOPE)
    assert card["summary"].startswith("Incurable disease is not recorded")


def test_out_of_scope_in_danish(cds) -> None:
    order = rt_order("lung", 60, 30, intent="curative")
    card = only_card(on_order(cds, "order-select", order, *metastatic_nsclc(), lang="da"), OUT_OF_SCOPE)
    assert card["summary"].startswith("Kurativ intention")


def test_palliative_lung_cancer_order_is_in_scope(cds, rule_ids) -> None:
    """Near miss: a palliative 8 Gy/1F femur order for metastatic NSCLC."""
    response = on_order(cds, "order-select", rt_order("femur", 8, 1), *metastatic_nsclc(), ecog(1))
    assert OUT_OF_SCOPE not in rule_ids(response)


def test_palliative_order_puts_a_non_metastatic_lung_cancer_in_scope(cds, rule_ids) -> None:
    """Near miss: no stage IV recorded, but the order is palliative (the table's scope includes it)."""
    response = on_order(cds, "order-select", rt_order("lung", 20, 5), lung_cancer("nsclc"), ecog(1))
    assert OUT_OF_SCOPE not in rule_ids(response)


def test_out_of_scope_is_not_shown_at_signing(cds, rule_ids) -> None:
    """Near miss: order-sign (the table: order-select only)."""
    order = rt_order("lung", 60, 30, intent="curative")
    assert OUT_OF_SCOPE not in rule_ids(on_order(cds, "order-sign", order, *metastatic_nsclc(), ecog(0)))
