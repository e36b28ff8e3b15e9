"""Prefetch resolution: the four key states of CDS Hooks 2.0 and the FHIR fallback under one deadline.

present -> use it (following `link[next]`); null -> the client has no data, do not refetch;
OperationOutcome or unusable -> refetch; absent -> fetch `{fhirServer}/{template}`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Collection, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from service.observability import metrics
from service.wire.errors import CdsError
from service.wire.fhir_client import FhirClient, FhirReadError, FhirServer, Read, malformed_bundle
from service.wire.models import HookRequest

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_USER_TOKENS = {
    "userPractitionerId": "Practitioner",
    "userPractitionerRoleId": "PractitionerRole",
    "userPatientId": "Patient",
    "userRelatedPersonId": "RelatedPerson",
}


def fill_template(template: str, context: Mapping[str, Any]) -> str | None:
    """The template with its tokens filled from the hook context; None when a token has no value."""
    user_type, _, user_id = str(context.get("userId") or "").partition("/")
    missing = False

    def value(match: re.Match[str]) -> str:
        nonlocal missing
        token = match.group(1)
        if token.startswith("context."):
            found = context.get(token.removeprefix("context."))
            text = found if isinstance(found, str | int) and not isinstance(found, bool) else None
        elif _USER_TOKENS.get(token) == user_type and user_id:
            text = user_id
        else:
            text = None
        if text is None or text == "":
            missing = True
            return ""
        return quote(str(text), safe="")

    filled = _TOKEN.sub(value, template)
    return None if missing else filled


@dataclass(frozen=True, slots=True)
class Prefetched:
    resources: tuple[dict[str, Any], ...]
    """Every resource that arrived, out of their Bundles."""
    unavailable: tuple[str, ...]
    """Optional keys that could not be read, or only in part."""


def _usable(value: object) -> bool:
    return (isinstance(value, Mapping) and isinstance(value.get("resourceType"), str)
            and value["resourceType"] != "OperationOutcome" and not malformed_bundle(value))


async def _run(jobs: Mapping[str, Coroutine[Any, Any, None]], reads: Mapping[str, Read], deadline_s: float,
               hook_instance: str) -> None:
    started = time.perf_counter()
    tasks = {asyncio.ensure_future(job): key for key, job in jobs.items()}
    took: dict[str, float] = {}
    for task, key in tasks.items():
        task.add_done_callback(lambda _, key=key: took.setdefault(key, time.perf_counter() - started))
    _, pending = await asyncio.wait(tasks, timeout=deadline_s)
    for task in pending:
        task.cancel()
        log.warning("hookInstance=%s prefetch %s: FHIR server did not answer within %.1f s",
                    hook_instance, tasks[task], deadline_s)
    await asyncio.gather(*pending, return_exceptions=True)
    for task, key in tasks.items():
        failure = None
        if task in pending:
            failure = "timeout"
        elif isinstance(error := task.exception(), FhirReadError):
            failure = error.reason
            log.warning("hookInstance=%s prefetch %s: %s", hook_instance, key, error)
        elif error is not None:
            raise error
        elif not reads[key].complete:
            failure = "incomplete"  # the page cap, or a next link to another server
        metrics.fhir_fetch_finished(key, took.get(key, deadline_s), failure)


async def resolve_prefetch(request: HookRequest, *, templates: Mapping[str, str], required: Collection[str],
                           fhir: FhirClient, deadline_s: float) -> Prefetched:
    """Read every template's data from the prefetch or the FHIR server.

    Raises a 412 CdsError when a `required` key cannot be read completely by any route.
    """
    prefetch = request.prefetch or {}
    server = None
    if request.fhirServer:
        token = request.fhirAuthorization.access_token if request.fhirAuthorization else None
        server = FhirServer(request.fhirServer, token)

    reads = {key: Read() for key in templates}
    budget = fhir.request_budget()
    jobs: dict[str, Coroutine[Any, Any, None]] = {}
    for key, template in templates.items():
        read = reads[key]
        if key in prefetch and prefetch[key] is None:
            read.complete = True
            continue
        if key in prefetch and _usable(prefetch[key]):
            next_url = read.take(prefetch[key])
            if next_url is None:
                read.complete = True
            else:
                jobs[key] = fhir.read_into(read, server, budget, next_url=next_url)
            continue
        query = fill_template(template, request.context)
        if server is not None and query is not None:
            jobs[key] = fhir.read_into(read, server, budget, query=query)
    if jobs:
        await _run(jobs, reads, deadline_s, request.hookInstance)

    missing_required = [key for key in templates if key in required and not reads[key].complete]
    if missing_required:
        raise CdsError(
            412,
            [f"prefetch.{key}: could not be obtained from the prefetch or the FHIR server"
             for key in missing_required],
            expressions=[f"prefetch.{key}" for key in missing_required],
        )
    return Prefetched(
        resources=tuple(resource for read in reads.values() for resource in read.resources),
        unavailable=tuple(key for key, read in reads.items() if not read.complete),
    )
