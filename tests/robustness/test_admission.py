"""Admission of hook calls over real sockets: `palliative-rt-cds serve` on loopback with 2 turns.

- Of more calls than turns, only as many have their body read as there are turns; the others wait with
  their body unread and, when no turn frees in time, are answered 503 with Retry-After.
- A body that stops arriving is answered 408 and its connection closed, whatever its framing; its turn
  goes to the next call.
- A waiting call is answered once a turn frees.
- Feedback, discovery and the probes are answered while every turn is taken.

The clients send `Expect: 100-continue`, which shows when the server starts reading a body: uvicorn sends
`100 Continue` when the app first asks for the body, that is once the call has its turn.
"""

from __future__ import annotations

import select
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import h11
import httpx
import orjson
import pytest

from scripts.load_test import Service, start_service
from tests.fhir import hook_request, lung_cancer

pytestmark = pytest.mark.e2e

TURNS = 2
QUEUE_TIMEOUT_S = 2.0
BODY_TIMEOUT_S = 4.0
"""Longer than the queue timeout, so that a waiting call is refused before any turn frees."""
READ_TIMEOUT_S = 30.0
"""How long a client waits for an answer before the test fails: far beyond both timeouts."""
HOOK_PATH = "/cds-services/palliative-rt-patient-view"
BODY = orjson.dumps(hook_request("patient-view", [lung_cancer()]))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    service = start_service(tmp_path_factory.mktemp("admission"), env={
        "PRT_CDS_MAX_CONCURRENT_EVALUATIONS": str(TURNS),
        "PRT_CDS_EVALUATION_QUEUE_TIMEOUT_S": str(QUEUE_TIMEOUT_S),
        "PRT_CDS_BODY_READ_TIMEOUT_S": str(BODY_TIMEOUT_S),
    })
    yield service
    service.stop()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""


