"""Recommendation 4: symptomatic extrathoracic disease (bone A, soft tissue C, subcutaneous C, SBRT B).

"Patienter med lungekræft og symptomgivende knoglemetastaser (A), bløddelsmetastaser (C) eller subkutane
metastaser (C) kan vurderes med henblik på palliativ strålebehandling af symptomgivende læsion(er).
Stereotaksi af knoglemetastaser eller andre enkelte metastatiske læsioner kan overvejes for udvalgte
patienter (B)" (l. 142-150, l. 735-742; evidence l. 750-788).

On patient-view the rules offer a course for each symptomatic lesion not yet irradiated since its
symptom was recorded; on order hooks they judge the draft orders drawn on such a lesion.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from service.facts.model import (
    Metastasis,
    Organ,
    PatientFacts,
    RadiotherapyCourse,
    RadiotherapyOrder,
    Region,
    Site,
    SymptomKind,
)
from service.guideline.model import (
    ALL_HOOKS,
    ORDER_HOOKS,
    Evidence,
    Finding,
    Hook,
    Indicator,
    RegimenSuggestion,
    RuleContext,
    RuleSpec,
    rule,
)
from service.guideline.regimen import R20_4, R20_5, R25_5, R30_10, SINGLE_8_GY, Regimen
from service.guideline.terms import (
    SPINE_REGIONS,
    complicated_bone_evidence,
    course_evidence,
    in_scope,
    metastasis_symptomatic,
    oligometastatic,
    oligometastatic_evidence,
    order_evidence,
    order_regimen,
    order_treats_metastasis,
    patient_in_scope,
    same_site,
    sites_overlap,
    spinal_cord_compressed_at,
)

BONE_UNCOMPLICATED = RuleSpec(
    rule_id="bone-uncomplicated-single-fraction",
    recommendation="4",
    evidence_grade="A",
    passage="l. 758-764",
    hooks=ALL_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "local-protocol", "record-out-of-date"),
)

BONE_COMPLICATED = RuleSpec(
    rule_id="bone-complicated-fractionated",
    recommendation="4",
    evidence_grade="A",
    passage="l. 764-766",
    hooks=ALL_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "local-protocol", "record-out-of-date"),
)

SBRT_SELECTED_LESION = RuleSpec(
    rule_id="sbrt-selected-lesion",
    recommendation="4",
    evidence_grade="B",
    passage="l. 768-772",
    hooks=ORDER_HOOKS,
    override_reasons=("clinical-judgement", "clinical-trial", "local-protocol", "record-out-of-date"),
)

SOFT_TISSUE = RuleSpec(
    rule_id="soft-tissue-metastasis",
    recommendation="4",
    evidence_grade="C",
    passage="l. 778-788",
    hooks=ALL_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "local-protocol"),
)

COMPLICATED_REGIMENS = ((R20_4, "default"), (R20_5, "default"), (R25_5, "default"), (R30_10, "alternative"))
""""fx 20-25 Gy / 4-5 F. Alternativt 30 Gy / 10 F" (l. 764-766)."""

SINGLE_LESION_REGIONS = frozenset({
    Region.BONE, *SPINE_REGIONS, Region.LIVER, Region.ADRENAL, Region.KIDNEY, Region.SKIN,
    Region.SOFT_TISSUE,
})
"""Extrathoracic sites of single metastatic lesions; the brain has recommendation 3."""


# --- which lesions ------------------------------------------------------------------------------

def _cord_involved(facts: PatientFacts, metastasis: Metastasis) -> bool:
    return metastasis.spinal_cord_involvement is not None or spinal_cord_compressed_at(facts, metastasis.site)


def _uncomplicated_painful_bone(facts: PatientFacts, metastasis: Metastasis) -> bool:
    """Painful, no pathological fracture, soft-tissue component or spinal cord involvement (l. 758-762)."""
    return (metastasis.organ is Organ.BONE and bool(metastasis.pain)
            and not complicated_bone_evidence(metastasis) and not _cord_involved(facts, metastasis))


def _complicated_bone(facts: PatientFacts, metastasis: Metastasis) -> bool:
    """Fracture or soft-tissue component; at a compressed spine level the MSCC rules govern instead."""
    return (metastasis.organ is Organ.BONE and bool(complicated_bone_evidence(metastasis))
            and not spinal_cord_compressed_at(facts, metastasis.site))


def _symptomatic_soft_tissue(facts: PatientFacts, metastasis: Metastasis) -> bool:
    return metastasis.organ in (Organ.SOFT_TISSUE, Organ.SKIN) and metastasis_symptomatic(metastasis)


def _courses_at(facts: PatientFacts, site: Site | None,
                reference: str | None = None) -> tuple[RadiotherapyCourse, ...]:
    return tuple(
        course for course in facts.prior_courses
        if (reference is not None and reference in course.reason_references)
        or same_site(course.site, site) or sites_overlap(course.site, site)
    )


def _symptom_dates(metastasis: Metastasis) -> list[date | None]:
    return [source.recorded for source in metastasis.pain] + [
        evidence.source.recorded for evidence in complicated_bone_evidence(metastasis)]


def _irradiated_since_symptom(facts: PatientFacts, metastasis: Metastasis) -> bool:
    """A course at the lesion is running, or ended on or after its latest recorded symptom."""
    dates = _symptom_dates(metastasis)
    if not dates or None in dates:
        return False
    latest = max(d for d in dates if d is not None)
    return any(
        course.status == "in-progress" or (course.end is not None and course.end >= latest)
        for course in _courses_at(facts, metastasis.site, metastasis.source.reference)
    )


def _metastasis_evidence(metastasis: Metastasis) -> tuple[Evidence, ...]:
    pain = tuple(Evidence("symptom", source, {"symptom": SymptomKind.PAIN}) for source in metastasis.pain)
    # A spine level says more than "bone"; other regions repeat the organ, so only the organ is named.
    site = metastasis.site
    if site is not None and site.region in SPINE_REGIONS:
        lesion = Evidence("metastasis-at", metastasis.source,
                          {"organ": metastasis.organ, "site": site.region})
    else:
        lesion = Evidence("metastasis-in", metastasis.source, {"organ": metastasis.organ})
    return (lesion, *pain, *complicated_bone_evidence(metastasis))


def _lesion_site(metastasis: Metastasis, fallback: Region) -> Site:
    return metastasis.site or Site(fallback)


# --- patient-view: what the guideline offers now ------------------------------------------------

def _untreated(facts: PatientFacts, lesions: Iterable[Metastasis]) -> tuple[Metastasis, ...]:
    return tuple(m for m in lesions if not _irradiated_since_symptom(facts, m))


def _prior_course_evidence(facts: PatientFacts, lesions: Iterable[Metastasis]) -> tuple[Evidence, ...]:
    courses = {course.source.reference: course for m in lesions
               for course in _courses_at(facts, m.site, m.source.reference)}
    return tuple(course_evidence(course) for course in courses.values())


def _offer(ctx: RuleContext, spec: RuleSpec, lesions: tuple[Metastasis, ...],
           regimens: Iterable[tuple[Regimen, str]], fallback: Region, recommended: bool) -> Iterator[Finding]:
    """One patient-view card offering `regimens` for each lesion's site (a `create` each)."""
    if not lesions:
        return
    sites: dict[tuple[Region, str | None], Site] = {}
    for lesion in lesions:
        site = _lesion_site(lesion, fallback)
        sites.setdefault((site.region, site.body_structure), site)
    suggestions = tuple(
        RegimenSuggestion(regimen, site, label=label, recommended=recommended)
        for site in sites.values() for regimen, label in regimens
    )
    prior = _prior_course_evidence(ctx.facts, lesions)
    evidence = tuple(e for lesion in lesions for e in _metastasis_evidence(lesion)) + prior
    yield Finding(rule=spec, indicator=Indicator.INFO, evidence=evidence, suggestions=suggestions,
                  notes=("previously-irradiated",) if prior else ())


