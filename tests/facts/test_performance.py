"""Performance status: ECOG/WHO in every encoding, Karnofsky converted, most recent within 90 days."""

from __future__ import annotations

import pytest

from tests.facts import read, reference
from tests.fhir import LOINC, SNOMED, concept, days_ago, ecog, karnofsky, observation

RKKP = "https://kip.rkkp.dk/fhir/CodeSystem/PerformanceStatusScore"


@pytest.mark.parametrize("score", range(6))
def test_ecog_value_integer(score: int) -> None:
    found = ecog(score)
    ps = read(found).performance_status
    assert (ps.ecog, ps.karnofsky) == (score, None)
    assert ps.source.reference == reference(found)
    assert ps.source.recorded.isoformat() == days_ago(7)


@pytest.mark.parametrize(
    ("code", "value", "score"),
    [
        ((LOINC, "89247-1"), (LOINC, "LA9624-3"), 2),
        ((LOINC, "89247-1"), (LOINC, "LA9627-6"), 5),
        ((LOINC, "89262-0"), (LOINC, "LA9623-5"), 1),
        ((SNOMED, "423740007"), (SNOMED, "423053003"), 3),
        ((LOINC, "89247-1"), (SNOMED, "373805004"), 2),  # WHO performance status grade 2
        ((LOINC, "89247-1"), (RKKP, "grade_4"), 4),
    ],
)
def test_ecog_coded_value(code: tuple[str, str], value: tuple[str, str], score: int) -> None:
    assert read(observation(code, valueCodeableConcept=concept(*value))).performance_status.ecog == score


def test_ecog_in_the_interpretation() -> None:
    found = observation((LOINC, "89247-1"), interpretation=[concept(LOINC, "LA9625-0")])
    assert read(found).performance_status.ecog == 3


def test_snomed_grade_finding_as_the_observation_code() -> None:
    assert read(observation((SNOMED, "422512005"))).performance_status.ecog == 1


def test_ecog_as_a_whole_numbered_quantity() -> None:
    found = observation((LOINC, "89247-1"), valueQuantity={"value": 2, "unit": "{score}"})
    assert read(found).performance_status.ecog == 2


@pytest.mark.parametrize(
    ("kps", "expected"),
    [
        (100, 0),
        (90, 0),
        (80, 1),
        (70, 1),
        (60, 2),
        (50, 2),
        (40, 3),
        (30, 3),
        (20, 4),
        (10, 4),
        (0, 5),
        (85, 1),
    ],
)
def test_karnofsky_converted(kps: int, expected: int) -> None:
    ps = read(karnofsky(kps)).performance_status
    assert (ps.ecog, ps.karnofsky) == (expected, kps)


@pytest.mark.parametrize(
    ("code", "value", "kps"),
    [
        ((LOINC, "89243-0"), (LOINC, "LA29178-3"), 70),
        ((LOINC, "89243-0"), (LOINC, "LA9627-6"), 0),
        ((SNOMED, "761869008"), (LOINC, "LA29181-7"), 40),
    ],
)
def test_karnofsky_coded_value(code: tuple[str, str], value: tuple[str, str], kps: int) -> None:
    assert read(observation(code, valueCodeableConcept=concept(*value))).performance_status.karnofsky == kps


def test_most_recent_wins() -> None:
    ps = read(ecog(1, effective=days_ago(40)), karnofsky(40, effective=days_ago(3))).performance_status
    assert (ps.ecog, ps.karnofsky) == (3, 40)


def test_same_day_ecog_wins_over_karnofsky() -> None:
    ps = read(karnofsky(40, effective=days_ago(3)), ecog(1, effective=days_ago(3))).performance_status
    assert (ps.ecog, ps.karnofsky) == (1, None)


def test_date_time_and_timezone() -> None:
    # 23:30 UTC on 26 November is 27 November in Copenhagen.
    found = ecog(2, effective="2026-11-26T23:30:00Z")
    assert read(found).performance_status.source.recorded.isoformat() == "2026-11-27"


def test_older_than_90_days_is_missing_but_shown_as_stale() -> None:
    old = ecog(1, effective=days_ago(91))
    facts = read(old)
    assert facts.performance_status is None
    assert facts.stale_performance_status.source.reference == reference(old)


def test_90_days_old_still_counts() -> None:
    assert read(ecog(1, effective=days_ago(90))).performance_status.ecog == 1


def test_partial_date_counts_from_its_first_day() -> None:
    # "2026-08" may be 1 August: more than 90 days before 27 November.
    facts = read(ecog(1, effective="2026-08"))
    assert facts.performance_status is None
    assert facts.stale_performance_status.source.recorded.isoformat() == "2026-08-01"


@pytest.mark.parametrize(
    "ignored",
    [
        {"status": "entered-in-error"},
        {"status": "cancelled"},
        {"patient_id": "someone-else"},
    ],
)
def test_performance_status_ignored(ignored: dict) -> None:
    facts = read(ecog(3, **ignored))
    assert facts.performance_status is None
    assert facts.stale_performance_status is None


def test_ignored_newer_value_leaves_the_older_one() -> None:
    facts = read(ecog(1, effective=days_ago(10)), ecog(4, effective=days_ago(1), status="entered-in-error"))
    assert facts.performance_status.ecog == 1


@pytest.mark.parametrize("found", [ecog(7), karnofsky(120)])
def test_out_of_range_is_a_data_quality_note(found: dict) -> None:
    facts = read(found)
    assert facts.performance_status is None
    assert [note.reference for note in facts.data_quality] == [reference(found)]


def test_newest_reading_that_cannot_be_read_is_reported_and_the_one_before_counts() -> None:
    unreadable = ecog(2, effective=days_ago(1))
    unreadable["valueInteger"] = "two"
    facts = read(ecog(1, effective=days_ago(10)), unreadable)
    assert facts.performance_status.ecog == 1
    assert [note.reference for note in facts.data_quality] == [reference(unreadable)]


def test_readings_older_than_the_one_that_decides_are_not_read() -> None:
    """Years of performance status: the newest readable one decides, the others are never validated
    (an unreadable reading from last year is not reported)."""
    last_year = ecog(1, effective=days_ago(400))
    last_year["valueInteger"] = "one"
    facts = read(last_year, *(ecog(2, effective=days_ago(d)) for d in range(200, 20, -30)),
                 ecog(3, effective=days_ago(5)))
    assert facts.performance_status.ecog == 3
    assert facts.data_quality == ()


def test_same_day_readings_are_all_read_ecog_wins() -> None:
    facts = read(karnofsky(50, effective=days_ago(3)), ecog(1, effective=days_ago(3)),
                 karnofsky(90, effective=days_ago(3)))
    assert (facts.performance_status.ecog, facts.performance_status.karnofsky) == (1, None)
