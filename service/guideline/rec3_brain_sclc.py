"""Recommendation 3 (A): brain metastases of small cell lung cancer (SCLC).

"Patienter med cerebrale metastaser af SCLC kan tilbydes helhjernebestråling, men systemisk behandling
bør overvejes som første behandlingsvalg da ekstrakranial sygdomskontrol ofte prioriteres" (l. 654-656).
"Ved diagnosticering af multiple hjernemetastaser senere i forløbet tilbydes helhjernebestråling til
patienter med forventet overlevelse > 3 måneder, hvor der ikke er givet profylaktisk cerebral
strålebehandling (PCI)." (l. 662-666). Unknown histology: these rules do not fire (CONVENTIONS.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from service.facts.model import Histology
from service.guideline.model import (
    ORDER_HOOKS,
    Finding,
    Indicator,
    RuleContext,
    RuleSpec,
    rule,
)
from service.guideline.rec3_brain import (
    PATIENT_VIEW_AND_SELECT,
    brain_course_evidence,
    brain_metastases,
    brain_metastasis_evidence,
    brain_order_evidence,
    patient_or_brain_orders,
    wbrt_orders,
    whole_brain_courses,
)
from service.guideline.terms import histology, survival_evidence, survival_months

WBRT_MIN_SURVIVAL_MONTHS = Decimal(3)
"""l. 664: WBRT "til patienter med forventet overlevelse > 3 måneder"."""

SCLC_SYSTEMIC_FIRST = RuleSpec(
    rule_id="brain-sclc-systemic-first", recommendation="3", evidence_grade="A", passage="l. 654-692",
    hooks=PATIENT_VIEW_AND_SELECT,
    override_reasons=("already-addressed", "clinical-judgement", "clinical-trial"),
)
SCLC_AFTER_PCI = RuleSpec(
    rule_id="brain-sclc-after-pci", recommendation="3", evidence_grade="A", passage="l. 662-666",
    hooks=ORDER_HOOKS,
    override_reasons=("composite-dose-checked", "clinical-judgement", "record-out-of-date"),
)
SCLC_WBRT_SURVIVAL_SHORT = RuleSpec(
    rule_id="brain-sclc-wbrt-survival-short", recommendation="3", evidence_grade="A", passage="l. 662-666",
    hooks=ORDER_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "record-out-of-date"),
)


@rule(SCLC_SYSTEMIC_FIRST)
def brain_sclc_systemic_first(ctx: RuleContext) -> Iterator[Finding]:
    """SCLC with brain metastases: systemic therapy should be considered first."""
    if histology(ctx.facts) is not Histology.SCLC or not brain_metastases(ctx.facts):
        return
    evidence = brain_metastasis_evidence(ctx.facts)
    for order in patient_or_brain_orders(ctx):
        yield Finding(rule=SCLC_SYSTEMIC_FIRST, indicator=Indicator.INFO, order=order,
                      evidence=evidence + (brain_order_evidence(order) if order else ()))


@rule(SCLC_AFTER_PCI)
def brain_sclc_after_pci(ctx: RuleContext) -> Iterator[Finding]:
    """SCLC, a WBRT order and a prior whole-brain course (PCI or WBRT).

    WBRT is offered where no PCI was given; another whole-brain course is re-irradiation.
    """
    if histology(ctx.facts) is not Histology.SCLC:
        return
    prior = whole_brain_courses(ctx.facts)
    if not prior:
        return
    prior_evidence = tuple(e for course in prior for e in brain_course_evidence(course))
    for order in wbrt_orders(ctx):
        yield Finding(rule=SCLC_AFTER_PCI, indicator=Indicator.WARNING, order=order,
                      evidence=prior_evidence + brain_order_evidence(order))


@rule(SCLC_WBRT_SURVIVAL_SHORT)
def brain_sclc_wbrt_survival_short(ctx: RuleContext) -> Iterator[Finding]:
    """SCLC and a WBRT order with expected survival <= 3 months; unknown survival: both branches (info)."""
    if histology(ctx.facts) is not Histology.SCLC:
        return
    months = survival_months(ctx.facts)
    if months is not None and months > WBRT_MIN_SURVIVAL_MONTHS:
        return
    for order in wbrt_orders(ctx):
        evidence = survival_evidence(ctx.facts) + brain_order_evidence(order)
        if months is None:
            yield Finding(rule=SCLC_WBRT_SURVIVAL_SHORT, indicator=Indicator.INFO, order=order,
                          variant="survival-unknown", notes=("survival-unknown",), evidence=evidence)
            continue
        yield Finding(rule=SCLC_WBRT_SURVIVAL_SHORT, indicator=Indicator.WARNING, order=order,
                      values={"months": months}, evidence=evidence)


RULES = (brain_sclc_systemic_first, brain_sclc_after_pci, brain_sclc_wbrt_survival_short)
