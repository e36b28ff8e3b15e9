"""Database tables: the cards the service issued and the feedback clinicians gave on them.

No patient identifiers are stored: a card is known by its uuid, its rule and its hookInstance.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class IssuedCard(Base):
    __tablename__ = "issued_card"

    card_uuid: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(100))
    rule_id: Mapped[str] = mapped_column(String(100), index=True)
    hook_instance: Mapped[str] = mapped_column(String(255), index=True)
    suggestion_uuids: Mapped[list[str]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Feedback(Base):
    __tablename__ = "feedback"
    # The same report posted again (client retries) is the same row.
    __table_args__ = (UniqueConstraint("service_id", "card_uuid", "outcome", "outcome_timestamp",
                                       name="uq_feedback_report"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(String(100))
    card_uuid: Mapped[str] = mapped_column(String(255), index=True)
    rule_id: Mapped[str | None] = mapped_column(String(100), index=True)
    """The rule of the issued card; None when this service has no record of the card."""
    outcome: Mapped[str] = mapped_column(String(20))
    accepted_suggestions: Mapped[list[str]] = mapped_column(JSON)
    override_reason_system: Mapped[str | None] = mapped_column(String(255))
    override_reason_code: Mapped[str | None] = mapped_column(String(100))
    override_comment: Mapped[str | None] = mapped_column(Text)
    outcome_timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """In UTC."""
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
