"""Recommendation 5 (A): metastatic spinal cord compression (MSCC).

"Patienter med lungekræft og metastatisk medullært tværsnitssyndrom skal vurderes akut med henblik
på palliativ strålebehandling, hvis kirurgi ikke er mulig" (l. 792-850).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from service.facts.model import Region, Site
from service.guideline.model import (
    ALL_HOOKS,
    Evidence,
    Finding,
    Indicator,
    RegimenSuggestion,
    RuleContext,
    RuleSpec,
    rule,
)
from service.guideline.regimen import R30_10, SINGLE_8_GY
from service.guideline.terms import survival_evidence, survival_months

SHORT_SURVIVAL_MONTHS = Decimal(6)

ACUTE_EVALUATION = RuleSpec(
    rule_id="mscc-acute-evaluation",
    recommendation="5",
    evidence_grade="A",
    passage="l. 792-820",
    hooks=ALL_HOOKS,
    override_reasons=("already-addressed", "patient-preference", "record-out-of-date"),
)

FRACTIONATION = RuleSpec(
    rule_id="mscc-fractionation",
    recommendation="5",
    evidence_grade="A",
    passage="l. 822-850",
    hooks=ALL_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "local-protocol"),
)


def _mscc_evidence(ctx: RuleContext) -> tuple[Evidence, ...]:
    mscc = ctx.facts.spinal_cord_compression
    return (Evidence("mscc", mscc.source),) if mscc else ()


@rule(ACUTE_EVALUATION)
def mscc_acute_evaluation(ctx: RuleContext) -> Iterator[Finding]:
    """Critical on every hook, whatever is ordered, until the MSCC is treated (CONVENTIONS.md)."""
    mscc = ctx.facts.spinal_cord_compression
    if mscc is None or mscc.treated_by is not None:
        return
    yield Finding(rule=ACUTE_EVALUATION, indicator=Indicator.CRITICAL, evidence=_mscc_evidence(ctx))


def _spine_site(ctx: RuleContext) -> Site:
    mscc = ctx.facts.spinal_cord_compression
    return mscc.site if mscc and mscc.site else Site(Region.SPINAL_CORD)


@rule(FRACTIONATION)
def mscc_fractionation(ctx: RuleContext) -> Iterator[Finding]:
    """With a survival estimate, the one matching regimen; without one, both, labelled."""
    mscc = ctx.facts.spinal_cord_compression
    if mscc is None:
        return
    if ctx.hook.is_order_hook and not ctx.judged_orders:
        return
    site = _spine_site(ctx)
    replaces = next((o for o in ctx.judged_orders if o.site and o.site.region is site.region), None)
    months = survival_months(ctx.facts)
    evidence = _mscc_evidence(ctx) + survival_evidence(ctx.facts)
    if months is None:
        suggestions = (
            RegimenSuggestion(SINGLE_8_GY, site, label="if-survival-short", replaces=replaces),
            RegimenSuggestion(R30_10, site, label="if-survival-long", replaces=replaces),
        )
        yield Finding(rule=FRACTIONATION, indicator=Indicator.INFO, evidence=evidence,
                      variant="survival-unknown", notes=("survival-unknown",),
                      suggestions=suggestions, order=replaces)
        return
    short = months < SHORT_SURVIVAL_MONTHS
    regimen = SINGLE_8_GY if short else R30_10
    yield Finding(
        rule=FRACTIONATION, indicator=Indicator.INFO, evidence=evidence,
        values={"regimen": regimen.label, "months": months},
        variant="survival-short" if short else "survival-long",
        suggestions=(RegimenSuggestion(regimen, site, recommended=True, replaces=replaces),),
        order=replaces,
    )


RULES = (mscc_acute_evaluation, mscc_fractionation)
