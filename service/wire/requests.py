"""Request bodies: raw bytes -> validated CDS Hooks models, or a 400 naming what is wrong."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError

from service.wire.errors import CdsError, invalid_request
from service.wire.models import (
    FeedbackRequest,
    HookRequest,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
)

CONTEXT_MODELS: dict[str, type[PatientViewContext]] = {
    "patient-view": PatientViewContext,
    "order-select": OrderSelectContext,
    "order-sign": OrderSignContext,
}


def parse_json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise CdsError(400, ["body: not valid JSON"]) from None
    if not isinstance(body, dict):
        raise CdsError(400, ["body: must be a JSON object"])
    return body


def parse_hook_request(raw: bytes, hook: str) -> tuple[HookRequest, PatientViewContext]:
    """The request and its hook's context, checked against the service's `hook`."""
    body = parse_json_object(raw)
    try:
        request = HookRequest.model_validate(body)
    except ValidationError as error:
        raise invalid_request(error) from None
    if request.hook != hook:
        raise CdsError(400, [f"hook: this service answers '{hook}', not '{request.hook}'"],
                       expressions=["hook"])
    try:
        context = CONTEXT_MODELS[hook].model_validate(request.context)
    except ValidationError as error:
        raise invalid_request(error, prefix="context") from None
    return request, context


def parse_feedback(raw: bytes) -> FeedbackRequest:
    try:
        return FeedbackRequest.model_validate(parse_json_object(raw))
    except ValidationError as error:
        raise invalid_request(error) from None