class Call:
    """One hook call on its own connection, its body sent when the test says so."""

    def __init__(self, service: Service, *, expect_continue: bool = True, chunked: bool = False) -> None:
        host, port = service.url.removeprefix("http://").split(":")
        self.socket = socket.create_connection((host, int(port)), timeout=READ_TIMEOUT_S)
        self.http = h11.Connection(h11.CLIENT)
        headers = [("Host", host), ("Content-Type", "application/json")]
        headers.append(("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(len(BODY))))
        if expect_continue:
            headers.append(("Expect", "100-continue"))
        self._send(h11.Request(method="POST", target=HOOK_PATH, headers=headers))

    def _send(self, event: h11.Event) -> None:
        data = self.http.send(event)
        if data:
            self.socket.sendall(data)

    def send_body(self, end: int | None = None) -> None:
        """Send the body up to `end` (all of it when None, ending the request)."""
        self._send(h11.Data(data=BODY[:end]))
        if end is None:
            self._send(h11.EndOfMessage())

    def has_news(self, wait_s: float) -> bool:
        """Whether the server sent anything within `wait_s`."""
        return bool(select.select([self.socket], [], [], wait_s)[0])

    def next_answer(self) -> Answer:
        """The next answer: `100 Continue`, or the final answer with its body."""
        answer: Answer | None = None
        while True:
            event = self.http.next_event()
            if event is h11.NEED_DATA:
                self.http.receive_data(self.socket.recv(65536))
            elif isinstance(event, h11.InformationalResponse):
                return Answer(event.status_code, _headers(event))
            elif isinstance(event, h11.Response):
                answer = Answer(event.status_code, _headers(event))
            elif isinstance(event, h11.Data):
                assert answer is not None
                answer.body += event.data
            elif isinstance(event, h11.EndOfMessage):
                assert answer is not None
                return answer
            else:
                raise AssertionError(f"unexpected {event!r}")

    def statuses(self) -> tuple[int, ...]:
        """The statuses of the answers up to the final one."""
        statuses = [self.next_answer().status]
        while statuses[-1] == 100:
            statuses.append(self.next_answer().status)
        return tuple(statuses)

    def closed_by_server(self) -> bool:
        return self.socket.recv(1) == b""

    def close(self) -> None:
        self.socket.close()


def _headers(event: h11.InformationalResponse | h11.Response) -> dict[str, str]:
    return {name.decode().lower(): value.decode() for name, value in event.headers}


@pytest.fixture
def calls(service: Service) -> Iterator[list[Call]]:
    """The test's calls, closed at its end (a closed call gives its turn back at once)."""
    opened: list[Call] = []
    yield opened
    for call in opened:
        call.close()


def _holding_every_turn(service: Service, calls: list[Call]) -> list[Call]:
    """TURNS calls whose body the server has asked for, and which never send it."""
    holders = [Call(service) for _ in range(TURNS)]
    calls.extend(holders)
    for holder in holders:
        assert holder.next_answer().status == 100
    return holders


def test_only_as_many_bodies_are_read_as_there_are_turns(service: Service, calls: list[Call]) -> None:
    """2 turns, 5 calls that never send their body: the server asks 2 of them for the body and answers
    408 when it does not come; the 3 others are never asked and are refused 503 with Retry-After."""
    waiting = 3
    calls.extend(Call(service) for _ in range(TURNS + waiting))
    outcomes = [call.statuses() for call in calls]
    assert Counter(outcomes) == {(100, 408): TURNS, (503,): waiting}


def test_a_refused_call_is_told_when_to_come_back(service: Service, calls: list[Call]) -> None:
    _holding_every_turn(service, calls)
    refused = Call(service)
    calls.append(refused)
    answer = refused.next_answer()
    assert answer.status == 503
    assert answer.headers["retry-after"] == "1"
    outcome = orjson.loads(answer.body)
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "transient"
    assert "overloaded" in outcome["issue"][0]["diagnostics"]


def test_a_body_that_stops_arriving_gets_408_and_its_turn_goes_to_the_next_call(service: Service,
                                                                               calls: list[Call]) -> None:
    """Half a body, with a length and chunked: neither is read ahead of the call's turn, both end in 408
    and a closed connection, and the next call is answered."""
    slow = [Call(service, expect_continue=False), Call(service, expect_continue=False, chunked=True)]
    calls.extend(slow)
    for call in slow:
        call.send_body(len(BODY) // 2)
    for call in slow:
        answer = call.next_answer()
        assert answer.status == 408
        assert answer.headers["connection"] == "close"
        outcome = orjson.loads(answer.body)
        assert (outcome["resourceType"], outcome["issue"][0]["code"]) == ("OperationOutcome", "timeout")
        assert call.closed_by_server()
    response = httpx.post(service.url + HOOK_PATH, content=BODY, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text


def test_a_waiting_call_is_answered_once_a_turn_frees(service: Service, calls: list[Call]) -> None:
    first = _holding_every_turn(service, calls)[0]
    waiting = Call(service)
    calls.append(waiting)
    assert not waiting.has_news(0.3), "the server asked for a body while every turn was taken"
    first.send_body()
    assert first.next_answer().status == 200
    assert waiting.next_answer().status == 100
    waiting.send_body()
    answer = waiting.next_answer()
    assert answer.status == 200, answer.body
    assert "cards" in orjson.loads(answer.body)


def test_feedback_discovery_and_probes_are_answered_while_every_turn_is_taken(service: Service,
                                                                              calls: list[Call]) -> None:
    _holding_every_turn(service, calls)
    feedback = {"feedback": [{"card": "4a1d7b36-3f0e-4c1b-9a55-2b8f1f0c9e01", "outcome": "overridden",
                              "outcomeTimestamp": "2026-11-27T10:00:00Z"}]}
    with httpx.Client(base_url=service.url, timeout=READ_TIMEOUT_S) as client:
        assert client.post(HOOK_PATH + "/feedback", json=feedback).status_code == 200
        assert client.get("/cds-services").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/healthz").status_code == 200
