"""Recommendation 3 (A; surgery C): brain metastases. The terms its rules share.

"Patienter med lungekræft og hjernemetastaser kan vurderes med henblik på enten stereotaktisk
strålebehandling eller helhjernebestråling (A). Kirurgi af cerebral(e) metastase(r) kan overvejes for
udvalgte patienter med NSCLC (C)." (l. 581-585; quick guide l. 132-136)

The rules sit in three modules that follow the guideline's paragraphs: `rec3_brain_nsclc` (NSCLC and
whole-brain dose, l. 595-652), `rec3_brain_sclc` (l. 654-692) and `rec3_brain_steroids` (l. 694-705).
"""

from __future__ import annotations

from enum import StrEnum

from service.facts.model import (
    DriverAlteration,
    Intent,
    Metastasis,
    Organ,
    PatientFacts,
    RadiotherapyCourse,
    RadiotherapyOrder,
    Region,
    Site,
    SystemicTherapy,
    TherapyClass,
)
from service.guideline.model import Evidence, GuidelineSettings, Hook, RuleContext
from service.guideline.regimen import Regimen
from service.guideline.terms import (
    OLIGOMETASTATIC_MAX_LESIONS,
    course_evidence,
    course_regimen,
    in_scope,
    is_region,
    lesion_count,
    order_evidence,
    order_regimen,
)

WHOLE_BRAIN = Site(Region.BRAIN, "12738006", whole_brain=True)
"""The site of a suggested whole-brain course (mCODE body-location qualifier "Entire")."""

PATIENT_VIEW_AND_SELECT = frozenset({Hook.PATIENT_VIEW, Hook.ORDER_SELECT})


# --- brain metastases and their symptoms ------------------------------------------------------

def brain_metastases(facts: PatientFacts) -> tuple[Metastasis, ...]:
    return tuple(m for m in facts.metastases if m.organ is Organ.BRAIN)


def brain_metastasis_evidence(facts: PatientFacts) -> tuple[Evidence, ...]:
    return tuple(Evidence("metastasis", m.source, {"organ": m.organ, "lesions": m.lesion_count})
                 for m in brain_metastases(facts))


def cerebral_symptom_evidence(facts: PatientFacts) -> tuple[Evidence, ...]:
    """What makes brain metastases symptomatic (CONVENTIONS.md "symptomatic brain metastases").

    A headache or seizure Condition, a brain order whose reasonCode names one, or a corticosteroid given
    for the brain metastasis or a cerebral symptom (an antiemetic steroid does not count).
    """
    evidence = [Evidence("symptom", s.source, {"symptom": s.kind})
                for s in facts.symptoms if s.kind.is_cerebral]
    evidence += [Evidence("symptom", order.source, {"symptom": kind})
                 for order in facts.orders if is_region(order.site, Region.BRAIN)
                 for kind in order.reason_symptoms if kind.is_cerebral]
    evidence += [Evidence("corticosteroid-cerebral", c.source)
                 for c in facts.corticosteroids if c.active and c.for_cerebral]
    # The facts layer may carry an order's reasonCode symptom both on the order and as a symptom.
    unique = {(e.kind, e.source.reference, tuple(e.values.items())): e for e in evidence}
    return tuple(unique.values())


def symptomatic_brain_metastases(facts: PatientFacts) -> bool:
    return bool(brain_metastases(facts)) and bool(cerebral_symptom_evidence(facts))


def corticosteroid_given_or_planned(facts: PatientFacts) -> bool:
    """The table's "no active corticosteroid", read so that an accepted prescription (a planned or draft
    corticosteroid) is not suggested again."""
    return any(c.active or c.planned for c in facts.corticosteroids)


def cns_oligometastatic(facts: PatientFacts) -> bool | None:
    """"Oligometastatisk CNS spredning" (l. 713-715): few brain lesions, None when the count is unknown.

    *(convention)* the lesion limit of oligometastatic disease (at most 5) applied to the brain; a stated
    oligometastatic disease includes the brain.
    """
    if facts.oligometastatic is not None:
        return True
    count = lesion_count(facts, Organ.BRAIN)
    return None if count is None else count <= OLIGOMETASTATIC_MAX_LESIONS


# --- whole brain or partial brain -------------------------------------------------------------

class BrainExtent(StrEnum):
    WHOLE = "whole"
    PARTIAL = "partial"
    INFERRED_WHOLE = "inferred-whole"
    """Neither qualifier stated and the dose is not stereotactic: read as whole brain, and said so."""
    UNKNOWN = "unknown"

    @property
    def is_whole(self) -> bool:
        return self in (BrainExtent.WHOLE, BrainExtent.INFERRED_WHOLE)


