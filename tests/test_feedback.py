"""Feedback: validated, stored with the rule of the card it is about, idempotent; cards are recorded."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from service.storage.tables import Feedback, IssuedCard
from tests.databases import ON_EVERY_DATABASE
from tests.fhir import PATIENT_ID, hook_request, lung_cancer, metastasis, symptom

pytestmark = ON_EVERY_DATABASE
MSCC_STORY = [lung_cancer(), metastasis("bone"), symptom("mscc")]
FEEDBACK_URL = "/cds-services/palliative-rt-patient-view/feedback"


@pytest.fixture
def database(settings, client):
    """database(): a session on the app's database, once the cards of the answers given so far are written
    (the service writes them after answering)."""
    engine = create_engine(settings.database_url)

    def session() -> Session:
        assert client.app.state.runtime.card_log.flush()
        return Session(engine)

    yield session
    engine.dispose()


@pytest.fixture
def issued(cds) -> dict[str, Any]:
    """A patient-view answer for the MSCC story: a card with suggestions and one without."""
    request = hook_request("patient-view", MSCC_STORY)
    response = cds("patient-view", request)
    response["hookInstance"] = request["hookInstance"]
    return response


def _card_with_suggestions(response: dict[str, Any]) -> dict[str, Any]:
    return next(card for card in response["cards"] if card.get("suggestions"))


def test_every_issued_card_is_recorded_with_rule_suggestions_and_hook_instance(issued, database) -> None:
    with database() as session:
        rows = {row.card_uuid: row for row in session.scalars(select(IssuedCard))}
    assert rows.keys() == {card["uuid"] for card in issued["cards"]}
    for card in issued["cards"]:
        row = rows[card["uuid"]]
        assert row.rule_id == card["source"]["topic"]["code"]
        assert row.service_id == "palliative-rt-patient-view"
        assert row.hook_instance == issued["hookInstance"]
        assert row.suggestion_uuids == [s["uuid"] for s in card.get("suggestions", [])]


def test_cards_of_concurrent_hook_calls_are_each_recorded_once(cds, database) -> None:
    requests = [hook_request("patient-view", MSCC_STORY) for _ in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda request: cds("patient-view", request), requests))
    with database() as session:
        rows = session.execute(select(IssuedCard.card_uuid, IssuedCard.hook_instance)).all()
    issued = [(card["uuid"], request["hookInstance"])
              for request, answer in zip(requests, answers, strict=True) for card in answer["cards"]]
    assert len(issued) >= 2 * len(requests)
    assert sorted(tuple(row) for row in rows) == sorted(issued)


def test_feedback_sent_before_its_card_is_written_still_finds_the_rule_of_its_card(
        client, cds, database, monkeypatch) -> None:
    """The EHR may send feedback as soon as it shows the card; here it arrives while the card's record is
    still waiting to be written."""
    runtime = client.app.state.runtime
    feedback_arrived = threading.Event()
    write_cards, flush = runtime.store.record_cards, runtime.card_log.flush

    def written_once_feedback_arrived(answers) -> None:
        assert feedback_arrived.wait(timeout=60)
        write_cards(answers)

    def flush_when_feedback_arrives(*args) -> bool:
        feedback_arrived.set()
        return flush(*args)

    monkeypatch.setattr(runtime.store, "record_cards", written_once_feedback_arrived)
    monkeypatch.setattr(runtime.card_log, "flush", flush_when_feedback_arrives)
    try:
        card = cds("patient-view", hook_request("patient-view", MSCC_STORY))["cards"][0]
        response = client.post(FEEDBACK_URL, json={"feedback": [{
            "card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-27T10:00:00Z"}]})
    finally:
        feedback_arrived.set()
    assert response.status_code == 200
    with database() as session:
        assert session.scalars(select(Feedback)).one().rule_id == card["source"]["topic"]["code"]


def test_accepted_feedback_is_stored_with_the_rule_of_its_card(client, issued, database) -> None:
    card = _card_with_suggestions(issued)
    suggestion = card["suggestions"][0]["uuid"]
    response = client.post(FEEDBACK_URL, json={"feedback": [{
        "card": card["uuid"], "outcome": "accepted", "acceptedSuggestions": [{"id": suggestion}],
        "outcomeTimestamp": "2026-11-27T09:15:00Z"}]})
    assert response.status_code == 200
    with database() as session:
        [row] = session.scalars(select(Feedback)).all()
    assert row.rule_id == card["source"]["topic"]["code"]
    assert row.service_id == "palliative-rt-patient-view"
    assert row.outcome == "accepted"
    assert row.accepted_suggestions == [suggestion]
    assert (row.outcome_timestamp.hour, row.outcome_timestamp.minute) == (9, 15)


def test_overridden_feedback_keeps_the_reason_and_comment(client, issued, database) -> None:
    card = issued["cards"][0]
    reason = card["overrideReasons"][0]
    client.post(FEEDBACK_URL, json={"feedback": [{
        "card": card["uuid"], "outcome": "overridden",
        "overrideReason": {"reason": {"system": reason["system"], "code": reason["code"]},
                           "userComment": "Discussed at the MDT"},
        "outcomeTimestamp": "2026-11-27T10:00:00+01:00"}]})
    with database() as session:
        [row] = session.scalars(select(Feedback)).all()
    assert (row.override_reason_system, row.override_reason_code) == (reason["system"], reason["code"])
    assert row.override_comment == "Discussed at the MDT"
    assert row.outcome_timestamp.hour == 9  # stored in UTC


def test_overridden_without_reason_is_accepted(client, issued, database) -> None:
    response = client.post(FEEDBACK_URL, json={"feedback": [{
        "card": issued["cards"][0]["uuid"], "outcome": "overridden",
        "outcomeTimestamp": "2026-11-27T10:00:00Z"}]})
    assert response.status_code == 200
    with database() as session:
        assert session.scalars(select(Feedback)).one().override_reason_code is None


def test_the_same_feedback_posted_twice_is_stored_once(client, issued, database) -> None:
    report = {"card": issued["cards"][0]["uuid"], "outcome": "overridden",
              "outcomeTimestamp": "2026-11-27T10:00:00Z"}
    same_moment_other_zone = dict(report, outcomeTimestamp="2026-11-27T11:00:00+01:00")
    for body in ({"feedback": [report]}, {"feedback": [report, same_moment_other_zone]}):
        assert client.post(FEEDBACK_URL, json=body).status_code == 200
    later = dict(report, outcomeTimestamp="2026-11-27T10:05:00Z")
    assert client.post(FEEDBACK_URL, json={"feedback": [later]}).status_code == 200
    with database() as session:
        assert len(session.scalars(select(Feedback)).all()) == 2


def test_feedback_on_a_card_this_service_did_not_issue_is_stored_without_rule(client, database) -> None:
    response = client.post(FEEDBACK_URL, json={"feedback": [{
        "card": "1f7a2c9e-0000-4000-8000-000000000000", "outcome": "overridden",
        "outcomeTimestamp": "2026-11-27T10:00:00Z"}]})
    assert response.status_code == 200
    with database() as session:
        assert session.scalars(select(Feedback)).one().rule_id is None


@pytest.mark.parametrize(("item", "field"), [
    ({"outcome": "accepted", "acceptedSuggestions": [{"id": "s"}],
      "outcomeTimestamp": "2026-11-27T10:00:00Z"}, "feedback[0].card"),
    ({"card": "c", "outcome": "accepted", "outcomeTimestamp": "2026-11-27T10:00:00Z"}, "feedback[0]"),
    ({"card": "c", "outcome": "ignored", "outcomeTimestamp": "2026-11-27T10:00:00Z"}, "feedback[0].outcome"),
    ({"card": "c", "outcome": "overridden"}, "feedback[0].outcomeTimestamp"),
    ({"card": "c", "outcome": "overridden", "outcomeTimestamp": "yesterday"}, "feedback[0].outcomeTimestamp"),
    ({"card": "c", "outcome": "overridden", "overrideReason": {}, "outcomeTimestamp": "2026-11-27T10:00:00Z"},
     "feedback[0].overrideReason"),
])
def test_malformed_feedback_answers_400_naming_the_field(client, database, item, field) -> None:
    response = client.post(FEEDBACK_URL, json={"feedback": [item]})
    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert any(issue["diagnostics"].startswith(f"{field}:") for issue in outcome["issue"]), outcome
    with database() as session:
        assert not session.scalars(select(Feedback)).all()


def test_feedback_body_must_be_a_non_empty_feedback_array(client) -> None:
    for body in ({"feedback": []}, {"card": "c"}, [{"card": "c"}]):
        assert client.post(FEEDBACK_URL, json=body).status_code == 400
    assert client.post(FEEDBACK_URL, content=b"not json").status_code == 400


def test_feedback_to_an_unknown_service_answers_404(client) -> None:
    response = client.post("/cds-services/no-such-service/feedback", json={"feedback": [{
        "card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-11-27T10:00:00Z"}]})
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_no_patient_identifier_reaches_the_database(client, issued, database) -> None:
    card = issued["cards"][0]
    client.post(FEEDBACK_URL, json={"feedback": [{
        "card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-11-27T10:00:00Z"}]})
    with database() as session:
        stored = [*session.scalars(select(IssuedCard)), *session.scalars(select(Feedback))]
    assert stored
    for row in stored:
        values = [str(getattr(row, column.key)) for column in row.__table__.columns]
        assert not any(PATIENT_ID in value for value in values)
