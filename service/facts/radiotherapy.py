"""Prior radiotherapy courses, and the readers courses and draft orders share.

A course is an mCODE/CodeX RadiotherapyCourseSummary Procedure or a plain Procedure coded as
radiotherapy. A course that treated several volumes at different sites becomes one
`RadiotherapyCourse` per volume, so that each site is compared with a new order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.facts.chart import Chart
from service.facts.codes import UCUM
from service.facts.dates import period_start, to_date
from service.facts.model import Intent, RadiotherapyCourse, Site
from service.facts.reading import (
    codes,
    extension,
    extensions,
    procedure_date,
    references,
    source,
)
from service.facts.sites import site_of, volume_site
from service.facts.valuesets import (
    EXT_DOSE_DELIVERED,
    EXT_INTENT,
    EXT_MODALITY_AND_TECHNIQUE,
    EXT_REIRRADIATION,
    EXT_SESSIONS,
    EXT_TECHNIQUE,
    EXT_TERMINATION_REASON,
    INTENT,
    NO_RESPONSE,
    RT_COURSE,
    RT_PART_PROFILES,
    STEREOTACTIC,
)

COURSE_STATUSES = frozenset({"completed", "stopped", "in-progress", "on-hold"})
"""Statuses of a course that delivered dose (preparation, not-done and entered-in-error did not)."""
_STEREOTACTIC_MIN_FRACTION_GY = Decimal(6)
_STEREOTACTIC_MIN_FRACTIONS = 3
_STEREOTACTIC_SINGLE_MIN_GY = Decimal(12)
_UNITS_PER_GY = {"Gy": Decimal(1), "cGy": Decimal(100)}


@dataclass(frozen=True, slots=True)
class Dose:
    """One volume's dose: its site (when the volume is resolvable), total dose in Gy, fractions."""

    site: Site | None
    total_gy: Decimal | None
    fractions: int | None


def to_gy(quantity: Any) -> Decimal | None:
    """A dose Quantity in Gy; cGy (the IG's fixed unit) is converted. Other units are unreadable."""
    if quantity is None or quantity.value is None:
        return None
    if quantity.system not in (None, UCUM):
        return None
    factor = _UNITS_PER_GY.get(quantity.code or quantity.unit or "")
    return None if factor is None else Decimal(quantity.value) / factor


def doses(chart: Chart, resource: Any, url: str, total_name: str, fractions_name: str) -> list[Dose]:
    """The dose-to-volume extensions of a course (delivered) or prescription (prescribed)."""
    found = []
    for dose in extensions(resource, url):
        volume = total = fractions = None
        for part in dose.extension or ():
            if part.url == "volume":
                volume = volume_site(chart, part.valueReference)
            elif part.url == total_name:
                total = to_gy(part.valueQuantity)
            elif part.url == fractions_name:
                fractions = part.valueUnsignedInt if part.valueUnsignedInt is not None \
                    else part.valuePositiveInt
        found.append(Dose(volume, total, fractions))
    return found


def intent_of(resource: Any) -> Intent:
    """The mCODE procedure-intent extension; missing or unknown codes are an unknown intent."""
    stated = extension(resource, EXT_INTENT)
    if stated is None:
        return Intent.UNKNOWN
    return INTENT.get(codes(stated.valueCodeableConcept)) or Intent.UNKNOWN


def reirradiation_of(resource: Any) -> bool | None:
    stated = extension(resource, EXT_REIRRADIATION)
    return None if stated is None else stated.valueBoolean


def is_stereotactic(resource: Any, total_gy: Decimal | None, fractions: int | None) -> bool:
    """Coded stereotactic (in `code` or as technique), or inferred from dose per fraction (CONVENTIONS.md)."""
    if STEREOTACTIC.matches(codes(resource.code)):
        return True
    for modality in extensions(resource, EXT_MODALITY_AND_TECHNIQUE):
        for technique in extensions(modality, EXT_TECHNIQUE):
            if STEREOTACTIC.matches(codes(technique.valueCodeableConcept)):
                return True
    if total_gy is None or not fractions:
        return False
    per_fraction = total_gy / fractions
    if fractions == 1:
        return per_fraction >= _STEREOTACTIC_SINGLE_MIN_GY
    return fractions >= _STEREOTACTIC_MIN_FRACTIONS and per_fraction >= _STEREOTACTIC_MIN_FRACTION_GY


def is_radiotherapy(resource: Any) -> bool:
    """Coded as radiotherapy in `code` or `category`, and not a phase, plan or fraction of a course."""
    if not RT_COURSE.matches(codes(resource.code) + codes(resource.category)):
        return False
    profiles = set(resource.meta.profile or ()) if resource.meta else set()
    if profiles & RT_PART_PROFILES:
        return False
    return not any(ref.startswith("Procedure/") for ref in references(getattr(resource, "partOf", None)))


def volume_doses(chart: Chart, resource: Any, url: str, total_name: str, fractions_name: str,
                 sessions: int | None = None) -> list[Dose]:
    """Doses with their site: the volume's, else the resource's body site when that is unambiguous."""
    found = doses(chart, resource, url, total_name, fractions_name)
    body_sites = resource.bodySite or []
    body_site = site_of(body_sites)
    if not found:
        return [Dose(body_site, None, sessions)]
    unambiguous = len(found) == 1 or len(body_sites) <= 1
    return [
        Dose(
            dose.site or (body_site if unambiguous else None),
            dose.total_gy,
            dose.fractions if dose.fractions is not None or len(found) > 1 else sessions,
        )
        for dose in found
    ]


def read_courses(chart: Chart) -> tuple[RadiotherapyCourse, ...]:
    courses = []
    for procedure in chart.select("Procedure", RT_COURSE, "code", "category"):
        if procedure.status not in COURSE_STATUSES or not is_radiotherapy(procedure):
            continue
        sessions_ext = extension(procedure, EXT_SESSIONS)
        sessions = sessions_ext.valueUnsignedInt if sessions_ext is not None else None
        start = period_start(procedure.performedPeriod) or to_date(procedure.performedDateTime)
        end = procedure_date(procedure) if procedure.status in ("completed", "stopped") else None
        intent = intent_of(procedure)
        provenance = source(procedure, procedure_date(procedure))
        for dose in volume_doses(chart, procedure, EXT_DOSE_DELIVERED, "totalDoseDelivered",
                                 "fractionsDelivered", sessions):
            courses.append(RadiotherapyCourse(
                status=procedure.status,
                start=start,
                end=end,
                site=dose.site,
                total_dose_gy=dose.total_gy,
                fractions=dose.fractions,
                intent=intent,
                reirradiation=reirradiation_of(procedure),
                no_response=_no_response(procedure),
                stereotactic=is_stereotactic(procedure, dose.total_gy, dose.fractions),
                reason_references=references(procedure.reasonReference),
                source=provenance,
            ))
    return tuple(courses)


def _no_response(procedure: Any) -> bool:
    """SNOMED 266721009 in outcome, statusReason, or the (STU3) termination-reason extension."""
    stated = codes(procedure.outcome) + codes(procedure.statusReason) + codes(
        [ext.valueCodeableConcept for ext in extensions(procedure, EXT_TERMINATION_REASON)])
    return NO_RESPONSE.matches(stated)
