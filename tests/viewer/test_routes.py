"""The viewer as the service serves it: off by default, its page and files all from the service itself,
the sample library as JSON, and a pasted document made into the request the page sends."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.samples import EXPECTED_SUFFIX, SAMPLES_TODAY
from service.settings import Settings
from service.viewer import STATIC_DIR
from tests.cli.test_evaluate import painful_femur_record, record_bundle
from tests.fhir import rt_order

SAMPLES = Path(__file__).resolve().parents[2] / "fhir_samples"


@pytest.fixture
def viewer(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"viewer_enabled": True}))) as client:
        yield client


def test_the_viewer_is_off_unless_enabled(client: TestClient) -> None:
    assert Settings.model_fields["viewer_enabled"].default is False
    for path in ("/viewer/", "/viewer/viewer.js", "/viewer/api/samples"):
        assert client.get(path).status_code == 404


def test_the_page_is_utf8_html_in_danish_with_its_script_and_style(viewer: TestClient) -> None:
    page = viewer.get("/viewer/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<meta charset="utf-8">' in page.text and '<html lang="da">' in page.text
    assert viewer.get("/viewer", follow_redirects=False).status_code in (307, 308)
    assert "javascript" in viewer.get("/viewer/viewer.js").headers["content-type"]
    assert viewer.get("/viewer/viewer.css").headers["content-type"].startswith("text/css")


def test_everything_the_page_loads_comes_from_the_service() -> None:
    """No CDN, no build step: every src/href and every fetch is relative to the page."""
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    for reference in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert not re.match(r"^[a-z]+://|^//", reference), reference
    for name in ("index.html", "viewer.js", "viewer.css"):
        text = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), name
        assert "@import" not in text


def test_every_form_control_has_a_label() -> None:
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    controls = set(re.findall(r'<(?:select|textarea|input)[^>]* id="([^"]+)"', page))
    assert controls and controls <= labelled


def test_the_sample_list_names_each_sample_with_its_hook_and_expectation(viewer, settings) -> None:
    listing = viewer.get("/viewer/api/samples").json()
    assert listing["evaluationDate"] == settings.today().isoformat()
    assert listing["samplesDate"] == SAMPLES_TODAY.isoformat()
    shipped = sorted(p.name.removesuffix(EXPECTED_SUFFIX) for p in SAMPLES.glob(f"*{EXPECTED_SUFFIX}"))
    assert sorted(s["name"] for s in listing["samples"]) == shipped
    for sample in listing["samples"]:
        request = json.loads((SAMPLES / f"{sample['name']}.json").read_text(encoding="utf-8"))
        expectation = json.loads((SAMPLES / f"{sample['name']}{EXPECTED_SUFFIX}").read_text(encoding="utf-8"))
        assert sample["hook"] == request["hook"]
        assert sample["must"] == sorted(expectation.get("must", []))
        assert sample["mustNot"] == sorted(expectation.get("must_not", []))


def test_a_sample_is_served_as_its_file_and_nothing_else_is(viewer: TestClient) -> None:
    answer = viewer.get("/viewer/api/samples/mscc-fractionation")
    assert answer.status_code == 200
    assert answer.json() == json.loads((SAMPLES / "mscc-fractionation.json").read_text(encoding="utf-8"))
    for name in ("nope", "..%2Fpyproject", "mscc-fractionation.expected"):
        missing = viewer.get(f"/viewer/api/samples/{name}")
        assert missing.status_code == 404 and missing.json()["resourceType"] == "OperationOutcome"


def test_a_pasted_record_becomes_the_request_whose_cards_the_page_shows(viewer: TestClient, rule_ids) -> None:
    order = rt_order("femur", 30, 10)
    made = viewer.post("/viewer/api/hook-request",
                       json={"document": record_bundle([*painful_femur_record(), order]), "hook": None})
    assert made.status_code == 200
    request = made.json()
    assert request["hook"] == "order-select"
    cards = viewer.post("/cds-services/palliative-rt-order-select", json=request).json()
    assert "bone-uncomplicated-single-fraction" in rule_ids(cards)
    as_view = viewer.post("/viewer/api/hook-request",
                          json={"document": request, "hook": "patient-view"}).json()
    assert as_view["hook"] == "patient-view" and "draftOrders" not in as_view["context"]


@pytest.mark.parametrize("body, message", [
    ({"document": {"foo": 1}}, 'document: neither a CDS Hooks request (no "hook") nor a FHIR resource'),
    ({"document": {"resourceType": "Patient"}, "hook": None}, "document: a FHIR Patient"),
    ({"document": {}, "hook": "order-view"}, "hook: 'order-view' is not one of"),
])
def test_a_document_that_makes_no_request_answers_400_saying_why(viewer: TestClient, body, message) -> None:
    answer = viewer.post("/viewer/api/hook-request", json=body)
    assert answer.status_code == 400
    assert answer.json()["issue"][0]["diagnostics"].startswith(message)


def test_the_viewer_routes_are_not_part_of_the_api_document(viewer: TestClient) -> None:
    assert not [path for path in viewer.get("/openapi.json").json()["paths"] if path.startswith("/viewer")]
