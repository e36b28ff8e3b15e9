"""Admission of hook calls: at most a few per worker read their body and are answered at once.

Evaluation is CPU work done on the event loop one call at a time, so admitting more calls than a few only
keeps more bodies in memory: 16 connections posting 2.7 MB each held all 16 bodies (and the chunks they
were joined from) while the calls were evaluated one by one. A call waits for its turn before it reads its
body, and uvicorn stops reading a connection whose body the app does not consume (once 64 KiB are
buffered), so a waiting call costs the worker little memory: the rest of its body stays with the client
and the kernel. A call keeps its turn until it is answered, FHIR fallback reads included: what it reads
from the FHIR server is held like a body.

Both waits are bounded, so that neither a flood of calls nor a slow client can hold a turn for long: a
call that does not get its turn in time is answered 503 with Retry-After, a body that does not arrive in
time 408 (and the connection is closed rather than left waiting for the rest of the body).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request

from service.settings import Settings
from service.wire.models import OperationOutcome

RETRY_AFTER_S = 1
"""What a refused client is told to wait: a turn frees as soon as one call is answered."""
CLIENT_CLOSED_REQUEST = 499
"""Logged (nobody receives it) when the client went away before sending its body, e.g. while its call
waited for a turn: neither a bad request nor a server error."""

ADMISSION_ERRORS: dict[int | str, dict[str, Any]] = {
    408: {"model": OperationOutcome,
          "description": "The body did not arrive within PRT_CDS_BODY_READ_TIMEOUT_S; the connection is "
                         "closed."},
    503: {"model": OperationOutcome,
          "description": "The worker is answering PRT_CDS_MAX_CONCURRENT_EVALUATIONS calls and none ended "
                         "within PRT_CDS_EVALUATION_QUEUE_TIMEOUT_S; send the call again after Retry-After.",
          "headers": {"Retry-After": {"description": "Seconds to wait before calling again.",
                                      "schema": {"type": "integer"}}}},
}
"""The answers admission adds to a hook call's documented answers."""


class Admission:
    """The turns of one worker's hook calls."""

    def __init__(self, turns: int, *, queue_timeout_s: float, body_timeout_s: float) -> None:
        self._turns = anyio.Semaphore(turns)
        self.turns = turns
        self.queue_timeout_s = queue_timeout_s
        self.body_timeout_s = body_timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> Admission:
        return cls(settings.max_concurrent_evaluations,
                   queue_timeout_s=settings.evaluation_queue_timeout_s,
                   body_timeout_s=settings.body_read_timeout_s)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Holds a turn (calls wait first come, first served); 503 when none frees within the timeout."""
        admitted = False
        with anyio.move_on_after(self.queue_timeout_s):
            await self._turns.acquire()
            admitted = True
        if not admitted:
            raise HTTPException(503, f"overloaded: {self.turns} calls are being answered, none ended within "
                                     f"{self.queue_timeout_s:g} s",
                                headers={"Retry-After": str(RETRY_AFTER_S)})
        try:
            yield
        finally:
            self._turns.release()

    async def body(self, request: Request) -> bytes:
        """The request's whole body; 408 when it has not arrived within the timeout."""
        try:
            with anyio.fail_after(self.body_timeout_s):
                return await request.body()
        except TimeoutError:
            raise HTTPException(408, f"body: not received within {self.body_timeout_s:g} s",
                                headers={"Connection": "close"}) from None
        except ClientDisconnect:
            raise HTTPException(CLIENT_CLOSED_REQUEST, "body: the client closed the connection") from None


def admission(request: Request) -> Admission:
    """The app's admission (service.app.create_app makes it from the settings)."""
    made: Admission = request.app.state.admission
    return made
