"""OpenAPI documentation of bodies the routes read as raw bytes, and of every error answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from service.wire.models import (
    FeedbackRequest,
    HookRequest,
    OperationOutcome,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
)

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
    return schema["$defs"]


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
