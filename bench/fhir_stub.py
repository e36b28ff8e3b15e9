"""A read-only FHIR server for the fallback workload: the patient's searches answered from memory.

Every search answers after a fixed latency, standing in for the time an EHR's FHIR server takes, so
the benchmark can tell concurrent reads (total close to the slowest query) from sequential ones (the
sum). Bundles are serialised once at start. Configured by environment, as uvicorn starts it:
BENCH_FHIR_RESOURCES, BENCH_FHIR_SEED, BENCH_FHIR_LATENCY_MS.
"""

from __future__ import annotations

import asyncio
import os
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.workload import DEFAULT_SEED, SIZES, patient_history
from tests.fhir import PATIENT_ID

BASE_PATH = "/fhir"
FHIR_JSON = [(b"content-type", b"application/fhir+json")]
CAPABILITIES = orjson.dumps({"resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
                             "fhirVersion": "4.0.1"})


def searchset(resources: list[dict[str, Any]], base_url: str) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"fullUrl": f"{base_url}/{r['resourceType']}/{r['id']}", "resource": r,
                   "search": {"mode": "match"}} for r in resources],
    }


class FhirStub:
    """GET {BASE_PATH}/Patient/{id} and GET {BASE_PATH}/{type}?patient={id}; anything else is 404."""

    def __init__(self, resources: list[dict[str, Any]], *, latency_s: float) -> None:
        self.latency_s = latency_s
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for resource in resources:
            by_type[resource["resourceType"]].append(resource)
        base_url = f"http://fhir.invalid{BASE_PATH}"
        self.answers = {f"{BASE_PATH}/{t}": orjson.dumps(searchset(found, base_url))
                        for t, found in by_type.items()}
        self.empty = orjson.dumps(searchset([], base_url))
        self.patient = orjson.dumps({"resourceType": "Patient", "id": PATIENT_ID})

    def answer(self, path: str, query: dict[str, list[str]]) -> bytes | None:
        if path == f"{BASE_PATH}/Patient/{PATIENT_ID}":
            return self.patient
        if path == f"{BASE_PATH}/metadata":
            return CAPABILITIES
        if path.count("/") != 2 or query.get("patient") != [PATIENT_ID]:
            return None
        return self.answers.get(path, self.empty)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = self.answer(scope["path"], parse_qs(scope["query_string"].decode()))
        await asyncio.sleep(self.latency_s)
        await send({"type": "http.response.start", "status": 200 if body else 404, "headers": FHIR_JSON})
        await send({"type": "http.response.body", "body": body or b'{"resourceType":"OperationOutcome"}'})


def create_app() -> ASGIApp:
    count = int(os.environ.get("BENCH_FHIR_RESOURCES", SIZES["typical"]))
    seed = int(os.environ.get("BENCH_FHIR_SEED", DEFAULT_SEED))
    latency_ms = float(os.environ.get("BENCH_FHIR_LATENCY_MS", "20"))
    return FhirStub(patient_history(count, seed), latency_s=latency_ms / 1000)
