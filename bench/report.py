"""Benchmark results: the numbers, the ratios to the baselines, the targets, and the printed table."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Protocol

SERVICE = "service"
BASELINE_RAW = "raw"
BASELINE_DICT = "dict"
TARGET_WORKLOAD = "typical"
P99_LIMIT_MS = 25.0
LINEAR_SLOPE_TOLERANCE = 1.5
"""Slope per resource 200->2,000 over slope 20->200: ~1 when linear, 10 when quadratic."""
FALLBACK_FACTOR, FALLBACK_ALLOWANCE_MS = 1.3, 5.0
RSS_LIMIT_MB = 150.0
STARTUP_LIMIT_S = 1.5


class Measured(Protocol):
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float | None


@dataclass
class Results:
    started: str
    seed: int
    connections: int
    duration_s: float
    warmup_s: float
    fhir_latency_ms: float
    machine: dict[str, Any]
    loads: list[dict[str, Any]] = field(default_factory=list)
    growth: list[dict[str, Any]] = field(default_factory=list)
    fallback: dict[str, Any] = field(default_factory=dict)
    startup_s: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)

    def add_load(self, workload: str, resources: int, body_bytes: int, app: str, load: Measured, *,
                 cards: int) -> None:
        self.loads.append({"workload": workload, "resources": resources, "body_kb": round(body_bytes / 1024),
                           "app": app, "cards": cards if app == SERVICE else 0, **_numbers(load)})

    def add_growth(self, resources: int, load: Measured) -> None:
        self.growth.append({"resources": resources, **_numbers(load)})

    def add_fallback(self, service: Measured, queries: dict[str, Measured]) -> None:
        slowest = max(queries, key=lambda query: queries[query].p50_ms)
        self.fallback = {
            "service": _numbers(service),
            "queries": {query: _numbers(load) for query, load in queries.items()},
            "slowest_query": slowest.split("?")[0],
            "slowest_query_p50_ms": queries[slowest].p50_ms,
            "limit_ms": round(FALLBACK_FACTOR * queries[slowest].p50_ms + FALLBACK_ALLOWANCE_MS, 2),
        }

    def load(self, workload: str, app: str) -> dict[str, Any] | None:
        return next((row for row in self.loads if row["workload"] == workload and row["app"] == app), None)

    def ratio(self, workload: str, baseline: str) -> float | None:
        """Service throughput over the baseline's on the same workload."""
        ours, theirs = self.load(workload, SERVICE), self.load(workload, baseline)
        if ours is None or theirs is None or not theirs["rps"]:
            return None
        return round(ours["rps"] / theirs["rps"], 2)

    def slopes(self) -> list[float]:
        """Latency added per resource (ms) between consecutive workload sizes, alone on one connection."""
        points = sorted((row["resources"], row["p50_ms"]) for row in self.growth)
        return [round((b_ms - a_ms) / (b - a), 4) for (a, a_ms), (b, b_ms) in pairwise(points)]

    def evaluate_targets(self) -> None:
        typical = self.load(TARGET_WORKLOAD, SERVICE) or {}
        slopes = self.slopes()
        service_rows = [row for row in self.loads if row["app"] == SERVICE]
        self.targets = [
            _target(f"{TARGET_WORKLOAD}: throughput / baseline (b) dict",
                    self.ratio(TARGET_WORKLOAD, BASELINE_DICT), ">=", 1.0),
            _target(f"{TARGET_WORKLOAD}: p99 ms at {self.connections} connections",
                    typical.get("p99_ms"), "<", P99_LIMIT_MS),
            _target("errors, every workload", sum(row["errors"] for row in service_rows), "==", 0),
            _target("growth: slope 200->2,000 / slope 20->200",
                    round(slopes[-1] / slopes[0], 2) if len(slopes) == 2 and slopes[0] > 0 else None,
                    "<=", LINEAR_SLOPE_TOLERANCE),
            _target("fallback: p50 ms alone (limit 1.3 x slowest query + 5)",
                    self.fallback.get("service", {}).get("p50_ms"), "<=", self.fallback.get("limit_ms")),
            _target("peak RSS MB", self.peak_rss_mb.get(SERVICE), "<", RSS_LIMIT_MB),
            _target("startup s (process start to ready)", self.startup_s.get(SERVICE), "<", STARTUP_LIMIT_S),
        ]


