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


class FhirReadError(Exception):
    """The FHIR server did not answer with a usable resource."""


def bundle_resources(bundle: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The resources of a Bundle's entries, without search outcome messages."""
    for entry in bundle.get("entry") or ():
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if isinstance(resource, dict) and resource.get("resourceType") != "OperationOutcome":
            yield resource


def next_page(bundle: Mapping[str, Any]) -> str | None:
    for link in bundle.get("link") or ():
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

    def __init__(self, http: httpx.AsyncClient, *, page_cap: int) -> None:
        self._http = http
        self._page_cap = page_cap

    async def get(self, server: FhirServer, url: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url, headers=server.headers())
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise FhirReadError(type(error).__name__) from error
        if response.status_code != 200:
            raise FhirReadError(f"HTTP {response.status_code}")
        try:
            resource = orjson.loads(response.content)
        except orjson.JSONDecodeError as error:
            raise FhirReadError("response is not JSON") from error
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise FhirReadError("response is not a FHIR resource")
        if resource["resourceType"] == "OperationOutcome":
            raise FhirReadError("server answered with an OperationOutcome")
        return resource

    async def read_into(self, read: Read, server: FhirServer | None, *, query: str | None = None,
                        next_url: str | None = None) -> None:
        """Fill `read` from `query` (relative to the server), or continue a searchset from `next_url`.

        Reads at most the page cap's number of pages; marks `read` complete once no page is left.
        """
        pages_left = self._page_cap
        if query is not None:
            if server is None:
                return
            next_url = read.take(await self.get(server, server.url(query)))
            pages_left -= 1
        while next_url is not None:
            if server is None or not server.owns(next_url) or pages_left == 0:
                return
            next_url = read.take(await self.get(server, next_url))
            pages_left -= 1
        read.complete = True
