"""Errors as FHIR OperationOutcome bodies: every non-2xx answer names what went wrong, never internals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from service.wire.models import OperationOutcome, OperationOutcomeIssue

# FHIR issue-type codes (http://hl7.org/fhir/R4/valueset-issue-type.html) per HTTP status.
_ISSUE_CODE = {400: "invalid", 404: "not-found", 405: "not-supported", 408: "timeout", 412: "incomplete",
               413: "too-long", 500: "exception", 503: "transient"}


class CdsError(Exception):
    """An error answered with `status` and an OperationOutcome listing `messages`."""

    def __init__(self, status: int, messages: Sequence[str], *, expressions: Sequence[str] = ()) -> None:
        super().__init__("; ".join(messages))
        self.status = status
        self.messages = tuple(messages)
        self.expressions = tuple(expressions)

    def outcome(self) -> dict[str, Any]:
        return operation_outcome(self.status, self.messages, self.expressions)


def operation_outcome(status: int, messages: Iterable[str],
                      expressions: Sequence[str] = ()) -> dict[str, Any]:
    code = _ISSUE_CODE.get(status, "processing")
    issues = [
        OperationOutcomeIssue(
            severity="error", code=code, diagnostics=message,
            expression=[expressions[index]] if index < len(expressions) and expressions[index] else None,
        )
        for index, message in enumerate(messages)
    ]
    return OperationOutcome(issue=issues).model_dump(exclude_none=True)


def field_path(location: Iterable[int | str], prefix: str = "") -> str:
    """("selections", 0) with prefix "context" -> "context.selections[0]"."""
    path = prefix
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else part
    return path


def _message(error: ErrorDetails) -> str:
    if error["type"] == "value_error":
        return error["msg"].removeprefix("Value error, ")
    # pydantic's own sentences ("Field required") read as a clause after the field name.
    return error["msg"][:1].lower() + error["msg"][1:]


def invalid_request(error: ValidationError, prefix: str = "") -> CdsError:
    """A 400 naming every field that failed validation: "context.patientId: field required"."""
    messages: list[str] = []
    expressions: list[str] = []
    for detail in error.errors(include_url=False, include_input=False):
        path = field_path(detail["loc"], prefix)
        messages.append(f"{path}: {_message(detail)}" if path else _message(detail))
        expressions.append(path)
    return CdsError(400, messages, expressions=expressions)
