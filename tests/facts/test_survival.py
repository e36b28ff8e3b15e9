"""The survival estimate (LOINC 75328-5), normalised to months."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.facts import read, reference
from tests.fhir import LOINC, days_ago, observation, survival_estimate


@pytest.mark.parametrize(
    ("value", "unit", "months"),
    [
        (8, "mo", Decimal(8)),
        (4.5, "mo", Decimal("4.5")),
        (12, "wk", Decimal(84) / Decimal("30.44")),
        (61, "d", Decimal(61) / Decimal("30.44")),
    ],
)
def test_durations_in_months(value: float, unit: str, months: Decimal) -> None:
    found = survival_estimate(value, unit)
    estimate = read(found).survival_estimate
    assert estimate.months == months
    assert estimate.text is None
    assert estimate.source.reference == reference(found)


def test_other_units_are_kept_as_text() -> None:
    estimate = read(survival_estimate(1, "a")).survival_estimate
    assert estimate.months is None
    assert estimate.text == "1 a"


def test_text_value_is_kept_for_display() -> None:
    estimate = read(observation((LOINC, "75328-5"), valueString="uger til få måneder")).survival_estimate
    assert (estimate.months, estimate.text) == (None, "uger til få måneder")


def test_most_recent_estimate_wins() -> None:
    estimate = read(
        survival_estimate(12, effective=days_ago(100)), survival_estimate(3, effective=days_ago(5))
    ).survival_estimate
    assert estimate.months == 3


@pytest.mark.parametrize(
    "ignored",
    [
        {"status": "entered-in-error"},
        {"status": "cancelled"},
        {"patient_id": "someone-else"},
    ],
)
def test_survival_estimate_ignored(ignored: dict) -> None:
    assert read(survival_estimate(8, **ignored)).survival_estimate is None
