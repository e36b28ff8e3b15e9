"""Findings plus the `cards/` wording to CDS Hooks cards."""

from __future__ import annotations

import string
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from service.cards.catalogue import Catalogue, default_catalogue
from service.cards.orders import medication_request, radiotherapy_request
from service.guideline.model import Evidence, Finding, MedicationSuggestion, RegimenSuggestion
from service.guideline.regimen import round_for_display
from service.wire import models as wire

GUIDELINE_LABEL = {
    "da": "DOLG: Pallierende strålebehandling af patienter med lungekræft, v3.0",
    "en": "DOLG: Palliative radiotherapy of patients with lung cancer, v3.0",
}
GUIDELINE_URL = "https://www.dmcg.dk/kliniske-retningslinjer/"
RULE_SYSTEM = "urn:palliative-rt-cds:rule"
OVERRIDE_REASON_SYSTEM = "urn:palliative-rt-cds:override-reason"
EXTENSION_KEY = "palliative-rt-cds"


@dataclass(frozen=True, slots=True)
class RenderContext:
    language: str
    patient_id: str
    catalogue: Catalogue


class _Values(dict):
    """Template values, formatted for display in one language."""

    def __init__(self, values: Mapping[str, object], ctx: RenderContext) -> None:
        super().__init__()
        self._ctx = ctx
        for key, value in values.items():
            self[key] = format_value(value, ctx)

    def __missing__(self, key: str) -> str:
        raise KeyError(f"template refers to {{{key}}}, which the rule does not provide")


def format_value(value: object, ctx: RenderContext) -> str:
    vocabulary = ctx.catalogue.vocabulary(ctx.language)
    if value is None:
        return vocabulary["words"]["unknown"]
    if isinstance(value, bool):
        return vocabulary["words"]["yes" if value else "no"]
    if isinstance(value, StrEnum):
        group = type(value).__name__.lower()
        return vocabulary.get(group, {}).get(value.value, value.value)
    if isinstance(value, Fraction):
        return _decimal_text(round_for_display(value), ctx)
    if isinstance(value, Decimal):
        return _decimal_text(round_for_display(Fraction(value)), ctx)
    if isinstance(value, float):
        return _decimal_text(round_for_display(Fraction(value)), ctx)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(item, ctx) for item in value)
    return str(value)


def _decimal_text(value: Decimal, ctx: RenderContext) -> str:
    text = str(value)
    return text.replace(".", ",") if ctx.language == "da" else text


def _fill(template: str, values: Mapping[str, str]) -> str:
    return string.Formatter().vformat(template, (), values).strip()


def evidence_text(evidence: Evidence, ctx: RenderContext) -> str:
    values = _Values(evidence.values, ctx)
    values["date"] = format_value(evidence.source.recorded, ctx)
    values["reference"] = evidence.source.reference
    return _fill(ctx.catalogue.fact_template(evidence.kind, ctx.language), values)


def _suggestion(suggestion: RegimenSuggestion | MedicationSuggestion, finding: Finding,
                values: Mapping[str, str], ctx: RenderContext) -> wire.Suggestion:
    common = ctx.catalogue.common(ctx.language)
    wording = ctx.catalogue.rule(finding.rule.rule_id, ctx.language)
    if isinstance(suggestion, RegimenSuggestion):
        regimen_values = dict(values) | {
            "regimen": suggestion.regimen.label,
            "site": format_value(suggestion.site.region, ctx),
            "bed10": format_value(suggestion.regimen.bed10, ctx),
        }
        template = wording.suggestions.get(suggestion.label, common["suggestion"]["regimen"])
        label = _fill(template, regimen_values)
        if suggestion.replaces is not None:
            action = wire.Action(
                type="update",
                description=_fill(common["action"]["update-order"], regimen_values),
                resource=radiotherapy_request(suggestion, ctx.patient_id),
            )
        else:
            action = wire.Action(
                type="create",
                description=_fill(common["action"]["create-order"], regimen_values),
                resource=radiotherapy_request(suggestion, ctx.patient_id),
            )
    else:
        medication = ctx.catalogue.medication(suggestion.medication)
        medication_values = dict(values) | {"medication": medication[ctx.language]["name"],
                                            "dosage": medication[ctx.language]["dosage"]}
        template = wording.suggestions.get(suggestion.label, common["suggestion"]["medication"])
        label = _fill(template, medication_values)
        action = wire.Action(
            type="create",
            description=_fill(common["action"]["create-medication"], medication_values),
            resource=medication_request(medication, ctx.language, ctx.patient_id),
        )
    return wire.Suggestion(label=label, uuid=str(uuid.uuid4()),
                           isRecommended=suggestion.recommended or None, actions=[action])


def render_card(finding: Finding, ctx: RenderContext) -> wire.Card:
    spec = finding.rule
    wording = ctx.catalogue.rule(spec.rule_id, ctx.language)
    common = ctx.catalogue.common(ctx.language)
    values = _Values(finding.values, ctx)
    facts = [(evidence.source.reference, evidence_text(evidence, ctx)) for evidence in finding.evidence]

    parts = [_fill(wording.detail, values)]
    parts += [_fill(wording.notes.get(key) or common["notes"][key], values) for key in finding.notes]
    grade_values = {"recommendation": spec.recommendation or "", "grade": spec.evidence_grade or "",
                    "passage": spec.passage}
    if spec.recommendation and spec.evidence_grade:
        parts.append(_fill(common["grade"]["graded"], grade_values))
    elif spec.recommendation:
        parts.append(_fill(common["grade"]["ungraded"], grade_values))
    else:
        parts.append(_fill(common["grade"]["precondition"], grade_values))
    if facts:
        parts.append(common["facts-heading"] + "\n" + "\n".join(
            f"- {text} (`{reference}`)" for reference, text in facts))

    suggestions = [_suggestion(s, finding, values, ctx) for s in finding.suggestions]
    extension: dict[str, Any] = {"ruleId": spec.rule_id}
    if spec.recommendation:
        extension["recommendation"] = spec.recommendation
    if spec.evidence_grade:
        extension["evidenceGrade"] = spec.evidence_grade
    if facts:
        extension["facts"] = [{"resource": reference, "text": text} for reference, text in facts]

    summary = _fill(wording.summary_for(finding.variant), values)
    return wire.Card(
        uuid=str(uuid.uuid4()),
        summary=summary,
        detail="\n\n".join(part for part in parts if part),
        indicator=finding.indicator.value,
        source=wire.Source(
            label=GUIDELINE_LABEL[ctx.language],
            url=GUIDELINE_URL,
            topic=wire.Coding(system=RULE_SYSTEM, code=spec.rule_id, display=wording.title),
        ),
        suggestions=suggestions or None,
        # The suggestions of a card are alternatives (regimens, sites): the clinician takes one.
        selectionBehavior="at-most-one" if suggestions else None,
        overrideReasons=[
            wire.OverrideReason(system=OVERRIDE_REASON_SYSTEM, code=code,
                                display=ctx.catalogue.override_reason(code, ctx.language))
            for code in spec.override_reasons
        ] or None,
        extension={EXTENSION_KEY: extension},
    )


def render_cards(findings: Iterable[Finding], *, language: str, patient_id: str,
                 catalogue: Catalogue | None = None) -> list[wire.Card]:
    ctx = RenderContext(language=language, patient_id=patient_id, catalogue=catalogue or default_catalogue())
    return [render_card(finding, ctx) for finding in findings]