def brain_extent(site: Site | None, intent: Intent, stereotactic: bool,
                 regimen: Regimen | None) -> BrainExtent:
    """Whole vs partial brain: the mCODE qualifier, PCI, or a stereotactic order or dose pattern."""
    if site is not None and site.whole_brain is not None:
        return BrainExtent.WHOLE if site.whole_brain else BrainExtent.PARTIAL
    if intent is Intent.PREVENTIVE:
        return BrainExtent.WHOLE
    if stereotactic or (regimen is not None and regimen.is_stereotactic_pattern()):
        return BrainExtent.PARTIAL
    # Without a dose a stereotactic course cannot be ruled out.
    return BrainExtent.UNKNOWN if regimen is None else BrainExtent.INFERRED_WHOLE


def order_brain_extent(order: RadiotherapyOrder) -> BrainExtent:
    return brain_extent(order.site, order.intent, order.stereotactic, order_regimen(order))


def course_brain_extent(course: RadiotherapyCourse) -> BrainExtent:
    return brain_extent(course.site, course.intent, course.stereotactic, course_regimen(course))


def brain_orders(ctx: RuleContext) -> tuple[RadiotherapyOrder, ...]:
    """The judged brain orders this guideline covers (a curative order is out of scope)."""
    return tuple(order for order in ctx.judged_orders
                 if is_region(order.site, Region.BRAIN) and in_scope(ctx, order))


def patient_or_brain_orders(ctx: RuleContext) -> tuple[RadiotherapyOrder | None, ...]:
    """Where a patient card speaks: once on patient-view (None), and for each judged brain order on order
    hooks (the patient rules that concern the ordered site, CONVENTIONS.md)."""
    if ctx.hook.is_order_hook:
        return brain_orders(ctx)
    return (None,) if in_scope(ctx) else ()


def wbrt_orders(ctx: RuleContext) -> tuple[RadiotherapyOrder, ...]:
    """Judged whole-brain orders for brain metastases: PCI is prophylaxis, outside this guideline."""
    return tuple(order for order in brain_orders(ctx)
                 if order.intent is not Intent.PREVENTIVE and order_brain_extent(order).is_whole)


def brain_order_evidence(order: RadiotherapyOrder) -> tuple[Evidence, ...]:
    evidence = (order_evidence(order),)
    if order_brain_extent(order) is BrainExtent.INFERRED_WHOLE:
        evidence += (Evidence("whole-brain-inferred", order.source),)
    return evidence


def whole_brain_courses(facts: PatientFacts) -> tuple[RadiotherapyCourse, ...]:
    return tuple(course for course in facts.prior_courses
                 if is_region(course.site, Region.BRAIN) and course_brain_extent(course).is_whole)


def brain_course_evidence(course: RadiotherapyCourse) -> tuple[Evidence, ...]:
    evidence = (course_evidence(course),)
    if course_brain_extent(course) is BrainExtent.INFERRED_WHOLE:
        evidence += (Evidence("whole-brain-inferred", course.source),)
    return evidence


# --- systemic therapy and drivers -------------------------------------------------------------

def systemic_therapy_evidence(therapy: SystemicTherapy) -> Evidence:
    kind = "systemic-therapy-planned" if therapy.planned else "systemic-therapy-active"
    return Evidence(kind, therapy.source, {"therapy": therapy.therapy_class, "code": therapy.code})


def _normalised_variant(variant: str) -> str:
    text = variant.upper().removeprefix("P.")
    return "".join(character for character in text if character.isalnum())


def driver_targetable(driver: DriverAlteration, settings: GuidelineSettings) -> bool | None:
    """A targeted therapy exists for the alteration; None when the gene needs a variant that is not recorded.

    *(convention)* the configurable gene list, and for BRAF, KRAS and MET the variant (V600E, G12C,
    exon 14) matched on the recorded protein or exon change.
    """
    if driver.gene.upper() not in settings.targetable_drivers:
        return False
    required = dict(settings.targetable_variants).get(driver.gene.upper())
    if not required:
        return True
    if driver.variant is None:
        return None
    recorded = _normalised_variant(driver.variant)
    return any(_normalised_variant(variant) in recorded for variant in required)


def driver_evidence(driver: DriverAlteration) -> Evidence:
    if driver.variant is None:
        return Evidence("driver-gene", driver.source, {"gene": driver.gene})
    return Evidence("driver", driver.source, {"gene": driver.gene, "variant": driver.variant})


def brain_active_therapies(ctx: RuleContext) -> tuple[SystemicTherapy, ...]:
    """Systemic therapy expected to act in the brain (CONVENTIONS.md "brain-active systemic option").

    Targeted therapy for a driver the patient has; immunotherapy while no corticosteroid is given for the
    brain metastasis or a cerebral symptom ("når der ikke er behov for prednisolon", l. 646-648).
    """
    facts = ctx.facts
    has_driver = any(driver_targetable(d, ctx.settings) is not False for d in facts.drivers)
    cerebral_steroid = any(c.active and c.for_cerebral for c in facts.corticosteroids)
    return tuple(
        therapy for therapy in facts.systemic_therapies
        if (therapy.therapy_class is TherapyClass.TARGETED and has_driver)
        or (therapy.therapy_class is TherapyClass.IMMUNOTHERAPY and not cerebral_steroid)
    )
