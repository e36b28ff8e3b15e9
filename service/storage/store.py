"""SQLAlchemy access to the service's database (SQLite by default)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import create_engine, literal, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from service.storage.tables import Base, Feedback, IssuedCard
from service.wire.models import FeedbackItem


@dataclass(frozen=True, slots=True)
class CardRecord:
    card_uuid: str
    rule_id: str
    suggestion_uuids: tuple[str, ...]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class Store:
    def __init__(self, database_url: str) -> None:
        connect_args = {"check_same_thread": False} if database_url.startswith("sqlite") else {}
        self.engine = create_engine(database_url, pool_pre_ping=True, connect_args=connect_args)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_schema(self) -> None:
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(literal(1)))
        except SQLAlchemyError:
            return False
        return True

    def record_cards(self, service_id: str, hook_instance: str, cards: Sequence[CardRecord]) -> None:
        issued_at = datetime.now(UTC)
        with self._sessions.begin() as session:
            session.add_all(
                IssuedCard(card_uuid=card.card_uuid, service_id=service_id, rule_id=card.rule_id,
                           hook_instance=hook_instance, suggestion_uuids=list(card.suggestion_uuids),
                           issued_at=issued_at)
                for card in cards
            )

    def store_feedback(self, service_id: str, items: Sequence[FeedbackItem]) -> int:
        """Store each report once; returns how many were new."""
        received_at = datetime.now(UTC)
        stored = 0
        with self._sessions.begin() as session:
            issued = {
                card.card_uuid: card.rule_id
                for card in session.scalars(
                    select(IssuedCard).where(IssuedCard.card_uuid.in_({item.card for item in items}),
                                             IssuedCard.service_id == service_id))
            }
            for item in items:
                reason = item.overrideReason
                row = Feedback(
                    service_id=service_id,
                    card_uuid=item.card,
                    rule_id=issued.get(item.card),
                    outcome=item.outcome,
                    accepted_suggestions=[s.id for s in item.acceptedSuggestions or ()],
                    override_reason_system=reason.reason.system if reason and reason.reason else None,
                    override_reason_code=reason.reason.code if reason and reason.reason else None,
                    override_comment=reason.userComment if reason else None,
                    outcome_timestamp=_utc(item.outcomeTimestamp),
                    received_at=received_at,
                )
                try:
                    # A savepoint per report: a duplicate (unique constraint) skips that report only.
                    with session.begin_nested():
                        session.add(row)
                except IntegrityError:
                    continue
                stored += 1
        return stored
