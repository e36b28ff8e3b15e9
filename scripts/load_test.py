"""Bounded load test on loopback: the service under several concurrent connections, with mixed hooks,
FHIR fallback reads and feedback, checked for errors, memory growth and feedback stored exactly once.

    python -m scripts.load_test --duration 60 --connections 32

starts `palliative-rt-cds serve` on a free loopback port (auth off, a temporary SQLite database unless
--database-url names another) and a loopback FHIR server, warms the service up, then for --duration
seconds keeps every connection busy with the samples of fhir_samples/ (all three hooks; --fallback-share
of them without prefetch, read from the FHIR server) and posts feedback on a share of the cards (some
twice, as a retrying client would). It prints the numbers and exits 1 on any error, on memory growth
between the first and last 10 s over --max-growth-mib, or when the feedback rows in the database differ
from the reports sent.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select

from scripts.fhir_stub import FhirStub
from service.api.services import SERVICE_ID_BY_HOOK
from service.samples import EXPECTED_SUFFIX, SAMPLES_TODAY, samples_dir
from service.storage.tables import Feedback

FEEDBACK_SHARE = 0.3
"""Share of answers with cards on which one card gets feedback."""
RETRY_SHARE = 0.2
"""Share of feedback posts sent a second time, as a client retrying after a lost answer would."""
MEMORY_WINDOW_S = 10.0
REQUEST_TIMEOUT_S = 30.0
CLIENT_KEEPALIVE_S = 2.0
GRACEFUL_EXIT = (0, -signal.SIGTERM)
"""uvicorn ends a graceful shutdown on SIGTERM by re-raising the signal."""


# --- the service under test --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    url: str
    database_url: str
    log: Path

    def rss_bytes(self) -> int:
        """Resident memory of the server and its worker processes."""
        return sum(_rss(pid) for pid in [self.process.pid, *_children(self.process.pid)])

    def stop(self, timeout_s: float = 30.0) -> int:
        """SIGTERM (graceful shutdown), then the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout_s)


def _rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), "0")
    return int(kib) * 1024


def _children(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in children]


def start_service(workdir: Path, *, database_url: str | None = None, port: int | None = None,
                  workers: int = 1,
                  env: Mapping[str, str] | None = None, startup_timeout_s: float = 60.0) -> Service:
    """`palliative-rt-cds serve` on loopback with auth off and the samples' evaluation date."""
    port = port or free_port()
    database_url = database_url or f"sqlite:///{workdir / 'cds.db'}"
    log = workdir / f"service-{port}.log"
    environment = {**os.environ, "PRT_CDS_AUTH_MODE": "off", "PRT_CDS_DATABASE_URL": database_url,
                   "PRT_CDS_FIXED_TODAY": SAMPLES_TODAY.isoformat(), **(env or {})}
    command = [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=output,
                                   stderr=subprocess.STDOUT)
    service = Service(process, f"http://127.0.0.1:{port}", database_url, log)
    deadline = time.monotonic() + startup_timeout_s
    while True:
        try:
            if httpx.get(f"{service.url}/readyz", timeout=1).status_code == 200:
                return service
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            service.stop()
            raise RuntimeError(f"the service did not start; see {log}")
        time.sleep(0.1)


def stored_feedback(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(Feedback)).scalar_one()
    finally:
        engine.dispose()


# --- the workload ------------------------------------------------------------------------------------

def sample_requests() -> list[dict[str, Any]]:
    """Every CDS Hooks request in fhir_samples/ (all three hooks)."""
    requests = []
    for path in sorted(samples_dir().glob("*.json")):
        if not path.name.endswith(EXPECTED_SUFFIX):
            body = json.loads(path.read_text(encoding="utf-8"))
            if body.get("hook") in SERVICE_ID_BY_HOOK:
                requests.append(body)
    return requests


def fallback_request(sample: Mapping[str, Any], fhir_base: str) -> dict[str, Any]:
    """The sample without its prefetch: the service reads it from the FHIR server."""
    request = {key: value for key, value in sample.items() if key != "prefetch"}
    request["fhirServer"] = fhir_base
    request["fhirAuthorization"] = {"access_token": "load-test-token", "token_type": "Bearer",
                                    "expires_in": 300, "scope": "patient/*.read", "subject": "load-test"}
    return request


