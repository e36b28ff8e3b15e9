"""OpenAPI documentation of bodies the routes read as raw bytes, and of every error answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from service.api.services import SERVICES
from service.wire.models import (
    _REFERENCE,
    FeedbackRequest,
    HookRequest,
    OperationOutcome,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
)

FHIR_SERVER_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://([^/?#]*@)?[^/?#@:]"
"""An absolute http(s) URL with a host, as `HookRequest` checks it."""

REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    HookRequest, PatientViewContext, OrderSelectContext, OrderSignContext, FeedbackRequest,
)


def request_body(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"requestBody": {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
    }}


def request_schemas() -> dict[str, Any]:
    """JSON Schemas of the request models, keyed for `#/components/schemas`."""
    _, schema = models_json_schema([(model, "validation") for model in REQUEST_MODELS],
                                   ref_template="#/components/schemas/{model}")
    definitions = schema["$defs"]
    _state_validator_rules(definitions)
    return definitions


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _state_validator_rules(definitions: dict[str, Any]) -> None:
    """What the models' validators check, stated in JSON Schema, so that a request valid by the document
    is one the service accepts (only "selections name entries of draftOrders" cannot be stated)."""
    hook_request = definitions["HookRequest"]
    properties = hook_request["properties"]
    properties["hook"]["enum"] = [service.hook.value for service in SERVICES]
    properties["fhirServer"]["anyOf"][0].update(format="uri", pattern=FHIR_SERVER_PATTERN)
    context_by_hook = {"patient-view": "PatientViewContext", "order-select": "OrderSelectContext",
                       "order-sign": "OrderSignContext"}
    hook_request["allOf"] = [
        {"if": {"properties": {"hook": {"const": hook}}, "required": ["hook"]},
         "then": {"properties": {"context": _ref(context)}}}
        for hook, context in context_by_hook.items()
    ] + [
        # cds-r-1: fhirAuthorization needs fhirServer.
        {"if": {"properties": {"fhirAuthorization": {"type": "object"}}, "required": ["fhirAuthorization"]},
         "then": {"properties": {"fhirServer": {"type": "string"}}, "required": ["fhirServer"]}},
    ]
    for context in ("OrderSignContext", "OrderSelectContext"):
        definitions[context]["properties"]["draftOrders"].update(
            properties={"resourceType": {"const": "Bundle"}, "entry": {"type": "array"}},
            required=["resourceType"])
    definitions["OrderSelectContext"]["properties"]["selections"]["items"]["pattern"] = _REFERENCE.pattern
    # The first and last day a datetime holds cannot take every offset (stored in UTC).
    definitions["FeedbackItem"]["properties"]["outcomeTimestamp"]["pattern"] = "^(?!0001-01-01|9999-12-31)"
    # cds-fb-2: an accepted card names the suggestions taken.
    definitions["FeedbackItem"]["if"] = {"properties": {"outcome": {"const": "accepted"}},
                                         "required": ["outcome"]}
    definitions["FeedbackItem"]["then"] = {
        "properties": {"acceptedSuggestions": {"type": "array", "minItems": 1}},
        "required": ["acceptedSuggestions"]}
    # cds-fb-3: an override reason has a reason or a comment.
    definitions["FeedbackOverrideReason"]["anyOf"] = [
        {"properties": {"reason": {"type": "object"}}, "required": ["reason"]},
        {"properties": {"userComment": {"type": "string", "minLength": 1}}, "required": ["userComment"]},
    ]


def _error(description: str) -> dict[str, Any]:
    return {"model": OperationOutcome, "description": description}


UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid client JWT (empty body)."},
}
CALL_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("Body is not JSON, or a field is missing or invalid; the OperationOutcome names it."),
    **UNAUTHORIZED,
    404: _error("No CDS service with this id."),
    412: _error("The service requires data the client's prefetch and FHIR server could not provide."),
    413: _error("Body larger than PRT_CDS_MAX_BODY_BYTES."),
    500: _error("Unexpected error (no internals are disclosed)."),
}
"""The answers documented on every CDS Hooks route."""
