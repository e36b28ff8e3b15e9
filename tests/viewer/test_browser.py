"""The card viewer in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core from
tests/viewer/node_modules, both installed by .ci/browser.sh) against the service on a loopback port.

A clinician picks a sample, sees its cards in Danish, accepts a suggestion (the order appears, the feedback
is stored), overrides another card with a reason, switches to English, pastes a record; the feedback
report then shows the numbers. Skipped only where chromium is not installed and CI is not set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from service.app import create_app
from service.cards.catalogue import default_catalogue
from service.cli import cli
from service.settings import Settings
from service.storage.tables import Feedback, IssuedCard
from tests.cli.test_evaluate import painful_femur_record, record_bundle
from tests.fhir import hook_request

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "drive_viewer.cjs"
PLAYWRIGHT_CORE = HERE / "node_modules" / "playwright-core"
SAMPLES = HERE.parents[1] / "fhir_samples"
SAMPLE = "mscc-acute-evaluation"
ACCEPT, OVERRIDE = "mscc-fractionation", "mscc-acute-evaluation"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMIUM is None and not IN_CI,
                       reason="chromium is not installed (.ci/browser.sh installs it; in CI this test runs)"),
]


@pytest.fixture
def viewer_url(settings: Settings) -> Iterator[str]:
    app = create_app(settings.model_copy(update={"viewer_enabled": True}))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def drive(spec: dict[str, Any]) -> dict[str, Any]:
    assert CHROMIUM, "chromium is not installed: run .ci/browser.sh"
    assert shutil.which("node"), "node is not installed: run .ci/browser.sh"
    assert PLAYWRIGHT_CORE.is_dir(), f"playwright-core is not in {PLAYWRIGHT_CORE.parent}: run .ci/browser.sh"
    completed = subprocess.run(["node", str(DRIVER), json.dumps(spec)], capture_output=True, text=True,
                               timeout=240, env={**os.environ, "CHROMIUM": CHROMIUM}, check=False)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def stored(database_url: str) -> tuple[dict[str, Feedback], dict[str, IssuedCard]]:
    """The feedback reports by outcome, and the issued cards by uuid."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return ({row.outcome: row for row in session.scalars(select(Feedback))},
                    {row.card_uuid: row for row in session.scalars(select(IssuedCard))})
    finally:
        engine.dispose()


def shown(cards: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(card["rule"], card["summary"]) for card in cards]


def answered(response: dict[str, Any]) -> list[tuple[str, str]]:
    return [(card["source"]["topic"]["code"], card["summary"]) for card in response["cards"]]


def test_a_clinician_reviews_a_sample_accepts_and_overrides_and_the_report_counts_it(
        viewer_url: str, settings: Settings, cds, tmp_path: Path) -> None:
    sample = json.loads((SAMPLES / f"{SAMPLE}.json").read_text(encoding="utf-8"))
    story = painful_femur_record()
    screenshot = tmp_path / "viewer.png"
    seen = drive({"base": viewer_url, "sample": SAMPLE, "accept": ACCEPT, "override": OVERRIDE,
                  "bundle": record_bundle(story), "bundleHook": "patient-view",
                  "screenshot": str(screenshot)})

    # the sample's cards, in Danish, as the service answers them, with rule id and grade on each
    assert seen["lang"] == "da" and SAMPLE in seen["samples"]
    danish = cds("patient-view", sample, lang="da")
    assert shown(seen["cards"]) == answered(danish)
    for card, rendered in zip(danish["cards"], seen["cards"], strict=True):
        assert rendered["ruleShown"] == card["extension"]["palliative-rt-cds"]["ruleId"]
        assert rendered["grade"] == f"Evidensstyrke {card['extension']['palliative-rt-cds']['evidenceGrade']}"
        assert "<strong>Patientdata der udløste kortet:</strong>" in rendered["detailHtml"]
    assert [card["indicator"] for card in seen["cards"]] == ["Kritisk", "Info"]
    assert "Som forventet." in seen["expected"]

    # accepting shows the suggested order and stores the feedback with the suggestion's uuid
    assert seen["order"]["resourceType"] == "ServiceRequest" and seen["order"]["status"] == "draft"
    assert seen["order"]["subject"] == {"reference": f"Patient/{sample['context']['patientId']}"}
    assert seen["acceptedButtonsDisabled"] and seen["acceptedOutcome"].startswith("Accepteret: ")
    reports, issued = stored(settings.database_url)
    assert set(reports) == {"accepted", "overridden"}
    accepted = reports["accepted"]
    assert accepted.rule_id == ACCEPT
    assert accepted.accepted_suggestions[0] in issued[accepted.card_uuid].suggestion_uuids

    # overriding stores the reason chosen (the second offered) and the comment
    chosen = seen["overriddenOutcome"].removeprefix("Tilsidesat: ")
    assert chosen == seen["overrideReasons"][2]
    overridden = reports["overridden"]
    assert overridden.rule_id == OVERRIDE
    assert default_catalogue().override_reason(overridden.override_reason_code, "da") == chosen
    assert overridden.override_comment == "Discussed at the conference"

    # English: the page and the cards
    assert seen["langAfterSwitch"] == "en" and seen["showLabel"] == "Show cards"
    assert shown(seen["cardsEnglish"]) == answered(cds("patient-view", sample, lang="en"))

    # a pasted record on the chosen hook, and a document that is not FHIR
    assert shown(seen["pastedCards"]) == answered(cds("patient-view", hook_request("patient-view", story)))
    assert seen["pastedStatus"] == f"{len(seen['pastedCards'])} cards on patient-view"
    assert seen["expectedHiddenAfterPaste"]
    assert 'no "resourceType"' in seen["errorText"]
    assert all("400" in error for error in seen["consoleErrors"]), seen["consoleErrors"]
    assert screenshot.read_bytes().startswith(b"\x89PNG")

    # the feedback report shows what the viewer posted
    result = CliRunner().invoke(cli, ["feedback-report", "--database-url", settings.database_url,
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    report = {rule["rule_id"]: rule for rule in json.loads(result.stdout)["rules"]}
    _, issued = stored(settings.database_url)  # the viewer's cards, and those the checks above asked for
    rules_issued = [row.rule_id for row in issued.values()]
    issued_per_rule = {rule: rules_issued.count(rule) for rule in (ACCEPT, OVERRIDE)}
    assert [report[ACCEPT][key] for key in ("issued", "accepted", "overridden", "acceptance_rate")] == [
        issued_per_rule[ACCEPT], 1, 0, 1.0]
    assert [report[OVERRIDE][key] for key in ("issued", "accepted", "overridden", "acceptance_rate")] == [
        issued_per_rule[OVERRIDE], 0, 1, 0]
    assert [(r["code"], r["cards"]) for r in report[OVERRIDE]["override_reasons"]] == [
        (overridden.override_reason_code, 1)]
