"""JSON answers serialised with orjson, with no null members (CDS Hooks: omit what has no value)."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import JSONResponse

from service.wire.errors import CdsError


class JsonResponse(JSONResponse):
    """A JSONResponse (so the OpenAPI document describes routes by their models) rendered by orjson."""

    def render(self, content: Any) -> bytes:
        if isinstance(content, BaseModel):
            content = content.model_dump(mode="json", exclude_none=True)
        return orjson.dumps(content)


def error_response(error: CdsError) -> JsonResponse:
    return JsonResponse(error.outcome(), status_code=error.status)
