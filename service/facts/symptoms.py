"""Active symptoms: problem-list Conditions, Observations coded as the symptom, and draft-order reasons."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.facts.chart import Chart
from service.facts.model import RadiotherapyOrder, Symptom, SymptomKind
from service.facts.reading import (
    codes,
    condition_date,
    condition_is_current,
    latest_observation,
    observation_date,
    observation_states_presence,
    observation_usable,
    source,
)
from service.facts.sites import site_of
from service.facts.valuesets import SYMPTOM

OBSERVATION_MAX_AGE_DAYS = 90
"""An Observation shows a current symptom for as long as a performance status stays current."""


def read_symptoms(chart: Chart, orders: tuple[RadiotherapyOrder, ...]) -> tuple[Symptom, ...]:
    found: list[Symptom] = []
    for condition in chart.select("Condition", SYMPTOM):
        if condition_is_current(condition):
            provenance = source(condition, condition_date(condition))
            site = site_of(condition.bodySite or [])
            found.extend(Symptom(kind, provenance, site) for kind in SYMPTOM.all(codes(condition.code)))
    found.extend(_observed(chart))
    # The ordering clinician's reason: "pain" on a bone order is pain at that site.
    for order in orders:
        found.extend(Symptom(kind, order.source, order.site) for kind in order.reason_symptoms)
    return tuple(found)


def _observed(chart: Chart) -> list[Symptom]:
    """Per symptom, the latest Observation decides, when it is recent enough."""
    by_kind: dict[SymptomKind, list[Any]] = {}
    for observation in chart.select("Observation", SYMPTOM):
        if observation_usable(observation):
            for kind in SYMPTOM.all(codes(observation.code)):
                by_kind.setdefault(kind, []).append(observation)
    oldest = chart.today - timedelta(days=OBSERVATION_MAX_AGE_DAYS)
    found = []
    for kind, observations in by_kind.items():
        latest = latest_observation(observations)
        recorded = observation_date(latest)
        if recorded is not None and recorded >= oldest and observation_states_presence(latest):
            found.append(Symptom(kind, source(latest, recorded), site_of(latest.bodySite)))
    return found