def prefetched_resources(sample: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for value in (sample.get("prefetch") or {}).values():
        if isinstance(value, dict) and value.get("resourceType") == "Bundle":
            yield from (entry["resource"] for entry in value.get("entry") or () if "resource" in entry)
        elif isinstance(value, dict) and value.get("resourceType") not in (None, "Patient"):
            yield value


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request: its kind (a hook, "fallback", "feedback", "feedback-retry"), when it was sent and
    answered (time.monotonic()), and how: "HTTP <status>", or the transport error and its message."""

    kind: str
    sent: float
    answered: float
    outcome: str

    @property
    def ok(self) -> bool:
        return self.outcome == "HTTP 200"


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    """A report posted to `url`: the card was overridden at `moment` (each report has its own moment)."""

    url: str
    card: str
    moment: str

    def body(self) -> dict[str, Any]:
        return {"feedback": [{"card": self.card, "outcome": "overridden", "outcomeTimestamp": self.moment}]}


@dataclass
class LoadResult:
    exchanges: list[Exchange] = field(default_factory=list)
    feedback_sent: set[FeedbackReport] = field(default_factory=set)
    """Every distinct report sent and answered 200."""
    feedback_unanswered: set[FeedbackReport] = field(default_factory=set)
    """Reports whose answer never came (connection lost): a client sends them again."""

    @property
    def requests(self) -> Counter[str]:
        return Counter(exchange.kind for exchange in self.exchanges)

    @property
    def errors(self) -> Counter[str]:
        return Counter(f"{exchange.kind}: {exchange.outcome}"
                       for exchange in self.exchanges if not exchange.ok)

    @property
    def latencies_s(self) -> list[float]:
        return [exchange.answered - exchange.sent for exchange in self.exchanges if exchange.ok]


class Load:
    """Keeps `connections` connections busy until `stop` is set."""

    def __init__(self, base_url: str, *, connections: int, fhir_base: str | None, fallback_share: float,
                 seed: int) -> None:
        self.base_url = base_url
        self.connections = connections
        self.fhir_base = fhir_base
        self.fallback_share = fallback_share
        self.samples = sample_requests()
        self.random = random.Random(seed)
        self.result = LoadResult()
        self.stop = asyncio.Event()
        self._timestamps = itertools.count()

    async def run(self, duration_s: float | None = None) -> LoadResult:
        # Idle connections expire before the server's keep-alive timeout (uvicorn: 5 s) would close them
        # under a request just being sent.
        limits = httpx.Limits(max_connections=self.connections, max_keepalive_connections=self.connections,
                              keepalive_expiry=CLIENT_KEEPALIVE_S)
        async with httpx.AsyncClient(base_url=self.base_url, limits=limits,
                                     timeout=REQUEST_TIMEOUT_S) as client:
            workers = [asyncio.create_task(self._worker(client)) for _ in range(self.connections)]
            if duration_s is not None:
                await asyncio.sleep(duration_s)
                self.stop.set()
            await asyncio.gather(*workers)
        return self.result

    async def _worker(self, client: httpx.AsyncClient) -> None:
        while not self.stop.is_set():
            sample = self.random.choice(self.samples)
            if self.fhir_base is not None and self.random.random() < self.fallback_share:
                kind, request = "fallback", fallback_request(sample, self.fhir_base)
            else:
                kind, request = sample["hook"], dict(sample)
            request["hookInstance"] = str(uuid.uuid4())
            answer = await self._post(client, kind, f"/cds-services/{SERVICE_ID_BY_HOOK[sample['hook']]}",
                                      request)
            if answer and answer["cards"] and self.random.random() < FEEDBACK_SHARE:
                await self._feedback(client, sample["hook"], self.random.choice(answer["cards"]))

    async def _feedback(self, client: httpx.AsyncClient, hook: str, card: Mapping[str, Any]) -> None:
        moment = datetime(2026, 11, 27, tzinfo=UTC) + timedelta(milliseconds=next(self._timestamps))
        report = FeedbackReport(f"/cds-services/{SERVICE_ID_BY_HOOK[hook]}/feedback", card["uuid"],
                                moment.isoformat())
        if await self._post(client, "feedback", report.url, report.body()) is None:
            self.result.feedback_unanswered.add(report)
            return
        self.result.feedback_sent.add(report)
        if self.random.random() < RETRY_SHARE:
            await self._post(client, "feedback-retry", report.url, report.body())

    async def _post(self, client: httpx.AsyncClient, kind: str, url: str,
                    body: Mapping[str, Any]) -> dict[str, Any] | None:
        """The JSON answer, or None when the answer is not a 200."""
        sent = time.monotonic()
        try:
            response = await client.post(url, json=body)
        except httpx.TransportError as error:
            outcome = f"{type(error).__name__}: {error}"
        else:
            outcome = f"HTTP {response.status_code}"
        exchange = Exchange(kind, sent, time.monotonic(), outcome)
        self.result.exchanges.append(exchange)
        return response.json() if exchange.ok else None


async def sample_memory(service: Service, samples: list[tuple[float, int]], stop: asyncio.Event) -> None:
    started = time.monotonic()
    while not stop.is_set():
        samples.append((time.monotonic() - started, service.rss_bytes()))
        await asyncio.sleep(0.5)


def memory_windows(samples: list[tuple[float, int]], duration_s: float) -> tuple[float, float]:
    """Mean RSS (MiB) of the first and of the last MEMORY_WINDOW_S seconds."""
    first = [rss for moment, rss in samples if moment <= MEMORY_WINDOW_S]
    last = [rss for moment, rss in samples if moment >= duration_s - MEMORY_WINDOW_S]
    mib = 1024 * 1024
    return sum(first) / len(first) / mib, sum(last) / len(last) / mib


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


# --- the run -----------------------------------------------------------------------------------------

async def _measure(service: Service, fhir_base: str,
                   args: argparse.Namespace) -> tuple[LoadResult, float, float]:
    warmup = Load(service.url, connections=args.connections, fhir_base=fhir_base,
                  fallback_share=args.fallback_share, seed=args.seed)
    await warmup.run(args.warmup)
    load = Load(service.url, connections=args.connections, fhir_base=fhir_base,
                fallback_share=args.fallback_share, seed=args.seed + 1)
    samples: list[tuple[float, int]] = []
    sampling = asyncio.Event()
    sampler = asyncio.create_task(sample_memory(service, samples, sampling))
    result = await load.run(args.duration)
    sampling.set()
    await sampler
    first, last = memory_windows(samples, args.duration)
    # The warm-up's feedback is in the database too.
    result.feedback_sent |= warmup.result.feedback_sent
    result.exchanges += [exchange for exchange in warmup.result.exchanges if not exchange.ok]
    return result, first, last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds (default 60)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (16-64)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--fallback-share", type=float, default=0.1,
                        help="share of hook calls without prefetch, read from the loopback FHIR server")
    parser.add_argument("--database-url", help="the service's database (default: a temporary SQLite file)")
    parser.add_argument("--max-growth-mib", type=float, default=20.0,
                        help="largest allowed growth of mean RSS, last vs first 10 s")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.duration < 2 * MEMORY_WINDOW_S:
        parser.error(f"--duration must be at least {2 * MEMORY_WINDOW_S:.0f} s for the memory check")

    directory = Path(tempfile.mkdtemp(prefix="prt-cds-load-"))
    stories = [resource for sample in sample_requests() for resource in prefetched_resources(sample)]
    with FhirStub(stories) as fhir:
        service = start_service(directory, database_url=args.database_url, workers=args.workers)
        try:
            result, first_mib, last_mib = asyncio.run(_measure(service, fhir.url("ok"), args))
        finally:
            exit_status = service.stop()
    stored = stored_feedback(service.database_url)

    growth = last_mib - first_mib
    seconds = args.duration
    print(f"connections {args.connections}, {seconds:.0f} s measured after {args.warmup:.0f} s warm-up, "
          f"{args.workers} worker(s)")
    total = len(result.exchanges)
    print(f"requests    {total} ({total / seconds:.0f}/s): "
          + ", ".join(f"{kind} {count}" for kind, count in sorted(result.requests.items())))
    print(f"latency     p50 {percentile(result.latencies_s, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(result.latencies_s, 0.99) * 1000:.0f} ms")
    print(f"errors      {sum(result.errors.values())} {dict(result.errors) or ''}")
    print(f"memory      first 10 s {first_mib:.1f} MiB, last 10 s {last_mib:.1f} MiB, "
          f"growth {growth:+.1f} MiB")
    print(f"feedback    sent {len(result.feedback_sent)} distinct reports, stored {stored}")
    print(f"shutdown    exit status {exit_status}")
    failed = (bool(result.errors) or growth > args.max_growth_mib or stored != len(result.feedback_sent)
              or exit_status not in GRACEFUL_EXIT)
    if failed:
        print(f"FAILED: the service's log and database are in {directory}")
        return 1
    shutil.rmtree(directory)
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
