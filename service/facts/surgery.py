"""Completed operations: brain metastasectomy, and decompressions that treat spinal cord compression."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service.facts.chart import Chart
from service.facts.codes import union
from service.facts.model import Region, Site, Source
from service.facts.reading import codes, procedure_date, references, source
from service.facts.sites import site_of
from service.facts.valuesets import BRAIN_METASTASECTOMY, SURGICAL_PROCEDURE

_OPERATION = union(SURGICAL_PROCEDURE, BRAIN_METASTASECTOMY)


@dataclass(frozen=True, slots=True)
class Operation:
    source: Source
    performed: date | None
    site: Site | None
    reason_references: tuple[str, ...]
    brain_metastasectomy: bool
    """Coded as such with the service's own concept."""


def read_operations(chart: Chart) -> tuple[Operation, ...]:
    """Completed surgical Procedures (category or code SNOMED 387713003) and coded brain metastasectomies."""
    found = []
    for procedure in chart.select("Procedure", _OPERATION, "code", "category"):
        if procedure.status != "completed":
            continue
        performed = procedure_date(procedure)
        found.append(Operation(
            source(procedure, performed), performed, site_of(procedure.bodySite or []),
            references(procedure.reasonReference), BRAIN_METASTASECTOMY.matches(codes(procedure.code)),
        ))
    return tuple(found)


def brain_metastasectomies(operations: tuple[Operation, ...],
                           brain_metastases: frozenset[str]) -> tuple[Source, ...]:
    """CONVENTIONS.md "brain metastasectomy": coded so, or surgery of the brain for a brain metastasis."""
    return tuple(
        operation.source for operation in operations
        if operation.brain_metastasectomy or (
            operation.site is not None and operation.site.region is Region.BRAIN
            and brain_metastases.intersection(operation.reason_references))
    )
