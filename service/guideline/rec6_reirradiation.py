"""Recommendation 6 (C): palliative re-irradiation.

"Palliativ genbestråling kan overvejes hvis symptomlindring er opnået ved tidligere behandling, der er
gået over 3-6 måneder fra sidste strålebehandling, constraints kan overholdes for risikoorganer på trods
af overlap med tidligere strålebehandling og hvis genbestråling findes klinisk relevant (C)"
(l. 157-163, l. 894-900; evidence l. 904-926; spinal cord l. 1200-1206).

A draft order re-irradiates when a prior (completed or stopped) course overlaps its site at region
level (`terms.sites_overlap`). Each rule judges each draft order against its overlapping prior courses
and gives at most one card per order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from service.facts.model import Intent, RadiotherapyCourse, RadiotherapyOrder, Region
from service.guideline.model import (
    ORDER_HOOKS,
    Evidence,
    Finding,
    Indicator,
    RuleContext,
    RuleSpec,
    rule,
)
from service.guideline.regimen import ALPHA_BETA_SPINAL_CORD
from service.guideline.terms import (
    contains_spinal_cord,
    course_evidence,
    course_regimen,
    has_thoracic_symptom,
    in_scope,
    is_region,
    metastasis_symptomatic,
    months_between,
    order_evidence,
    order_regimen,
    order_treats_metastasis,
    same_site,
    sites_overlap,
    spinal_cord_compressed_at,
    survival_evidence,
    survival_months,
)

MIN_INTERVAL_MONTHS = Decimal(3)
GREY_ZONE_END_MONTHS = Decimal(6)
""""der er gået over 3-6 måneder fra sidste strålebehandling" (l. 896): 3-6 months is the grey zone."""
CORD_SURVIVAL_MONTHS = Decimal(6)
"""Myelopathy risk on re-treatment "hvis levetiden overstiger 6 måneder" (l. 1200-1202)."""
PRIOR_STATUSES = frozenset({"completed", "stopped"})

_DEFAULT_OVERRIDES = ("clinical-judgement", "composite-dose-checked", "patient-preference",
                      "record-out-of-date")


def _spec(rule_id: str, passage: str, override_reasons: tuple[str, ...] = _DEFAULT_OVERRIDES) -> RuleSpec:
    return RuleSpec(rule_id=rule_id, recommendation="6", evidence_grade="C", passage=passage,
                    hooks=ORDER_HOOKS, override_reasons=override_reasons)


INTERVAL_TOO_SHORT = _spec("reirradiation-interval-too-short", "l. 157-163, l. 894-900")
CHECKLIST = _spec("reirradiation-checklist", "l. 894-940")
NO_PRIOR_RESPONSE = _spec("reirradiation-no-prior-response", "l. 894-900, l. 904-906",
                          ("clinical-judgement", "patient-preference", "record-out-of-date"))
ASYMPTOMATIC_LIFE_PROLONGING = _spec("reirradiation-asymptomatic-life-prolonging", "l. 924-926",
                                     ("clinical-judgement", "patient-preference", "record-out-of-date"))
SPINAL_CORD = _spec("reirradiation-spinal-cord", "l. 910-912, l. 1200-1206")
AFTER_CURATIVE = _spec("reirradiation-after-curative", "l. 920-926")


@dataclass(frozen=True, slots=True)
class _Reirradiation:
    """A draft order and the prior courses its site overlaps, most recently ended first."""

    order: RadiotherapyOrder
    courses: tuple[RadiotherapyCourse, ...]
    order_date: date

    def interval_months(self, course: RadiotherapyCourse) -> Decimal | None:
        return months_between(course.end, self.order_date) if course.end else None

    def evidence(self, courses: tuple[RadiotherapyCourse, ...] | None = None) -> tuple[Evidence, ...]:
        return (*(course_evidence(c) for c in (courses or self.courses)), order_evidence(self.order))


def _reirradiations(ctx: RuleContext) -> Iterator[_Reirradiation]:
    for order in ctx.judged_orders:
        if not in_scope(ctx, order):
            continue
        courses = tuple(c for c in ctx.facts.prior_courses
                        if c.status in PRIOR_STATUSES and sites_overlap(order.site, c.site))
        if courses:
            latest_first = sorted(courses, key=lambda c: c.end or date.min, reverse=True)
            yield _Reirradiation(order, tuple(latest_first), order.authored or ctx.today)


def _course_values(course: RadiotherapyCourse, months: Decimal | None = None) -> dict[str, object]:
    regimen = course_regimen(course)
    return {
        "prior_regimen": regimen.label if regimen else None,
        "prior_bed10": regimen.bed10 if regimen else None,
        "prior_site": course.site.region if course.site else None,
        "prior_end": course.end,
        "months": months,
    }


@rule(INTERVAL_TOO_SHORT)
def reirradiation_interval_too_short(ctx: RuleContext) -> Iterator[Finding]:
    """Less than 3 months since the last overlapping course ended."""
    for case in _reirradiations(ctx):
        short = [(months, c) for c in case.courses
                 if (months := case.interval_months(c)) is not None and months < MIN_INTERVAL_MONTHS]
        if not short:
            continue
        months, course = min(short, key=lambda pair: pair[0])
        yield Finding(rule=INTERVAL_TOO_SHORT, indicator=Indicator.WARNING,
                      evidence=case.evidence(tuple(c for _, c in short)),
                      values=_course_values(course, months), order=case.order)


@rule(CHECKLIST)
def reirradiation_checklist(ctx: RuleContext) -> Iterator[Finding]:
    """At least 3 months since the last overlapping course (or its end unknown): the guideline's criteria."""
    for case in _reirradiations(ctx):
        intervals = [case.interval_months(c) for c in case.courses]
        known = [months for months in intervals if months is not None]
        if any(months < MIN_INTERVAL_MONTHS for months in known):
            continue
        shortest = min(known) if known else None
        notes: tuple[str, ...] = ()
        if None in intervals:
            notes = ("interval-unknown",)
        elif shortest is not None and shortest < GREY_ZONE_END_MONTHS:
            notes = ("grey-zone",)
        latest = case.courses[0]
        yield Finding(rule=CHECKLIST, indicator=Indicator.INFO, evidence=case.evidence(),
                      values=_course_values(latest, case.interval_months(latest)),
                      variant="interval-unknown" if shortest is None else "default",
                      notes=notes, order=case.order)


