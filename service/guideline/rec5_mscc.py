"""Recommendation 5 (A): metastatic spinal cord compression (MSCC).

"Patienter med lungekræft og metastatisk medullært tværsnitssyndrom skal vurderes akut med henblik
på palliativ strålebehandling, hvis kirurgi ikke er mulig" (l. 792-850).

Both rules need a lung cancer (MSCC makes it metastatic, so it is in scope whatever is ordered).
The fractionation advice stops once the compressed level has been irradiated; after a decompression
it stays, since postoperative RT is still due (l. 849-851).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from service.facts.model import RadiotherapyOrder, Region, Site, SpinalCordCompression
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
from service.guideline.terms import (
    SPINE_REGIONS,
    is_region,
    spinal_cord_compressed_at,
    survival_evidence,
    survival_months,
)

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


def _lung_cancer_mscc(ctx: RuleContext) -> SpinalCordCompression | None:
    """MSCC in a patient with lung cancer: metastatic by definition, so in scope whatever is ordered."""
    return ctx.facts.spinal_cord_compression if ctx.facts.lung_cancer is not None else None


@rule(ACUTE_EVALUATION)
def mscc_acute_evaluation(ctx: RuleContext) -> Iterator[Finding]:
    """Critical on every hook, whatever is ordered, until the MSCC is treated (CONVENTIONS.md)."""
    mscc = _lung_cancer_mscc(ctx)
    if mscc is None or mscc.treated_by is not None:
        return
    yield Finding(rule=ACUTE_EVALUATION, indicator=Indicator.CRITICAL, evidence=_mscc_evidence(ctx))


def _irradiated(ctx: RuleContext, mscc: SpinalCordCompression) -> bool:
    """A course to the compressed level since the onset (not decompression, after which RT is still due)."""
    treated = mscc.treated_by.reference if mscc.treated_by else None
    return any(
        course.source.reference == treated
        or (mscc.onset is not None and course.start is not None and course.start >= mscc.onset
            and is_region(course.site, *SPINE_REGIONS) and spinal_cord_compressed_at(ctx.facts, course.site))
        for course in ctx.facts.prior_courses
    )


def _spine_order(ctx: RuleContext) -> RadiotherapyOrder | None:
    """The judged draft order drawn on the compressed spine level, if any."""
    return next((o for o in ctx.judged_orders
                 if is_region(o.site, *SPINE_REGIONS) and spinal_cord_compressed_at(ctx.facts, o.site)), None)


@rule(FRACTIONATION)
def mscc_fractionation(ctx: RuleContext) -> Iterator[Finding]:
    """With a survival estimate, the one matching regimen; without one, both, labelled.

    Not shown once the MSCC has been irradiated; after decompression it stays (postoperative RT).
    """
    mscc = _lung_cancer_mscc(ctx)
    if mscc is None or _irradiated(ctx, mscc):
        return
    if ctx.hook.is_order_hook and not ctx.judged_orders:
        return
    replaces = _spine_order(ctx)
    site = replaces.site if replaces and replaces.site else mscc.site or Site(Region.SPINAL_CORD)
    months = survival_months(ctx.facts)
    evidence = _mscc_evidence(ctx) + survival_evidence(ctx.facts)
    postoperative: tuple[str, ...] = ()
    if mscc.treated_by is not None:
        evidence += (Evidence("mscc-treated", mscc.treated_by),)
        postoperative = ("after-decompression",)
    if months is None:
        suggestions = (
            RegimenSuggestion(SINGLE_8_GY, site, label="if-survival-short", replaces=replaces),
            RegimenSuggestion(R30_10, site, label="if-survival-long", replaces=replaces),
        )
        yield Finding(rule=FRACTIONATION, indicator=Indicator.INFO, evidence=evidence,
                      variant="survival-unknown", notes=("survival-unknown", *postoperative),
                      suggestions=suggestions, order=replaces)
        return
    short = months < SHORT_SURVIVAL_MONTHS
    regimen = SINGLE_8_GY if short else R30_10
    yield Finding(
        rule=FRACTIONATION, indicator=Indicator.INFO, evidence=evidence,
        values={"regimen": regimen.label, "months": months},
        variant="survival-short" if short else "survival-long", notes=postoperative,
        suggestions=(RegimenSuggestion(regimen, site, recommended=True, replaces=replaces),),
        order=replaces,
    )


RULES = (mscc_acute_evaluation, mscc_fractionation)
