"""The sample library: every `fhir_samples/<name>.json` with a `<name>.expected.json` is posted through
HTTP in both languages (evaluated on 2026-11-27) and must yield its "must" rule ids and none of its
"must_not" ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.guideline.catalogue import RULES
from tests.test_response_invariants import assert_conformant

SAMPLES = Path(__file__).resolve().parents[1] / "fhir_samples"
EXPECTED_SUFFIX = ".expected.json"


def _expectations() -> list[Path]:
    return sorted(SAMPLES.glob(f"*{EXPECTED_SUFFIX}"))


def _request_for(expected: Path) -> Path:
    return expected.with_name(expected.name.removesuffix(EXPECTED_SUFFIX) + ".json")


def test_every_expectation_has_its_request_and_names_known_rules() -> None:
    known = {rule.spec.rule_id for rule in RULES}
    for expected in _expectations():
        assert _request_for(expected).is_file(), f"{expected.name} has no request"
        expectation = json.loads(expected.read_text(encoding="utf-8"))
        assert set(expectation) <= {"must", "must_not"}, expected.name
        named = {*expectation.get("must", ()), *expectation.get("must_not", ())}
        assert named <= known, f"{expected.name} names unknown rules {named - known}"
        assert not set(expectation.get("must", ())) & set(expectation.get("must_not", ())), expected.name


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("expected", _expectations(),
                         ids=lambda path: path.name.removesuffix(EXPECTED_SUFFIX))
def test_sample_yields_its_expected_rules(cds, rule_ids, expected: Path, lang: str) -> None:
    request = json.loads(_request_for(expected).read_text(encoding="utf-8"))
    expectation = json.loads(expected.read_text(encoding="utf-8"))
    response = cds(request["hook"], request, lang=lang)
    assert_conformant(response)
    fired = set(rule_ids(response))
    must, must_not = set(expectation.get("must", ())), set(expectation.get("must_not", ()))
    assert must <= fired, f"missing {must - fired}"
    assert not fired & must_not, f"must not fire {fired & must_not}"
