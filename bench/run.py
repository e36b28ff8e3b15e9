"""The benchmark: `python -m bench.run` (see README.md, "Performance").

Starts the service (uvicorn, one worker, auth off, SQLite) and the baselines of bench/baselines.py
the same way, loads each with wrk from a separate process (16 connections, fixed duration, after a
warm-up) for every workload of bench/workload.py, then the FHIR fallback path against bench/fhir_stub.py.
Servers are loaded one at a time; the idle ones wait. Prints a table and writes a JSON result file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.fhir_stub import BASE_PATH
from bench.report import Results, render_table
from bench.workload import DEFAULT_SEED, SERVICE_PATH, SIZES, fallback_request, order_sign_request
from service.api.services import PREFETCH
from service.wire.prefetch import fill_template
from tests.fhir import PATIENT_ID, TODAY

ROOT = Path(__file__).resolve().parents[1]
LOAD_SCRIPT = ROOT / "bench" / "load.lua"
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "latest.json"
READY_TIMEOUT_S = 30
UVICORN_LIKE_THE_SERVICE = ["--no-server-header", "--proxy-headers"]
"""The options service.cli.serve passes to uvicorn, so the baselines are served the same way."""


@dataclass
class Server:
    name: str
    url: str
    ready_path: str
    process: subprocess.Popen[bytes]
    startup_s: float = 0.0

    def cpu_s(self) -> float:
        """CPU seconds the process (all threads) has used: other load on the machine barely moves it."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        user, system = int(fields[11]), int(fields[12])  # utime and stime, in clock ticks
        return (user + system) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        """The process's peak resident set (VmHWM) so far."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc status")


@dataclass
class Load:
    """One wrk run's numbers."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    cpu_ms: float | None = None
    """The server's CPU time per request."""
    rps: float = field(init=False)

    def __post_init__(self) -> None:
        self.rps = self.requests / self.seconds


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk not found: installing it with apt-get", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is required: install it (Debian: apt-get install wrk)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(name: str, command: list[str], *, env: dict[str, str], ready_path: str,
          logs: Path) -> Iterator[Server]:
    """Start a server on a free loopback port and wait until `ready_path` answers 200."""
    port = free_port()
    log = (logs / f"{name}.log").open("wb")
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                               env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    server = Server(name, f"http://127.0.0.1:{port}", ready_path, process)
    try:
        while True:
            try:
                if httpx.get(server.url + ready_path, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.perf_counter() - started > READY_TIMEOUT_S:
                raise RuntimeError(f"{name} did not start; see {log.name}")
            time.sleep(0.01)
        server.startup_s = time.perf_counter() - started
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def wrk(binary: str, url: str, *, body: Path | None, connections: int, seconds: float) -> Load:
    command = [binary, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "2s",
               "-s", str(LOAD_SCRIPT), url]
    if body is not None:
        command += ["--", str(body)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_RESULT "))
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    return Load(requests=result["requests"], seconds=result["duration_us"] / 1e6,
                errors=sum(result["errors"].values()), p50_ms=result["latency_us"]["p50"] / 1000,
                p99_ms=result["latency_us"]["p99"] / 1000)


@dataclass(frozen=True)
class LoadPlan:
    wrk: str
    connections: int
    duration_s: float
    warmup_s: float
    latency_duration_s: float

    def load(self, server: Server, url: str, body: Path | None, *, connections: int | None = None,
             duration_s: float | None = None) -> Load:
        connections = connections or self.connections
        wrk(self.wrk, url, body=body, connections=connections, seconds=self.warmup_s)
        cpu_before = server.cpu_s()
        load = wrk(self.wrk, url, body=body, connections=connections, seconds=duration_s or self.duration_s)
        if load.requests:
            load.cpu_ms = (server.cpu_s() - cpu_before) / load.requests * 1000
        return load


def check_answer(server: Server, body: bytes) -> int:
    """The number of cards the service answers the body with; a benchmark of error answers is void."""
    response = httpx.post(server.url + SERVICE_PATH, content=body, timeout=30,
                          headers={"Content-Type": "application/json", "Accept-Language": "da"})
    if response.status_code != 200 or not response.json()["cards"]:
        raise RuntimeError(f"{server.name} answered {response.status_code} without cards: "
                           f"{response.text[:300]}")
    return len(response.json()["cards"])


def fhir_queries() -> list[str]:
    """The searches the service makes for a request without prefetch."""
    context = {"patientId": PATIENT_ID, "userId": "Practitioner/onk-4471"}
    return [query for template in PREFETCH.values() if (query := fill_template(template, context))]


def run(args: argparse.Namespace) -> Results:
    plan = LoadPlan(wrk=ensure_wrk(), connections=args.connections, duration_s=args.duration,
                    warmup_s=args.warmup, latency_duration_s=args.latency_duration)
    results = Results(started=datetime.now(UTC).isoformat(timespec="seconds"), seed=args.seed,
                      connections=args.connections, duration_s=args.duration, warmup_s=args.warmup,
                      fhir_latency_ms=args.fhir_latency_ms, machine=_machine())
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="prt-cds-bench-")))
        logs = args.output.parent / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        service_env = {"PRT_CDS_AUTH_MODE": "off", "PRT_CDS_DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
                       "PRT_CDS_FIXED_TODAY": TODAY.isoformat(), "PRT_CDS_LANGUAGE": "da"}
        python = sys.executable
        service = stack.enter_context(serve("service", [python, "-m", "service", "serve"], env=service_env,
                                            ready_path="/readyz", logs=logs))
        baselines = {
            name: stack.enter_context(serve(name, [python, "-m", "uvicorn", f"bench.baselines:{name}_app",
                                                   *UVICORN_LIKE_THE_SERVICE], env={},
                                            ready_path="/openapi.json", logs=logs))
            for name in ("raw", "dict", "parse")
        }
        stub = stack.enter_context(serve(
            "fhir-stub",
            [python, "-m", "uvicorn", "--factory", "bench.fhir_stub:create_app", "--no-access-log"],
            env={"BENCH_FHIR_RESOURCES": str(SIZES["typical"]), "BENCH_FHIR_SEED": str(args.seed),
                 "BENCH_FHIR_LATENCY_MS": str(args.fhir_latency_ms)},
            ready_path=f"{BASE_PATH}/metadata", logs=logs))
        apps = (service, *baselines.values())
        results.startup_s = {server.name: round(server.startup_s, 3) for server in apps}

        for workload, count in SIZES.items():
            body_bytes = orjson.dumps(order_sign_request(count, args.seed))
            body = work / f"{workload}.json"
            body.write_bytes(body_bytes)
            cards = check_answer(service, body_bytes)
            print(f"{workload}: {count} resources, {len(body_bytes) // 1024} KB, {cards} card(s)", flush=True)
            for server in apps:
                load = plan.load(server, server.url + SERVICE_PATH, body)
                results.add_load(workload, count, len(body_bytes), server.name, load, cards=cards)
                print(f"  {server.name:8} {load.rps:8.0f} req/s  p50 {load.p50_ms:7.1f} ms  "
                      f"p99 {load.p99_ms:7.1f} ms  errors {load.errors}  CPU {load.cpu_ms or 0:.2f} ms/req",
                      flush=True)
            single = plan.load(service, service.url + SERVICE_PATH, body, connections=1,
                               duration_s=plan.latency_duration_s)
            results.add_growth(count, single)

        body_bytes = orjson.dumps(fallback_request(stub.url + BASE_PATH))
        body = work / "fallback.json"
        body.write_bytes(body_bytes)
        cards = check_answer(service, body_bytes)
        load = plan.load(service, service.url + SERVICE_PATH, body)
        results.add_load("fallback", SIZES["typical"], len(body_bytes), "service", load, cards=cards)
        single = plan.load(service, service.url + SERVICE_PATH, body, connections=1,
                           duration_s=plan.latency_duration_s)
        queries = {query: plan.load(stub, f"{stub.url}{BASE_PATH}/{query}", None, connections=1,
                                    duration_s=plan.latency_duration_s) for query in fhir_queries()}
        results.add_fallback(single, queries)
        print(f"fallback: {load.rps:.0f} req/s at {plan.connections} connections; "
              f"{single.p50_ms:.1f} ms alone", flush=True)

        results.peak_rss_mb = {server.name: round(server.peak_rss_mb(), 1) for server in apps}
    results.evaluate_targets()
    return results


def _machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "load_average": [round(value, 2) for value in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per measurement")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before each measurement")
    parser.add_argument("--latency-duration", type=float, default=5,
                        help="seconds of each single-connection latency measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="workload generator seed")
    parser.add_argument("--fhir-latency-ms", type=float, default=20,
                        help="time the FHIR stub takes to answer each search")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON result file")
    args = parser.parse_args()
    results = run(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(asdict(results), indent=2) + "\n", encoding="utf-8")
    print()
    print(render_table(results))
    print(f"\nresults: {args.output}")


if __name__ == "__main__":
    main()
