"""Unit tests of `build_patient_facts`: one module per fact family."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from service.facts.build import build_patient_facts
from service.facts.model import PatientFacts
from tests.fhir import PATIENT_ID, TODAY


def read(
    *resources: Mapping[str, Any],
    orders: tuple[Mapping[str, Any], ...] = (),
    selections: Collection[str] | None = None,
    today: date = TODAY,
) -> PatientFacts:
    """The facts of the test patient from these resources and draft orders."""
    return build_patient_facts(
        resources, patient_id=PATIENT_ID, today=today, draft_orders=orders, selections=selections
    )


def reference(resource: Mapping[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource['id']}"