# --- order hooks: the draft orders drawn on such a lesion ---------------------------------------

def _judged(ctx: RuleContext) -> Iterator[RadiotherapyOrder]:
    return (order for order in ctx.judged_orders if in_scope(ctx, order))


def _treated_by(order: RadiotherapyOrder, lesions: Iterable[Metastasis]) -> tuple[Metastasis, ...]:
    return tuple(m for m in lesions if order_treats_metastasis(order, m))


def _ordered_values(regimen: Regimen | None) -> dict[str, object]:
    return {"regimen": regimen.label if regimen else None}


def _oligo_or_oligoprogression(facts: PatientFacts) -> bool:
    return oligometastatic(facts) is True or facts.oligoprogression is not None


@rule(BONE_UNCOMPLICATED)
def bone_uncomplicated_single_fraction(ctx: RuleContext) -> Iterator[Finding]:
    """8 Gy/1F for the painful uncomplicated bone metastasis; on a longer order, suggest changing it.

    Stereotactic orders and oligometastatic or oligoprogressive patients are left to
    `sbrt-selected-lesion` (the guideline's "especially" cases, l. 768-772).
    """
    facts = ctx.facts
    lesions = tuple(m for m in facts.metastases if _uncomplicated_painful_bone(facts, m))
    if ctx.hook is Hook.PATIENT_VIEW:
        if patient_in_scope(facts):
            yield from _offer(ctx, BONE_UNCOMPLICATED, _untreated(facts, lesions),
                              ((SINGLE_8_GY, "default"),), Region.BONE, recommended=True)
        return
    if _oligo_or_oligoprogression(facts):
        return
    complicated = tuple(m for m in facts.metastases if m.organ is Organ.BONE
                        and (complicated_bone_evidence(m) or _cord_involved(facts, m)))
    for order in _judged(ctx):
        treated = _treated_by(order, lesions)
        if not treated or order.stereotactic or _treated_by(order, complicated):
            continue
        regimen = order_regimen(order)
        evidence = (*(e for m in treated for e in _metastasis_evidence(m)), order_evidence(order))
        if regimen is not None and regimen.fractions == 1:
            yield Finding(rule=BONE_UNCOMPLICATED, indicator=Indicator.INFO, evidence=evidence,
                          values=_ordered_values(regimen), variant="order-single-fraction", order=order)
            continue
        site = order.site or _lesion_site(treated[0], Region.BONE)
        yield Finding(
            rule=BONE_UNCOMPLICATED, indicator=Indicator.INFO, evidence=evidence,
            values=_ordered_values(regimen),
            variant="order-fractionated" if regimen else "order-regimen-unknown",
            suggestions=(RegimenSuggestion(SINGLE_8_GY, site, recommended=True, replaces=order),),
            order=order,
        )


