"""Reads FHIR data the CDS client did not prefetch: one shared connection pool, searchset pagination.

URLs and responses are never logged: they carry patient identifiers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO, and FHIR search URLs carry the patient id.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

FHIR_JSON = "application/fhir+json"


DEFAULT_MAX_BYTES_PER_REQUEST = 4 * 1024 * 1024
_REPORTED_STATUSES = frozenset({400, 401, 403, 404, 410, 429, 500, 502, 503, 504})


class FhirReadError(Exception):
    """The FHIR server did not answer with a usable resource.

    `reason` is one of a few fixed words (a metric label): unsendable, connect, transport, http-<status> or
    http-other, too-large, not-json, not-fhir, unexpected-type, operation-outcome.
    """

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(detail or reason)
        self.reason = reason


def _status_reason(status: int) -> str:
    return f"http-{status}" if status in _REPORTED_STATUSES else "http-other"


def expected_type(query: str) -> str:
    """What a prefetch query answers: a searchset Bundle for a search, else the resource type it reads."""
    path, search, _ = query.partition("?")
    return "Bundle" if search or "/" not in path.strip("/") else path.strip("/").split("/", 1)[0]


def malformed_bundle(resource: Mapping[str, Any]) -> bool:
    """A Bundle whose `entry` or `link` is not a list: its content cannot be trusted to be complete."""
    return resource.get("resourceType") == "Bundle" and any(
        resource.get(member) is not None and not isinstance(resource.get(member), list)
        for member in ("entry", "link"))


def bundle_resources(bundle: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The resources of a Bundle's entries, without search outcome messages or entries that are no
    resource (no resourceType string)."""
    entries = bundle.get("entry")
    for entry in entries if isinstance(entries, list) else ():
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if (isinstance(resource, dict) and isinstance(resource.get("resourceType"), str)
                and resource["resourceType"] != "OperationOutcome"):
            yield resource


def next_page(bundle: Mapping[str, Any]) -> str | None:
    links = bundle.get("link")
    for link in links if isinstance(links, list) else ():
        if isinstance(link, Mapping) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return link["url"]
    return None


@dataclass
class Read:
    """What one prefetch key yielded so far; `complete` once every page is in."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    complete: bool = False

    def take(self, resource: Mapping[str, Any]) -> str | None:
        """Keep a resource or a Bundle page's resources; the next page's URL when there is one."""
        if resource.get("resourceType") == "Bundle":
            self.resources.extend(bundle_resources(resource))
            return next_page(resource)
        self.resources.append(dict(resource))
        return None


@dataclass(slots=True)
class ByteBudget:
    """What one hook request may still read from the FHIR server, over all its keys and pages: the work of
    evaluating what was read grows with it, and the answer must come in time."""

    left: int

    def check(self, size: int) -> None:
        if size > self.left:
            raise FhirReadError("too-large", "the FHIR server's answers exceed the request's byte budget")

    def spend(self, size: int) -> None:
        self.check(size)
        self.left -= size


@dataclass(frozen=True, slots=True)
class FhirServer:
    """The CDS client's FHIR server for one request."""

    base_url: str
    access_token: str | None = field(default=None, repr=False)

    def url(self, relative: str) -> str:
        return f"{self.base_url.rstrip('/')}/{relative.lstrip('/')}"

    def owns(self, url: str) -> bool:
        # The bearer token goes to the client's FHIR server only, never to a host a Bundle link names.
        return url.startswith(self.base_url.rstrip("/") + "/")

    def headers(self) -> dict[str, str]:
        headers = {"Accept": FHIR_JSON}
        if self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        return headers


class FhirClient:
    """FHIR reads over a connection pool shared by all requests of the process."""

    def __init__(self, http: httpx.AsyncClient, *, page_cap: int,
                 max_bytes_per_request: int = DEFAULT_MAX_BYTES_PER_REQUEST) -> None:
        self._http = http
        self._page_cap = page_cap
        self._max_bytes_per_request = max_bytes_per_request

    def request_budget(self) -> ByteBudget:
        return ByteBudget(self._max_bytes_per_request)

    async def get(self, server: FhirServer, url: str, *, expect: str, budget: ByteBudget) -> dict[str, Any]:
        """The resource at `url`, which must be an `expect` (a resource type)."""
        try:
            async with self._http.stream("GET", url, headers=server.headers()) as response:
                if response.status_code != 200:
                    raise FhirReadError(_status_reason(response.status_code), f"HTTP {response.status_code}")
                content = await _body(response, budget)
        except httpx.HTTPError as error:
            reason = "connect" if isinstance(error, httpx.ConnectError) else "transport"
            raise FhirReadError(reason, type(error).__name__) from error
        except (httpx.InvalidURL, UnicodeEncodeError) as error:
            # A URL httpx cannot parse, or a token that is not ASCII: the request cannot be sent.
            raise FhirReadError("unsendable", type(error).__name__) from error
        try:
            resource = orjson.loads(content)
        except orjson.JSONDecodeError as error:
            raise FhirReadError("not-json", "response is not JSON") from error
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise FhirReadError("not-fhir", "response is not a FHIR resource")
        if resource["resourceType"] == "OperationOutcome":
            raise FhirReadError("operation-outcome", "server answered with an OperationOutcome")
        if resource["resourceType"] != expect or malformed_bundle(resource):
            raise FhirReadError("unexpected-type", f"expected a {expect}, got a {resource['resourceType']}")
        return resource

    async def read_into(self, read: Read, server: FhirServer | None, budget: ByteBudget, *,
                        query: str | None = None, next_url: str | None = None) -> None:
        """Fill `read` from `query` (relative to the server), or continue a searchset from `next_url`.

        Reads at most the page cap's number of pages; marks `read` complete once no page is left.
        """
        pages_left = self._page_cap
        if query is not None:
            if server is None:
                return
            next_url = read.take(await self.get(server, server.url(query), expect=expected_type(query),
                                                budget=budget))
            pages_left -= 1
        while next_url is not None:
            if server is None or not server.owns(next_url) or pages_left == 0:
                return
            next_url = read.take(await self.get(server, next_url, expect="Bundle", budget=budget))
            pages_left -= 1
        read.complete = True


async def _body(response: httpx.Response, budget: ByteBudget) -> bytes:
    # An answer over the budget is refused before it is held in memory, by its length when it declares one.
    declared = response.headers.get("content-length", "")
    if declared.isdigit():
        budget.check(int(declared))
    body = bytearray()
    async for chunk in response.aiter_bytes():
        budget.spend(len(chunk))
        body += chunk
    return bytes(body)
