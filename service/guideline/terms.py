"""The decision table's "Words used below", as predicates over the facts.

Every rule reads these terms the same way; a term changes here or nowhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from service.facts.model import (
    Histology,
    Intent,
    Metastasis,
    Organ,
    PatientFacts,
    RadiotherapyCourse,
    RadiotherapyOrder,
    Region,
    Site,
    Source,
    Symptom,
    TherapyClass,
)
from service.guideline.model import Evidence, RuleContext
from service.guideline.regimen import Regimen

OLIGOMETASTATIC_MAX_LESIONS = 5
OLIGOMETASTATIC_MAX_ORGANS = 3
DAYS_PER_MONTH = Decimal("30.44")
SPINE_REGIONS = (Region.CERVICAL_SPINE, Region.THORACIC_SPINE, Region.LUMBAR_SPINE, Region.SPINAL_CORD)
CORD_REGIONS = frozenset({Region.THORAX, Region.NECK, *SPINE_REGIONS})
_SPINE_NEIGHBOURS = {
    Region.CERVICAL_SPINE: {Region.THORACIC_SPINE, Region.NECK},
    Region.THORACIC_SPINE: {Region.CERVICAL_SPINE, Region.LUMBAR_SPINE, Region.THORAX},
    Region.LUMBAR_SPINE: {Region.THORACIC_SPINE},
    Region.THORAX: {Region.THORACIC_SPINE},
    Region.NECK: {Region.CERVICAL_SPINE},
}


# --- scope ------------------------------------------------------------------------------------

def incurable_evidence(facts: PatientFacts) -> tuple[Source, ...]:
    """Stage IV / M1, recorded metastases, or a stated "not a candidate for curative treatment"."""
    return facts.metastatic + ((facts.not_curable,) if facts.not_curable else ())


def patient_in_scope(facts: PatientFacts) -> bool:
    return facts.lung_cancer is not None and bool(incurable_evidence(facts))


def order_in_scope(facts: PatientFacts, order: RadiotherapyOrder) -> bool:
    """A curative-intent order is out of scope whatever the stage (CONVENTIONS.md)."""
    if facts.lung_cancer is None or order.intent is Intent.CURATIVE:
        return False
    return order.intent is Intent.PALLIATIVE or patient_in_scope(facts)


def in_scope(ctx: RuleContext, order: RadiotherapyOrder | None = None) -> bool:
    return order_in_scope(ctx.facts, order) if order is not None else patient_in_scope(ctx.facts)


def histology(facts: PatientFacts) -> Histology:
    return facts.lung_cancer.histology if facts.lung_cancer else Histology.UNKNOWN


# --- symptoms ---------------------------------------------------------------------------------

def thoracic_symptoms(facts: PatientFacts) -> tuple[Symptom, ...]:
    """Active hemoptysis, cough, dyspnea, thoracic pain (SVC syndrome is read separately)."""
    return tuple(symptom for symptom in facts.symptoms if symptom.kind.is_thoracic)


def has_thoracic_symptom(facts: PatientFacts) -> bool:
    return bool(thoracic_symptoms(facts)) or facts.svc_syndrome is not None


# --- extent of disease ------------------------------------------------------------------------

def metastatic_organs(facts: PatientFacts) -> frozenset[Organ]:
    return frozenset(metastasis.organ for metastasis in facts.metastases)


def extrathoracic_organs(facts: PatientFacts) -> frozenset[Organ]:
    return frozenset(organ for organ in metastatic_organs(facts) if not organ.is_thoracic)


def lesion_count(facts: PatientFacts, organ: Organ) -> int | None:
    """Known only when every metastasis Condition of the organ carries a count (CONVENTIONS.md)."""
    counts = [m.lesion_count for m in facts.metastases if m.organ is organ]
    if not counts or any(count is None for count in counts):
        return None
    return sum(count for count in counts if count is not None)


def _within_oligometastatic_limits(facts: PatientFacts, organs: frozenset[Organ]) -> bool | None:
    """True when every organ has a known lesion count within the limits; False when the organs or
    the known lesions already exceed them; None when unknown."""
    if not organs:
        return None
    counts = [lesion_count(facts, organ) for organ in organs]
    known_lesions = sum(count for count in counts if count is not None)
    # More organs or lesions than the limits is never oligometastatic, whatever the missing counts are.
    if len(organs) > OLIGOMETASTATIC_MAX_ORGANS or known_lesions > OLIGOMETASTATIC_MAX_LESIONS:
        return False
    if any(count is None for count in counts):
        return None
    return True


def computed_oligometastatic(facts: PatientFacts) -> bool | None:
    """Oligometastatic disease counted over every metastatic organ (CONVENTIONS.md)."""
    return _within_oligometastatic_limits(facts, metastatic_organs(facts))


def counted_limited_extrathoracic(facts: PatientFacts) -> bool | None:
    """The oligometastatic limits counted over organs outside the thorax only (CONVENTIONS.md:
    "Organs for limited extrathoracic disease count distinct organs outside the thorax")."""
    return _within_oligometastatic_limits(facts, extrathoracic_organs(facts))


def oligometastatic(facts: PatientFacts) -> bool | None:
    if facts.oligometastatic is not None:
        return True
    return counted_limited_extrathoracic(facts)


def oligometastatic_evidence(facts: PatientFacts) -> tuple[Evidence, ...]:
    if facts.oligometastatic is not None:
        return (Evidence("oligometastatic-stated", facts.oligometastatic),)
    if computed_oligometastatic(facts):
        return tuple(
            Evidence("metastasis", m.source, {"organ": m.organ, "lesions": m.lesion_count})
            for m in facts.metastases
        )
    return ()


def limited_extrathoracic_disease(facts: PatientFacts) -> bool | None:
    """No extrathoracic metastases, or oligometastatic disease; None when the lesion counts are unknown."""
    if not extrathoracic_organs(facts) or facts.oligometastatic is not None:
        return True
    return counted_limited_extrathoracic(facts)


# --- performance status and survival ----------------------------------------------------------

def performance_status(facts: PatientFacts) -> int | None:
    return facts.performance_status.ecog if facts.performance_status else None


def ps_evidence(facts: PatientFacts) -> tuple[Evidence, ...]:
    ps = facts.performance_status
    if ps is None:
        return ()
    values: dict[str, object] = {"ps": ps.ecog}
    if ps.karnofsky is not None:
        values["karnofsky"] = ps.karnofsky
        return (Evidence("performance-status-karnofsky", ps.source, values),)
    return (Evidence("performance-status", ps.source, values),)


def survival_months(facts: PatientFacts) -> Decimal | None:
    estimate = facts.survival_estimate
    return estimate.months if estimate else None


def survival_evidence(facts: PatientFacts) -> tuple[Evidence, ...]:
    estimate = facts.survival_estimate
    if estimate is None or estimate.months is None:
        return ()
    return (Evidence("survival-estimate", estimate.source, {"months": estimate.months}),)


def months_between(earlier: date, later: date) -> Decimal:
    """Intervals in months: days / 30.44 (CONVENTIONS.md)."""
    return Decimal((later - earlier).days) / DAYS_PER_MONTH


# --- systemic therapy -------------------------------------------------------------------------

def systemic_therapies(facts: PatientFacts, *classes: TherapyClass):
    wanted = set(classes) or set(TherapyClass)
    return tuple(t for t in facts.systemic_therapies if t.therapy_class in wanted)




# --- orders, courses and sites ----------------------------------------------------------------

def order_regimen(order: RadiotherapyOrder) -> Regimen | None:
    if order.total_dose_gy is None or order.fractions is None:
        return None
    try:
        return Regimen.of(order.total_dose_gy, order.fractions)
    except ValueError:
        return None


def course_regimen(course: RadiotherapyCourse) -> Regimen | None:
    if course.total_dose_gy is None or course.fractions is None:
        return None
    try:
        return Regimen.of(course.total_dose_gy, course.fractions)
    except ValueError:
        return None


def is_region(site: Site | None, *regions: Region) -> bool:
    return site is not None and site.region in regions


def is_thoracic_order(order: RadiotherapyOrder) -> bool:
    return is_region(order.site, Region.THORAX)




def is_pci_order(order: RadiotherapyOrder) -> bool:
    return is_region(order.site, Region.BRAIN) and order.intent is Intent.PREVENTIVE




def sites_overlap(a: Site | None, b: Site | None) -> bool:
    """Region-level overlap (CONVENTIONS.md); an unknown site never overlaps."""
    if a is None or b is None:
        return False
    if a.region is Region.BONE or b.region is Region.BONE:
        return (
            a.region is b.region
            and a.body_structure is not None
            and a.body_structure == b.body_structure
        )
    if a.region is b.region:
        return a.region is not Region.OTHER or (
            a.body_structure is not None and a.body_structure == b.body_structure
        )
    if Region.SPINAL_CORD in (a.region, b.region):
        # A cord site of unstated level may lie at any level: every region holding the cord may overlap it.
        return a.region in CORD_REGIONS and b.region in CORD_REGIONS
    return b.region in _SPINE_NEIGHBOURS.get(a.region, set())


def contains_spinal_cord(site: Site | None) -> bool:
    return site is not None and site.region in CORD_REGIONS


def order_evidence(order: RadiotherapyOrder) -> Evidence:
    regimen = order_regimen(order)
    # The card names a missing dose "unknown" rather than failing on the template.
    values: dict[str, object] = {"site": order.site.region if order.site else None,
                                 "regimen": None, "bed10": None}
    if regimen is not None:
        values |= {"regimen": regimen.label, "bed10": regimen.bed10}
    return Evidence("draft-order", order.source, values)


# --- metastases and the orders that treat them -------------------------------------------------

GENERIC_BONE = "119186007"
"""SNOMED "Bone structure": a bone site that names no particular bone."""


def same_site(a: Site | None, b: Site | None) -> bool:
    """The same treated or affected site: same region and, for bone and "other", the same structure.

    A generic bone site (or one without a structure) matches any bone; an unknown site matches nothing.
    """
    if a is None or b is None or a.region is not b.region:
        return False
    if a.region is Region.BONE:
        unnamed = {None, GENERIC_BONE}
        return (a.body_structure in unnamed or b.body_structure in unnamed
                or a.body_structure == b.body_structure)
    if a.region is Region.OTHER:
        return a.body_structure is not None and a.body_structure == b.body_structure
    return True


def order_treats_metastasis(order: RadiotherapyOrder, metastasis: Metastasis) -> bool:
    """The order names the metastasis as its reason, or is drawn on the metastasis' site."""
    return metastasis.source.reference in order.reason_references or same_site(order.site, metastasis.site)


