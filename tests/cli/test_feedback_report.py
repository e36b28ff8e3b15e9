"""The feedback report (service.storage.report) and `palliative-rt-cds feedback-report`: per rule, cards
issued, accepted, overridden, override reasons with counts, acceptance rate; `--since` a date."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from service.cards.render import OVERRIDE_REASON_SYSTEM
from service.storage.report import ReasonCount, RuleFeedback, feedback_report
from service.storage.store import Store
from service.storage.tables import IssuedCard
from service.wire.models import FeedbackItem
from tests.databases import ON_EVERY_DATABASE

SERVICE = "palliative-rt-order-sign"
NOVEMBER = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def issue(store: Store, rule_id: str, at: datetime, count: int = 1) -> list[str]:
    """`count` cards of `rule_id` issued at `at`; their uuids."""
    cards = [str(uuid.uuid4()) for _ in range(count)]
    with Session(store.engine) as session, session.begin():
        session.add_all(IssuedCard(card_uuid=card, service_id=SERVICE, rule_id=rule_id, hook_instance="h",
                                   suggestion_uuids=["s"], issued_at=at) for card in cards)
    return cards


def accepted(card: str, at: datetime) -> FeedbackItem:
    return FeedbackItem(card=card, outcome="accepted", acceptedSuggestions=[{"id": "s"}], outcomeTimestamp=at)


def overridden(card: str, at: datetime, reason: str | None = None,
               comment: str | None = None) -> FeedbackItem:
    override = {"reason": {"system": OVERRIDE_REASON_SYSTEM, "code": reason}} if reason else {}
    if comment:
        override["userComment"] = comment
    return FeedbackItem(card=card, outcome="overridden", overrideReason=override or None, outcomeTimestamp=at)


@pytest.fixture
def governance(store: Store) -> Store:
    """November: 3 thoracic-symptom-relief cards (2 accepted, one of them reported twice; 1 overridden,
    patient preference) and 2 mscc-acute-evaluation cards (1 local protocol, 1 comment only).
    December: 1 more thoracic-symptom-relief card, overridden for patient preference; and feedback on a
    card this service never issued."""
    relief = issue(store, "thoracic-symptom-relief", NOVEMBER, 3)
    mscc = issue(store, "mscc-acute-evaluation", NOVEMBER, 2)
    [later] = issue(store, "thoracic-symptom-relief", DECEMBER)
    store.store_feedback(SERVICE, [
        accepted(relief[0], NOVEMBER), accepted(relief[0], NOVEMBER + timedelta(minutes=5)),
        accepted(relief[1], NOVEMBER), overridden(relief[2], NOVEMBER, "patient-preference"),
        overridden(mscc[0], NOVEMBER, "local-protocol"), overridden(mscc[1], NOVEMBER, comment="CT pending"),
        overridden(later, DECEMBER, "patient-preference"), overridden("not-ours", DECEMBER, "local-protocol"),
    ])
    return store


@ON_EVERY_DATABASE
def test_per_rule_counts_distinct_cards_and_reasons(governance: Store) -> None:
    report = {row.rule_id: row for row in feedback_report(governance.engine)}
    assert report["thoracic-symptom-relief"] == RuleFeedback(
        "thoracic-symptom-relief", issued=4, accepted=2, overridden=2,
        override_reasons=(ReasonCount(OVERRIDE_REASON_SYSTEM, "patient-preference", 2),))
    assert report["thoracic-symptom-relief"].acceptance_rate == pytest.approx(2 / 4)
    assert report["mscc-acute-evaluation"] == RuleFeedback(
        "mscc-acute-evaluation", issued=2, accepted=0, overridden=2,
        override_reasons=(ReasonCount(OVERRIDE_REASON_SYSTEM, "local-protocol", 1),
                          ReasonCount(None, None, 1)))
    assert report["mscc-acute-evaluation"].acceptance_rate == 0
    assert report[None] == RuleFeedback(
        None, issued=0, accepted=0, overridden=1,
        override_reasons=(ReasonCount(OVERRIDE_REASON_SYSTEM, "local-protocol", 1),))
    assert list(report) == ["mscc-acute-evaluation", "thoracic-symptom-relief", None]


@ON_EVERY_DATABASE
def test_since_keeps_cards_issued_and_feedback_given_from_that_moment(governance: Store) -> None:
    report = {row.rule_id: row for row in feedback_report(governance.engine, DECEMBER - timedelta(days=1))}
    assert set(report) == {"thoracic-symptom-relief", None}
    assert (report["thoracic-symptom-relief"].issued, report["thoracic-symptom-relief"].overridden) == (1, 1)


def test_a_rule_without_feedback_has_no_acceptance_rate(store: Store) -> None:
    issue(store, "out-of-scope", NOVEMBER)
    [row] = feedback_report(store.engine)
    assert (row.issued, row.acceptance_rate) == (1, None)


# --- the command --------------------------------------------------------------------------------

@pytest.fixture
def database(governance: Store) -> str:
    return governance.engine.url.render_as_string(hide_password=False)


def test_the_table_shows_each_rule_with_its_counts_rate_and_reasons(run, database: str) -> None:
    result = run("feedback-report", "--database-url", database, "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    [relief] = [line for line in lines if "thoracic-symptom-relief" in line]
    cells = [cell.strip() for cell in relief.split("│")[1:6]]
    assert cells == ["thoracic-symptom-relief", "4", "2", "2", "50%"]
    assert "Patient preference: 2" in relief
    assert any("Local protocol: 1" in line for line in lines)
    assert any("(no coded reason): 1" in line for line in lines)
    assert any("(card not issued by this service)" in line for line in lines)
    [total] = [line for line in lines if "all rules" in line]
    assert [cell.strip() for cell in total.split("│")[1:6]] == ["all rules", "6", "2", "5", "29%"]


def test_csv_and_json_carry_the_same_numbers(run, database: str) -> None:
    rows = list(csv.DictReader(io.StringIO(run("feedback-report", "--database-url", database, "--format",
                                               "csv").stdout)))
    relief = next(row for row in rows if row["rule_id"] == "thoracic-symptom-relief")
    assert (relief["issued"], relief["accepted"], relief["overridden"], relief["acceptance_rate"],
            relief["override_reasons"]) == ("4", "2", "2", "0.5000", "patient-preference=2")
    document = json.loads(run("feedback-report", "--database-url", database, "--format", "json",
                              "--lang", "da").stdout)
    mscc = next(rule for rule in document["rules"] if rule["rule_id"] == "mscc-acute-evaluation")
    assert mscc["acceptance_rate"] == 0 and mscc["overridden"] == 2
    assert [(r["code"], r["display"], r["cards"]) for r in mscc["override_reasons"]] == [
        ("local-protocol", "Lokal instruks", 1), (None, "(ingen kodet begrundelse)", 1)]


def test_since_is_a_danish_calendar_date(run, database: str) -> None:
    """Since 7 December (Copenhagen): the December card and feedback only."""
    document = json.loads(run("feedback-report", "--database-url", database, "--format", "json",
                              "--since", date(2026, 12, 7)).stdout)
    assert document["since"] == "2026-12-07"
    assert [(r["rule_id"], r["issued"], r["overridden"]) for r in document["rules"]] == [
        ("thoracic-symptom-relief", 1, 1), (None, 0, 1)]


def test_a_database_that_is_not_there_is_named(run, tmp_path) -> None:
    missing = tmp_path / "nope.db"
    result = run("feedback-report", "--database-url", f"sqlite:///{missing}")
    assert result.exit_code == 2
    assert f"no database at {missing}" in result.stderr
    assert not missing.exists()


def test_a_database_without_the_service_s_tables_is_named(run, tmp_path) -> None:
    other = tmp_path / "other.db"
    Store(f"sqlite:///{other}").engine.connect().close()
    result = run("feedback-report", "--database-url", f"sqlite:///{other}")
    assert result.exit_code == 2
    assert "the database has no feedback, issued_card table" in result.stderr
