"""Prior radiotherapy courses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.facts.model import Intent, Region
from tests.facts import read, reference
from tests.fhir import (
    CODEX,
    CONCEPT,
    MCODE,
    PARTIAL,
    SITE_CODES,
    SKS,
    SNOMED,
    WHOLE,
    body_structure,
    concept,
    days_ago,
    procedure,
    ref,
    rt_course,
)


def test_codex_course_summary() -> None:
    course = rt_course("thorax", 30, 10, ended=days_ago(60))
    (found,) = read(course).prior_courses
    assert (found.total_dose_gy, found.fractions) == (Decimal(30), 10)
    assert found.site.region is Region.THORAX
    assert found.intent is Intent.PALLIATIVE
    assert (found.status, found.end.isoformat(), found.start.isoformat()) == (
        "completed",
        days_ago(60),
        days_ago(70),
    )
    assert found.source.reference == reference(course)
    assert found.source.recorded.isoformat() == days_ago(60)
    assert (found.reirradiation, found.no_response, found.stereotactic) == (None, False, False)


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        ("curative", Intent.CURATIVE),
        ("preventive", Intent.PREVENTIVE),
        (None, Intent.UNKNOWN),
    ],
)
def test_course_intent(intent: str | None, expected: Intent) -> None:
    assert read(rt_course("brain", 25, 10, intent=intent)).prior_courses[0].intent is expected


def test_dose_in_gy_is_read_as_is() -> None:
    course = rt_course("thorax", 20, 5)
    course["extension"][0]["extension"][1]["valueQuantity"] = {
        "value": 20,
        "unit": "Gy",
        "system": "http://unitsofmeasure.org",
        "code": "Gy",
    }
    assert read(course).prior_courses[0].total_dose_gy == Decimal(20)


def test_dose_in_an_unknown_unit_is_unknown() -> None:
    course = rt_course("thorax", 20, 5)
    course["extension"][0]["extension"][1]["valueQuantity"] = {"value": 20, "unit": "rad"}
    assert read(course).prior_courses[0].total_dose_gy is None


def test_mcode_course_without_category() -> None:
    course = rt_course("thorax", 60, 30)
    del course["category"]
    assert read(course).prior_courses[0].total_dose_gy == Decimal(60)


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ((SNOMED, "1287742003"), None),
        ((SNOMED, "108290001"), None),
        ((SKS, "BWGC1"), None),
        ((SNOMED, "1234"), (SNOMED, "108290001")),
    ],
)
def test_plain_radiotherapy_procedure(code: tuple[str, str], category: tuple[str, str] | None) -> None:
    found = procedure(
        *code, category=category, body_site=(SNOMED, SITE_CODES["femur"]), performed=days_ago(100)
    )
    (course,) = read(found).prior_courses
    assert course.site.region is Region.BONE
    assert course.end.isoformat() == days_ago(100)
    assert (course.total_dose_gy, course.fractions, course.intent) == (None, None, Intent.UNKNOWN)


def test_site_from_the_referenced_volume() -> None:
    volume = body_structure("thoracic-spine")
    course = rt_course("thorax", 8, 1)
    del course["bodySite"]
    course["extension"][0]["extension"][0]["valueReference"] = ref(volume)
    assert read(volume, course).prior_courses[0].site.region is Region.THORACIC_SPINE


def test_one_course_per_volume() -> None:
    brain, spine = body_structure("brain", qualifier=WHOLE), body_structure("lumbar-spine")
    course = rt_course("brain", 20, 5)
    course["bodySite"].append(concept(SNOMED, SITE_CODES["lumbar-spine"]))
    course["extension"][0]["extension"][0]["valueReference"] = ref(brain)
    course["extension"].append(
        {
            "url": MCODE + "mcode-radiotherapy-dose-delivered-to-volume",
            "extension": [
                {"url": "volume", "valueReference": ref(spine)},
                {"url": "totalDoseDelivered", "valueQuantity": {"value": 800, "code": "cGy"}},
                {"url": "fractionsDelivered", "valueUnsignedInt": 1},
            ],
        }
    )
    courses = read(brain, spine, course).prior_courses
    assert [(c.site.region, c.total_dose_gy, c.fractions) for c in courses] == [
        (Region.BRAIN, Decimal(20), 5),
        (Region.LUMBAR_SPINE, Decimal(8), 1),
    ]
    assert courses[0].site.whole_brain is True


@pytest.mark.parametrize(("qualifier", "whole"), [(WHOLE, True), (PARTIAL, False), (None, None)])
def test_whole_or_partial_brain_on_the_body_site(qualifier: str | None, whole: bool | None) -> None:
    assert read(rt_course("brain", 20, 5, qualifier=qualifier)).prior_courses[0].site.whole_brain is whole


def test_partial_brain_on_the_volume() -> None:
    volume = body_structure("brain", qualifier=PARTIAL)
    course = rt_course("brain", 27, 3)
    del course["bodySite"]
    course["extension"][0]["extension"][0]["valueReference"] = ref(volume)
    assert read(volume, course).prior_courses[0].site.whole_brain is False


def test_reirradiation_flag() -> None:
    course = rt_course("thorax", 20, 5)
    course["extension"].append(
        {"url": CODEX + "codexrt-radiotherapy-course-involves-reirradiation", "valueBoolean": True}
    )
    assert read(course).prior_courses[0].reirradiation is True


@pytest.mark.parametrize("element", ["outcome", "statusReason"])
def test_no_response(element: str) -> None:
    course = rt_course("thorax", 20, 5, status="stopped")
    course[element] = concept(SNOMED, "266721009")
    assert read(course).prior_courses[0].no_response


def test_no_response_in_the_stu3_termination_reason() -> None:
    course = rt_course("thorax", 20, 5, status="stopped")
    course["extension"].append(
        {
            "url": MCODE + "mcode-treatment-termination-reason",
            "valueCodeableConcept": concept(SNOMED, "266721009"),
        }
    )
    assert read(course).prior_courses[0].no_response


@pytest.mark.parametrize(
    ("dose", "fractions", "stereotactic"),
    [
        (27, 3, True),
        (20, 1, True),
        (12, 1, True),
        (45, 5, True),
        (30, 10, False),
        (8, 1, False),
        (16, 2, False),
    ],
)
def test_stereotactic_inferred(dose: float, fractions: int, stereotactic: bool) -> None:
    assert read(rt_course("bone", dose, fractions)).prior_courses[0].stereotactic is stereotactic


def test_stereotactic_as_technique() -> None:
    course = rt_course("thorax", 30, 10)
    course["extension"].append(
        {
            "url": MCODE + "mcode-radiotherapy-modality-and-technique",
            "extension": [
                {
                    "url": MCODE + "mcode-radiotherapy-modality",
                    "valueCodeableConcept": concept(SNOMED, "1156506007"),
                },
                {
                    "url": MCODE + "mcode-radiotherapy-technique",
                    "valueCodeableConcept": concept(CONCEPT, "stereotactic"),
                },
            ],
        }
    )
    assert read(course).prior_courses[0].stereotactic


def test_sessions_extension_gives_fractions() -> None:
    course = rt_course("thorax", 20, 5)
    del course["extension"][0]["extension"][2]
    course["extension"].append({"url": MCODE + "mcode-radiotherapy-sessions", "valueUnsignedInt": 4})
    assert read(course).prior_courses[0].fractions == 4


def test_in_progress_course_has_no_end() -> None:
    (found,) = read(rt_course("thorax", 30, 10, status="in-progress")).prior_courses
    assert (found.status, found.end) == ("in-progress", None)


def test_reasons_are_kept() -> None:
    course = rt_course(
        "thorax", 30, 10, reason=[{"reference": "http://ehr.example/fhir/Condition/c1/_history/2"}]
    )
    assert read(course).prior_courses[0].reason_references == ("Condition/c1",)


@pytest.mark.parametrize(
    "ignored",
    [
        {"status": "not-done"},
        {"status": "entered-in-error"},
        {"status": "preparation"},
        {"patient_id": "someone-else"},
    ],
)
def test_course_ignored(ignored: dict) -> None:
    assert read(rt_course("thorax", 30, 10, **ignored)).prior_courses == ()


def test_phases_of_a_course_are_not_courses() -> None:
    course = rt_course("thorax", 30, 10)
    phase = procedure(SNOMED, "1222565005", category=(SNOMED, "1287742003"), partOf=[ref(course)])
    assert [c.source.reference for c in read(course, phase).prior_courses] == [reference(course)]


def test_performed_partial_date() -> None:
    found = procedure(SNOMED, "1287742003", performed="2025-06")
    assert read(found).prior_courses[0].end.isoformat() == "2025-06-01"