def complicated_bone_evidence(metastasis: Metastasis) -> tuple[Evidence, ...]:
    """Pathological fracture or soft-tissue component (CONVENTIONS.md "complicated bone metastasis")."""
    evidence = []
    if metastasis.pathological_fracture is not None:
        evidence.append(Evidence("pathological-fracture", metastasis.pathological_fracture))
    if metastasis.soft_tissue_component is not None:
        evidence.append(Evidence("soft-tissue-component", metastasis.soft_tissue_component))
    return tuple(evidence)


def metastasis_symptomatic(metastasis: Metastasis) -> bool:
    """Painful, or a complicated bone metastasis (which counts as symptomatic, CONVENTIONS.md)."""
    return bool(metastasis.pain) or bool(complicated_bone_evidence(metastasis))


def spinal_cord_compressed_at(facts: PatientFacts, site: Site | None) -> bool:
    """MSCC is recorded at this site: the same spine level, or a level or site that is not stated.

    A site of unknown location cannot be told apart from the compressed level, so it counts as compressed.
    """
    mscc = facts.spinal_cord_compression
    if mscc is None:
        return False
    if site is None:
        return True
    if site.region not in SPINE_REGIONS:
        return False
    if mscc.site is None:
        return True
    return Region.SPINAL_CORD in (mscc.site.region, site.region) or mscc.site.region is site.region


# --- missing performance status, prior courses --------------------------------------------------

def stale_ps_evidence(facts: PatientFacts) -> tuple[Evidence, ...]:
    """The latest PS when it is older than 90 days: shown so the clinician sees why PS counts as missing."""
    stale = facts.stale_performance_status
    if facts.performance_status is not None or stale is None:
        return ()
    return (Evidence("performance-status-stale", stale.source, {"ps": stale.ecog}),)


def prior_courses_in(facts: PatientFacts, region: Region) -> tuple[RadiotherapyCourse, ...]:
    """Prior courses drawn on `region` itself (not its neighbours: overlap is `sites_overlap`)."""
    return tuple(course for course in facts.prior_courses if is_region(course.site, region))


def course_evidence(course: RadiotherapyCourse) -> Evidence:
    regimen = course_regimen(course)
    return Evidence("prior-course", course.source, {
        "site": course.site.region if course.site else None,
        "regimen": regimen.label if regimen else None,
        "bed10": regimen.bed10 if regimen else None,
        "intent": course.intent,
    })
