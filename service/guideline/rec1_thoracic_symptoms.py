"""Recommendation 1 (A): palliative thoracic radiotherapy for symptomatic lung cancer.

"Patienter med uhelbredelig lungekræft kan vurderes med henblik på thorakal pallierende
strålebehandling som symptomlindrende behandling (A)" (l. 242-244). Evidence l. 248-306 (symptom
relief, superior vena cava syndrome, PS >= 3), fractionation l. 488-496 and l. 553-557, technique in
appendix 1, l. 1166-1180.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from service.facts.model import Histology, PatientFacts, RadiotherapyOrder, Region, Site
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
from service.guideline.regimen import R20_4, R25_5, Regimen
from service.guideline.terms import (
    course_evidence,
    has_thoracic_symptom,
    histology,
    is_thoracic_order,
    order_evidence,
    order_in_scope,
    order_regimen,
    patient_in_scope,
    performance_status,
    prior_courses_in,
    ps_evidence,
    stale_ps_evidence,
    thoracic_symptoms,
)

SYMPTOM_RELIEF_REGIMENS = (R20_4, R25_5)
""""25 Gy / 5 F eller 20 Gy / 4 F" (l. 258-260): the regimens suggested."""
SYMPTOM_RELIEF_DOSE_GY = (Fraction(20), Fraction(25))
SYMPTOM_RELIEF_FRACTIONS = (4, 5)
""""20-25 Gy / 4-5 F" (appendix 1, l. 1166-1168): an order in this range is not rewritten."""
POOR_PS_MIN = 3
"""Relief cannot be expected with confidence in "PS > 2" (l. 292-296)."""
SHORT_COURSE_MAX_FRACTIONS = 5
HIGH_DOSE_MIN_FRACTIONS = 11
"""More than 10 fractions in PS 0-1 is high-dose palliation or HERAN for tumour control (l. 1172-1176)."""
HIGH_DOSE_MAX_PS = 1

RELIEF = RuleSpec(
    rule_id="thoracic-symptom-relief",
    recommendation="1",
    evidence_grade="A",
    passage="l. 248-266, l. 1166-1180",
    hooks=ALL_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "local-protocol", "record-out-of-date"),
)

RELIEF_POOR_PS = RuleSpec(
    rule_id="thoracic-symptom-relief-poor-ps",
    recommendation="1",
    evidence_grade="A",
    passage="l. 288-296",
    hooks=ALL_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "record-out-of-date"),
)

SVC_NSCLC_STENT = RuleSpec(
    rule_id="svc-nsclc-consider-stent",
    recommendation="1",
    evidence_grade="A",
    passage="l. 270-284",
    hooks=ALL_HOOKS,
    override_reasons=("already-addressed", "clinical-judgement", "patient-preference", "record-out-of-date"),
)

SVC_SCLC_CHEMOTHERAPY = RuleSpec(
    rule_id="svc-sclc-chemotherapy-first",
    recommendation="1",
    evidence_grade="A",
    passage="l. 280-284",
    hooks=ALL_HOOKS,
    override_reasons=("rapid-relief-needed", "no-systemic-option", "patient-preference",
                      "record-out-of-date"),
)

REGIMEN_LONG = RuleSpec(
    rule_id="thoracic-symptom-regimen-long",
    recommendation="1",
    evidence_grade="A",
    passage="l. 488-496, l. 553-557, l. 1166-1176",
    hooks=ORDER_HOOKS,
    override_reasons=("better-tumour-control-wanted", "clinical-trial", "patient-preference",
                      "local-protocol"),
)


# --- facts these rules share ------------------------------------------------------------------

def _relief_indicated(facts: PatientFacts) -> bool:
    """A thoracic symptom, except SCLC whose only thoracic symptom is SVC syndrome (chemotherapy first)."""
    if not has_thoracic_symptom(facts):
        return False
    return histology(facts) is not Histology.SCLC or bool(thoracic_symptoms(facts))


def _symptom_evidence(facts: PatientFacts) -> tuple[Evidence, ...]:
    evidence = tuple(Evidence("symptom", s.source, {"symptom": s.kind}) for s in thoracic_symptoms(facts))
    if facts.svc_syndrome is not None:
        evidence += (Evidence("svc-syndrome", facts.svc_syndrome),)
    return evidence


def _thoracic_orders(ctx: RuleContext) -> tuple[RadiotherapyOrder, ...]:
    """The judged draft orders to the thorax that this guideline covers."""
    return tuple(o for o in ctx.judged_orders if is_thoracic_order(o) and order_in_scope(ctx.facts, o))


def _targets(ctx: RuleContext) -> Iterator[RadiotherapyOrder | None]:
    """What a thoracic card speaks to: the patient on patient-view, each judged thoracic order otherwise."""
    if ctx.hook is Hook.PATIENT_VIEW:
        if patient_in_scope(ctx.facts):
            yield None
        return
    yield from _thoracic_orders(ctx)


def _order_evidence(order: RadiotherapyOrder | None) -> tuple[Evidence, ...]:
    return (order_evidence(order),) if order is not None else ()


# --- thoracic-symptom-relief ------------------------------------------------------------------

def _relief_suggestions(order: RadiotherapyOrder | None) -> tuple[RegimenSuggestion, ...]:
    site = order.site if order is not None and order.site is not None else Site(Region.THORAX)
    return tuple(RegimenSuggestion(regimen, site, replaces=order) for regimen in SYMPTOM_RELIEF_REGIMENS)


def _in_symptom_relief_range(regimen: Regimen | None) -> bool:
    low, high = SYMPTOM_RELIEF_DOSE_GY
    return (regimen is not None and regimen.fractions in SYMPTOM_RELIEF_FRACTIONS
            and low <= regimen.total_dose_gy <= high)


def _relief_variant(order: RadiotherapyOrder | None) -> str:
    """How the card speaks to the order: "default" suggests the regimens, the others only inform."""
    if order is None:
        return "default"
    if _in_symptom_relief_range(order_regimen(order)):
        return "order-in-line"
    if (order.fractions or 0) > SHORT_COURSE_MAX_FRACTIONS:
        # Only the high-dose exception of thoracic-symptom-regimen-long gets here (PS 0-1, > 10 fractions).
        return "order-high-dose"
    return "default"


@rule(RELIEF)
def thoracic_symptom_relief(ctx: RuleContext) -> Iterator[Finding]:
    """Suggest 20 Gy/4F or 25 Gy/5F. An order of 20-25 Gy/4-5F, or high-dose palliation in PS 0-1, is not
    rewritten; an order the long-regimen rule judges is left to it."""
    facts = ctx.facts
    if not _relief_indicated(facts):
        return
    notes: list[str] = []
    if performance_status(facts) is None:
        notes.append("ps-unknown")
    if facts.svc_syndrome is not None and histology(facts) is Histology.UNKNOWN:
        notes.append("sclc-alternative")
    prior = prior_courses_in(facts, Region.THORAX)
    if prior:
        notes.append("prior-thoracic-course")
    evidence = (_symptom_evidence(facts) + ps_evidence(facts) + stale_ps_evidence(facts)
                + tuple(course_evidence(course) for course in prior))
    for order in _targets(ctx):
        if order is not None and _regimen_long_applies(facts, order):
            continue  # thoracic-symptom-regimen-long judges this order and makes the same suggestions
        regimen = order_regimen(order) if order is not None else None
        variant = _relief_variant(order)
        yield Finding(
            rule=RELIEF, indicator=Indicator.INFO,
            evidence=evidence + _order_evidence(order),
            values={"regimen": regimen.label if regimen else None},
            notes=tuple(notes),
            variant=variant,
            suggestions=_relief_suggestions(order) if variant == "default" else (),
            order=order,
        )


# --- thoracic-symptom-relief-poor-ps ----------------------------------------------------------

@rule(RELIEF_POOR_PS)
def thoracic_symptom_relief_poor_ps(ctx: RuleContext) -> Iterator[Finding]:
    facts = ctx.facts
    ps = performance_status(facts)
    if not _relief_indicated(facts) or ps is None or ps < POOR_PS_MIN:
        return
    evidence = ps_evidence(facts) + _symptom_evidence(facts)
    for order in _targets(ctx):
        yield Finding(rule=RELIEF_POOR_PS, indicator=Indicator.WARNING,
                      evidence=evidence + _order_evidence(order), values={"ps": ps}, order=order)


# --- superior vena cava syndrome --------------------------------------------------------------

@rule(SVC_NSCLC_STENT)
def svc_nsclc_consider_stent(ctx: RuleContext) -> Iterator[Finding]:
    """NSCLC or unknown histology; for unknown histology the card names the SCLC path."""
    facts = ctx.facts
    if facts.svc_syndrome is None or histology(facts) is Histology.SCLC:
        return
    notes = ("sclc-alternative",) if histology(facts) is Histology.UNKNOWN else ()
    for order in _targets(ctx):
        yield Finding(rule=SVC_NSCLC_STENT, indicator=Indicator.INFO,
                      evidence=(Evidence("svc-syndrome", facts.svc_syndrome), *_order_evidence(order)),
                      notes=notes, order=order)


@rule(SVC_SCLC_CHEMOTHERAPY)
def svc_sclc_chemotherapy_first(ctx: RuleContext) -> Iterator[Finding]:
    """Warning on a thoracic order, info on patient-view."""
    facts = ctx.facts
    if facts.svc_syndrome is None or histology(facts) is not Histology.SCLC:
        return
    for order in _targets(ctx):
        yield Finding(
            rule=SVC_SCLC_CHEMOTHERAPY,
            indicator=Indicator.WARNING if order is not None else Indicator.INFO,
            evidence=(Evidence("svc-syndrome", facts.svc_syndrome), *_order_evidence(order)),
            variant="order" if order is not None else "default",
            order=order,
        )


# --- thoracic-symptom-regimen-long ------------------------------------------------------------

def _regimen_long_applies(facts: PatientFacts, order: RadiotherapyOrder) -> bool:
    """More than 5 fractions for a symptomatic patient, unless more than 10 fractions in PS 0-1."""
    if not has_thoracic_symptom(facts) or order.fractions is None:
        return False
    if order.fractions <= SHORT_COURSE_MAX_FRACTIONS:
        return False
    ps = performance_status(facts)
    high_dose_in_good_ps = (order.fractions >= HIGH_DOSE_MIN_FRACTIONS
                            and ps is not None and ps <= HIGH_DOSE_MAX_PS)
    return not high_dose_in_good_ps


@rule(REGIMEN_LONG)
def thoracic_symptom_regimen_long(ctx: RuleContext) -> Iterator[Finding]:
    """With PS unknown a high-dose order (> 10 fractions) is judged; the card names the PS 0-1 exception."""
    facts = ctx.facts
    for order in _thoracic_orders(ctx):
        if not _regimen_long_applies(facts, order):
            continue
        regimen = order_regimen(order)
        high_dose = (order.fractions or 0) >= HIGH_DOSE_MIN_FRACTIONS
        notes = ("high-dose-if-good-ps",) if high_dose and performance_status(facts) is None else ()
        yield Finding(
            rule=REGIMEN_LONG, indicator=Indicator.INFO,
            evidence=(order_evidence(order), *_symptom_evidence(facts), *ps_evidence(facts),
                      *stale_ps_evidence(facts)),
            values={"regimen": regimen.label if regimen else None, "fractions": order.fractions},
            notes=notes,
            suggestions=_relief_suggestions(order),
            order=order,
        )


RULES = (
    thoracic_symptom_relief,
    thoracic_symptom_relief_poor_ps,
    svc_nsclc_consider_stent,
    svc_sclc_chemotherapy_first,
    thoracic_symptom_regimen_long,
)
