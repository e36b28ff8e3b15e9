"""Body sites as treatment regions and metastatic organs (CONVENTIONS.md "Sites, regions and organs")."""

from __future__ import annotations

from typing import Any

from service.facts.chart import Chart
from service.facts.codes import SNOMED
from service.facts.model import Organ, Region, Site
from service.facts.reading import codes, extensions
from service.facts.valuesets import (
    BODY_SITE_ORGAN,
    EXT_BODY_LOCATION_QUALIFIER,
    REGION,
    WHOLE_OR_PARTIAL,
)


def site_of(body_sites: Any, qualifiers: Any = None) -> Site | None:
    """The first body site with a known region, else the first SNOMED-coded one (region "other").

    `qualifiers` are extra location qualifiers (a BodyStructure's `locationQualifier`); on a
    CodeableConcept the mCODE body-location-qualifier extension says whole or partial.
    """
    concepts = body_sites if isinstance(body_sites, list) else [body_sites] if body_sites else []
    fallback: Site | None = None
    for concept in concepts:
        for key in codes(concept):
            region = REGION.lookup(key)
            if region is not None:
                return Site(region, key[1], _whole(concept, qualifiers) if region is Region.BRAIN else None)
            if fallback is None and key[0] == SNOMED:
                fallback = Site(Region.OTHER, key[1])
    return fallback


def _whole(concept: Any, qualifiers: Any) -> bool | None:
    stated = [ext.valueCodeableConcept for ext in extensions(concept, EXT_BODY_LOCATION_QUALIFIER)]
    for qualifier in stated + list(qualifiers or ()):
        whole = WHOLE_OR_PARTIAL.get(codes(qualifier))
        if whole is not None:
            return whole
    return None


def organ_of(body_sites: Any) -> Organ | None:
    return BODY_SITE_ORGAN.get(codes(body_sites))


def volume_site(chart: Chart, volume_reference: Any) -> Site | None:
    """The site of a referenced RadiotherapyVolume (BodyStructure `location`)."""
    if volume_reference is None:
        return None
    volume = chart.resolve(volume_reference.reference, "BodyStructure")
    if volume is None:
        return None
    return site_of(volume.location, volume.locationQualifier)


def same_site(a: Site | None, b: Site | None) -> bool:
    """The same body structure, or the same region where a region is one place (a spine segment, brain)."""
    if a is None or b is None:
        return False
    if a.body_structure is not None and a.body_structure == b.body_structure:
        return True
    return a.region is b.region and a.region not in (Region.BONE, Region.OTHER, Region.THORAX)
