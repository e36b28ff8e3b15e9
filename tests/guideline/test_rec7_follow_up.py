"""Recommendation 7 (no grade): follow-up after palliative radiotherapy, as patient stories over HTTP.

Patients with potential for further treatment (PS 0-2, convention) can be offered follow-up after
palliative RT; shown on patient-view for 90 days after a completed palliative course.
"""

from __future__ import annotations

from tests.fhir import (
    cards_for,
    days_ago,
    ecog,
    hook_request,
    lung_cancer,
    m_stage,
    rt_course,
    rt_order,
)

FOLLOW_UP = "follow-up-after-palliative-rt"


def after_thoracic_course(*extra: dict, ended: int = 30, intent: str = "palliative") -> list[dict]:
    """Stage IV NSCLC, thoracic 20 Gy/5F completed `ended` days ago."""
    return [lung_cancer("nsclc"), m_stage(),
            rt_course("thorax", 20, 5, ended=days_ago(ended), intent=intent, id="course-1"), *extra]


def test_palliative_course_a_month_ago_with_ps_1_offers_follow_up(cds):
    """Thoracic 20 Gy/5F ended 30 days ago, PS 1: info, no grade, names the course and the PS."""
    response = cds("patient-view", hook_request("patient-view", after_thoracic_course(ecog(1))))
    cards = cards_for(response, FOLLOW_UP)
    assert len(cards) == 1
    card = cards[0]
    assert card["indicator"] == "info"
    assert days_ago(30) in card["summary"]
    assert "individualised" in card["detail"] and "may be omitted" in card["detail"]
    assert "no evidence grade given" in card["detail"]
    extension = card["extension"]["palliative-rt-cds"]
    assert extension["recommendation"] == "7" and "evidenceGrade" not in extension
    assert "Procedure/course-1" in {fact["resource"] for fact in extension["facts"]}
    assert not card.get("suggestions")


def test_missing_performance_status_gives_both_branches(cds):
    """No PS recorded: the card still shows, says the PS is missing and gives both branches."""
    response = cds("patient-view", hook_request("patient-view", after_thoracic_course()))
    card = cards_for(response, FOLLOW_UP)[0]
    assert "performance status not recorded" in card["summary"]
    assert "it may be omitted" in card["detail"] and "follow-up can be offered" in card["detail"]


def test_poor_performance_status_gets_no_follow_up_card(cds):
    """Near miss: PS 3 after the course."""
    response = cds("patient-view", hook_request("patient-view", after_thoracic_course(ecog(3))))
    assert cards_for(response, FOLLOW_UP) == []


def test_course_older_than_90_days_gets_no_follow_up_card(cds):
    """Near miss: the course ended 120 days ago."""
    response = cds("patient-view", hook_request("patient-view", after_thoracic_course(ecog(1), ended=120)))
    assert cards_for(response, FOLLOW_UP) == []


def test_curative_course_gets_no_palliative_follow_up_card(cds):
    """Near miss: the recent course was curative."""
    resources = after_thoracic_course(ecog(1), intent="curative")
    assert cards_for(cds("patient-view", hook_request("patient-view", resources)), FOLLOW_UP) == []


def test_follow_up_is_a_patient_view_card_only(cds):
    """Near miss: the same patient while an order is being selected."""
    request = hook_request("order-select", after_thoracic_course(ecog(1)), orders=[rt_order("femur", 8, 1)])
    assert cards_for(cds("order-select", request), FOLLOW_UP) == []


def test_follow_up_card_in_danish(cds):
    response = cds("patient-view", hook_request("patient-view", after_thoracic_course(ecog(0))), "da")
    card = cards_for(response, FOLLOW_UP)[0]
    assert card["summary"].startswith(f"Palliativ strålebehandling afsluttet {days_ago(30)}")
    assert "kontrolforløb" in card["detail"]
    assert "ingen evidensstyrke angivet" in card["detail"]
