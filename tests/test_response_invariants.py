"""CDS Hooks 2.0 response invariants (cds-resp-1..6 and the JSON rules): enforced by the models, and
checked on real answers."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from service.wire import models as wire
from tests.fhir import (
    days_ago,
    ecog,
    hook_request,
    lung_cancer,
    metastasis,
    rt_course,
    rt_order,
    survival_estimate,
    symptom,
)

SOURCE = wire.Source(label="DOLG")


def assert_conformant(response: dict[str, Any]) -> None:
    """Every 2.0 rule a client relies on, checked on a response as sent."""
    assert isinstance(response.get("cards"), list)

    def no_null_or_empty(value: object, path: str) -> None:
        assert value is not None, f"{path} is null"
        assert value not in ("", [], {}) or path == "$.cards", f"{path} is empty"
        if isinstance(value, dict):
            for key, item in value.items():
                no_null_or_empty(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                no_null_or_empty(item, f"{path}[{index}]")

    no_null_or_empty(response["cards"], "$.cards")
    for card in response["cards"]:
        assert card["uuid"] and card["source"]["label"]
        assert 0 < len(card["summary"]) < 140
        assert card["indicator"] in ("info", "warning", "critical")
        suggestions = card.get("suggestions", [])
        if suggestions:
            assert card["selectionBehavior"] in ("at-most-one", "any")  # cds-resp-6
        if card.get("selectionBehavior") == "at-most-one":
            assert sum(1 for s in suggestions if s.get("isRecommended")) <= 1  # cds-resp-1
        for suggestion in suggestions:
            assert suggestion["uuid"] and suggestion["label"]
            for action in suggestion.get("actions", []):
                assert action["description"]  # cds-resp-5
                if action["type"] == "delete":
                    assert "resourceId" in action and "resource" not in action  # cds-resp-2
                else:
                    assert action["resource"]["resourceType"]
        for reason in card.get("overrideReasons", []):
            assert reason["display"] and reason["code"] and reason["system"]  # cds-resp-4
        for link in card.get("links", []):
            assert "appContext" not in link or link["type"] == "smart"  # cds-resp-3


def test_cds_resp_1_at_most_one_allows_one_recommended_suggestion() -> None:
    suggestions = [wire.Suggestion(label=f"s{i}", uuid=f"u{i}", isRecommended=True) for i in range(2)]
    with pytest.raises(ValidationError, match="at-most-one"):
        wire.Card(uuid="c", summary="s", indicator="info", source=SOURCE, suggestions=suggestions,
                  selectionBehavior="at-most-one")
    wire.Card(uuid="c", summary="s", indicator="info", source=SOURCE, suggestions=suggestions,
              selectionBehavior="any")


def test_cds_resp_2_delete_has_a_resource_id_and_no_resource() -> None:
    with pytest.raises(ValidationError):
        wire.Action(type="delete", description="Remove the draft",
                    resource={"resourceType": "ServiceRequest"})
    with pytest.raises(ValidationError):
        wire.Action(type="create", description="Create", resourceId="ServiceRequest/1")
    wire.Action(type="delete", description="Remove the draft", resourceId="ServiceRequest/1")


def test_cds_resp_3_app_context_only_on_smart_links() -> None:
    with pytest.raises(ValidationError, match="appContext"):
        wire.Link(label="App", url="https://app.example.org", type="absolute", appContext="x")
    wire.Link(label="App", url="https://app.example.org", type="smart", appContext="x")


def test_cds_resp_4_override_reasons_have_a_display() -> None:
    with pytest.raises(ValidationError):
        wire.OverrideReason(system="urn:x", code="c")
    with pytest.raises(ValidationError):
        wire.OverrideReason(system="urn:x", code="c", display="")


def test_cds_resp_5_actions_have_a_description() -> None:
    with pytest.raises(ValidationError):
        wire.Action(type="create", resource={"resourceType": "ServiceRequest"})  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        wire.Action(type="create", description="", resource={"resourceType": "ServiceRequest"})


def test_cds_resp_6_suggestions_need_a_selection_behavior() -> None:
    with pytest.raises(ValidationError, match="selectionBehavior"):
        wire.Card(uuid="c", summary="s", indicator="info", source=SOURCE,
                  suggestions=[wire.Suggestion(label="s", uuid="u")])


def test_summary_is_under_140_characters_and_empty_lists_are_refused() -> None:
    with pytest.raises(ValidationError):
        wire.Card(uuid="c", summary="x" * 140, indicator="info", source=SOURCE)
    wire.Card(uuid="c", summary="x" * 139, indicator="info", source=SOURCE)
    with pytest.raises(ValidationError):
        wire.Card(uuid="c", summary="s", indicator="info", source=SOURCE, suggestions=[],
                  selectionBehavior="any")
    with pytest.raises(ValidationError):
        wire.Card(uuid="c", summary="s", indicator="info", source=SOURCE, overrideReasons=[])


def test_cards_carry_no_unknown_members() -> None:
    with pytest.raises(ValidationError):
        wire.Card.model_validate({"uuid": "c", "summary": "s", "indicator": "info",
                                  "source": {"label": "x"}, "sugestions": []})


STORIES = {
    "mscc": [lung_cancer(), metastasis("bone"), symptom("mscc")],
    "thoracic symptoms, PS 1": [lung_cancer(), metastasis("liver"), symptom("hemoptysis"), ecog(1),
                                survival_estimate(4)],
    "brain metastases, PS 3": [lung_cancer(), metastasis("brain", lesions=5), symptom("headache"), ecog(3)],
    "painful bone metastasis after a course": [lung_cancer(), metastasis("bone"), symptom("pain"), ecog(2),
                                                rt_course("thoracic-spine", 8, 1, ended=days_ago(60))],
    "small cell, no data": [lung_cancer("sclc")],
}
ORDERS = [rt_order("thorax", 20, 5), rt_order("thoracic-spine", 8, 1), rt_order("brain", 20, 5)]


@pytest.mark.parametrize("story", STORIES)
@pytest.mark.parametrize("hook", ["patient-view", "order-select", "order-sign"])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_answer_is_a_valid_2_0_response(cds, story: str, hook: str, lang: str) -> None:
    orders = ORDERS if hook != "patient-view" else []
    response = cds(hook, hook_request(hook, STORIES[story], orders=orders), lang=lang)
    assert_conformant(response)
