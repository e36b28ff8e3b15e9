"""Metastatic spinal cord compression and whether it has been treated."""

from __future__ import annotations

import pytest

from service.facts.model import Region
from tests.facts import read, reference
from tests.fhir import (
    ICD10,
    ICD10CM,
    SITE_CODES,
    SKS,
    SKS_D,
    SNOMED,
    condition,
    days_ago,
    procedure,
    ref,
    rt_course,
    symptom,
)

SPINE = (SNOMED, SITE_CODES["thoracic-spine"])
SURGERY = (SNOMED, "387713003")


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (SNOMED, "71286001"),
        (ICD10, "G95.2"),
        (ICD10CM, "G95.20"),
        (SKS_D, "DG952"),
        (SKS, "DG992"),
    ],
)
def test_mscc_condition(system: str, code: str) -> None:
    mscc = condition(system, code, onsetDateTime=days_ago(3))
    found = read(mscc).spinal_cord_compression
    assert found.source.reference == reference(mscc)
    assert found.onset.isoformat() == days_ago(3)
    assert found.treated_by is None


def test_mscc_site_and_onset_falling_back_to_recorded_date() -> None:
    found = read(symptom("mscc", body_site=SPINE, recorded=days_ago(2))).spinal_cord_compression
    assert found.site.region is Region.THORACIC_SPINE
    assert found.onset.isoformat() == days_ago(2)


def test_suspected_mscc_counts() -> None:
    assert read(symptom("mscc", verification="provisional")).spinal_cord_compression is not None


@pytest.mark.parametrize(
    "ignored",
    [
        {"verification": "refuted"},
        {"verification": "entered-in-error"},
        {"status": "resolved"},
        {"patient_id": "someone-else"},
    ],
)
def test_mscc_ignored(ignored: dict) -> None:
    assert read(symptom("mscc", **ignored)).spinal_cord_compression is None


def test_treated_by_spine_radiotherapy_after_onset() -> None:
    mscc = symptom("mscc", onsetDateTime=days_ago(10))
    course = rt_course("thoracic-spine", 8, 1, ended=days_ago(5))
    assert read(mscc, course).spinal_cord_compression.treated_by.reference == reference(course)


def test_in_progress_spine_course_treats_it() -> None:
    mscc = symptom("mscc", onsetDateTime=days_ago(20))
    course = rt_course("lumbar-spine", 30, 10, ended=days_ago(1), status="in-progress")
    assert read(mscc, course).spinal_cord_compression.treated_by is not None


def test_spine_course_before_onset_does_not_treat_it() -> None:
    mscc = symptom("mscc", onsetDateTime=days_ago(10))
    course = rt_course("thoracic-spine", 8, 1, ended=days_ago(60))
    assert read(mscc, course).spinal_cord_compression.treated_by is None


def test_thoracic_course_does_not_treat_it() -> None:
    mscc = symptom("mscc", onsetDateTime=days_ago(10))
    course = rt_course("thorax", 20, 5, ended=days_ago(2))
    assert read(mscc, course).spinal_cord_compression.treated_by is None


def test_course_naming_the_mscc_treats_it() -> None:
    mscc = symptom("mscc")
    course = rt_course("thorax", 20, 5, ended=days_ago(2), reason=[ref(mscc)])
    assert read(mscc, course).spinal_cord_compression.treated_by.reference == reference(course)


def test_decompression_for_the_mscc_treats_it() -> None:
    mscc = symptom("mscc", onsetDateTime=days_ago(10))
    surgery = procedure(
        SNOMED, "12345", category=SURGERY, body_site=SPINE, reason=[ref(mscc)], performed=days_ago(8)
    )
    assert read(mscc, surgery).spinal_cord_compression.treated_by.reference == reference(surgery)


@pytest.mark.parametrize(
    "surgery_kwargs",
    [
        {},  # not for the MSCC
        {"status": "not-done"},
        {"status": "entered-in-error"},
    ],
)
def test_surgery_that_does_not_treat_it(surgery_kwargs: dict) -> None:
    mscc = symptom("mscc", onsetDateTime=days_ago(10))
    reason = [] if not surgery_kwargs else [ref(mscc)]
    surgery = procedure(
        SNOMED,
        "12345",
        category=SURGERY,
        body_site=SPINE,
        reason=reason or None,
        performed=days_ago(8),
        **surgery_kwargs,
    )
    assert read(mscc, surgery).spinal_cord_compression.treated_by is None


def test_spine_course_at_another_level_does_not_treat_it() -> None:
    mscc = symptom("mscc", onsetDateTime=days_ago(10), body_site=(SNOMED, SITE_CODES["lumbar-spine"]))
    course = rt_course("cervical-spine", 8, 1, ended=days_ago(2))
    assert read(mscc, course).spinal_cord_compression.treated_by is None


def test_an_untreated_mscc_is_the_one_reported() -> None:
    treated = symptom("mscc", onsetDateTime=days_ago(100), body_site=(SNOMED, SITE_CODES["cervical-spine"]))
    course = rt_course("cervical-spine", 8, 1, ended=days_ago(90))
    untreated = symptom("mscc", onsetDateTime=days_ago(200), body_site=(SNOMED, SITE_CODES["lumbar-spine"]))
    found = read(treated, course, untreated).spinal_cord_compression
    assert found.source.reference == reference(untreated)
    assert found.treated_by is None
