"""SQLAlchemy access to the service's database: SQLite by default, PostgreSQL (psycopg 3) to share state
between workers and replicas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, literal, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from service.storage import migrate
from service.storage.tables import Feedback, IssuedCard
from service.wire.models import FeedbackItem


@dataclass(frozen=True, slots=True)
class CardRecord:
    card_uuid: str
    rule_id: str
    suggestion_uuids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IssuedCards:
    """The cards of one hook answer."""

    service_id: str
    hook_instance: str
    issued_at: datetime
    """When the hook was answered."""
    cards: tuple[CardRecord, ...]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def database_url(url: str) -> URL:
    """The SQLAlchemy URL; a plain `postgresql://` URL means the psycopg 3 driver the service ships."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" else parsed


def _utc_sessions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _set_time_zone(dbapi_connection: Any, _: Any) -> None:
        # Timestamps are read back in the session's time zone: make that UTC, as they are stored.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()


SQLITE_CONNECT_ARGS = {"check_same_thread": False, "timeout": 30.0}
"""Threads share connections; a writer waits up to 30 s for another's transaction to end."""


def _sqlite_writers_take_turns(engine: Engine) -> None:
    """Concurrent requests write through one SQLite file. In WAL mode readers never block the writer, and
    every transaction takes the write lock as it begins (BEGIN IMMEDIATE), so one that reads and then
    writes waits its turn instead of failing with "database is locked". (SQLAlchemy's pysqlite recipe,
    which also makes the savepoints of store_feedback work.)"""

    @event.listens_for(engine, "connect")
    def _wal(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver's own deferred BEGIN would come first
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    def __init__(self, url: str, *, pool_size: int = 5, max_overflow: int = 10) -> None:
        parsed = database_url(url)
        backend = parsed.get_backend_name()
        self.engine = create_engine(parsed, pool_pre_ping=True, pool_size=pool_size,
                                    max_overflow=max_overflow,
                                    connect_args=SQLITE_CONNECT_ARGS if backend == "sqlite" else {})
        if backend == "postgresql":
            _utc_sessions(self.engine)
        if backend == "sqlite":
            _sqlite_writers_take_turns(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create_schema(self) -> tuple[str | None, str]:
        """Migrate the database to this version's schema; returns its revision before and after."""
        return migrate.upgrade(self.engine)

    def check_schema(self) -> None:
        """Raise migrate.SchemaNotCurrent when the database lacks revisions this version needs."""
        migrate.check(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(literal(1)))
        except SQLAlchemyError:
            return False
        return True

    def record_cards(self, answers: Sequence[IssuedCards]) -> None:
        """Record the cards of any number of hook answers in one transaction (one multi-row insert)."""
        rows = [
            {"card_uuid": card.card_uuid, "service_id": answer.service_id, "rule_id": card.rule_id,
             "hook_instance": answer.hook_instance, "suggestion_uuids": list(card.suggestion_uuids),
             "issued_at": answer.issued_at}
            for answer in answers for card in answer.cards
        ]
        if not rows:
            return
        with self.engine.begin() as connection:
            connection.execute(insert(IssuedCard.__table__), rows)

    def store_feedback(self, service_id: str, items: Sequence[FeedbackItem]) -> list[tuple[str | None, str]]:
        """Store each report once; returns (rule id of the card, outcome) of each report that was new."""
        received_at = datetime.now(UTC)
        stored: list[tuple[str | None, str]] = []
        with self._sessions.begin() as session:
            issued = {
                card.card_uuid: card.rule_id
                for card in session.scalars(
                    select(IssuedCard).where(IssuedCard.card_uuid.in_({item.card for item in items}),
                                             IssuedCard.service_id == service_id))
            }
            # In the unique constraint's order: requests carrying the same reports in different orders
            # would otherwise each wait for the other's uncommitted row (a deadlock on PostgreSQL).
            for item in sorted(items, key=lambda item: (item.card, item.outcome,
                                                        _utc(item.outcomeTimestamp))):
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
                stored.append((row.rule_id, row.outcome))
        return stored
