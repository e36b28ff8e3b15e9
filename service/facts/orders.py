"""Draft radiotherapy orders: the radiotherapy ServiceRequests of `context.draftOrders`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

from service.facts.chart import Chart
from service.facts.dates import to_date
from service.facts.model import RadiotherapyOrder, Region, Site, Source, SymptomKind
from service.facts.radiotherapy import (
    intent_of,
    is_radiotherapy,
    is_stereotactic,
    reirradiation_of,
    volume_doses,
)
from service.facts.reading import codes, condition_is_current, reference, references
from service.facts.resources import normalise_reference
from service.facts.sites import site_of
from service.facts.valuesets import EXT_DOSE_PRESCRIBED, RT_COURSE, SYMPTOM

_CODED = ("code", "category")

_EXCLUDED_STATUSES = frozenset({"entered-in-error", "revoked"})


def _radiotherapy_drafts(chart: Chart, drafts: Iterable[Mapping[str, Any]]) -> list[tuple[Any, Mapping]]:
    """Validated draft ServiceRequests of this patient, with the resource as received."""
    found = []
    for draft in drafts:
        if isinstance(draft, dict) and draft.get("resourceType") == "ServiceRequest" \
                and chart.belongs_to_patient(draft) and RT_COURSE.matches(chart.raw_keys(draft, _CODED)):
            model = chart.model(draft)
            if model is not None:
                found.append((model, draft))
    return found


def read_orders(chart: Chart, drafts: Iterable[Mapping[str, Any]],
                selections: Collection[str] | None) -> tuple[RadiotherapyOrder, ...]:
    selected = None if selections is None else {normalise_reference(s) for s in selections}
    orders = []
    for request, raw in _radiotherapy_drafts(chart, drafts):
        if request.status in _EXCLUDED_STATUSES or not is_radiotherapy(request):
            continue
        orders.append(_order(chart, request, raw, selected))
    return tuple(orders)


def _order(chart: Chart, request: Any, raw: Mapping[str, Any],
           selected: set[str | None] | None) -> RadiotherapyOrder:
    ref = reference(request)
    prescribed = volume_doses(chart, request, EXT_DOSE_PRESCRIBED, "totalDose", "fractions")
    # Several volumes: the regimen is the highest prescribed dose (the primary target's).
    dose = max(prescribed, key=lambda d: d.total_gy if d.total_gy is not None else Decimal(-1))
    authored = to_date(request.authoredOn)
    return RadiotherapyOrder(
        reference=ref,
        selected=selected is None or ref in selected,
        site=_known_first(site_of(request.bodySite or []), dose.site),
        total_dose_gy=dose.total_gy,
        fractions=dose.fractions,
        intent=intent_of(request),
        stereotactic=is_stereotactic(request, dose.total_gy, dose.fractions),
        reirradiation=reirradiation_of(request),
        reason_references=references(request.reasonReference),
        reason_symptoms=_reason_symptoms(chart, request),
        authored=authored,
        source=Source(ref, authored),
        resource=dict(raw),
    )


def _known_first(body_site: Site | None, volume_site: Site | None) -> Site | None:
    """The order's body site, unless only the volume's location has a known region."""
    if body_site is None or (body_site.region is Region.OTHER and volume_site is not None):
        return volume_site or body_site
    return body_site


def _reason_symptoms(chart: Chart, request: Any) -> tuple[SymptomKind, ...]:
    """Symptoms in `reasonCode`, and those of the current symptom Conditions in `reasonReference`."""
    keys = list(codes(request.reasonCode))
    for reason in request.reasonReference or ():
        condition = chart.resolve(reason.reference, "Condition")
        if condition is not None and condition_is_current(condition):
            keys += codes(condition.code)
    return tuple(SYMPTOM.all(keys))
