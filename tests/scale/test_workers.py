"""Several workers on one PostgreSQL, as in a scaled-out deployment: `palliative-rt-cds serve --workers 4`
started like the container starts it, with real signed client tokens.

Which worker answers a connection is the kernel's choice, so a test that needs a particular worker stops
the other ones (SIGSTOP) for the duration of one request: the request can only be answered by that worker.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from sqlalchemy import create_engine, select

from service.storage.tables import Feedback, IssuedCard
from tests.auth.tokens import BASE_URL, DISCOVERY_URL, ISSUER, SigningKey, claims, ec_key, jwk_set, sign
from tests.fhir import TODAY, bundle, hook_request, lung_cancer, metastasis, symptom

pytestmark = pytest.mark.e2e

PATIENT_VIEW = "palliative-rt-patient-view"
HOOK_URL = f"{BASE_URL}/cds-services/{PATIENT_VIEW}"
FEEDBACK_URL = f"{HOOK_URL}/feedback"
MSCC_STORY = [lung_cancer(), metastasis("bone"), symptom("mscc")]
STARTED = "Application startup complete."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _migrate(database_url: str, workdir: Path) -> None:
    subprocess.run([sys.executable, "-m", "service", "migrate"], cwd=workdir, check=True, capture_output=True,
                   env={**os.environ, "PRT_CDS_DATABASE_URL": database_url})


class Service:
    """`palliative-rt-cds serve --workers N` on a loopback port, in jwt mode, trusting `key`."""

    def __init__(self, database_url: str, key: SigningKey, workdir: Path, *, workers: int,
                 **settings: str) -> None:
        self.port = _free_port()
        self.key = key
        self.log_path = workdir / "service.log"
        env = {**os.environ, "PRT_CDS_DATABASE_URL": database_url, "PRT_CDS_AUTH_MODE": "jwt",
               "PRT_CDS_PUBLIC_BASE_URL": BASE_URL, "PRT_CDS_TRUSTED_ISSUERS": json.dumps(
                   {ISSUER: {"jwks": jwk_set(key)}}),
               "PRT_CDS_FIXED_TODAY": TODAY.isoformat(), "PRT_CDS_LANGUAGE": "en",
               **{f"PRT_CDS_{name.upper()}": value for name, value in settings.items()}}
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--workers", str(workers)], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_for(workers)

    def _wait_for(self, workers: int) -> None:
        deadline = time.monotonic() + 180
        while self.log().count(STARTED) < workers or len(self.workers()) < workers:
            assert self.process.poll() is None, self.log()
            assert time.monotonic() < deadline, "the workers did not start:\n" + self.log()
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def workers(self) -> list[int]:
        """The pids of the worker processes (the supervisor's children running the server)."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                command = (stat.parent / "cmdline").read_bytes()
            except (OSError, ValueError):
                continue
            if parent == self.process.pid and b"spawn_main" in command:
                found.append(int(stat.parent.name))
        return sorted(found)

    @contextmanager
    def only(self, worker: int) -> Iterator[None]:
        """Only `worker` accepts connections meanwhile (keep it short: the supervisor replaces workers
        that stay unresponsive for 5 s)."""
        others = [pid for pid in self.workers() if pid != worker]
        for pid in others:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in others:
                os.kill(pid, signal.SIGCONT)

    def call(self, method: str, audience: str, path: str, body: Any = None,
             token: str | None = None) -> httpx.Response:
        """One request on a new connection, with a new token for `audience` unless `token` is given."""
        token = token or sign(self.key, claims(audience))
        return httpx.request(method, f"http://127.0.0.1:{self.port}{path}", json=body, timeout=30,
                             headers={"Authorization": f"Bearer {token}"})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return ec_key("scale-es384")


@pytest.fixture(scope="module")
def database_of_four(postgres_schemas) -> str:
    return postgres_schemas()


@pytest.fixture(scope="module")
def four_workers(database_of_four: str, key: SigningKey, tmp_path_factory) -> Iterator[Service]:
    workdir = tmp_path_factory.mktemp("four-workers")
    _migrate(database_of_four, workdir)
    service = Service(database_of_four, key, workdir, workers=4)
    yield service
    service.stop()


def test_a_token_one_worker_accepted_is_refused_by_every_other_worker(four_workers: Service) -> None:
    first, *others = four_workers.workers()
    assert len(others) == 3
    token = sign(four_workers.key, claims(DISCOVERY_URL))
    with four_workers.only(first):
        assert four_workers.call("GET", DISCOVERY_URL, "/cds-services", token=token).status_code == 200
    for worker in others:
        with four_workers.only(worker):
            assert four_workers.call("GET", DISCOVERY_URL, "/cds-services", token=token).status_code == 401
            assert four_workers.call("GET", DISCOVERY_URL, "/cds-services").status_code == 200


def test_concurrent_feedback_through_every_worker_is_stored_exactly_once(four_workers: Service,
                                                                         database_of_four: str) -> None:
    cards: dict[str, str] = {}
    for _ in range(3):
        response = four_workers.call("POST", HOOK_URL, f"/cds-services/{PATIENT_VIEW}",
                                     hook_request("patient-view", MSCC_STORY))
        assert response.status_code == 200, response.text
        cards |= {card["uuid"]: card["source"]["topic"]["code"] for card in response.json()["cards"]}
    morning = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    reports = [{"card": card, "outcome": "overridden",
                "outcomeTimestamp": (morning + timedelta(minutes=minutes)).isoformat()}
               for card in cards for minutes in (0, 5)]
    # Every report four times over, in batches of 1 to 5 in random order, from 16 clients at once.
    shuffled = random.Random(9).sample(reports * 4, len(reports) * 4)
    batches, rest = [], shuffled
    while rest:
        size = random.Random(len(rest)).randint(1, 5)
        batches.append(rest[:size])
        rest = rest[size:]

    def give(batch: list[dict[str, Any]]) -> int:
        return four_workers.call("POST", FEEDBACK_URL, f"/cds-services/{PATIENT_VIEW}/feedback",
                                 {"feedback": batch}).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert set(pool.map(give, batches)) == {200}
    for worker in four_workers.workers():
        with four_workers.only(worker):
            assert give(reports) == 200

    engine = create_engine(database_of_four)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Feedback.card_uuid, Feedback.rule_id)).all()
    finally:
        engine.dispose()
    assert len(rows) == len(reports)
    assert sorted(rows) == sorted((card, cards[card]) for card in cards for _ in range(2))


