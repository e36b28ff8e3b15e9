"""The card log on either database: issued cards handed over by concurrent hook calls are written once, in
one transaction per batch, drained on close, and a batch the database refuses is logged and counted while
the writer goes on."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Row, func, select

from service.observability.metrics import REGISTRY
from service.storage.card_log import CardLog, CardLogClosed
from service.storage.store import CardRecord, IssuedCards, Store
from service.storage.tables import IssuedCard
from tests.databases import ON_EVERY_DATABASE, migrated

pytestmark = ON_EVERY_DATABASE
SERVICE = "palliative-rt-order-sign"


class GatedStore(Store):
    """A store whose first write waits for `opened`; `batches` holds the hook instances of each write."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.opened = threading.Event()
        self.first_write_waiting = threading.Event()
        self.batches: list[list[str]] = []

    def record_cards(self, answers: Sequence[IssuedCards]) -> None:
        if not self.batches:
            self.first_write_waiting.set()
            assert self.opened.wait(timeout=60), "the test never let the first write through"
        self.batches.append([answer.hook_instance for answer in answers])
        super().record_cards(answers)


def cards(count: int = 2) -> list[CardRecord]:
    return [CardRecord(card_uuid=str(uuid.uuid4()), rule_id="thoracic-symptom-relief",
                       suggestion_uuids=(str(uuid.uuid4()),)) for _ in range(count)]


def stored(store: Store) -> list[Row[Any]]:
    with store.engine.connect() as connection:
        return list(connection.execute(select(IssuedCard.__table__)).all())


def in_utc(moment: datetime) -> datetime:
    """SQLite gives back the UTC time it stored without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def not_recorded() -> float:
    return REGISTRY.get_sample_value("prt_cds_cards_not_recorded_total") or 0.0


@pytest.fixture
def card_log(store: Store) -> Iterator[CardLog]:
    card_log = CardLog(store)
    yield card_log
    card_log.close()


@pytest.fixture
def gated(database_url: str) -> Iterator[GatedStore]:
    yield from migrated(GatedStore(database_url))


def gated_log(gated: GatedStore, **options: int) -> CardLog:
    """A card log whose first write holds until `gated.opened`; "first" is the answer being written."""
    card_log = CardLog(gated, **options)
    card_log.submit(SERVICE, "first", cards())
    assert gated.first_write_waiting.wait(timeout=60)
    return card_log


@pytest.fixture
def held(gated: GatedStore) -> Iterator[CardLog]:
    card_log = gated_log(gated)
    yield card_log
    gated.opened.set()
    card_log.close()


def test_cards_of_many_concurrent_hook_calls_are_each_stored_once_with_their_answer(
        store: Store, card_log: CardLog) -> None:
    answers = {str(uuid.uuid4()): cards(3) for _ in range(400)}
    before = datetime.now(UTC)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda answer: card_log.submit(SERVICE, *answer), answers.items()))
    after = datetime.now(UTC)
    assert card_log.flush()
    rows = stored(store)
    assert len(rows) == 3 * len(answers)
    expected = {(card.card_uuid, hook_instance, card.rule_id, card.suggestion_uuids)
                for hook_instance, answer in answers.items() for card in answer}
    assert {(row.card_uuid, row.hook_instance, row.rule_id, tuple(row.suggestion_uuids))
            for row in rows} == expected
    assert {row.service_id for row in rows} == {SERVICE}
    assert all(before <= in_utc(row.issued_at) <= after for row in rows)


def test_answers_given_close_together_are_written_in_one_transaction(gated: GatedStore) -> None:
    """The writer lets answers gather for a moment instead of committing each one on its own."""
    gated.opened.set()
    card_log = CardLog(gated)
    try:
        for number in range(5):
            card_log.submit(SERVICE, f"answer-{number}", cards())
        assert card_log.flush()
        assert gated.batches == [[f"answer-{number}" for number in range(5)]]
    finally:
        card_log.close()


def test_answers_handed_over_during_a_write_are_written_together_in_the_next(
        gated: GatedStore, held: CardLog) -> None:
    for number in range(5):
        held.submit(SERVICE, f"queued-{number}", cards())
    gated.opened.set()
    assert held.flush()
    assert gated.batches == [["first"], [f"queued-{number}" for number in range(5)]]
    assert len(stored(gated)) == 12


def test_issued_at_is_when_the_hook_answered_not_when_the_card_was_written(
        gated: GatedStore, held: CardLog) -> None:
    handed_over = datetime.now(UTC)
    held.submit(SERVICE, "second", cards(1))
    answered = datetime.now(UTC)
    gated.opened.set()
    assert held.flush()
    [issued_at] = [row.issued_at for row in stored(gated) if row.hook_instance == "second"]
    assert handed_over <= in_utc(issued_at) <= answered


def test_a_full_queue_refuses_without_waiting_and_submit_waits_for_room(gated: GatedStore) -> None:
    card_log = gated_log(gated, capacity=4)
    waited = threading.Event()

    def submit_when_room() -> None:
        card_log.submit(SERVICE, "waited", cards())
        waited.set()

    submitter = threading.Thread(target=submit_when_room)
    try:
        card_log.submit(SERVICE, "queued", cards(4))
        assert not card_log.try_submit(SERVICE, "refused", cards(1))
        submitter.start()
        assert not waited.wait(timeout=0.2), "submit did not wait for room in a full queue"
        gated.opened.set()
        submitter.join(timeout=60)
        assert waited.is_set()
        assert card_log.flush()
    finally:
        gated.opened.set()
        card_log.close()
    assert {row.hook_instance for row in stored(gated)} == {"first", "queued", "waited"}


def test_close_writes_everything_handed_over_then_refuses_more(gated: GatedStore, held: CardLog) -> None:
    for number in range(20):
        held.submit(SERVICE, f"late-{number}", cards())
    gated.opened.set()
    held.close()
    assert len(stored(gated)) == 2 * 21
    with pytest.raises(CardLogClosed):
        held.submit(SERVICE, "after-close", cards())
    with pytest.raises(CardLogClosed):
        held.try_submit(SERVICE, "after-close", cards())


def test_a_batch_the_database_refuses_is_logged_and_counted_and_the_writer_goes_on(
        store: Store, card_log: CardLog, caplog: pytest.LogCaptureFixture) -> None:
    lost_before = not_recorded()
    IssuedCard.__table__.drop(store.engine)
    with caplog.at_level(logging.ERROR, logger="service.storage.card_log"):
        card_log.submit(SERVICE, "lost-hook-instance", cards(3))
        assert card_log.flush()
    IssuedCard.__table__.create(store.engine)
    card_log.submit(SERVICE, "after-recovery", cards(2))
    assert card_log.flush()
    assert not_recorded() - lost_before == 3
    [failure] = caplog.records
    assert failure.getMessage().startswith("3 issued cards of 1 hook answers not recorded: ")
    assert "lost-hook-instance" not in failure.getMessage()
    assert failure.exc_info is None  # a traceback would repeat the statement's parameters
    with store.engine.connect() as connection:
        assert connection.execute(select(IssuedCard.hook_instance).distinct()).scalars().all() == [
            "after-recovery"]
        assert connection.execute(select(func.count()).select_from(IssuedCard)).scalar_one() == 2


def test_flush_with_nothing_handed_over_returns_at_once(card_log: CardLog) -> None:
    assert card_log.flush(timeout=0)
