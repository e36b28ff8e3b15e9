"""Recommendation 7 (no grade): follow-up after palliative radiotherapy.

"Patienter med potentiale for yderligere behandling kan tilbydes kontrolforløb efter endt palliativ
strålebehandling jf. kliniske retningslinjer for opfølgning efter behandling for lungekræft" (l. 79-84);
"Efter palliativ strålebehandling skal kontrolforløbet individualiseres og for patienter, hvor der ikke
ses muligheder for yderligere behandling, kan den undlades" (l. 865-867).

The recommendation appears only in the change log, which gives it no grade (CONVENTIONS.md).
"Potential for further treatment" is read as PS 0-2 *(convention)*; without a recent PS the card
gives both branches.
"""

from __future__ import annotations

from collections.abc import Iterator

from service.facts.model import Intent, RadiotherapyCourse
from service.guideline.model import Finding, Hook, Indicator, RuleContext, RuleSpec, rule
from service.guideline.terms import (
    course_evidence,
    patient_in_scope,
    performance_status,
    ps_evidence,
    stale_ps_evidence,
)

FURTHER_TREATMENT_MAX_PS = 2
"""*(convention)* PS 0-2 stands for "potentiale for yderligere behandling"."""

FOLLOW_UP = RuleSpec(
    rule_id="follow-up-after-palliative-rt",
    recommendation="7",
    evidence_grade=None,
    passage="l. 79-84, l. 865-867",
    hooks=frozenset({Hook.PATIENT_VIEW}),
    override_reasons=("already-addressed", "clinical-judgement", "patient-preference"),
)


def _recent_palliative_courses(ctx: RuleContext) -> tuple[RadiotherapyCourse, ...]:
    window = ctx.settings.follow_up_window_days
    return tuple(
        course for course in ctx.facts.prior_courses
        if course.status == "completed" and course.intent is Intent.PALLIATIVE
        and course.end is not None and 0 <= (ctx.today - course.end).days <= window
    )


@rule(FOLLOW_UP)
def follow_up_after_palliative_rt(ctx: RuleContext) -> Iterator[Finding]:
    if not patient_in_scope(ctx.facts):
        return
    courses = _recent_palliative_courses(ctx)
    if not courses:
        return
    latest = max(courses, key=lambda course: course.end or ctx.today)
    ps = performance_status(ctx.facts)
    if ps is not None and ps > FURTHER_TREATMENT_MAX_PS:
        return
    values = {"ended": latest.end, "days": ctx.settings.follow_up_window_days, "ps": ps}
    yield Finding(
        rule=FOLLOW_UP, indicator=Indicator.INFO,
        evidence=(course_evidence(latest), *ps_evidence(ctx.facts), *stale_ps_evidence(ctx.facts)),
        values=values,
        variant="ps-unknown" if ps is None else "default",
        notes=("ps-unknown",) if ps is None else (),
    )


RULES = (follow_up_after_palliative_rt,)
