"""Readers shared by the fact families: status, clinical dates, provenance, extensions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from service.facts.chart import Chart
from service.facts.codes import CodeMap
from service.facts.codes import model_keys as codes
from service.facts.dates import json_date, json_period_end, period_end, to_date
from service.facts.model import Source
from service.facts.resources import normalise_reference
from service.facts.valuesets import ABSENT

_CURRENT_CLINICAL = frozenset({"active", "recurrence", "relapse"})
_EXCLUDED_VERIFICATION = frozenset({"refuted", "entered-in-error"})
_UNUSABLE_OBSERVATION = frozenset({"entered-in-error", "cancelled"})


def reference(model: Any) -> str:
    return f"{model.get_resource_type()}/{model.id or 'unidentified'}"


def source(model: Any, recorded: date | None) -> Source:
    return Source(reference(model), recorded)


def first_code(concept: Any) -> str | None:
    for coding in getattr(concept, "coding", None) or ():
        if coding.code:
            return str(coding.code)
    return None


# --- status ------------------------------------------------------------------------------------

_ABATEMENT = ("abatementDateTime", "abatementPeriod", "abatementAge", "abatementRange", "abatementString")


def _is_current(verification: str | None, abated: bool, status: str | None, remission_counts: bool) -> bool:
    if verification in _EXCLUDED_VERIFICATION or abated:
        return False
    if status is None:
        return True
    return status in _CURRENT_CLINICAL or (remission_counts and status == "remission")


def condition_is_current(condition: Any, *, remission_counts: bool = False) -> bool:
    """Active, recurrence or relapse (and remission where asked), not abated, not refuted or in error.

    A Condition without clinicalStatus is taken as current: the status is optional in R4 and a
    problem-list entry without it is still the clinician's statement.
    """
    abated = any(getattr(condition, name) is not None for name in _ABATEMENT)
    return _is_current(first_code(condition.verificationStatus), abated, first_code(condition.clinicalStatus),
                       remission_counts)


class _Unreadable(Exception):
    """A JSON element is not shaped as FHIR says: only validation can tell what is wrong with it."""


def _first_code_in_json(concept: object) -> str | None:
    """`first_code` of a CodeableConcept as JSON."""
    if concept is None:
        return None
    coding = concept.get("coding") if isinstance(concept, dict) else ()
    if not isinstance(coding, list):
        raise _Unreadable
    for item in coding:
        code = item.get("code") if isinstance(item, dict) else 0
        if not isinstance(code, str | None):
            raise _Unreadable
        if code:
            return code
    return None


def _ended_in_json(condition: Mapping[str, Any], remission_counts: bool) -> bool:
    """The Condition as JSON is certainly not current (a malformed status is left to validation)."""
    try:
        verification = _first_code_in_json(condition.get("verificationStatus"))
        status = _first_code_in_json(condition.get("clinicalStatus"))
    except _Unreadable:
        return False
    abated = any(condition.get(name) is not None for name in _ABATEMENT)
    return not _is_current(verification, abated, status, remission_counts)


def current_conditions(chart: Chart, value_set: CodeMap[Any], *, remission_counts: bool = False) -> list[Any]:
    """Validated Conditions coded so that are current (`condition_is_current`).

    A history holds many resolved problems: a Condition whose JSON already shows it ended is not
    validated.
    """
    return [
        condition for raw in chart.matching("Condition", value_set)
        if not _ended_in_json(raw, remission_counts)
        and (condition := chart.model(raw)) is not None
        and condition_is_current(condition, remission_counts=remission_counts)
    ]


def observation_usable(observation: Any) -> bool:
    return observation.status not in _UNUSABLE_OBSERVATION


def observation_states_presence(observation: Any) -> bool:
    """An Observation coded as a finding asserts it unless its value or interpretation says absent."""
    if observation.valueBoolean is not None:
        return bool(observation.valueBoolean)
    if ABSENT.matches(codes(observation.valueCodeableConcept)):
        return False
    return not ABSENT.matches(codes(observation.interpretation))


# --- clinical dates ----------------------------------------------------------------------------

def condition_date(condition: Any) -> date | None:
    """Onset, else the date recorded."""
    onset = to_date(condition.onsetDateTime) or (
        to_date(condition.onsetPeriod.start) if condition.onsetPeriod else None)
    return onset or to_date(condition.recordedDate)


def observation_date(observation: Any) -> date | None:
    return (
        to_date(observation.effectiveDateTime)
        or period_end(observation.effectivePeriod)
        or to_date(observation.effectiveInstant)
        or to_date(observation.issued)
    )


def observation_date_in_json(observation: Mapping[str, Any]) -> date | None:
    """`observation_date` of an Observation not yet validated."""
    return (
        json_date(observation.get("effectiveDateTime"))
        or json_period_end(observation.get("effectivePeriod"))
        or json_date(observation.get("effectiveInstant"))
        or json_date(observation.get("issued"))
    )


def observations_newest_first(chart: Chart, value_set: CodeMap[Any]) -> Iterator[Any]:
    """Usable Observations coded so, newest first (undated last, equal dates in the order received).

    Each is validated only when the reader gets to it: a history holds years of readings of which
    the reader of a fact where the newest decides needs one or two.
    """
    candidates = sorted(chart.matching("Observation", value_set),
                        key=lambda raw: observation_date_in_json(raw) or date.min, reverse=True)
    for raw in candidates:
        observation = chart.model(raw)
        if observation is not None and observation_usable(observation):
            yield observation


def clinical_date(item: Source) -> date:
    """Sort key: the clinical date, undated sources first."""
    return item.recorded or date.min


def most_recent(sources: Iterable[Source]) -> Source | None:
    return max(sources, key=clinical_date, default=None)


def latest_observation(observations: Iterable[Any]) -> Any | None:
    return max(observations, key=lambda o: observation_date(o) or date.min, default=None)


def procedure_date(procedure: Any) -> date | None:
    """The end of the procedure (its start while ongoing)."""
    return period_end(procedure.performedPeriod) or to_date(procedure.performedDateTime)


# --- extensions and references -----------------------------------------------------------------

def extensions(element: Any, url: str) -> Iterator[Any]:
    for extension in getattr(element, "extension", None) or ():
        if extension.url == url:
            yield extension


def extension(element: Any, url: str) -> Any | None:
    return next(extensions(element, url), None)


def references(items: Any) -> tuple[str, ...]:
    """Normalised "Type/id" of a list of References, skipping those that cannot be resolved."""
    found = []
    for item in items or ():
        normalised = normalise_reference(item.reference)
        if normalised is not None and normalised not in found:
            found.append(normalised)
    return tuple(found)
