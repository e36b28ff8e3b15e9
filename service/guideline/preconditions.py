"""Preconditions of the recommendations and the guideline's scope.

"Før strålebehandling planlægges, bør der foreligge tilstrækkelige vurdering af patientens
almentilstand og en vurdering af forventet restlevetid, således at patienten kan nå at få gavn af
strålebehandlingen" (l. 211-216). The guideline covers patients with SCLC or NSCLC "hvor kurativ
behandling ikke er mulig" (l. 225-227).
"""

from __future__ import annotations

from collections.abc import Iterator

from service.facts.model import Intent, PatientFacts, RadiotherapyOrder
from service.guideline.model import (
    ALL_HOOKS,
    Evidence,
    Finding,
    Hook,
    Indicator,
    RuleContext,
    RuleSpec,
    rule,
)
from service.guideline.terms import (
    order_evidence,
    order_in_scope,
    patient_in_scope,
    stale_ps_evidence,
)

PS_MISSING = RuleSpec(
    rule_id="performance-status-missing",
    recommendation=None,
    evidence_grade=None,
    passage="l. 211-216",
    hooks=ALL_HOOKS,
    override_reasons=("assessed-not-recorded", "record-out-of-date", "clinical-judgement"),
)

SURVIVAL_MISSING = RuleSpec(
    rule_id="survival-estimate-missing",
    recommendation=None,
    evidence_grade=None,
    passage="l. 211-216",
    hooks=frozenset({Hook.ORDER_SELECT}),
    override_reasons=("assessed-not-recorded", "record-out-of-date", "clinical-judgement"),
)

OUT_OF_SCOPE = RuleSpec(
    rule_id="out-of-scope",
    recommendation=None,
    evidence_grade=None,
    passage="l. 167-169, l. 225-227",
    hooks=frozenset({Hook.ORDER_SELECT}),
    override_reasons=("record-out-of-date", "clinical-judgement"),
)


def _in_scope_on_hook(ctx: RuleContext) -> bool:
    """Patient-view: the patient; order hooks: at least one judged draft order the guideline covers."""
    if ctx.hook is Hook.PATIENT_VIEW:
        return patient_in_scope(ctx.facts)
    return any(order_in_scope(ctx.facts, order) for order in ctx.judged_orders)


@rule(PS_MISSING)
def performance_status_missing(ctx: RuleContext) -> Iterator[Finding]:
    """Warning on order-sign (the plan is about to be signed without it), info otherwise."""
    if ctx.facts.performance_status is not None or not _in_scope_on_hook(ctx):
        return
    stale = stale_ps_evidence(ctx.facts)
    yield Finding(
        rule=PS_MISSING,
        indicator=Indicator.WARNING if ctx.hook is Hook.ORDER_SIGN else Indicator.INFO,
        evidence=stale,
        variant="stale" if stale else "default",
    )


@rule(SURVIVAL_MISSING)
def survival_estimate_missing(ctx: RuleContext) -> Iterator[Finding]:
    """An estimate that cannot be read as a duration counts as missing, and the card says so."""
    estimate = ctx.facts.survival_estimate
    if (estimate is not None and estimate.months is not None) or not _in_scope_on_hook(ctx):
        return
    if estimate is None:
        yield Finding(rule=SURVIVAL_MISSING, indicator=Indicator.INFO)
        return
    yield Finding(
        rule=SURVIVAL_MISSING, indicator=Indicator.INFO,
        evidence=(Evidence("survival-estimate-unreadable", estimate.source, {"text": estimate.text}),),
        variant="unreadable",
    )


def _out_of_scope_reason(facts: PatientFacts, order: RadiotherapyOrder) -> str:
    if facts.lung_cancer is None:
        return "no-lung-cancer"
    if order.intent is Intent.CURATIVE:
        return "curative-intent"
    return "not-incurable"


@rule(OUT_OF_SCOPE)
def out_of_scope(ctx: RuleContext) -> Iterator[Finding]:
    """Each selected order the guideline does not cover, so the clinician knows why the service is silent."""
    for order in ctx.judged_orders:
        if order_in_scope(ctx.facts, order):
            continue
        evidence: tuple[Evidence, ...] = (order_evidence(order),)
        if ctx.facts.lung_cancer is not None:
            evidence += (Evidence("lung-cancer", ctx.facts.lung_cancer.source,
                                  {"histology": ctx.facts.lung_cancer.histology}),)
        yield Finding(rule=OUT_OF_SCOPE, indicator=Indicator.INFO, evidence=evidence,
                      values={"intent": order.intent}, variant=_out_of_scope_reason(ctx.facts, order),
                      order=order)


RULES = (performance_status_missing, survival_estimate_missing, out_of_scope)