def _numbers(load: Measured) -> dict[str, Any]:
    return {"rps": round(load.rps, 1), "p50_ms": round(load.p50_ms, 2), "p99_ms": round(load.p99_ms, 2),
            "errors": load.errors, "cpu_ms": None if load.cpu_ms is None else round(load.cpu_ms, 2)}


def _target(name: str, value: float | None, relation: str, limit: float | None) -> dict[str, Any]:
    met = None
    if value is not None and limit is not None:
        met = {">=": value >= limit, "<": value < limit, "<=": value <= limit, "==": value == limit}[relation]
    return {"target": name, "value": value, "relation": relation, "limit": limit, "met": met}


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 10 else f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    return str(value)


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def render_table(results: Results) -> str:
    """The results as Markdown tables, as quoted in README.md."""
    load_rows = []
    for row in results.loads:
        is_service = row["app"] == SERVICE
        load_rows.append([
            row["workload"], row["resources"], row["body_kb"], row["app"], row["rps"], row["p50_ms"],
            row["p99_ms"], row["errors"], row["cpu_ms"],
            results.ratio(row["workload"], BASELINE_RAW) if is_service else None,
            results.ratio(row["workload"], BASELINE_DICT) if is_service else None,
        ])
    load_average = results.machine.get("load_average")
    lines = [f"{results.started}, {results.machine.get('cpus', '?')} CPUs, load average at start "
             f"{' '.join(str(value) for value in load_average) if load_average else '?'}. "
             f"{results.connections} connections, {results.duration_s:g} s after {results.warmup_s:g} s "
             "warm-up; (a) raw-body FastAPI route, (b) `body: dict` FastAPI route, (c) raw-body route that "
             "parses the body with orjson; ratios are service / baseline req/s.", ""]
    lines += _table(["workload", "resources", "body KB", "app", "req/s", "p50 ms", "p99 ms", "errors",
                     "CPU ms/req", "vs (a) raw", "vs (b) dict"], load_rows)
    slopes = results.slopes()
    lines += ["", "Latency alone (1 connection), service:", ""]
    lines += _table(["resources", "p50 ms", "p99 ms", "ms per added resource"],
                    [[row["resources"], row["p50_ms"], row["p99_ms"], slopes[index - 1] if index else None]
                     for index, row in enumerate(sorted(results.growth, key=lambda row: row["resources"]))])
    if results.fallback:
        fallback = results.fallback
        lines += ["", f"Fallback (no prefetch; {len(fallback['queries'])} FHIR searches, the stub answering "
                      f"each after {results.fhir_latency_ms:g} ms), 1 connection: slowest single query "
                      f"{fallback['slowest_query']} p50 {fallback['slowest_query_p50_ms']:.2f} ms; "
                      f"service p50 {fallback['service']['p50_ms']:.2f} ms "
                      f"(limit {fallback['limit_ms']:.2f} ms)."]
    lines += ["", "Peak RSS MB: " + ", ".join(f"{name} {mb:.0f}" for name, mb in results.peak_rss_mb.items())
              + "; startup s: " + ", ".join(f"{name} {s:.2f}" for name, s in results.startup_s.items()) + ".",
              ""]
    lines += _table(["target", "value", "limit", "met"],
                    [[t["target"], t["value"], f"{t['relation']} {_cell(t['limit'])}",
                      {True: "yes", False: "NO", None: "-"}[t["met"]]] for t in results.targets])
    return "\n".join(lines)
