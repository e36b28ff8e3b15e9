"""The clinician's survival estimate (LOINC 75328-5 "Prognosis"), normalised to months."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service.facts.chart import Chart
from service.facts.codes import UCUM
from service.facts.dates import days_to_months
from service.facts.model import SurvivalEstimate
from service.facts.reading import observation_date, observations_newest_first, source
from service.facts.valuesets import SURVIVAL_ESTIMATE

_DAYS_PER_UNIT = {"d": Decimal(1), "wk": Decimal(7)}


def _months(quantity: Any) -> Decimal | None:
    """Months from a UCUM duration in mo, wk or d; None for anything else."""
    if quantity is None or quantity.value is None or quantity.system not in (None, UCUM):
        return None
    value = Decimal(quantity.value)
    if value < 0:
        return None
    unit = quantity.code or quantity.unit
    if unit == "mo":
        return value
    if unit in _DAYS_PER_UNIT:
        return days_to_months(value * _DAYS_PER_UNIT[unit])
    return None


def _text(observation: Any) -> str | None:
    """What was recorded, for display when it is not a readable duration."""
    quantity = observation.valueQuantity
    if quantity is not None and quantity.value is not None:
        return f"{quantity.value} {quantity.unit or quantity.code or ''}".strip()
    if observation.valueString:
        return observation.valueString
    concept = observation.valueCodeableConcept
    if concept is not None:
        shown = (coding.display or coding.code for coding in concept.coding or ())
        return concept.text or next((text for text in shown if text), None)
    return None


def read_survival_estimate(chart: Chart) -> SurvivalEstimate | None:
    """The most recent estimate."""
    latest = next(observations_newest_first(chart, SURVIVAL_ESTIMATE), None)
    if latest is None:
        return None
    months = _months(latest.valueQuantity)
    return SurvivalEstimate(months, None if months is not None else _text(latest),
                            source(latest, observation_date(latest)))
