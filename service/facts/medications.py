"""Systemic therapy (active or planned) and corticosteroids, from MedicationRequest, -Statement and
-Administration, classified by ATC or RxNorm."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from service.facts.chart import Chart
from service.facts.codes import Key
from service.facts.dates import period_end, to_date
from service.facts.model import Corticosteroid, Organ, Source, SymptomKind, SystemicTherapy
from service.facts.reading import codes, references, source
from service.facts.valuesets import CORTICOSTEROID, METASTASIS_ORGAN, SYMPTOM, THERAPY_CLASS

_MEDICATION_TYPES = ("MedicationRequest", "MedicationStatement", "MedicationAdministration")

# CONVENTIONS.md "planned systemic therapy": a MedicationRequest active, draft or on-hold, any intent.
_REQUEST_ACTIVE = frozenset({"active"})
_PLANNED_REQUEST_STATUSES = frozenset({"draft", "on-hold"})
_PLANNED_INTENTS = frozenset({"plan", "proposal"})
_STATEMENT_ACTIVE = frozenset({"active"})
_STATEMENT_PLANNED = frozenset({"intended", "on-hold"})
_VOID = frozenset({"entered-in-error", "cancelled", "not-done", "not-taken", "unknown"})
_ADMINISTRATION_CURRENT = frozenset({"in-progress", "on-hold"})
_SYSTEMIC_STATUSES = {
    "MedicationRequest": _REQUEST_ACTIVE | _PLANNED_REQUEST_STATUSES,
    "MedicationStatement": _STATEMENT_ACTIVE | _STATEMENT_PLANNED,
    "MedicationAdministration": _ADMINISTRATION_CURRENT | {"completed"},
}
"""The statuses in which a resource can show systemic therapy in use or planned (see `_use`)."""
SYSTEMIC_ADMINISTRATION_DAYS = 42
"""A completed administration this recent means the treatment is ongoing (a cycle is at most 6 weeks)."""
STEROID_ADMINISTRATION_DAYS = 1
"""Corticosteroids are given daily: an administration older than a day no longer shows current use."""


@dataclass(frozen=True, slots=True)
class _Use:
    """How one medication resource stands: active now, planned, or neither (ended)."""

    active: bool
    planned: bool
    recorded: date | None


def _medication_keys(chart: Chart, resource: Any) -> tuple[Key, ...]:
    if resource.medicationCodeableConcept is not None:
        return codes(resource.medicationCodeableConcept)
    medication_reference = resource.medicationReference
    if medication_reference is None or not medication_reference.reference:
        return ()
    if medication_reference.reference.startswith("#"):
        wanted = medication_reference.reference[1:]
        contained = next((c for c in resource.contained or () if c.id == wanted), None)
        return codes(getattr(contained, "code", None))
    medication = chart.resolve(medication_reference.reference, "Medication")
    return codes(medication.code) if medication is not None else ()


def _use(resource: Any, today: date, recent_days: int) -> _Use | None:
    status = resource.status
    if status in _VOID:
        return None
    kind = resource.get_resource_type()
    if kind == "MedicationRequest":
        if resource.doNotPerform:
            return None
        recorded = to_date(resource.authoredOn)
        planned = status in _PLANNED_REQUEST_STATUSES or (
            status == "active" and resource.intent in _PLANNED_INTENTS)
        return _Use(status in _REQUEST_ACTIVE and not planned, planned, recorded)
    recorded = to_date(resource.effectiveDateTime) or period_end(resource.effectivePeriod)
    if kind == "MedicationStatement":
        recorded = recorded or to_date(resource.dateAsserted)
        return _Use(status in _STATEMENT_ACTIVE, status in _STATEMENT_PLANNED, recorded)
    recent = status == "completed" and recorded is not None \
        and recorded >= today - timedelta(days=recent_days)
    return _Use(status in _ADMINISTRATION_CURRENT or recent, False, recorded)


def _matching(chart: Chart) -> Iterable[tuple[Any, tuple[Key, ...]]]:
    for resource_type in _MEDICATION_TYPES:
        for raw in chart.of_type(resource_type):
            model = chart.model(raw) if _may_be_fact(chart, raw) else None
            if model is not None:
                keys = _medication_keys(chart, model)
                if keys:
                    yield model, keys


def _may_be_fact(chart: Chart, raw: Mapping[str, Any]) -> bool:
    """A recorded medication resource coded with a known drug, in a status where it can be a fact (read
    before validation: a history holds many ended treatments, and only their status says so)."""
    status = raw.get("status")
    if not isinstance(status, str):
        return _may_match(chart, raw)  # validated, so that a malformed status is reported
    if status in _VOID:
        return False
    keys = _raw_drug_keys(chart, raw)
    systemic = status in _SYSTEMIC_STATUSES.get(raw.get("resourceType"), frozenset()) \
        and chart.matches(THERAPY_CLASS, keys)
    return systemic or chart.matches(CORTICOSTEROID, keys)


def _may_match(chart: Chart, raw: Mapping[str, Any]) -> bool:
    """Coded with a known drug, itself or in the Medication it refers to (before validation)."""
    keys = _raw_drug_keys(chart, raw)
    return chart.matches(THERAPY_CLASS, keys) or chart.matches(CORTICOSTEROID, keys)


def _raw_drug_keys(chart: Chart, raw: Mapping[str, Any]) -> tuple[Key, ...]:
    keys = chart.raw_keys(raw, ("medicationCodeableConcept",))
    medication_reference = raw.get("medicationReference")
    if not keys and isinstance(medication_reference, dict):
        medication = _raw_medication(chart, raw, medication_reference.get("reference"))
        keys = chart.raw_keys(medication, ("code",)) if medication is not None else ()
    return keys


def _raw_medication(chart: Chart, raw: Mapping[str, Any], reference: object) -> Mapping[str, Any] | None:
    if not isinstance(reference, str):
        return None
    if reference.startswith("#"):
        contained = raw.get("contained")
        return next((c for c in contained if isinstance(c, dict) and c.get("id") == reference[1:]), None) \
            if isinstance(contained, list) else None
    return chart.raw(reference, "Medication")


def _systemic_therapy(keys: tuple[Key, ...], use: _Use, provenance: Source) -> SystemicTherapy | None:
    if not (use.active or use.planned):
        return None
    for key in keys:
        therapy_class = THERAPY_CLASS.lookup(key)
        if therapy_class is not None:
            return SystemicTherapy(therapy_class, not use.active, key[1], provenance)
    return None


def _is_cerebral(keys: Iterable[Key]) -> bool:
    return any(
        METASTASIS_ORGAN.lookup(key) is Organ.BRAIN or SYMPTOM.lookup(key) in _CEREBRAL_SYMPTOMS
        for key in keys
    )


_CEREBRAL_SYMPTOMS = (SymptomKind.HEADACHE, SymptomKind.SEIZURE)


def read_medications(
    chart: Chart, cerebral_references: frozenset[str], drafts: Iterable[Mapping[str, Any]] = (),
) -> tuple[tuple[SystemicTherapy, ...], tuple[Corticosteroid, ...]]:
    """Systemic therapies and corticosteroids, those of the hook's draft orders included (as planned).

    `cerebral_references`: the brain metastasis and cerebral symptom Conditions a steroid may be for.
    """
    therapies: list[SystemicTherapy] = []
    steroids: list[Corticosteroid] = []
    recorded = ((resource, keys, None) for resource, keys in _matching(chart))
    for resource, keys, draft_use in (*recorded, *_draft_requests(chart, drafts)):
        if THERAPY_CLASS.matches(keys):
            use = draft_use or _use(resource, chart.today, SYSTEMIC_ADMINISTRATION_DAYS)
            therapy = _systemic_therapy(keys, use, source(resource, use.recorded)) if use else None
            if therapy is not None:
                therapies.append(therapy)
        elif CORTICOSTEROID.matches(keys):
            use = draft_use or _use(resource, chart.today, STEROID_ADMINISTRATION_DAYS)
            if use is None:
                continue
            for_cerebral = bool(cerebral_references.intersection(references(resource.reasonReference))) \
                or _is_cerebral(codes(resource.reasonCode))
            steroids.append(Corticosteroid(use.active, for_cerebral, source(resource, use.recorded),
                                           planned=use.planned))
    return tuple(therapies), tuple(steroids)


def _draft_requests(chart: Chart,
                    drafts: Iterable[Mapping[str, Any]]) -> Iterable[tuple[Any, tuple[Key, ...], _Use]]:
    """MedicationRequests among the hook's draft orders: planned, whatever their status says."""
    for draft in drafts:
        if isinstance(draft, dict) and draft.get("resourceType") == "MedicationRequest" \
                and chart.belongs_to_patient(draft) and _may_match(chart, draft):
            request = chart.model(draft)
            keys = _medication_keys(chart, request) if request is not None else ()
            if keys:
                yield request, keys, _Use(False, True, to_date(request.authoredOn))
