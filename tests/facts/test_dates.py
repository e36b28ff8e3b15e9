"""Dates read from JSON before validation are the dates the validated resources give."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from service.facts.dates import json_date, to_date
from service.facts.resources import MODELS

_OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda minutes: timedelta(minutes=minutes))


@st.composite
def _fhir_datetimes(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)))
    offset = draw(_OFFSETS)
    text = moment.replace(tzinfo=timezone(offset)).isoformat()
    return draw(st.sampled_from([
        text,
        text.replace("+00:00", "Z"),
        moment.date().isoformat(),
        moment.strftime("%Y-%m"),
        moment.strftime("%Y"),
        moment.strftime("%Y-%m-%dT23:59:60Z"),  # a leap second: the model keeps it as text
    ]))


def _model_date(text: str) -> object:
    observation = MODELS["Observation"].model_validate(
        {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "effectiveDateTime": text})
    return to_date(observation.effectiveDateTime)


@given(_fhir_datetimes())
def test_json_date_is_the_validated_date(text: str) -> None:
    try:
        expected = _model_date(text)
    except ValidationError:
        return  # not a FHIR dateTime: such a resource is never read
    assert json_date(text) == expected


def test_a_time_near_midnight_is_read_in_the_clinical_time_zone() -> None:
    late_evening_utc = "2026-11-26T23:30:00Z"
    assert json_date(late_evening_utc) == _model_date(late_evening_utc) == date(2026, 11, 27)
