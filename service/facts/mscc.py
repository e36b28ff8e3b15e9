"""Metastatic spinal cord compression, and whether it has been treated (CONVENTIONS.md "MSCC treated")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from service.facts.chart import Chart
from service.facts.model import RadiotherapyCourse, Region, Site, Source, SpinalCordCompression
from service.facts.reading import condition_date, current_conditions, source
from service.facts.sites import site_of
from service.facts.surgery import Operation
from service.facts.valuesets import MSCC

SPINE_REGIONS = frozenset({
    Region.CERVICAL_SPINE, Region.THORACIC_SPINE, Region.LUMBAR_SPINE, Region.SPINAL_CORD,
})


def read_mscc(chart: Chart) -> tuple[SpinalCordCompression, ...]:
    """Every current MSCC Condition, untreated; the onset falls back to the date recorded."""
    return tuple(
        SpinalCordCompression(source(c, condition_date(c)), condition_date(c), site_of(c.bodySite or []))
        for c in current_conditions(chart, MSCC)
    )


def with_treatment(mscc: SpinalCordCompression, courses: tuple[RadiotherapyCourse, ...],
                   operations: tuple[Operation, ...]) -> SpinalCordCompression:
    """After the onset, an RT course to the spine, or a decompression (an operation) for this MSCC.

    A course or operation that names the MSCC as its reason treats it whatever the dates say; a
    spine course that does not name it counts when it began on or after a known onset and covers
    the MSCC's spine region (any spine course when the level is not recorded).
    """
    ref = mscc.source.reference
    treatments: list[tuple[date | None, Source]] = []
    for course in courses:
        began = course.start or course.end
        if ref in course.reason_references or (
            _covers(course.site, mscc.site)
            and mscc.onset is not None and began is not None and began >= mscc.onset
        ):
            treatments.append((began, course.source))
    treatments += [(op.performed, op.source) for op in operations if ref in op.reason_references]
    if not treatments:
        return mscc
    _, first = min(treatments, key=lambda t: t[0] or date.max)
    return replace(mscc, treated_by=first)


def _covers(course: Site | None, mscc: Site | None) -> bool:
    """A spine course covers an MSCC of unknown level, or of its own spine region."""
    if course is None or course.region not in SPINE_REGIONS:
        return False
    if mscc is None or mscc.region not in SPINE_REGIONS:
        return True
    return course.region in (mscc.region, Region.SPINAL_CORD)


def current_mscc(compressions: tuple[SpinalCordCompression, ...]) -> SpinalCordCompression | None:
    """The one the cards speak of: an untreated one first, then the most recent onset."""
    return max(compressions, key=lambda m: (m.treated_by is None, m.onset or date.min), default=None)
