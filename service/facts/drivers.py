"""Oncogenic driver alterations: mCODE genomic variants and driver-defined SNOMED disorders."""

from __future__ import annotations

from typing import Any

from service.facts.chart import Chart
from service.facts.model import DriverAlteration
from service.facts.reading import (
    codes,
    condition_date,
    current_conditions,
    observation_date,
    observation_usable,
    source,
)
from service.facts.valuesets import (
    ABSENT,
    DNA_CHANGE,
    DRIVER_DISORDER,
    GENE,
    GENE_STUDIED,
    GENOMIC_VARIANT,
    POSITIVE,
    PROTEIN_CHANGE,
)


def _present(observation: Any) -> bool:
    """Value "Present" (or an interpretation "Positive") and nothing saying absent."""
    value, interpretation = codes(observation.valueCodeableConcept), codes(observation.interpretation)
    if ABSENT.matches(value) or ABSENT.matches(interpretation):
        return False
    return POSITIVE.matches(value) or POSITIVE.matches(interpretation)


def _component_text(component: Any) -> str | None:
    if component.valueString:
        return component.valueString
    concept = component.valueCodeableConcept
    if concept is None:
        return None
    return next((coding.code for coding in concept.coding or () if coding.code), None) or concept.text


def _variant(observation: Any) -> str | None:
    """The protein change (p.HGVS), else the DNA change (c.HGVS)."""
    by_kind: dict[str, str] = {}
    for component in observation.component or ():
        keys = codes(component.code)
        kind = "protein" if PROTEIN_CHANGE.matches(keys) else "dna" if DNA_CHANGE.matches(keys) else None
        text = _component_text(component) if kind else None
        if kind and text:
            by_kind.setdefault(kind, text)
    return by_kind.get("protein") or by_kind.get("dna")


def _genes(observation: Any) -> list[str]:
    genes: list[str] = []
    for component in observation.component or ():
        if GENE_STUDIED.matches(codes(component.code)):
            for gene in GENE.all(codes(component.valueCodeableConcept)):
                if gene not in genes:
                    genes.append(gene)
    return genes


def read_drivers(chart: Chart) -> tuple[DriverAlteration, ...]:
    found: list[DriverAlteration] = []
    for observation in chart.select("Observation", GENOMIC_VARIANT):
        if observation_usable(observation) and _present(observation):
            provenance = source(observation, observation_date(observation))
            variant = _variant(observation)
            found.extend(DriverAlteration(gene, variant, provenance) for gene in _genes(observation))
    for condition in current_conditions(chart, DRIVER_DISORDER, remission_counts=True):
        provenance = source(condition, condition_date(condition))
        found.extend(DriverAlteration(gene, None, provenance)
                     for gene in DRIVER_DISORDER.all(codes(condition.code)))
    return tuple(found)
