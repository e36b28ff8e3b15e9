"""Runs the guideline's rules for one hook and decides which findings reach the clinician."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from service.facts.model import PatientFacts, RadiotherapyOrder
from service.guideline.catalogue import RULES
from service.guideline.model import (
    Finding,
    GuidelineSettings,
    Hook,
    Indicator,
    RegimenSuggestion,
    RuleContext,
)
from service.guideline.terms import order_regimen


def _repeats_a_draft(suggestion: RegimenSuggestion, orders: tuple[RadiotherapyOrder, ...]) -> bool:
    """Never re-offer what is already ordered: same regimen, same site (no accept/re-sign loops)."""
    return any(
        order.site is not None
        and order.site.region is suggestion.site.region
        and order_regimen(order) == suggestion.regimen
        for order in orders
    )


def _without_repeats(finding: Finding, orders: tuple[RadiotherapyOrder, ...]) -> Finding:
    kept = tuple(
        s for s in finding.suggestions
        if not (isinstance(s, RegimenSuggestion) and _repeats_a_draft(s, orders))
    )
    return finding if len(kept) == len(finding.suggestions) else replace(finding, suggestions=kept)


def _shown_on(hook: Hook, finding: Finding) -> bool:
    # order-sign shows only what still matters at signing: warnings, critical,
    # and info cards that change something.
    if hook is Hook.ORDER_SIGN and finding.indicator is Indicator.INFO:
        return bool(finding.suggestions)
    return True


def evaluate(facts: PatientFacts, hook: Hook, today: date,
             settings: GuidelineSettings | None = None) -> tuple[Finding, ...]:
    """The findings for `hook`, most urgent first; one per rule and order."""
    ctx = RuleContext(facts=facts, hook=hook, today=today, settings=settings or GuidelineSettings())
    seen: set[tuple[str, str | None]] = set()
    findings: list[Finding] = []
    for rule in RULES:
        if hook not in rule.spec.hooks:
            continue
        for finding in rule.evaluate(ctx):
            finding = _without_repeats(finding, facts.orders)
            key = (finding.rule.rule_id, finding.order.reference if finding.order else None)
            if key in seen or not _shown_on(hook, finding):
                continue
            seen.add(key)
            findings.append(finding)
    findings.sort(key=lambda finding: -finding.indicator.urgency)
    return tuple(findings)
