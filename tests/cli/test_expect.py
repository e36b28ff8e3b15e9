"""`palliative-rt-cds evaluate DIR --expect`: each sample against its `<name>.expected.json`."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from service.samples import EXPECTED_SUFFIX, SAMPLES_TODAY, samples_dir
from tests.cli.test_evaluate import painful_femur_record, record_bundle
from tests.fhir import TODAY

SAMPLES = Path(__file__).resolve().parents[2] / "fhir_samples"
SHIPPED = sorted(path.name.removesuffix(EXPECTED_SUFFIX) for path in SAMPLES.glob(f"*{EXPECTED_SUFFIX}"))


def copy_sample(name: str, directory: Path, expectation: dict | None = None) -> Path:
    """The sample `name` in `directory`, with its own expectation or the one given."""
    request = shutil.copy(SAMPLES / f"{name}.json", directory / f"{name}.json")
    expected = directory / f"{name}{EXPECTED_SUFFIX}"
    if expectation is None:
        shutil.copy(SAMPLES / f"{name}{EXPECTED_SUFFIX}", expected)
    else:
        expected.write_text(json.dumps(expectation), encoding="utf-8")
    return Path(request)


def test_the_shipped_samples_meet_their_expectations(run) -> None:
    result = run("evaluate", SAMPLES, "--expect")
    assert result.exit_code == 0, result.output
    assert SHIPPED and f"{len(SHIPPED)} passed, 0 failed" in result.stdout
    rows = [line for line in result.stdout.splitlines() if "│" in line and " pass " in line]
    assert sorted(line.split("│")[1].strip() for line in rows) == SHIPPED
    assert all(SAMPLES_TODAY.isoformat() in row for row in rows)


def test_without_a_directory_the_sample_library_shipped_with_the_service_is_checked(run) -> None:
    result = run("evaluate", "--expect", "--json")
    assert result.exit_code == 0, result.output
    checked = json.loads(result.stdout)
    assert sorted(item["sample"] for item in checked) == SHIPPED
    assert {Path(item["file"]).parent for item in checked} == {samples_dir()}


def test_a_card_that_is_missing_fails_the_sample_with_exit_status_1(run, tmp_path) -> None:
    copy_sample("mscc-fractionation", tmp_path, {"must": ["mscc-fractionation", "mscc-acute-evaluation"]})
    result = run("evaluate", tmp_path, "--expect")
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "missing mscc-acute-evaluation" in result.stdout
    assert "0 passed, 1 failed" in result.stdout


def test_a_card_that_must_not_show_fails_the_sample(run, tmp_path) -> None:
    copy_sample("mscc-fractionation", tmp_path, {"must_not": ["mscc-fractionation"]})
    copy_sample("out-of-scope", tmp_path)
    result = run("evaluate", tmp_path, "--expect", "--json")
    assert result.exit_code == 1
    by_sample = {item["sample"]: item for item in json.loads(result.stdout)}
    assert by_sample["mscc-fractionation"]["unexpected"] == ["mscc-fractionation"]
    assert not by_sample["mscc-fractionation"]["passed"]
    assert by_sample["out-of-scope"]["passed"]


def test_requests_without_an_expectation_file_are_left_out_of_a_directory(run, tmp_path) -> None:
    copy_sample("out-of-scope", tmp_path)
    shutil.copy(SAMPLES / "mscc-fractionation.json", tmp_path)
    result = run("evaluate", tmp_path, "--expect", "--json")
    assert result.exit_code == 0, result.output
    assert [item["sample"] for item in json.loads(result.stdout)] == ["out-of-scope"]


def test_a_tester_s_own_bundle_is_checked_on_the_date_and_hook_its_expectation_names(run, write_json) -> None:
    """ECOG 60 days before TODAY: no PS card on TODAY; 49 days later the PS is older than 90 days."""
    record = write_json("femur.json", record_bundle(painful_femur_record()))
    later = TODAY + timedelta(days=49)
    write_json(f"femur{EXPECTED_SUFFIX}", {"must": ["performance-status-missing"], "today": later.isoformat(),
                                           "hook": "patient-view"})
    result = run("evaluate", record, "--expect", "--json")
    assert result.exit_code == 0, result.output
    [checked] = json.loads(result.stdout)
    assert (checked["today"], checked["hook"], checked["passed"]) == (later.isoformat(), "patient-view", True)


def test_without_a_date_in_the_expectation_today_or_else_the_samples_date_is_used(run, write_json) -> None:
    record = write_json("femur.json", record_bundle(painful_femur_record()))
    write_json(f"femur{EXPECTED_SUFFIX}", {"must_not": ["performance-status-missing"]})
    on_samples_date = json.loads(run("evaluate", record, "--expect", "--json").stdout)
    assert on_samples_date[0]["today"] == SAMPLES_TODAY.isoformat() and on_samples_date[0]["passed"]
    later = TODAY + timedelta(days=49)
    on_given_date = run("evaluate", record, "--expect", "--json", "--today", later)
    assert on_given_date.exit_code == 1
    [checked] = json.loads(on_given_date.stdout)
    assert checked["today"] == later.isoformat()
    assert checked["unexpected"] == ["performance-status-missing"]


BAD_EXPECTATIONS = {
    "not JSON": ("{", "not valid JSON (line 1, column 2)"),
    "unknown rule": ('{"must": ["no-such-rule"]}', "must: unknown rule ids no-such-rule"),
    "unknown member": ('{"should": []}', "unknown members should"),
    "not a list": ('{"must_not": "out-of-scope"}', "must_not: must be a list of rule ids"),
    "both": ('{"must": ["out-of-scope"], "must_not": ["out-of-scope"]}',
             "out-of-scope both in must and must_not"),
    "bad date": ('{"today": "27-11-2026"}', "today: '27-11-2026' is not an ISO date"),
    "bad hook": ('{"hook": "order-view"}', "hook: 'order-view' is not one of"),
}


@pytest.mark.parametrize("content, message", BAD_EXPECTATIONS.values(), ids=BAD_EXPECTATIONS.keys())
def test_a_bad_expectation_file_is_named_with_exit_status_2(run, tmp_path, content, message) -> None:
    copy_sample("out-of-scope", tmp_path)
    expected = tmp_path / f"out-of-scope{EXPECTED_SUFFIX}"
    expected.write_text(content, encoding="utf-8")
    result = run("evaluate", tmp_path, "--expect")
    assert result.exit_code == 2
    assert f"{expected}: {message}" in " ".join(result.stderr.split())


def test_a_file_named_without_an_expectation_file_is_refused(run) -> None:
    sample = SAMPLES / "out-of-scope.json"
    orphan = run("evaluate", SAMPLES / "out-of-scope.expected.json", "--expect")
    assert orphan.exit_code == 2
    assert "no expectation file out-of-scope.expected.expected.json beside it" in orphan.stderr
    assert run("evaluate", sample, "--expect").exit_code == 0


def test_a_directory_without_expectations_is_refused(run, tmp_path) -> None:
    shutil.copy(SAMPLES / "out-of-scope.json", tmp_path)
    result = run("evaluate", tmp_path, "--expect")
    assert result.exit_code == 2
    assert "no request with an expectation file" in result.stderr
