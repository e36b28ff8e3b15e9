"""Metastases by organ, with lesion counts and complications (CONVENTIONS.md).

A complication (pathological fracture, soft-tissue component, spinal cord involvement) or pain
belongs to a metastasis when it is stated at the same site, on the metastasis Condition itself, or
by a draft order that names both.
"""

from __future__ import annotations

from typing import Any

from service.facts.chart import Chart
from service.facts.model import (
    Metastasis,
    Organ,
    RadiotherapyOrder,
    Source,
    SpinalCordCompression,
    Symptom,
    SymptomKind,
)
from service.facts.mscc import SPINE_REGIONS
from service.facts.reading import (
    codes,
    condition_date,
    current_conditions,
    extension,
    reference,
    source,
)
from service.facts.sites import organ_of, same_site, site_of
from service.facts.stated import Statement, statements
from service.facts.valuesets import (
    EXT_LESION_COUNT,
    METASTASIS_ORGAN,
    METASTASIS_SITE_FROM_BODY_SITE,
    PATHOLOGICAL_FRACTURE,
    SOFT_TISSUE_COMPONENT,
    SPINAL_CORD_INVOLVEMENT,
)


def _organ(condition: Any) -> Organ | None:
    keys = codes(condition.code)
    organ = METASTASIS_ORGAN.get(keys)
    if organ is not None and METASTASIS_SITE_FROM_BODY_SITE.matches(keys):
        return organ_of(condition.bodySite) or organ
    return organ


def _lesion_count(condition: Any) -> int | None:
    stated = extension(condition, EXT_LESION_COUNT)
    count = stated.valueInteger if stated is not None else None
    return count if count is not None and count >= 0 else None


class _Metastasis:
    """One metastasis Condition while its complications are being attached."""

    def __init__(self, condition: Any, orders: tuple[RadiotherapyOrder, ...]) -> None:
        self.reference = reference(condition)
        self.source = source(condition, condition_date(condition))
        self.site = site_of(condition.bodySite or [])
        self.own_codes = codes(condition.code) + tuple(
            key for evidence in condition.evidence or () for key in codes(evidence.code))
        self.orders = tuple(order for order in orders if self.reference in order.reason_references)

    def first(self, candidates: list[Statement], value_set: Any) -> Source | None:
        """Stated on this Condition, at its site, pointing at it, or named by an order that names it."""
        if value_set.matches(self.own_codes):
            return self.source
        named_by_orders = {ref for order in self.orders for ref in order.reason_references}
        for statement in candidates:
            if (same_site(statement.site, self.site) or self.reference in statement.points_at
                    or statement.source.reference in named_by_orders):
                return statement.source
        return None

    def pain(self, pains: list[Symptom]) -> tuple[Source, ...]:
        """CONVENTIONS.md: an order for this metastasis with pain as reason, or active pain at its site."""
        found = [order.source for order in self.orders if SymptomKind.PAIN in order.reason_symptoms]
        found += [
            pain.source for pain in pains
            if pain.source.reference.startswith("Condition/") and same_site(pain.site, self.site)
        ]
        return tuple(dict.fromkeys(found))


def read_metastases(chart: Chart, orders: tuple[RadiotherapyOrder, ...], symptoms: tuple[Symptom, ...],
                    compressions: tuple[SpinalCordCompression, ...]) -> tuple[Metastasis, ...]:
    conditions = current_conditions(chart, METASTASIS_ORGAN)
    if not conditions:
        return ()
    fractures = statements(chart, PATHOLOGICAL_FRACTURE)
    soft_tissue = statements(chart, SOFT_TISSUE_COMPONENT)
    cord = statements(chart, SPINAL_CORD_INVOLVEMENT) + [
        Statement(m.source, m.site) for m in compressions]
    pains = [s for s in symptoms if s.kind is SymptomKind.PAIN]
    found = []
    for condition in conditions:
        organ = _organ(condition)
        if organ is None:
            continue
        metastasis = _Metastasis(condition, orders)
        is_bone = organ is Organ.BONE
        found.append(Metastasis(
            organ=organ,
            source=metastasis.source,
            site=metastasis.site,
            lesion_count=_lesion_count(condition),
            pathological_fracture=metastasis.first(fractures, PATHOLOGICAL_FRACTURE) if is_bone else None,
            soft_tissue_component=metastasis.first(soft_tissue, SOFT_TISSUE_COMPONENT) if is_bone else None,
            spinal_cord_involvement=_cord(metastasis, cord, compressions) if is_bone else None,
            pain=metastasis.pain(pains),
        ))
    return tuple(found)


def _cord(metastasis: _Metastasis, candidates: list[Statement],
          compressions: tuple[SpinalCordCompression, ...]) -> Source | None:
    """Stated involvement or MSCC at its site; an MSCC without a site involves every spinal metastasis."""
    stated = metastasis.first(candidates, SPINAL_CORD_INVOLVEMENT)
    if stated is not None:
        return stated
    site = metastasis.site
    if site is not None and site.region in SPINE_REGIONS:
        return next((m.source for m in compressions if m.site is None), None)
    return None