class SlowFhir(BaseHTTPRequestHandler):
    """Answers every search with an empty searchset after DELAY seconds, counting the requests."""

    DELAY = 1.5
    received: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        SlowFhir.received.append(self.path)
        time.sleep(self.DELAY)
        body = json.dumps(bundle([])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def slow_fhir() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowFhir)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/fhir"
    server.shutdown()
    server.server_close()


def test_sigterm_lets_requests_in_flight_finish_and_exits_cleanly(postgres_schemas, key: SigningKey,
                                                                  slow_fhir: str, tmp_path: Path) -> None:
    """What a container runtime or Kubernetes does to stop a pod: SIGTERM to the command the image runs."""
    database = postgres_schemas()
    _migrate(database, tmp_path)
    service = Service(database, key, tmp_path, workers=2, fhir_timeout_s="20")
    requests = []
    for _ in range(6):
        request = hook_request("patient-view", MSCC_STORY)
        del request["prefetch"]["procedures"]  # read from the slow FHIR server: the request stays in flight
        request["fhirServer"] = slow_fhir
        requests.append(request)
    SlowFhir.received.clear()
    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = [pool.submit(service.call, "POST", HOOK_URL, f"/cds-services/{PATIENT_VIEW}", request)
                       for request in requests]
            deadline = time.monotonic() + 30
            while len(SlowFhir.received) < len(requests):
                assert time.monotonic() < deadline, "the requests never reached the FHIR server"
                time.sleep(0.05)
            service.process.send_signal(signal.SIGTERM)
            responses = [answer.result() for answer in answers]
        assert service.process.wait(timeout=60) == 0, service.log()
    finally:
        service.stop()
    assert [response.status_code for response in responses] == [200] * len(requests)
    issued = {card["uuid"] for response in responses for card in response.json()["cards"]}
    assert issued
    with pytest.raises(httpx.ConnectError):
        service.call("GET", DISCOVERY_URL, "/cds-services")
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            assert set(connection.execute(select(IssuedCard.card_uuid)).scalars()) == issued
    finally:
        engine.dispose()
