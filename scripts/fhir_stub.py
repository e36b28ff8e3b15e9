"""A read-only FHIR R4 server on loopback that serves patients' resources or fails in a chosen way.

Searches `<Type>?patient=<id>` answer one searchset page with the resources of that type whose `subject`
or `patient` names the patient; `Patient/<id>` answers a Patient with that id.

The first path segment picks the behaviour, so one server serves every test:
`http://127.0.0.1:PORT/<fault>/fhir` fails every read, `/<fault>:Observation/fhir` only the reads of
that resource type (the others are served), `/ok/fhir` none, `/slow/fhir` none but after SLOW_S. See FAULTS.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULTS = (
    "status-401", "status-403", "status-404", "status-500", "status-503",
    "hang",              # accepts, never answers
    "trickle",           # announces a body, then sends one byte every 0.1 s
    "invalid-json",
    "not-bundle",        # a search answered with a single resource
    "endless-next",      # every page links to a further page
    "gigantic",          # a page far over any sane size, with its Content-Length
    "gigantic-chunked",  # the same without a length: only reading tells
)
GIGANTIC_BYTES = 64 * 1024 * 1024
SLOW_S = 1.0
_CHUNK = b" " * (1024 * 1024)


def searchset(resources: Iterable[Mapping[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset",
                              "entry": [{"resource": dict(resource)} for resource in resources]}
    if next_url:
        bundle["link"] = [{"relation": "next", "url": next_url}]
    return bundle


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Keep-alive connections would hold handler threads after a fault; one request per connection.
    close_connection = True

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        behaviour, _, rest = url.path.lstrip("/").partition("/")
        if not rest.startswith("fhir/"):
            self._json(404, {"resourceType": "OperationOutcome", "issue": [{"severity": "error",
                                                                             "code": "not-found"}]})
            return
        relative = rest.removeprefix("fhir/")
        resource_type = relative.split("/", 1)[0]
        fault, _, only = behaviour.partition(":")
        base = f"http://{self.headers['Host']}/{behaviour}/fhir"
        faulty = fault not in ("ok", "slow") and (not only or only == resource_type)
        self.server.count(faulty)
        if faulty:
            self._fail(fault, base, relative, parse_qs(url.query))
        else:
            if fault == "slow":
                self.server.released.wait(SLOW_S)
            self._serve(relative, resource_type, parse_qs(url.query))

    def _serve(self, relative: str, resource_type: str, query: dict[str, list[str]]) -> None:
        if resource_type == "Patient" and "/" in relative:
            self._json(200, {"resourceType": "Patient", "id": relative.split("/", 1)[1]})
            return
        patient = f"Patient/{query.get('patient', [''])[0]}"
        self._json(200, searchset(resource for resource in self.server.resources
                                  if resource["resourceType"] == resource_type and _about(resource, patient)))

    def _fail(self, fault: str, base: str, relative: str, query: dict[str, list[str]]) -> None:
        released = self.server.released
        if fault.startswith("status-"):
            self._json(int(fault.removeprefix("status-")), {
                "resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "exception"}]})
        elif fault == "hang":
            released.wait()
        elif fault == "trickle":
            self._start(200, 1_000_000)
            while not released.wait(0.1):
                self.wfile.write(b" ")
                self.wfile.flush()
        elif fault == "invalid-json":
            self._body(200, b'{"resourceType": "Bundle", "entry": [')
        elif fault == "not-bundle":
            self._json(200, {"resourceType": "Basic", "id": "unexpected"})
        elif fault == "endless-next":
            page = int(query.get("page", ["1"])[0])
            self._json(200, searchset([], next_url=f"{base}/{relative.split('?')[0]}?page={page + 1}"))
        elif fault == "gigantic":
            self._start(200, GIGANTIC_BYTES)
            self._stream(GIGANTIC_BYTES)
        elif fault == "gigantic-chunked":
            self._start(200, None)
            self._stream(GIGANTIC_BYTES)
        else:
            raise ValueError(f"unknown fault {fault!r}")

    def _stream(self, size: int) -> None:
        self.wfile.write(b'{"resourceType": "Bundle", "entry": [], "padding": "')
        for _ in range(size // len(_CHUNK)):
            self.wfile.write(_CHUNK)

    def _start(self, status: int, length: int | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/fhir+json")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Connection", "close")
        self.end_headers()

    def _body(self, status: int, body: bytes) -> None:
        self._start(status, len(body))
        self.wfile.write(body)

    def _json(self, status: int, resource: dict[str, Any]) -> None:
        self._body(status, json.dumps(resource).encode())

    def handle_one_request(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the service gave up: as it should
            super().handle_one_request()

    def log_message(self, *_: object) -> None:
        pass


def _about(resource: Mapping[str, Any], patient: str) -> bool:
    return any(isinstance(resource.get(member), dict) and resource[member].get("reference") == patient
               for member in ("subject", "patient"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the service opens a connection per prefetch key at once

    def __init__(self, resources: Iterable[Mapping[str, Any]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.resources = [dict(resource) for resource in resources]
        self.released = threading.Event()
        self.requests = 0
        self.faults_injected = 0
        self._counting = threading.Lock()

    def count(self, faulty: bool) -> None:
        with self._counting:
            self.requests += 1
            self.faults_injected += faulty


class FhirStub:
    """`with FhirStub(resources) as stub:` serves on a free loopback port until the block ends."""

    def __init__(self, resources: Iterable[Mapping[str, Any]] = ()) -> None:
        self._server = _Server(resources)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, behaviour: str = "ok") -> str:
        """The base URL of a FHIR server behaving as `behaviour` ("ok", a FAULT, or "FAULT:ResourceType")."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/{behaviour}/fhir"

    @property
    def requests(self) -> int:
        return self._server.requests

    @property
    def faults_injected(self) -> int:
        """Requests answered with a fault so far."""
        return self._server.faults_injected

    def __enter__(self) -> FhirStub:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._server.released.set()  # hanging and trickling answers end
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
