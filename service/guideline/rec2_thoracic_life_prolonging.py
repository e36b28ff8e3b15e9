"""Recommendation 2 (A): life-prolonging thoracic radiotherapy for asymptomatic lung cancer.

"Patienter med uhelbredelig asymptomatisk lungekræft uden eller med begrænset ekstrathorakal
metastasering kan vurderes med henblik på thorakal pallierende strålebehandling som livsforlængende
behandling (A)" (l. 461-465). Evidence l. 468-534 (good PS, expected survival > 6 months, BED > 35 Gy,
no systemic option, oligometastatic disease), technique in appendix 1, l. 1170-1182.

"Rec-2 eligible" is a conjunction of conditions. Each is a predicate below that says whether it is
met, not met, or unknown; the card states every condition it relied on, and unknown ones as
assumptions, so the clinician can judge them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from service.facts.model import PatientFacts, RadiotherapyOrder, Region, Site
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
from service.guideline.regimen import BED10_ADEQUATE_LIFE_PROLONGING, R25_5, R30_10, Regimen
from service.guideline.terms import (
    counted_limited_extrathoracic,
    extrathoracic_organs,
    has_thoracic_symptom,
    is_thoracic_order,
    lesion_count,
    limited_extrathoracic_disease,
    metastatic_organs,
    oligometastatic,
    oligometastatic_evidence,
    order_evidence,
    order_in_scope,
    order_regimen,
    patient_in_scope,
    performance_status,
    prior_courses_in,
    ps_evidence,
    stale_ps_evidence,
    survival_evidence,
    survival_months,
    systemic_therapies,
)

GOOD_PS_MAX = 1
"""Eligible in "god performance status" (l. 468), read as PS 0-1; PS 2-4 cannot expect benefit (l. 482)."""
POOR_PS_RANGE = range(2, 5)
SURVIVAL_MIN_MONTHS = Decimal(6)
"""Life-prolonging effect presumes "forventet restlevetid på mere end 6 måneder" (l. 468-470)."""
LIFE_PROLONGING_REGIMENS = (R30_10, R25_5)
"""BED10 >= 35 Gy: 30 Gy/10F 39.0, 25 Gy/5F 37.5 (l. 512-516, l. 1170-1172)."""

LIFE_PROLONGING = RuleSpec(
    rule_id="thoracic-life-prolonging",
    recommendation="2",
    evidence_grade="A",
    passage="l. 468-520, l. 1170-1182",
    hooks=ALL_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "record-out-of-date", "local-protocol"),
)

LOW_BED = RuleSpec(
    rule_id="thoracic-life-prolonging-low-bed",
    recommendation="2",
    evidence_grade="A",
    passage="l. 476-482, l. 512-516, l. 1170-1172",
    hooks=ORDER_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "record-out-of-date", "local-protocol"),
)

ASYMPTOMATIC_POOR_PS = RuleSpec(
    rule_id="thoracic-asymptomatic-poor-ps",
    recommendation="2",
    evidence_grade="A",
    passage="l. 482-484",
    hooks=ORDER_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "record-out-of-date"),
)

EXTENSIVE_DISEASE = RuleSpec(
    rule_id="thoracic-asymptomatic-extensive-disease",
    recommendation="2",
    evidence_grade="A",
    passage="l. 468-472",
    hooks=ORDER_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "record-out-of-date"),
)

SURVIVAL_SHORT = RuleSpec(
    rule_id="thoracic-survival-short",
    recommendation="2",
    evidence_grade="A",
    passage="l. 468-472",
    hooks=ORDER_HOOKS,
    override_reasons=("clinical-judgement", "patient-preference", "record-out-of-date"),
)

SYSTEMIC_OPTION_FIRST = RuleSpec(
    rule_id="thoracic-systemic-option-first",
    recommendation="2",
    evidence_grade="A",
    passage="l. 476-478, l. 500-508",
    hooks=ORDER_HOOKS,
    override_reasons=("no-systemic-option", "clinical-judgement", "patient-preference", "record-out-of-date"),
)

OLIGOMETASTATIC = RuleSpec(
    rule_id="oligometastatic-local-therapy",
    recommendation="2",
    evidence_grade="A",
    passage="l. 524-534",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    override_reasons=("already-addressed", "clinical-judgement", "patient-preference", "record-out-of-date"),
)


# --- Rec-2 eligibility, one predicate per condition -------------------------------------------

@dataclass(frozen=True, slots=True)
class Condition:
    """One condition of Rec-2 eligibility as read from the record."""

    met: bool | None
    """True met, False not met, None not recorded (the card states it as an assumption)."""
    note: str | None = None
    """Key of the card paragraph stating the condition as found; None when not met (no card shows it)."""
    evidence: tuple[Evidence, ...] = ()


def asymptomatic(facts: PatientFacts) -> Condition:
    if has_thoracic_symptom(facts):
        return Condition(False)
    return Condition(True, "condition-no-thoracic-symptom")


def limited_extrathoracic(facts: PatientFacts) -> Condition:
    """No extrathoracic metastases, or oligometastatic disease (convention: <= 5 lesions in <= 3 organs)."""
    limited = limited_extrathoracic_disease(facts)
    if not extrathoracic_organs(facts):
        return Condition(True, "condition-no-extrathoracic-disease")
    evidence = _metastasis_evidence(facts)
    if limited is None:
        return Condition(None, "condition-extent-unknown", evidence)
    if not limited:
        return Condition(False, evidence=evidence)
    if facts.oligometastatic is not None and not counted_limited_extrathoracic(facts):
        return Condition(True, "condition-oligometastatic-stated", oligometastatic_evidence(facts))
    return Condition(True, "condition-oligometastatic-counted", evidence)


def good_performance_status(facts: PatientFacts) -> Condition:
    ps = performance_status(facts)
    if ps is None:
        return Condition(None, "condition-ps-unknown", stale_ps_evidence(facts))
    if ps > GOOD_PS_MAX:
        return Condition(False)
    return Condition(True, "condition-ps-good", ps_evidence(facts))


def survival_long_enough(facts: PatientFacts) -> Condition:
    """> 6 months, or unknown (then stated as an assumption)."""
    months = survival_months(facts)
    if months is None:
        return Condition(None, "condition-survival-unknown")
    if months <= SURVIVAL_MIN_MONTHS:
        return Condition(False)
    return Condition(True, "condition-survival-long", survival_evidence(facts))


def no_systemic_option(facts: PatientFacts) -> Condition:
    """The record shows therapy active or planned; whether an option exists is the clinician's call."""
    if systemic_therapies(facts):
        return Condition(False)
    return Condition(True, "condition-no-systemic-therapy")


