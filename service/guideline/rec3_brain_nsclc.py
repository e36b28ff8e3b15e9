"""Recommendation 3 (A; surgery C): brain metastases of NSCLC, and the whole-brain dose.

"Patienter med cerebrale symptomgivende metastaser af NSCLC kan behandles med enten stereotaksi (SBRT)
med 27 Gy / 3 F, 20 Gy / 1 F eller helhjernestrålebehandling (WBRT) med enten 30 Gy / 10 F eller
20 Gy / (4)-5 F" (l. 593-597). "Derfor kan WBRT undlades hos patienter i dårlig PS og uden muligheder for
systemisk behandling (fig. 1). Lavere BED dosis end sv.t. 20 Gy / (4)-5 F af WBRT kan ikke anbefales"
(l. 619-622). "Ved solitære eller få hjernemetastaser af NSCLC kan operation eller stereotaksi overvejes"
(l. 626). "Targeteret behandling betragtes som første valg" (l. 644). "Patienter med asymptomatiske
cerebrale metastaser har som regel ikke gavn af palliativ strålebehandling up-front hvis systemisk
behandling kan opstartes" (l. 650-652).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from service.facts.model import Histology, Organ, RadiotherapyOrder, Region, TherapyClass
from service.guideline.model import (
    ALL_HOOKS,
    ORDER_HOOKS,
    Evidence,
    Finding,
    Indicator,
    RegimenSuggestion,
    RuleContext,
    RuleSpec,
    rule,
)
from service.guideline.rec3_brain import (
    PATIENT_VIEW_AND_SELECT,
    WHOLE_BRAIN,
    brain_active_therapies,
    brain_course_evidence,
    brain_metastases,
    brain_metastasis_evidence,
    brain_order_evidence,
    brain_orders,
    cerebral_symptom_evidence,
    cns_oligometastatic,
    driver_evidence,
    driver_targetable,
    order_brain_extent,
    patient_or_brain_orders,
    symptomatic_brain_metastases,
    systemic_therapy_evidence,
    wbrt_orders,
)
from service.guideline.regimen import R20_4, R20_5, R30_10
from service.guideline.terms import (
    histology,
    in_scope,
    is_pci_order,
    lesion_count,
    order_regimen,
    performance_status,
    prior_courses_in,
    ps_evidence,
    stale_ps_evidence,
)

WBRT_REGIMENS = (R20_5, R20_4, R30_10)
"""l. 597, l. 607-611: no survival gain of 30 Gy/10F over 20 Gy/4-5F; choose by general condition."""
WBRT_MINIMUM = R20_5
"""l. 620-622 "Lavere BED dosis end sv.t. 20 Gy / (4)-5 F": below the BED10 of 20 Gy/5F (28 Gy)."""

SRS_OR_WBRT = RuleSpec(
    rule_id="brain-srs-or-wbrt", recommendation="3", evidence_grade="A",
    passage="l. 595-611, l. 634-638, l. 699-703",
    # The WBRT regimens are equivalent choices, not corrections: they are offered while the order is
    # chosen, not again at signing.
    hooks=PATIENT_VIEW_AND_SELECT,
    override_reasons=("clinical-judgement", "patient-preference", "local-protocol"),
)
FEW_NSCLC_SURGERY = RuleSpec(
    rule_id="brain-few-nsclc-surgery", recommendation="3", evidence_grade="C", passage="l. 626-634",
    hooks=PATIENT_VIEW_AND_SELECT,
    override_reasons=("already-addressed", "clinical-judgement", "patient-preference"),
)
POSTOPERATIVE_RT = RuleSpec(
    rule_id="brain-postoperative-rt", recommendation="3", evidence_grade="C", passage="l. 628-634",
    hooks=PATIENT_VIEW_AND_SELECT,
    override_reasons=("already-addressed", "clinical-judgement", "record-out-of-date"),
)
ASYMPTOMATIC_SYSTEMIC_FIRST = RuleSpec(
    rule_id="brain-asymptomatic-systemic-first", recommendation="3", evidence_grade="A",
    passage="l. 644-652, l. 713-715", hooks=ALL_HOOKS,
    override_reasons=("clinical-judgement", "clinical-trial", "record-out-of-date"),
)
ONCOGENE_TARGETED_FIRST = RuleSpec(
    rule_id="brain-oncogene-driven-targeted-first", recommendation="3", evidence_grade="A",
    passage="l. 642-648", hooks=PATIENT_VIEW_AND_SELECT,
    override_reasons=("targeted-therapy-failed", "clinical-judgement", "record-out-of-date"),
)
WBRT_OMIT_POOR_PS = RuleSpec(
    rule_id="brain-wbrt-omit-poor-ps", recommendation="3", evidence_grade="A", passage="l. 611-620",
    hooks=ALL_HOOKS,
    override_reasons=("patient-preference", "clinical-judgement", "record-out-of-date"),
)
WBRT_DOSE_TOO_LOW = RuleSpec(
    rule_id="brain-wbrt-dose-too-low", recommendation="3", evidence_grade="A", passage="l. 620-622",
    hooks=ORDER_HOOKS,
    override_reasons=("clinical-judgement", "clinical-trial", "local-protocol"),
)


def _nsclc_or_unknown_notes(ctx: RuleContext) -> tuple[str, ...]:
    """Unknown histology: the NSCLC card names the SCLC path (CONVENTIONS.md)."""
    return ("sclc-alternative",) if histology(ctx.facts) is Histology.UNKNOWN else ()


def _ps_or_stale_evidence(ctx: RuleContext) -> tuple[Evidence, ...]:
    return ps_evidence(ctx.facts) or stale_ps_evidence(ctx.facts)


# --- brain-srs-or-wbrt ------------------------------------------------------------------------

@rule(SRS_OR_WBRT)
def brain_srs_or_wbrt(ctx: RuleContext) -> Iterator[Finding]:
    """SRS or WBRT by number and size; SRS doses are mentioned, WBRT regimens suggested."""
    facts = ctx.facts
    if not brain_metastases(facts) or histology(facts) is Histology.SCLC:
        return
    notes = _nsclc_or_unknown_notes(ctx)
    evidence = brain_metastasis_evidence(facts) + cerebral_symptom_evidence(facts)
    if ctx.hook.is_order_hook:
        for order in brain_orders(ctx):
            if not is_pci_order(order):
                yield _srs_or_wbrt_for_order(order, evidence, notes)
        return
    if not in_scope(ctx) or not symptomatic_brain_metastases(facts):
        return
    prior = prior_courses_in(facts, Region.BRAIN)
    if prior:
        # A new brain course is re-irradiation (recommendation 6): no one-click course here.
        yield Finding(rule=SRS_OR_WBRT, indicator=Indicator.INFO, variant="prior-brain-course",
                      evidence=evidence + tuple(e for c in prior for e in brain_course_evidence(c)),
                      notes=(*notes, "prior-brain-course"))
        return
    yield Finding(rule=SRS_OR_WBRT, indicator=Indicator.INFO, evidence=evidence, notes=notes,
                  suggestions=tuple(RegimenSuggestion(r, WHOLE_BRAIN, label="wbrt") for r in WBRT_REGIMENS))


def _srs_or_wbrt_for_order(order: RadiotherapyOrder, evidence: tuple[Evidence, ...],
                           notes: tuple[str, ...]) -> Finding:
    evidence += brain_order_evidence(order)
    if not order_brain_extent(order).is_whole:
        # Rewriting a stereotactic or partial-brain order into WBRT would change the technique, not the dose.
        return Finding(rule=SRS_OR_WBRT, indicator=Indicator.INFO, evidence=evidence, notes=notes,
                       variant="partial-order", order=order)
    suggestions = tuple(RegimenSuggestion(r, WHOLE_BRAIN, label="wbrt", replaces=order)
                        for r in WBRT_REGIMENS)
    return Finding(rule=SRS_OR_WBRT, indicator=Indicator.INFO, evidence=evidence, notes=notes,
                   suggestions=suggestions, order=order)


# --- brain-few-nsclc-surgery ------------------------------------------------------------------

_FEW_SURGERY_VARIANTS = {
    (): "default",
    ("lesions-unknown",): "lesions-unknown",
    ("ps-unknown",): "ps-unknown",
    ("lesions-unknown", "ps-unknown"): "lesions-and-ps-unknown",
}
"""The summary names what is missing, so the advice reads as conditional."""


@rule(FEW_NSCLC_SURGERY)
def brain_few_nsclc_surgery(ctx: RuleContext) -> Iterator[Finding]:
    """Solitary or few metastases and a general condition that allows it.

    An unknown lesion count or PS gives a conditional card that names what is missing.
    """
    facts, settings = ctx.facts, ctx.settings
    if not brain_metastases(facts) or histology(facts) is not Histology.NSCLC:
        return
    lesions = lesion_count(facts, Organ.BRAIN)
    ps = performance_status(facts)
    if (lesions is not None and lesions > settings.brain_few_lesions_max) or (
            ps is not None and ps > settings.brain_surgery_max_ps):
        return
    missing = tuple(name for name, value in (("lesions-unknown", lesions), ("ps-unknown", ps))
                    if value is None)
    values = {"lesions": lesions, "max_lesions": settings.brain_few_lesions_max,
              "ps": ps, "max_ps": settings.brain_surgery_max_ps}
    evidence = brain_metastasis_evidence(facts) + _ps_or_stale_evidence(ctx)
    variant = _FEW_SURGERY_VARIANTS[missing]
    for order in patient_or_brain_orders(ctx):
        yield Finding(rule=FEW_NSCLC_SURGERY, indicator=Indicator.INFO, values=values, notes=missing,
                      variant=variant, order=order,
                      evidence=evidence + (brain_order_evidence(order) if order else ()))


# --- brain-postoperative-rt -------------------------------------------------------------------

@rule(POSTOPERATIVE_RT)
def brain_postoperative_rt(ctx: RuleContext) -> Iterator[Finding]:
    """A brain metastasectomy and no brain course since: postoperative SRS (or WBRT) skal overvejes."""
    facts = ctx.facts
    if not facts.brain_metastasectomies:
        return
    surgery = max(facts.brain_metastasectomies, key=lambda source: source.recorded or date.min)
    if any(_course_after(course.end or course.start, surgery.recorded)
           for course in prior_courses_in(facts, Region.BRAIN)):
        return
    evidence = (Evidence("brain-metastasectomy", surgery),)
    for order in patient_or_brain_orders(ctx):
        if order is None:
            yield Finding(rule=POSTOPERATIVE_RT, indicator=Indicator.INFO, evidence=evidence)
            continue
        variant = "wbrt-order" if order_brain_extent(order).is_whole else "default"
        yield Finding(rule=POSTOPERATIVE_RT, indicator=Indicator.INFO, variant=variant, order=order,
                      evidence=evidence + brain_order_evidence(order))


def _course_after(course_date: date | None, surgery_date: date | None) -> bool:
    """A course of unknown date, or after a surgery of unknown date, may be the postoperative course."""
    return course_date is None or surgery_date is None or course_date >= surgery_date


# --- brain-asymptomatic-systemic-first --------------------------------------------------------

@rule(ASYMPTOMATIC_SYSTEMIC_FIRST)
def brain_asymptomatic_systemic_first(ctx: RuleContext) -> Iterator[Finding]:
    """Asymptomatic and a brain-active systemic therapy: upfront RT usually gives no benefit."""
    facts = ctx.facts
    if not brain_metastases(facts) or symptomatic_brain_metastases(facts):
        return
    therapies = brain_active_therapies(ctx)
    if not therapies:
        return
    targeted = any(t.therapy_class is TherapyClass.TARGETED for t in therapies)
    # The drivers that make targeted therapy brain-active are shown with it.
    drivers = [d for d in facts.drivers if targeted and driver_targetable(d, ctx.settings) is not False]
    evidence = (brain_metastasis_evidence(facts) + tuple(systemic_therapy_evidence(t) for t in therapies)
                + tuple(driver_evidence(d) for d in drivers))
    oligo = cns_oligometastatic(facts)
    notes = ("lesions-unknown",) if oligo is None else ()
    for order in patient_or_brain_orders(ctx):
        if order is None:
            yield Finding(rule=ASYMPTOMATIC_SYSTEMIC_FIRST, indicator=Indicator.INFO, evidence=evidence)
            continue
        # Figure 1 footnote: RT before systemic therapy stays an option in oligometastatic CNS spread
        # and before immunotherapy; against targeted therapy otherwise the order is questioned.
        warn = targeted and oligo is not True
        yield Finding(rule=ASYMPTOMATIC_SYSTEMIC_FIRST, order=order,
                      indicator=Indicator.WARNING if warn else Indicator.INFO,
                      variant="targeted-order" if warn else "order", notes=notes if warn else (),
                      evidence=evidence + brain_order_evidence(order))


# --- brain-oncogene-driven-targeted-first -----------------------------------------------------

@rule(ONCOGENE_TARGETED_FIRST)
def brain_oncogene_driven_targeted_first(ctx: RuleContext) -> Iterator[Finding]:
    """NSCLC with a targetable driver: targeted therapy first, RT on its failure."""
    facts = ctx.facts
    if not brain_metastases(facts) or histology(facts) is not Histology.NSCLC:
        return
    targetable = [d for d in facts.drivers if driver_targetable(d, ctx.settings)]
    unconfirmed = [d for d in facts.drivers if driver_targetable(d, ctx.settings) is None]
    if not targetable and not unconfirmed:
        return
    required = dict(ctx.settings.targetable_variants)
    # A driver may be recorded twice (a variant Observation and a driver-defined diagnosis): name it once.
    values = {"genes": list(dict.fromkeys(d.gene for d in targetable or unconfirmed)),
              "variants": list(dict.fromkeys(f"{d.gene} {required[d.gene.upper()][0]}" for d in unconfirmed))}
    evidence = brain_metastasis_evidence(facts) + tuple(driver_evidence(d) for d in targetable + unconfirmed)
    for order in patient_or_brain_orders(ctx):
        yield Finding(rule=ONCOGENE_TARGETED_FIRST, indicator=Indicator.INFO, values=values, order=order,
                      variant="default" if targetable else "variant-unknown",
                      notes=("variant-unknown",) if unconfirmed else (),
                      evidence=evidence + (brain_order_evidence(order) if order else ()))


# --- brain-wbrt-omit-poor-ps ------------------------------------------------------------------

@rule(WBRT_OMIT_POOR_PS)
def brain_wbrt_omit_poor_ps(ctx: RuleContext) -> Iterator[Finding]:
    """Poor PS and no systemic option: WBRT can be omitted (QUARTZ). Missing PS: both branches."""
    facts = ctx.facts
    if not brain_metastases(facts) or facts.systemic_therapies:
        return
    ps = performance_status(facts)
    if ps is not None and ps < ctx.settings.poor_ps_min:
        return
    values = {"ps": ps, "poor_ps": ctx.settings.poor_ps_min}
    evidence = brain_metastasis_evidence(facts) + _ps_or_stale_evidence(ctx)
    notes = ("ps-unknown",) if ps is None else ()
    if not ctx.hook.is_order_hook:
        if in_scope(ctx):
            yield Finding(rule=WBRT_OMIT_POOR_PS, indicator=Indicator.INFO, values=values, evidence=evidence,
                          variant="ps-unknown" if ps is None else "default", notes=notes)
        return
    for order in wbrt_orders(ctx):
        # Only a recorded poor PS questions the order; without one the card gives both branches.
        yield Finding(rule=WBRT_OMIT_POOR_PS, indicator=Indicator.INFO if ps is None else Indicator.WARNING,
                      variant="ps-unknown" if ps is None else "wbrt-order", notes=notes, values=values,
                      evidence=evidence + brain_order_evidence(order), order=order)


# --- brain-wbrt-dose-too-low ------------------------------------------------------------------

@rule(WBRT_DOSE_TOO_LOW)
def brain_wbrt_dose_too_low(ctx: RuleContext) -> Iterator[Finding]:
    """A WBRT order below the BED10 of 20 Gy/5F; suggests 20 Gy/5F."""
    for order in wbrt_orders(ctx):
        regimen = order_regimen(order)
        if regimen is None or regimen.bed10 >= WBRT_MINIMUM.bed10:
            continue
        yield Finding(
            rule=WBRT_DOSE_TOO_LOW, indicator=Indicator.WARNING, order=order,
            values={"regimen": regimen.label, "bed10": regimen.bed10, "minimum_bed10": WBRT_MINIMUM.bed10},
            evidence=brain_order_evidence(order),
            suggestions=(RegimenSuggestion(WBRT_MINIMUM, WHOLE_BRAIN, label="wbrt", recommended=True,
                                           replaces=order),),
        )


RULES = (
    brain_srs_or_wbrt,
    brain_few_nsclc_surgery,
    brain_postoperative_rt,
    brain_asymptomatic_systemic_first,
    brain_oncogene_driven_targeted_first,
    brain_wbrt_omit_poor_ps,
    brain_wbrt_dose_too_low,
)
