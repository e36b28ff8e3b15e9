"""Readers shared by the fact families: status, clinical dates, provenance, extensions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from service.facts.codes import model_keys as codes
from service.facts.dates import period_end, to_date
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

def _condition_excluded(condition: Any) -> bool:
    """Refuted or entered in error: the Condition says nothing about the patient."""
    return first_code(condition.verificationStatus) in _EXCLUDED_VERIFICATION


def condition_is_current(condition: Any, *, remission_counts: bool = False) -> bool:
    """Active, recurrence or relapse (and remission where asked), not abated, not refuted or in error.

    A Condition without clinicalStatus is taken as current: the status is optional in R4 and a
    problem-list entry without it is still the clinician's statement.
    """
    if _condition_excluded(condition):
        return False
    if any(getattr(condition, name) is not None for name in (
            "abatementDateTime", "abatementPeriod", "abatementAge", "abatementRange", "abatementString")):
        return False
    status = first_code(condition.clinicalStatus)
    if status is None:
        return True
    return status in _CURRENT_CLINICAL or (remission_counts and status == "remission")


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
