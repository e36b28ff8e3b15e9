"""Active symptoms: problem-list Conditions, Observations coded as the symptom, and draft-order reasons."""

from __future__ import annotations

from datetime import timedelta

from service.facts.chart import Chart
from service.facts.model import RadiotherapyOrder, Symptom, SymptomKind
from service.facts.reading import (
    codes,
    condition_date,
    current_conditions,
    observation_date,
    observation_states_presence,
    observations_newest_first,
    source,
)
from service.facts.sites import site_of
from service.facts.valuesets import SYMPTOM

OBSERVATION_MAX_AGE_DAYS = 90
"""An Observation shows a current symptom for as long as a performance status stays current."""


def read_symptoms(chart: Chart, orders: tuple[RadiotherapyOrder, ...]) -> tuple[Symptom, ...]:
    found: list[Symptom] = []
    for condition in current_conditions(chart, SYMPTOM):
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
    oldest = chart.today - timedelta(days=OBSERVATION_MAX_AGE_DAYS)
    decided: set[SymptomKind] = set()
    found = []
    for observation in observations_newest_first(chart, SYMPTOM):
        recorded = observation_date(observation)
        if recorded is None or recorded < oldest:
            break  # the latest of each symptom not yet seen is too old to show it
        for kind in SYMPTOM.all(codes(observation.code)):
            if kind not in decided:
                decided.add(kind)
                if observation_states_presence(observation):
                    found.append(Symptom(kind, source(observation, recorded), site_of(observation.bodySite)))
    return found
