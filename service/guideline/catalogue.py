"""Every rule of DECISION-TABLE.md, in the table's order."""

from __future__ import annotations

from service.guideline import (
    preconditions,
    rec1_thoracic_symptoms,
    rec2_thoracic_life_prolonging,
    rec3_brain_nsclc,
    rec3_brain_sclc,
    rec3_brain_steroids,
    rec4_extrathoracic,
    rec5_mscc,
    rec6_reirradiation,
    rec7_follow_up,
)
from service.guideline.model import Rule

RULES: tuple[Rule, ...] = (
    *rec1_thoracic_symptoms.RULES,
    *rec2_thoracic_life_prolonging.RULES,
    *rec3_brain_nsclc.RULES,
    *rec3_brain_sclc.RULES,
    *rec3_brain_steroids.RULES,
    *rec4_extrathoracic.RULES,
    *rec5_mscc.RULES,
    *rec6_reirradiation.RULES,
    *rec7_follow_up.RULES,
    *preconditions.RULES,
)

RULES_BY_ID: dict[str, Rule] = {rule.spec.rule_id: rule for rule in RULES}
