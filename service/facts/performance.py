"""Performance status: WHO/ECOG, or Karnofsky converted (DECISION-TABLE.md "PS")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from service.facts.chart import Chart
from service.facts.codes import union
from service.facts.model import DataQualityNote, PerformanceStatus
from service.facts.reading import codes, observation_date, observations_newest_first, reference, source
from service.facts.valuesets import (
    ECOG_GRADE,
    ECOG_GRADE_FINDING,
    ECOG_OBSERVATION,
    KARNOFSKY_OBSERVATION,
    KARNOFSKY_SCORE,
)

MAX_AGE_DAYS = 90
"""Older than this counts as missing (DECISION-TABLE.md "PS")."""
_ECOG_RANGE = range(6)
_KARNOFSKY_RANGE = range(101)
_PS_CODES = union(ECOG_OBSERVATION, KARNOFSKY_OBSERVATION, ECOG_GRADE_FINDING)


def karnofsky_to_ecog(score: int) -> int:
    """100-90 -> 0, 80-70 -> 1, 60-50 -> 2, 40-30 -> 3, 20-10 -> 4, 0 -> 5 (in between: the lower step)."""
    for minimum, ecog in ((90, 0), (70, 1), (50, 2), (30, 3), (10, 4)):
        if score >= minimum:
            return ecog
    return 5


def _integer(observation: Any) -> int | None:
    """valueInteger, or a whole-numbered valueQuantity (some systems send scores as quantities)."""
    if observation.valueInteger is not None:
        return observation.valueInteger
    quantity = observation.valueQuantity
    if quantity is not None and quantity.value is not None and quantity.value == int(quantity.value):
        return int(quantity.value)
    return None


def _ecog(observation: Any) -> int | None:
    value = _integer(observation)
    if value is not None:
        return value
    for concept in (observation.valueCodeableConcept, observation.interpretation, observation.code):
        grade = ECOG_GRADE.get(codes(concept))
        if grade is not None:
            return grade
    return None


def _karnofsky(observation: Any) -> int | None:
    value = _integer(observation)
    if value is not None:
        return value
    for concept in (observation.valueCodeableConcept, observation.interpretation):
        score = KARNOFSKY_SCORE.get(codes(concept))
        if score is not None:
            return score
    return None


def _reading(observation: Any) -> PerformanceStatus | DataQualityNote | None:
    recorded = observation_date(observation)
    keys = codes(observation.code)
    if KARNOFSKY_OBSERVATION.matches(keys):
        score = _karnofsky(observation)
        if score is None:
            return None
        if score not in _KARNOFSKY_RANGE:
            return DataQualityNote(reference(observation), "Karnofsky score outside 0-100")
        return PerformanceStatus(karnofsky_to_ecog(score), source(observation, recorded), karnofsky=score)
    grade = _ecog(observation)
    if grade is None:
        return None
    if grade not in _ECOG_RANGE:
        return DataQualityNote(reference(observation), "ECOG/WHO performance status outside 0-5")
    return PerformanceStatus(grade, source(observation, recorded))


def read_performance_status(
    chart: Chart,
) -> tuple[PerformanceStatus | None, PerformanceStatus | None, list[DataQualityNote]]:
    """(current, stale, notes): the most recent PS, current when at most 90 days old.

    On the same day ECOG wins over Karnofsky (CONVENTIONS.md).
    """
    notes: list[DataQualityNote] = []
    latest: PerformanceStatus | None = None
    for observation in observations_newest_first(chart, _PS_CODES):
        if latest is not None and observation_date(observation) != latest.source.recorded:
            break  # only a reading of the same day can still win over the latest (ECOG over Karnofsky)
        reading = _reading(observation)
        if isinstance(reading, DataQualityNote):
            notes.append(reading)
        elif reading is not None and (latest is None or _recency(reading) > _recency(latest)):
            latest = reading
    if latest is None:
        return None, None, notes
    recorded = latest.source.recorded
    if recorded is not None and recorded >= chart.today - timedelta(days=MAX_AGE_DAYS):
        return latest, None, notes
    return None, latest, notes


def _recency(reading: PerformanceStatus) -> tuple[date, bool]:
    return reading.source.recorded or date.min, reading.karnofsky is None

