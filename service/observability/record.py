"""What one request did, filled in by the routes as they learn it and reported once it is answered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

_STATE_KEY = "request_record"
UNKNOWN_RULE = "unknown"
"""The rule id reported for feedback on a card this service has no record of."""


@dataclass(slots=True)
class RequestRecord:
    service_id: str | None = None
    hook: str | None = None
    hook_instance: str | None = None
    evaluated: bool = False
    """The hook was answered with cards (possibly none)."""
    cards: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(rule or notice id, indicator) -> cards issued."""
    unavailable: tuple[str, ...] = ()
    """Prefetch keys the answer had to do without: the answer is degraded."""
    feedback_received: int = 0
    feedback_stored: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(rule id, outcome) -> feedback reports stored; a report already stored is not stored again."""

    def serving(self, service_id: str, hook: str) -> None:
        self.service_id = service_id
        self.hook = hook

    def answered(self, cards: Iterable[tuple[str, str]], unavailable: tuple[str, ...]) -> None:
        self.evaluated = True
        self.cards.update(cards)
        self.unavailable = unavailable

    def feedback(self, received: int, stored: Iterable[tuple[str | None, str]]) -> None:
        self.feedback_received = received
        self.feedback_stored.update((rule_id or UNKNOWN_RULE, outcome) for rule_id, outcome in stored)

    @property
    def degraded(self) -> bool:
        return bool(self.unavailable)


def start_record(state: dict[str, object]) -> RequestRecord:
    """A new record in a request's ASGI `state`, where `request_record` finds it."""
    record = RequestRecord()
    state[_STATE_KEY] = record
    return record


def request_record(connection: HTTPConnection) -> RequestRecord:
    """The record `ObserveRequests` started for this request."""
    return connection.scope["state"][_STATE_KEY]
