"""Recommendation 3 (A): corticosteroids for brain metastases.

"Steroid behandling er indiceret ved cerebrale symptomer og kan startes alene på mistanken om cerebrale
metastaser. Ved fokale udfald anbefales f.eks. Prednisolon 25 mg dagligt, men ved tryksymptomer kan der
være behov for 50-100 mg (24). Højere dosis > 100 mg er sjældent nødvendigt." (l. 694-698)
"Steroid kan forebygge i en vis grad akutte bivirkninger og kan anbefales forud for WBRT, og evt. SBRT."
(l. 703-705)
"""

from __future__ import annotations

from collections.abc import Iterator

from service.facts.model import TherapyClass
from service.guideline.model import (
    ALL_HOOKS,
    Finding,
    Hook,
    Indicator,
    MedicationSuggestion,
    RuleContext,
    RuleSpec,
    rule,
)
from service.guideline.rec3_brain import (
    brain_metastases,
    brain_metastasis_evidence,
    brain_order_evidence,
    brain_orders,
    cerebral_symptom_evidence,
    corticosteroid_given_or_planned,
    symptomatic_brain_metastases,
    wbrt_orders,
)
from service.guideline.terms import in_scope, systemic_therapies

STEROIDS = RuleSpec(
    rule_id="brain-steroids", recommendation="3", evidence_grade="A", passage="l. 694-698",
    # It suggests a prescription, so it is shown at signing too (CONVENTIONS.md).
    hooks=ALL_HOOKS,
    override_reasons=("already-addressed", "contraindication", "record-out-of-date"),
)
STEROIDS_BEFORE_WBRT = RuleSpec(
    rule_id="brain-steroids-before-wbrt", recommendation="3", evidence_grade="A", passage="l. 703-705",
    hooks=frozenset({Hook.ORDER_SELECT}),
    override_reasons=("already-addressed", "contraindication", "local-protocol"),
)


@rule(STEROIDS)
def brain_steroids(ctx: RuleContext) -> Iterator[Finding]:
    """Symptomatic brain metastases and no corticosteroid: suggest prednisolone (example dose)."""
    facts = ctx.facts
    if not symptomatic_brain_metastases(facts) or corticosteroid_given_or_planned(facts):
        return
    # On order hooks the card belongs to a brain order; it is about the patient, so one card for all.
    if not (brain_orders(ctx) if ctx.hook.is_order_hook else in_scope(ctx)):
        return
    immunotherapy = systemic_therapies(facts, TherapyClass.IMMUNOTHERAPY)
    yield Finding(
        rule=STEROIDS, indicator=Indicator.INFO,
        evidence=brain_metastasis_evidence(facts) + cerebral_symptom_evidence(facts),
        notes=("immunotherapy",) if immunotherapy else (),
        suggestions=(MedicationSuggestion("prednisolone"),),
    )


@rule(STEROIDS_BEFORE_WBRT)
def brain_steroids_before_wbrt(ctx: RuleContext) -> Iterator[Finding]:
    """A WBRT order, asymptomatic brain metastases, no corticosteroid: steroids may prevent acute effects."""
    facts = ctx.facts
    if not brain_metastases(facts) or symptomatic_brain_metastases(facts) \
            or corticosteroid_given_or_planned(facts):
        return
    for order in wbrt_orders(ctx):
        yield Finding(rule=STEROIDS_BEFORE_WBRT, indicator=Indicator.INFO, order=order,
                      evidence=brain_metastasis_evidence(facts) + brain_order_evidence(order))


RULES = (brain_steroids, brain_steroids_before_wbrt)
