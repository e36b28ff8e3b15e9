"""`palliative-rt-cds evaluate`: the service's cards for a request file or a patient record, in process."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from service.commands.common import CardLanguage
from service.guideline.regimen import Regimen, round_for_display
from service.settings import LANGUAGES
from tests.fhir import (
    PATIENT_ID,
    SITE_CODES,
    SNOMED,
    TODAY,
    bundle,
    days_ago,
    ecog,
    hook_request,
    lung_cancer,
    metastasis,
    prescription,
    rt_order,
    survival_estimate,
    symptom,
)

SAMPLES = Path(__file__).resolve().parents[2] / "fhir_samples"
FEMUR = (SNOMED, SITE_CODES["femur"])


def painful_femur_record() -> list[dict[str, Any]]:
    """NSCLC, PS 1 (60 days ago), expected survival 12 months, a painful femur metastasis."""
    return [
        lung_cancer("nsclc"),
        ecog(1, effective=days_ago(60)),
        survival_estimate(12),
        metastasis("bone", body_site=FEMUR),
        symptom("pain", body_site=FEMUR, recorded=days_ago(10)),
    ]


def record_bundle(resources: list[dict[str, Any]], *, patient: bool = True) -> dict[str, Any]:
    """A patient's record as one collection Bundle, as a tester exports it."""
    return bundle(([{"resourceType": "Patient", "id": PATIENT_ID}] if patient else []) + resources,
                  type="collection")


def rules(response: dict[str, Any]) -> list[str]:
    return [card["source"]["topic"]["code"] for card in response["cards"]]