def no_prior_thoracic_course(facts: PatientFacts) -> Condition:
    if prior_courses_in(facts, Region.THORAX):
        return Condition(False)
    return Condition(True, "condition-no-prior-thoracic-course")


ELIGIBILITY = (asymptomatic, limited_extrathoracic, good_performance_status, survival_long_enough,
               no_systemic_option, no_prior_thoracic_course)


@dataclass(frozen=True, slots=True)
class Eligibility:
    conditions: tuple[Condition, ...]
    values: dict[str, object] = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return all(condition.met is not False for condition in self.conditions)

    @property
    def fully_recorded(self) -> bool:
        return all(condition.met for condition in self.conditions)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(condition.note for condition in self.conditions if condition.note)

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return tuple(e for condition in self.conditions for e in condition.evidence)


def rec2_eligibility(facts: PatientFacts) -> Eligibility:
    """Rec-2 eligible (DECISION-TABLE.md), in scope apart; `values` feed the condition paragraphs."""
    # The numbers the oligometastatic computation uses: every metastatic organ and its lesions.
    organs = metastatic_organs(facts)
    counts = [lesion_count(facts, organ) for organ in organs]
    values: dict[str, object] = {
        "ps": performance_status(facts),
        "months": survival_months(facts),
        "organs": len(organs),
        "lesions": sum(c for c in counts if c is not None) if all(c is not None for c in counts) else None,
    }
    return Eligibility(tuple(condition(facts) for condition in ELIGIBILITY), values)