@rule(BONE_COMPLICATED)
def bone_complicated_fractionated(ctx: RuleContext) -> Iterator[Finding]:
    """Fractionated RT for a fracture or soft-tissue component; a single conventional fraction is warned."""
    facts = ctx.facts
    lesions = tuple(m for m in facts.metastases if _complicated_bone(facts, m))
    if ctx.hook is Hook.PATIENT_VIEW:
        if patient_in_scope(facts):
            yield from _offer(ctx, BONE_COMPLICATED, _untreated(facts, lesions), COMPLICATED_REGIMENS,
                              Region.BONE, recommended=False)
        return
    for order in _judged(ctx):
        treated = _treated_by(order, lesions)
        if not treated:
            continue
        regimen = order_regimen(order)
        evidence = (*(e for m in treated for e in _metastasis_evidence(m)), order_evidence(order))
        values = _ordered_values(regimen)
        if regimen is not None and (regimen.fractions > 1 or order.stereotactic):
            yield Finding(rule=BONE_COMPLICATED, indicator=Indicator.INFO, evidence=evidence,
                          values=values, variant="order-fractionated", order=order)
            continue
        site = order.site or _lesion_site(treated[0], Region.BONE)
        suggestions = tuple(RegimenSuggestion(r, site, label=label, replaces=order)
                            for r, label in COMPLICATED_REGIMENS)
        single = regimen is not None
        yield Finding(
            rule=BONE_COMPLICATED, indicator=Indicator.WARNING if single else Indicator.INFO,
            evidence=evidence, values=values,
            variant="order-single-fraction" if single else "order-regimen-unknown",
            suggestions=suggestions, order=order,
        )


def _single_lesion_order(facts: PatientFacts, order: RadiotherapyOrder) -> bool:
    """A bone order or an order on one extrathoracic lesion; never the brain or a compressed spine level."""
    if order.site is None or order.site.region is Region.BRAIN:
        return False
    if spinal_cord_compressed_at(facts, order.site):
        return False
    names_a_lesion = any(m.organ is not Organ.BRAIN and m.source.reference in order.reason_references
                         for m in facts.metastases)
    return order.site.region in SINGLE_LESION_REGIONS or names_a_lesion


@rule(SBRT_SELECTED_LESION)
def sbrt_selected_lesion(ctx: RuleContext) -> Iterator[Finding]:
    """SBRT may be considered for selected patients, above all with oligometastases or oligoprogression."""
    facts = ctx.facts
    if not _oligo_or_oligoprogression(facts):
        return
    disease = oligometastatic_evidence(facts) if oligometastatic(facts) else ()
    if facts.oligoprogression is not None:
        disease += (Evidence("oligoprogression", facts.oligoprogression),)
    for order in _judged(ctx):
        if not _single_lesion_order(facts, order):
            continue
        yield Finding(
            rule=SBRT_SELECTED_LESION, indicator=Indicator.INFO,
            evidence=(*disease, order_evidence(order)),
            values=_ordered_values(order_regimen(order)),
            variant="stereotactic-order" if order.stereotactic else "default",
            order=order,
        )


@rule(SOFT_TISSUE)
def soft_tissue_metastasis(ctx: RuleContext) -> Iterator[Finding]:
    """Typically 20 Gy/4F for a symptomatic soft-tissue or subcutaneous metastasis (grade C, l. 778-788)."""
    facts = ctx.facts
    lesions = tuple(m for m in facts.metastases if _symptomatic_soft_tissue(facts, m))
    if ctx.hook is Hook.PATIENT_VIEW:
        if patient_in_scope(facts):
            yield from _offer(ctx, SOFT_TISSUE, _untreated(facts, lesions), ((R20_4, "typical"),),
                              Region.SOFT_TISSUE, recommended=False)
        return
    for order in _judged(ctx):
        treated = _treated_by(order, lesions)
        if not treated:
            continue
        prior = tuple(course_evidence(c) for c in _courses_at(facts, order.site))
        yield Finding(
            rule=SOFT_TISSUE, indicator=Indicator.INFO,
            evidence=(*(e for m in treated for e in _metastasis_evidence(m)), order_evidence(order), *prior),
            values=_ordered_values(order_regimen(order)), variant="order",
            notes=("previously-irradiated",) if prior else (), order=order,
        )


RULES = (bone_uncomplicated_single_fraction, bone_complicated_fractionated, sbrt_selected_lesion,
         soft_tissue_metastasis)
