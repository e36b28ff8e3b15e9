"""What a rule is and what it returns.

A rule is a pure function of a `RuleContext` (the patient's facts, the hook, the draft orders) that
returns `Finding`s. A finding carries everything the cards layer needs and nothing it must decide
clinically: the indicator, the values its wording refers to, the patient facts that triggered it,
and the suggestions it makes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from service.facts.model import PatientFacts, RadiotherapyOrder, Site, Source
from service.guideline.regimen import Regimen


class Hook(StrEnum):
    PATIENT_VIEW = "patient-view"
    ORDER_SELECT = "order-select"
    ORDER_SIGN = "order-sign"

    @property
    def is_order_hook(self) -> bool:
        return self is not Hook.PATIENT_VIEW


ORDER_HOOKS = frozenset({Hook.ORDER_SELECT, Hook.ORDER_SIGN})
ALL_HOOKS = frozenset(Hook)


class Indicator(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def urgency(self) -> int:
        return {Indicator.INFO: 0, Indicator.WARNING: 1, Indicator.CRITICAL: 2}[self]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule of DECISION-TABLE.md: its stable id and where it stands in the guideline."""

    rule_id: str
    recommendation: str | None
    """"1".."7"; None for the preconditions."""
    evidence_grade: str | None
    """Grade of the recommendation ("A".."D"); None where the guideline gives none."""
    passage: str
    """Guideline lines the rule implements, e.g. "l. 258-262"."""
    hooks: frozenset[Hook]
    override_reasons: tuple[str, ...] = ("patient-preference", "local-protocol", "record-out-of-date")
    """Codes of `cards/override-reasons.toml` offered when the card is dismissed."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """A patient fact that made the rule fire; `kind` names its wording in `cards/facts.toml`."""

    kind: str
    source: Source
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RegimenSuggestion:
    """Suggest a radiotherapy course: `update` of `replaces` when set, otherwise `create`."""

    regimen: Regimen
    site: Site
    label: str = "default"
    """Key of the suggestion wording in the rule's card file (e.g. "if-survival-short")."""
    recommended: bool = False
    replaces: RadiotherapyOrder | None = None
    stereotactic: bool = False


@dataclass(frozen=True, slots=True)
class MedicationSuggestion:
    """Suggest a prescription; `medication` names its wording and coding in `cards/medications.toml`."""

    medication: str
    label: str = "default"
    recommended: bool = False


Suggestion = RegimenSuggestion | MedicationSuggestion


@dataclass(frozen=True, slots=True)
class Finding:
    rule: RuleSpec
    indicator: Indicator
    evidence: tuple[Evidence, ...] = ()
    values: Mapping[str, object] = field(default_factory=dict)
    """Values the rule's wording refers to (`{bed10}`, `{regimen}`, ...)."""
    notes: tuple[str, ...] = ()
    """Keys of optional paragraphs in the rule's wording, in the order they are shown."""
    variant: str = "default"
    """Key of the summary the rule's wording uses for this case."""
    suggestions: tuple[Suggestion, ...] = ()
    order: RadiotherapyOrder | None = None
    """The draft order this finding judges (order hooks)."""


@dataclass(frozen=True, slots=True)
class GuidelineSettings:
    """The table's *(convention)* choices a hospital may set otherwise."""

    targetable_drivers: frozenset[str] = frozenset(
        {"EGFR", "ALK", "ROS1", "RET", "MET", "BRAF", "NTRK1", "NTRK2", "NTRK3", "NTRK", "KRAS", "ERBB2"}
    )
    """Genes with a targeted therapy (national NSCLC treatment guideline); HER2 is HGNC ERBB2."""
    targetable_variants: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("BRAF", ("V600E", "Val600Glu")),
        ("KRAS", ("G12C", "Gly12Cys")),
        ("MET", ("exon 14", "ex14")),
    )
    """Genes of `targetable_drivers` whose targeted therapy needs a particular variant (gene, spellings)."""
    brain_few_lesions_max: int = 3
    brain_surgery_max_ps: int = 1
    poor_ps_min: int = 2
    follow_up_window_days: int = 90


@dataclass(frozen=True, slots=True)
class RuleContext:
    facts: PatientFacts
    hook: Hook
    today: date
    settings: GuidelineSettings = GuidelineSettings()

    @property
    def judged_orders(self) -> tuple[RadiotherapyOrder, ...]:
        """The draft RT orders the order hooks judge: the selected ones on order-select, all on order-sign."""
        if self.hook is Hook.ORDER_SELECT:
            return tuple(order for order in self.facts.orders if order.selected)
        if self.hook is Hook.ORDER_SIGN:
            return self.facts.orders
        return ()


RuleFunction = Callable[[RuleContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    spec: RuleSpec
    evaluate: RuleFunction


def rule(spec: RuleSpec) -> Callable[[RuleFunction], Rule]:
    """Decorator binding a rule function to its table row."""

    def bind(function: RuleFunction) -> Rule:
        return Rule(spec, function)

    return bind