# --- shared helpers ---------------------------------------------------------------------------

def _metastasis_evidence(facts: PatientFacts) -> tuple[Evidence, ...]:
    return tuple(Evidence("metastasis", m.source, {"organ": m.organ, "lesions": m.lesion_count})
                 for m in facts.metastases)


def _therapy_evidence(facts: PatientFacts) -> tuple[Evidence, ...]:
    return tuple(
        Evidence("systemic-therapy-planned" if t.planned else "systemic-therapy-active", t.source,
                 {"therapy": t.therapy_class, "code": t.code})
        for t in systemic_therapies(facts)
    )


def _asymptomatic_thoracic_orders(ctx: RuleContext) -> tuple[RadiotherapyOrder, ...]:
    """Judged thoracic orders of an asymptomatic patient: their aim is life-prolonging (CONVENTIONS.md)."""
    if has_thoracic_symptom(ctx.facts):
        return ()
    return tuple(o for o in ctx.judged_orders if is_thoracic_order(o) and order_in_scope(ctx.facts, o))


def _suggestions(regimens: tuple[Regimen, ...], order: RadiotherapyOrder | None, *,
                 recommended: bool = False) -> tuple[RegimenSuggestion, ...]:
    site = order.site if order is not None and order.site is not None else Site(Region.THORAX)
    return tuple(RegimenSuggestion(r, site, replaces=order, recommended=recommended) for r in regimens)


def _order_values(order: RadiotherapyOrder | None) -> dict[str, object]:
    regimen = order_regimen(order) if order is not None else None
    return {"regimen": regimen.label if regimen else None, "bed10": regimen.bed10 if regimen else None}


# --- thoracic-life-prolonging -----------------------------------------------------------------

@rule(LIFE_PROLONGING)
def thoracic_life_prolonging(ctx: RuleContext) -> Iterator[Finding]:
    """Patient-view: suggest 30 Gy/10F and 25 Gy/5F. Order hooks: an order with BED10 >= 35 is confirmed,
    one without a dose gets the suggestions, one below 35 is left to the low-BED warning."""
    facts = ctx.facts
    eligibility = rec2_eligibility(facts)
    if not eligibility.eligible:
        return
    targets: tuple[RadiotherapyOrder | None, ...]
    if ctx.hook is Hook.PATIENT_VIEW:
        targets = (None,) if patient_in_scope(facts) else ()
    else:
        targets = _asymptomatic_thoracic_orders(ctx)
    for order in targets:
        regimen = order_regimen(order) if order is not None else None
        if regimen is not None and regimen.bed10 < BED10_ADEQUATE_LIFE_PROLONGING:
            continue
        if regimen is not None:
            variant, suggestions = "order-adequate", ()
        else:
            variant = "default" if eligibility.fully_recorded else "conditional"
            suggestions = _suggestions(LIFE_PROLONGING_REGIMENS, order)
        yield Finding(
            rule=LIFE_PROLONGING, indicator=Indicator.INFO,
            evidence=eligibility.evidence + ((order_evidence(order),) if order is not None else ()),
            values=eligibility.values | _order_values(order),
            notes=(*eligibility.notes, "bed-discrepancy"), variant=variant, suggestions=suggestions,
            order=order,
        )


@rule(LOW_BED)
def thoracic_life_prolonging_low_bed(ctx: RuleContext) -> Iterator[Finding]:
    """Rec-2 eligible apart from the order itself, ordered BED10 < 35: suggest 30 Gy/10F."""
    eligibility = rec2_eligibility(ctx.facts)
    if not eligibility.eligible:
        return
    for order in _asymptomatic_thoracic_orders(ctx):
        regimen = order_regimen(order)
        if regimen is None or regimen.bed10 >= BED10_ADEQUATE_LIFE_PROLONGING:
            continue
        yield Finding(
            rule=LOW_BED, indicator=Indicator.WARNING,
            evidence=(order_evidence(order), *eligibility.evidence),
            values=eligibility.values | _order_values(order),
            notes=(*eligibility.notes, "bed-discrepancy"),
            suggestions=_suggestions((R30_10,), order, recommended=True),
            order=order,
        )


