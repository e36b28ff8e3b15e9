"""Findings stated by a coded Condition or Observation: the service's own concepts, SVC syndrome,
complications of a metastasis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from service.facts.chart import Chart
from service.facts.codes import CodeMap
from service.facts.model import Site, Source
from service.facts.reading import (
    condition_date,
    current_conditions,
    most_recent,
    observation_date,
    observation_states_presence,
    observations_newest_first,
    references,
    source,
)
from service.facts.sites import site_of


@dataclass(frozen=True, slots=True)
class Statement:
    """Where a finding was stated, where in the body, and what it points at (an Observation's focus)."""

    source: Source
    site: Site | None
    points_at: tuple[str, ...] = ()


def statements(chart: Chart, value_set: CodeMap[Any], *, max_age_days: int | None = None) -> list[Statement]:
    """Current Conditions coded so, and the latest such Observation when it asserts the finding.

    The latest Observation decides (a later "absent" withdraws an earlier "present"); with
    `max_age_days` an older Observation no longer shows a current finding.
    """
    found = [
        Statement(source(condition, condition_date(condition)), site_of(condition.bodySite or []))
        for condition in current_conditions(chart, value_set)
    ]
    latest = next(observations_newest_first(chart, value_set), None)
    if latest is not None and observation_states_presence(latest):
        recorded = observation_date(latest)
        recent = max_age_days is None or (
            recorded is not None and recorded >= chart.today - timedelta(days=max_age_days))
        if recent:
            found.append(Statement(source(latest, recorded), site_of(latest.bodySite),
                                   references(latest.focus)))
    return found


def most_recent_stated(chart: Chart, value_set: CodeMap[Any], *,
                       max_age_days: int | None = None) -> Source | None:
    return most_recent(s.source for s in statements(chart, value_set, max_age_days=max_age_days))