@rule(NO_PRIOR_RESPONSE)
def reirradiation_no_prior_response(ctx: RuleContext) -> Iterator[Finding]:
    """Criterion (1), symptom relief from the prior course, is recorded as not met."""
    for case in _reirradiations(ctx):
        failed = tuple(c for c in case.courses if c.no_response)
        if failed:
            yield Finding(rule=NO_PRIOR_RESPONSE, indicator=Indicator.WARNING, evidence=case.evidence(failed),
                          values=_course_values(failed[0]), order=case.order)


def _symptomatic_at_order_site(ctx: RuleContext, order: RadiotherapyOrder) -> bool:
    """A recorded symptom at the site the order treats (CONVENTIONS.md: the life-prolonging aim)."""
    facts = ctx.facts
    site = order.site
    if order.reason_symptoms:
        return True
    if is_region(site, Region.THORAX) and has_thoracic_symptom(facts):
        return True
    if is_region(site, Region.BRAIN) and (
            any(s.kind.is_cerebral for s in facts.symptoms)
            or any(c.active and c.for_cerebral for c in facts.corticosteroids)):
        return True
    if facts.spinal_cord_compression is not None and spinal_cord_compressed_at(facts, site):
        return True
    if any(same_site(s.site, site) or sites_overlap(s.site, site) for s in facts.symptoms):
        return True
    return any(metastasis_symptomatic(m) and order_treats_metastasis(order, m) for m in facts.metastases)


@rule(ASYMPTOMATIC_LIFE_PROLONGING)
def reirradiation_asymptomatic_life_prolonging(ctx: RuleContext) -> Iterator[Finding]:
    """Not recommended as life-prolonging treatment alone in asymptomatic patients (l. 924-926)."""
    for case in _reirradiations(ctx):
        if _symptomatic_at_order_site(ctx, case.order):
            continue
        yield Finding(rule=ASYMPTOMATIC_LIFE_PROLONGING, indicator=Indicator.WARNING,
                      evidence=case.evidence(), values=_course_values(case.courses[0]), order=case.order)


def _sum_if_known(doses: list[Fraction | None]) -> Fraction | None:
    """The sum, or None when any term is unknown (a partial sum would understate the dose)."""
    return None if None in doses else sum((d for d in doses if d is not None), Fraction(0))


@rule(SPINAL_CORD)
def reirradiation_spinal_cord(ctx: RuleContext) -> Iterator[Finding]:
    """Re-treatment over the same part of the cord with expected survival > 6 months or unknown.

    The card shows the cumulative prescription-level EQD2 (alpha/beta 2 Gy, no recovery) of the
    overlapping prior courses and the draft: a region-level figure, not the cord dose.
    """
    months = survival_months(ctx.facts)
    if months is not None and months <= CORD_SURVIVAL_MONTHS:
        return
    for case in _reirradiations(ctx):
        if not contains_spinal_cord(case.order.site):
            continue
        courses = tuple(c for c in case.courses if contains_spinal_cord(c.site))
        if not courses:
            continue
        prior = [r.eqd2(ALPHA_BETA_SPINAL_CORD) if (r := course_regimen(c)) else None for c in courses]
        draft_regimen = order_regimen(case.order)
        draft = draft_regimen.eqd2(ALPHA_BETA_SPINAL_CORD) if draft_regimen else None
        prior_total = _sum_if_known(prior)
        total = _sum_if_known([prior_total, draft])
        notes: tuple[str, ...] = ("survival-unknown",) if months is None else ()
        if total is None:
            notes += ("dose-unknown",)
        yield Finding(
            rule=SPINAL_CORD, indicator=Indicator.WARNING,
            evidence=(*case.evidence(courses), *survival_evidence(ctx.facts)),
            values={**_course_values(courses[0]), "prior_eqd2": prior_total, "draft_eqd2": draft,
                    "total_eqd2": total, "courses": len(courses)},
            variant="dose-unknown" if total is None else "default",
            notes=notes, order=case.order,
        )


@rule(AFTER_CURATIVE)
def reirradiation_after_curative(ctx: RuleContext) -> Iterator[Finding]:
    """Overlap with a curative-intent course (PCI, preventive, is not curative)."""
    for case in _reirradiations(ctx):
        curative = tuple(c for c in case.courses if c.intent is Intent.CURATIVE)
        if curative:
            yield Finding(rule=AFTER_CURATIVE, indicator=Indicator.WARNING, evidence=case.evidence(curative),
                          values=_course_values(curative[0]), order=case.order)


RULES = (
    reirradiation_interval_too_short,
    reirradiation_checklist,
    reirradiation_no_prior_response,
    reirradiation_asymptomatic_life_prolonging,
    reirradiation_spinal_cord,
    reirradiation_after_curative,
)