# --- asymptomatic patients outside Rec-2: warnings on a thoracic order -----------------------

@rule(ASYMPTOMATIC_POOR_PS)
def thoracic_asymptomatic_poor_ps(ctx: RuleContext) -> Iterator[Finding]:
    ps = performance_status(ctx.facts)
    if ps is None or ps not in POOR_PS_RANGE:
        return
    for order in _asymptomatic_thoracic_orders(ctx):
        yield Finding(rule=ASYMPTOMATIC_POOR_PS, indicator=Indicator.WARNING,
                      evidence=(order_evidence(order), *ps_evidence(ctx.facts)),
                      values={"ps": ps}, order=order)


@rule(EXTENSIVE_DISEASE)
def thoracic_asymptomatic_extensive_disease(ctx: RuleContext) -> Iterator[Finding]:
    """Only when the extent is known to exceed the limit; unknown extent is an assumption on other cards."""
    condition = limited_extrathoracic(ctx.facts)
    if condition.met is not False:
        return
    values = rec2_eligibility(ctx.facts).values
    for order in _asymptomatic_thoracic_orders(ctx):
        yield Finding(rule=EXTENSIVE_DISEASE, indicator=Indicator.WARNING,
                      evidence=(order_evidence(order), *condition.evidence),
                      values={"organs": values["organs"], "lesions": values["lesions"]}, order=order)


@rule(SURVIVAL_SHORT)
def thoracic_survival_short(ctx: RuleContext) -> Iterator[Finding]:
    months = survival_months(ctx.facts)
    if months is None or months > SURVIVAL_MIN_MONTHS:
        return
    for order in _asymptomatic_thoracic_orders(ctx):
        yield Finding(rule=SURVIVAL_SHORT, indicator=Indicator.WARNING,
                      evidence=(order_evidence(order), *survival_evidence(ctx.facts)),
                      values={"months": months}, order=order)


@rule(SYSTEMIC_OPTION_FIRST)
def thoracic_systemic_option_first(ctx: RuleContext) -> Iterator[Finding]:
    if not systemic_therapies(ctx.facts):
        return
    for order in _asymptomatic_thoracic_orders(ctx):
        yield Finding(rule=SYSTEMIC_OPTION_FIRST, indicator=Indicator.INFO,
                      evidence=(order_evidence(order), *_therapy_evidence(ctx.facts)), order=order)


# --- oligometastatic-local-therapy ------------------------------------------------------------

@rule(OLIGOMETASTATIC)
def oligometastatic_local_therapy(ctx: RuleContext) -> Iterator[Finding]:
    """Patient-view; `sbrt-selected-lesion` is its order-hook counterpart."""
    facts = ctx.facts
    if not patient_in_scope(facts):
        return
    is_oligometastatic = bool(oligometastatic(facts))
    if not is_oligometastatic and facts.oligoprogression is None:
        return
    evidence = oligometastatic_evidence(facts) if is_oligometastatic else ()
    if facts.oligoprogression is not None:
        evidence += (Evidence("oligoprogression", facts.oligoprogression),)
    yield Finding(rule=OLIGOMETASTATIC, indicator=Indicator.INFO, evidence=evidence,
                  variant="default" if is_oligometastatic else "oligoprogression")


RULES = (
    thoracic_life_prolonging,
    thoracic_life_prolonging_low_bed,
    thoracic_asymptomatic_poor_ps,
    thoracic_asymptomatic_extensive_disease,
    thoracic_survival_short,
    thoracic_systemic_option_first,
    oligometastatic_local_therapy,
)
