"""Resources that arrive but cannot be used are named on a card, never silently dropped."""

from __future__ import annotations

from service.cards.notices import DATA_QUALITY, NOTICE_SYSTEM
from tests.fhir import ecog, hook_request, lung_cancer, m_stage


def notices(response: dict) -> list[dict]:
    return [card for card in response["cards"] if card["source"]["topic"]["system"] == NOTICE_SYSTEM]


def test_unreadable_performance_status_is_named_and_ps_counts_as_missing(cds, rule_ids) -> None:
    """Stage IV NSCLC whose only ECOG Observation has a date that is no date: the card names the
    Observation, and PS is treated as missing (never guessed)."""
    broken = ecog(1, id="ecog-broken")
    broken["effectiveDateTime"] = "yesterday"
    response = cds("patient-view", hook_request("patient-view", [lung_cancer("nsclc"), m_stage(), broken]))
    [card] = [card for card in notices(response) if card["source"]["topic"]["code"] == DATA_QUALITY]
    assert card["indicator"] == "info"
    assert "Observation/ecog-broken" in card["detail"]
    assert card["summary"].startswith("1 resource(s)")
    assert "performance-status-missing" in rule_ids(response)


def test_many_unreadable_resources_are_counted_beyond_the_first_ten(cds) -> None:
    broken = []
    for number in range(12):
        observation = ecog(1, id=f"ecog-{number}")
        observation["effectiveDateTime"] = "not a date"
        broken.append(observation)
    response = cds("patient-view", hook_request("patient-view", [lung_cancer("nsclc"), m_stage(), *broken]),
                   lang="da")
    [card] = [card for card in notices(response) if card["source"]["topic"]["code"] == DATA_QUALITY]
    assert card["summary"].startswith("12 ressource(r)")
    assert "og 2 flere" in card["detail"]


def test_a_clean_record_has_no_data_quality_card(cds) -> None:
    response = cds("patient-view", hook_request("patient-view", [lung_cancer("nsclc"), m_stage(), ecog(1)]))
    assert not any(card["source"]["topic"]["code"] == DATA_QUALITY for card in notices(response))