def comparable(response: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What a clinician reads on each card (uuids and generated ids differ between calls)."""
    return [(card["source"]["topic"]["code"], card["indicator"], card["summary"], card["detail"],
             tuple(s["label"] for s in card.get("suggestions", ())),
             tuple(r["code"] for r in card.get("overrideReasons", ())))
            for card in response["cards"]]


# --- cards in the terminal ----------------------------------------------------------------------

def test_a_sample_request_shows_indicator_summary_detail_suggestions_with_regimen_and_bed_rule_and_grade(
        run, cds) -> None:
    """mscc-fractionation (order-sign, survival 4 months): the info card as the service gives it."""
    sample = SAMPLES / "mscc-fractionation.json"
    result = run("evaluate", sample, "--today", TODAY, "--lang", "en")
    assert result.exit_code == 0, result.output
    [card] = cds("order-sign", json.loads(sample.read_text(encoding="utf-8")))["cards"]
    extension = card["extension"]["palliative-rt-cds"]
    assert f"{sample} · order-sign · 1 card" in result.stdout
    assert card["indicator"].upper() in result.stdout
    assert card["summary"] in result.stdout
    assert "Patient data that triggered this card:" in result.stdout  # the markdown detail, rendered
    assert "**" not in result.stdout
    [suggestion] = card["suggestions"]
    regimen = Regimen.of(*_regimen_of(suggestion))
    assert suggestion["label"] in result.stdout
    assert f"{regimen.label} │ {round_for_display(regimen.bed10)} Gy" in result.stdout
    assert f"rule {extension['ruleId']} · recommendation {extension['recommendation']} · " \
           f"evidence grade {extension['evidenceGrade']}" in result.stdout
    for reason in card["overrideReasons"]:
        assert reason["display"] in result.stdout


def _regimen_of(suggestion: dict[str, Any]) -> tuple[float, int]:
    total_cgy, fractions = prescription(suggestion["actions"][0]["resource"])
    return total_cgy / 100, fractions


def test_danish_cards_use_danish_words_and_decimal_commas(run) -> None:
    result = run("evaluate", SAMPLES / "mscc-fractionation.json", "--today", TODAY, "--lang", "da")
    assert result.exit_code == 0, result.output
    assert "1 kort" in result.stdout and "evidensstyrke A" in result.stdout
    assert "14,4 Gy" in result.stdout and "14.4 Gy" not in result.stdout


def test_json_prints_the_raw_response_the_http_service_gives(run, cds) -> None:
    sample = SAMPLES / "mscc-acute-evaluation.json"
    result = run("evaluate", sample, "--json", "--today", TODAY, "--lang", "en")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    over_http = cds("patient-view", json.loads(sample.read_text(encoding="utf-8")))
    assert comparable(printed) == comparable(over_http)
    assert set(printed) == {"cards"}


def test_json_for_several_files_is_keyed_by_file(run) -> None:
    first, second = SAMPLES / "mscc-fractionation.json", SAMPLES / "out-of-scope.json"
    result = run("evaluate", first, second, "--json", "--today", TODAY)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == {str(first), str(second)}
    assert rules(printed[str(second)]) == ["out-of-scope"]


# --- a plain Bundle -----------------------------------------------------------------------------

def test_a_record_with_a_draft_order_is_checked_on_order_select_like_the_same_request(
        run, cds, write_json) -> None:
    """Painful femur metastasis, 30 Gy/10F drafted: the Bundle gives the order-select cards."""
    story, order = painful_femur_record(), rt_order("femur", 30, 10)
    record = write_json("record.json", record_bundle([*story, order]))
    result = run("evaluate", record, "--json", "--today", TODAY)
    assert result.exit_code == 0, result.output
    expected = cds("order-select", hook_request("order-select", story, orders=[order]))
    assert "bone-uncomplicated-single-fraction" in rules(expected)
    assert comparable(json.loads(result.stdout)) == comparable(expected)
    heading = run("evaluate", record, "--today", TODAY).stdout
    assert "record.json · order-select" in heading


@pytest.mark.parametrize("hook", ["patient-view", "order-sign"])
def test_hook_chooses_the_hook_the_record_is_evaluated_on(run, cds, write_json, hook: str) -> None:
    story, order = painful_femur_record(), rt_order("femur", 30, 10)
    record = write_json("record.json", record_bundle([*story, order]))
    result = run("evaluate", record, "--hook", hook, "--json", "--today", TODAY)
    assert result.exit_code == 0, result.output
    orders = [order] if hook != "patient-view" else []
    over_http = cds(hook, hook_request(hook, story, orders=orders))
    assert comparable(json.loads(result.stdout)) == comparable(over_http)


def test_a_record_without_a_patient_resource_is_the_patient_its_resources_name(run, cds, write_json) -> None:
    story = painful_femur_record()
    record = write_json("record.json", record_bundle(story, patient=False))
    result = run("evaluate", record, "--json", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert comparable(json.loads(result.stdout)) == comparable(
        cds("patient-view", hook_request("patient-view", story)))


def test_today_sets_the_evaluation_date(run, write_json) -> None:
    """ECOG recorded 60 days before TODAY: current on TODAY, older than 90 days 49 days later."""
    record = write_json("record.json", record_bundle(painful_femur_record()))
    on_today = run("evaluate", record, "--json", "--today", TODAY)
    later = run("evaluate", record, "--json", "--today", TODAY + timedelta(days=49))
    assert "performance-status-missing" not in rules(json.loads(on_today.stdout))
    assert "performance-status-missing" in rules(json.loads(later.stdout))


def test_a_directory_is_evaluated_file_by_file(run, write_json) -> None:
    write_json("a.json", record_bundle(painful_femur_record()))
    second = write_json("b.json", record_bundle(painful_femur_record()))
    write_json("b.expected.json", {"must": []})
    result = run("evaluate", second.parent, "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("· patient-view ·") == 2


# --- files that cannot be used ------------------------------------------------------------------

BAD_FILES = {
    "not JSON": ("{not json", "not JSON: Expecting property name enclosed in double quotes at line 1"),
    "not an object": ("[1, 2]", "not a JSON object"),
    "not FHIR": ('{"foo": 1}', 'neither a CDS Hooks request (no "hook") nor a FHIR resource'),
    "wrong resource type": ('{"resourceType": "Patient", "id": "p"}', "a FHIR Patient: give a Bundle"),
    "entry without resource": ('{"resourceType": "Bundle", "entry": [{"fullUrl": "x"}]}',
                               "Bundle.entry[0]: no resource with a resourceType"),
    "no patient": ('{"resourceType": "Bundle", "entry": []}', "no Patient resource"),
    "two patients": (json.dumps(bundle([{"resourceType": "Patient", "id": "a"},
                                        {"resourceType": "Patient", "id": "b"}])),
                     "holds 2 Patient resources"),
    "invalid request": (json.dumps({"hook": "patient-view", "hookInstance": "x",
                                    "context": {"userId": "Practitioner/1"}}),
                        "context.patientId: field required"),
    "unknown hook": ('{"hook": "encounter-start", "hookInstance": "x", "context": {}}',
                     "hook: 'encounter-start' is not one of"),
    "no conditions to read": (json.dumps({"hook": "patient-view", "hookInstance": "x",
                                          "context": {"userId": "Practitioner/1", "patientId": "p"}}),
                              "prefetch.conditions: could not be obtained"),
}


@pytest.mark.parametrize("content, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_named_with_what_is_wrong_and_exit_status_2(run, write_json, content, message) -> None:
    path = write_json("bad.json", content)
    result = run("evaluate", path, "--today", TODAY)
    assert result.exit_code == 2
    assert f"error: {path}: {message}" in " ".join(result.stderr.split())


def test_a_file_that_is_not_utf8_text_is_named(run, tmp_path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"navn": "Søren"}'.encode("latin-1"))
    result = run("evaluate", path)
    assert result.exit_code == 2
    assert f"{path}: not JSON: the file is not UTF-8 text" in result.stderr


def test_a_missing_file_and_an_empty_directory_are_named(run, tmp_path) -> None:
    missing = run("evaluate", tmp_path / "nope.json")
    assert missing.exit_code == 2 and f"{tmp_path / 'nope.json'}: no such file or directory" in missing.stderr
    empty = run("evaluate", tmp_path)
    assert empty.exit_code == 2 and "directory holds no .json request files" in empty.stderr


def test_order_select_needs_a_draft_order_in_the_record(run, write_json) -> None:
    record = write_json("record.json", record_bundle(painful_femur_record()))
    result = run("evaluate", record, "--hook", "order-select")
    assert result.exit_code == 2
    assert 'order-select needs a draft ServiceRequest (status "draft"); the record holds none' \
        in result.stderr


def test_good_files_are_shown_even_when_another_is_bad(run, write_json) -> None:
    bad = write_json("bad.json", "[]")
    result = run("evaluate", SAMPLES / "out-of-scope.json", bad, "--today", TODAY)
    assert result.exit_code == 2
    assert "out-of-scope.json · order-select · 1 card" in result.stdout
    assert f"{bad}: not a JSON object" in result.stderr


def test_without_files_the_command_says_what_it_needs(run) -> None:
    result = run("evaluate")
    assert result.exit_code == 2
    assert "give at least one FILE or directory" in result.output


def test_a_request_the_service_fails_on_is_named_without_a_traceback(run, monkeypatch) -> None:
    def failing(*_: object, **__: object) -> None:
        raise RuntimeError("unreadable record")

    monkeypatch.setattr("service.api.evaluation.build_patient_facts", failing)
    sample = SAMPLES / "out-of-scope.json"
    result = run("evaluate", sample)
    assert result.exit_code == 2
    assert f"{sample}: the service failed on this request (RuntimeError); over HTTP it would answer 500" \
        in " ".join(result.stderr.split())


def test_the_language_choices_are_the_card_wording_s_languages() -> None:
    assert tuple(language.value for language in CardLanguage) == LANGUAGES
