"""Schemathesis hooks shared by the in-suite fuzz test and `scripts/fuzz.sh` (`hooks` in schemathesis.toml).

Rules the OpenAPI document cannot state, applied to generated requests:
- a CDS service answers its own hook only, so a valid request goes to the service of its `hook`;
- order-select's `selections` name entries of `draftOrders`, so a valid request gets those entries;
- the service reads a `fhirServer`, so every generated server is rewritten to a closed loopback port: the
  fuzzer exercises the fallback's connection errors and never reaches a host outside this machine.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from schemathesis import Case, GenerationMode, HookContext

from service.api.docs import FHIR_SERVER_PATTERN
from service.api.services import SERVICE_ID_BY_HOOK

HOOK_CALL = "/cds-services/{service_id}"
CLOSED_LOOPBACK_FHIR_SERVER = "http://127.0.0.1:9/fhir"
"""The discard port: nothing listens on it here, so a fetch fails at once with connection refused."""

_FHIR_SERVER = re.compile(FHIR_SERVER_PATTERN)


def _positive(case: Case) -> bool:
    return case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE


@schemathesis.hook
def before_call(_: HookContext, case: Case, __: dict[str, Any]) -> None:
    # Right before sending, so the rules also hold for requests the stateful phase builds from links.
    body: Any = case.body
    if case.operation.path != HOOK_CALL or not isinstance(body, dict):
        return
    if isinstance(body.get("fhirServer"), str) and _FHIR_SERVER.match(body["fhirServer"]):
        body["fhirServer"] = CLOSED_LOOPBACK_FHIR_SERVER
    hook = body.get("hook")
    if _positive(case) and isinstance(hook, str) and hook in SERVICE_ID_BY_HOOK:
        case.path_parameters["service_id"] = SERVICE_ID_BY_HOOK[hook]
        if hook == "order-select":
            _draft_the_selections(body["context"])


def _draft_the_selections(context: dict[str, Any]) -> None:
    entries = context["draftOrders"].setdefault("entry", [])
    for selection in context["selections"]:
        resource_type, _, resource_id = selection.partition("/")
        entries.append({"resource": {"resourceType": resource_type, "id": resource_id}})
