"""The viewer's own JSON routes: the sample library, and a request made from a pasted document.

Cards and feedback go through the service's CDS Hooks routes, as an EHR would call them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from service.api.bundle_request import NotAHookRequest, hook_named, hook_request
from service.samples import (
    SAMPLES_TODAY,
    ExpectationError,
    expectation_path,
    read_expectation,
    request_files,
    sample_name,
    samples_dir,
)
from service.wire.errors import CdsError
from service.wire.requests import parse_json_object
from service.wire.responses import JsonResponse

viewer_router = APIRouter(prefix="/viewer/api", include_in_schema=False, default_response_class=JsonResponse)


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    hook: str
    must: tuple[str, ...]
    must_not: tuple[str, ...]
    request: bytes

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "hook": self.hook, "must": list(self.must), "mustNot": list(self.must_not)}


@cache
def sample_library() -> dict[str, Sample]:
    """The shipped samples that have an expectation file, by name (read once: they ship with the code)."""
    library = {}
    for path in request_files(samples_dir()):
        try:
            expectation = read_expectation(expectation_path(path))
        except ExpectationError:
            continue
        raw = path.read_bytes()
        library[sample_name(path)] = Sample(
            name=sample_name(path),
            hook=str(orjson.loads(raw).get("hook")),
            must=tuple(sorted(expectation.must)),
            must_not=tuple(sorted(expectation.must_not)),
            request=raw,
        )
    return library


@viewer_router.get("/samples")
async def list_samples(request: Request) -> JsonResponse:
    return JsonResponse({
        "evaluationDate": request.app.state.settings.today().isoformat(),
        "samplesDate": SAMPLES_TODAY.isoformat(),
        "samples": [sample.summary() for sample in sample_library().values()],
    })


@viewer_router.get("/samples/{name}")
async def get_sample(name: str) -> Response:
    sample = sample_library().get(name)
    if sample is None:
        raise CdsError(404, [f"sample: no sample '{name}'"])
    return Response(sample.request, media_type="application/json")


@viewer_router.post("/hook-request")
async def make_hook_request(request: Request) -> JsonResponse:
    """{"document": a CDS Hooks request or FHIR Bundle, "hook": null or a hook} -> the request to send."""
    body = parse_json_object(await request.body())
    try:
        hook = hook_named(body["hook"]) if body.get("hook") else None
    except NotAHookRequest as error:
        raise CdsError(400, [str(error)]) from None
    try:
        return JsonResponse(hook_request(body.get("document"), hook))
    except NotAHookRequest as error:
        raise CdsError(400, [f"document: {error}"]) from None
