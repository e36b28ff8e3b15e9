"""The feedback report for clinical governance: per rule, how many cards were issued, accepted and
overridden, why they were overridden, and the acceptance rate.

Counts are of distinct cards (a card reported twice with the same outcome counts once). `since` keeps
cards issued and feedback given (by the clinician's outcome time) at or after that moment. Feedback on a
card this service has no record of is reported under rule id None. Clinicians' free-text comments are
not part of the report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from service.storage.tables import Feedback, IssuedCard


@dataclass(frozen=True, slots=True)
class ReasonCount:
    system: str | None
    code: str | None
    """None: overridden without a coded reason (a comment only, or nothing)."""
    cards: int


@dataclass(frozen=True, slots=True)
class RuleFeedback:
    rule_id: str | None
    issued: int = 0
    accepted: int = 0
    overridden: int = 0
    override_reasons: tuple[ReasonCount, ...] = field(default_factory=tuple)

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted among the cards clinicians acted on (accepted or overridden); None without feedback."""
        acted_on = self.accepted + self.overridden
        return self.accepted / acted_on if acted_on else None


def _since(column: Any, since: datetime | None) -> list[Any]:
    # Stored times are UTC (SQLite keeps them without an offset).
    return [] if since is None else [column >= since.astimezone(UTC)]


def feedback_report(engine: Engine, since: datetime | None = None) -> list[RuleFeedback]:
    """One row per rule that issued cards or received feedback, by rule id (unknown cards last).

    `since` must carry its time zone.
    """
    counts: dict[str | None, dict[str, int]] = defaultdict(
        lambda: {"issued": 0, "accepted": 0, "overridden": 0})
    reasons: dict[str | None, list[ReasonCount]] = defaultdict(list)
    issued = (select(IssuedCard.rule_id, func.count(IssuedCard.card_uuid))
              .where(*_since(IssuedCard.issued_at, since))
              .group_by(IssuedCard.rule_id))
    outcomes = (select(Feedback.rule_id, Feedback.outcome, func.count(Feedback.card_uuid.distinct()))
                .where(*_since(Feedback.outcome_timestamp, since))
                .group_by(Feedback.rule_id, Feedback.outcome))
    override_reasons = (select(Feedback.rule_id, Feedback.override_reason_system,
                               Feedback.override_reason_code, func.count(Feedback.card_uuid.distinct()))
                        .where(Feedback.outcome == "overridden", *_since(Feedback.outcome_timestamp, since))
                        .group_by(Feedback.rule_id, Feedback.override_reason_system,
                                  Feedback.override_reason_code))
    with engine.connect() as connection:
        for rule_id, cards in connection.execute(issued):
            counts[rule_id]["issued"] = cards
        for rule_id, outcome, cards in connection.execute(outcomes):
            counts[rule_id][outcome] = cards
        for rule_id, system, code, cards in connection.execute(override_reasons):
            reasons[rule_id].append(ReasonCount(system if code else None, code, cards))
    return [
        RuleFeedback(rule_id, override_reasons=tuple(sorted(reasons[rule_id], key=_reason_order)),
                     **counts[rule_id])
        for rule_id in sorted(counts, key=lambda rule: (rule is None, rule or ""))
    ]


def _reason_order(reason: ReasonCount) -> tuple[int, bool, str]:
    return -reason.cards, reason.code is None, reason.code or ""
