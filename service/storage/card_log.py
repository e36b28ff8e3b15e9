"""Issued cards recorded off the hook's path (group commit).

A hook call hands its cards to one writer thread and answers without waiting for the database. The writer
takes everything handed over within `LINGER_S` of the first answer waiting and writes it in one
transaction: under load one commit serves many answers (a transaction per answer cost the worker about
1.5 ms of CPU per typical call), and without load an answer is written a few tens of ms after it is given.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.exc import StatementError

from service.observability import metrics
from service.storage.store import CardRecord, IssuedCards, Store

log = logging.getLogger(__name__)

CAPACITY = 10_000
"""Cards waiting to be written, at most. A full queue makes the submitting call wait for room rather than
drop its cards: a dropped record would silently turn later feedback on the card into feedback on an unknown
rule and undercount the rule in the feedback report, while waiting only slows hook answers once the
database is already thousands of cards behind, where the slowness shows in the request metrics. The bound
keeps that backlog to a few MB."""

LINGER_S = 0.05
"""How long the writer lets answers gather before it writes them; a `flush` or `close` cuts it short."""
LINGER_CARDS = 1_000
"""Cards that end the gathering at once."""

FLUSH_TIMEOUT_S = 30.0
"""How long `flush` waits by default: longer than a SQLite writer waits for the file's lock."""


class CardLogClosed(RuntimeError):
    """Cards were handed over after `close`."""


def _reason(error: Exception) -> str:
    """What failed, without SQLAlchemy's copy of the statement and its parameters (card uuids,
    hookInstances)."""
    if isinstance(error, StatementError) and error.orig is not None:
        first_line = next(iter(str(error.orig).splitlines()), "")
        return f"{type(error.orig).__name__}: {first_line}"
    return type(error).__name__


class CardLog:
    """The queue of issued cards and the thread that writes it; `close` it before disposing the store."""

    def __init__(self, store: Store, *, capacity: int = CAPACITY) -> None:
        self._store = store
        self._capacity = capacity
        self._changed = threading.Condition()
        self._pending: list[IssuedCards] = []
        self._pending_cards = 0
        self._submitted = 0
        """Answers handed over since the start."""
        self._done = 0
        """Answers written, or lost with their batch, since the start."""
        self._closing = False
        self._flushes_waiting = 0
        self._writer = threading.Thread(target=self._write_until_closed, name="issued-card-writer",
                                        daemon=True)
        self._writer.start()

    def try_submit(self, service_id: str, hook_instance: str, cards: Sequence[CardRecord]) -> bool:
        """Hand over the cards of one answer, issued now, without waiting; False (nothing handed over)
        while the queue has no room for them."""
        answer = IssuedCards(service_id, hook_instance, datetime.now(UTC), tuple(cards))
        with self._changed:
            if not self._has_room(len(answer.cards)):
                return False
            self._enqueue(answer)
        return True

    def submit(self, service_id: str, hook_instance: str, cards: Sequence[CardRecord]) -> None:
        """Hand over the cards of one answer, issued now, waiting for room in the queue if need be."""
        answer = IssuedCards(service_id, hook_instance, datetime.now(UTC), tuple(cards))
        with self._changed:
            self._changed.wait_for(lambda: self._closing or self._has_room(len(answer.cards)))
            self._enqueue(answer)

    def flush(self, timeout: float = FLUSH_TIMEOUT_S) -> bool:
        """Wait until every answer handed over before this call is written (or lost with a failed batch);
        False if `timeout` seconds passed first."""
        with self._changed:
            handed_over = self._submitted
            self._flushes_waiting += 1
            self._changed.notify_all()
            try:
                return self._changed.wait_for(lambda: self._done >= handed_over, timeout)
            finally:
                self._flushes_waiting -= 1

    def close(self) -> None:
        """Write what is queued, then stop the writer. Handing over cards afterwards raises CardLogClosed."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._writer.join()

    def _gathered(self) -> bool:
        return self._closing or self._flushes_waiting > 0 or self._pending_cards >= LINGER_CARDS

    def _has_room(self, cards: int) -> bool:
        # An answer with more cards than the whole capacity still goes into an empty queue.
        return self._pending_cards == 0 or self._pending_cards + cards <= self._capacity

    def _enqueue(self, answer: IssuedCards) -> None:
        if self._closing:
            raise CardLogClosed("issued cards handed over after the card log was closed")
        self._pending.append(answer)
        self._pending_cards += len(answer.cards)
        self._submitted += 1
        self._changed.notify_all()

    def _write_until_closed(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending or self._closing)
                if not self._pending:
                    return
                self._changed.wait_for(self._gathered, LINGER_S)
                batch, self._pending, self._pending_cards = self._pending, [], 0
                self._changed.notify_all()  # submitters waiting for room
            self._write(batch)
            with self._changed:
                self._done += len(batch)
                self._changed.notify_all()

    def _write(self, batch: list[IssuedCards]) -> None:
        try:
            self._store.record_cards(batch)
        except Exception as error:  # the writer outlives any failure, or every later card would be lost too
            lost = sum(len(answer.cards) for answer in batch)
            metrics.CARDS_NOT_RECORDED.inc(lost)
            log.error("%d issued cards of %d hook answers not recorded: %s", lost, len(batch), _reason(error))
