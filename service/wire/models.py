"""CDS Hooks 2.0 wire format: typed request, response, discovery and feedback models.

Response models encode the 2.0 invariants (cds-resp-1..6) as validators, so no code path can emit
an invalid card. Request models tolerate unknown members (newer clients, `extension`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

SUMMARY_MAX_CHARS = 139
"""The spec's "<140-character" summary."""

_REFERENCE = re.compile(r"^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$")
_RFC3339_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- request ----------------------------------------------------------------------------------

class FhirAuthorization(_Tolerant):
    access_token: str = Field(min_length=1, repr=False)
    token_type: Literal["Bearer"]
    expires_in: int = Field(ge=0, lt=2**63)  # seconds; bounded like the integers of most JSON readers
    scope: str
    subject: str
    patient: str | None = None


class PatientViewContext(_Tolerant):
    userId: str = Field(min_length=1)
    patientId: str = Field(min_length=1)
    encounterId: str | None = None


class OrderSignContext(PatientViewContext):
    draftOrders: dict[str, Any]

    @field_validator("draftOrders")
    @classmethod
    def _is_bundle(cls, value: dict[str, Any]) -> dict[str, Any]:
        if value.get("resourceType") != "Bundle":
            raise ValueError("draftOrders must be a FHIR Bundle")
        if not isinstance(value.get("entry", []), list):
            raise ValueError("draftOrders.entry must be a list")
        return value


class OrderSelectContext(OrderSignContext):
    selections: list[str] = Field(min_length=1)

    @field_validator("selections")
    @classmethod
    def _are_draft_order_references(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for item in value:
            if not _REFERENCE.match(item):
                raise ValueError(f"selection {item!r} is not a 'Type/id' reference")
        draft_orders = info.data.get("draftOrders")
        if draft_orders is not None:
            drafts = {
                f"{entry['resource'].get('resourceType')}/{entry['resource'].get('id')}"
                for entry in draft_orders.get("entry") or ()
                if isinstance(entry, dict) and isinstance(entry.get("resource"), dict)
            }
            unknown = [item for item in value if item not in drafts]
            if unknown:
                raise ValueError(f"{', '.join(unknown)} not among the entries of draftOrders")
        return value


class HookRequest(_Tolerant):
    hook: str = Field(min_length=1)
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None

    @field_validator("fhirServer")
    @classmethod
    def _is_http_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("fhirServer must be an absolute http(s) URL")
        return value

    @model_validator(mode="after")
    def _authorization_needs_server(self) -> HookRequest:
        # cds-r-1: fhirAuthorization.exists() implies fhirServer.exists()
        if self.fhirAuthorization is not None and not self.fhirServer:
            raise ValueError("fhirServer is required when fhirAuthorization is present")
        return self


# --- response ---------------------------------------------------------------------------------

class Coding(_Strict):
    system: str = Field(min_length=1)
    code: str = Field(min_length=1)
    display: str | None = None


class Source(_Strict):
    label: str = Field(min_length=1)
    url: str | None = None
    icon: str | None = None
    topic: Coding | None = None


class Action(_Strict):
    type: Literal["create", "update", "delete"]
    description: str = Field(min_length=1)
    resource: dict[str, Any] | None = None
    resourceId: str | None = None

    @model_validator(mode="after")
    def _resource_fits_type(self) -> Action:
        if self.type == "delete":
            # cds-resp-2
            if self.resourceId is None or self.resource is not None:
                raise ValueError("a delete action has resourceId and no resource")
        elif self.resource is None:
            raise ValueError(f"a {self.type} action carries the resource")
        return self


class Suggestion(_Strict):
    label: str = Field(min_length=1)
    uuid: str
    isRecommended: bool | None = None
    actions: list[Action] | None = Field(default=None, min_length=1)


class Link(_Strict):
    label: str = Field(min_length=1)
    url: str = Field(min_length=1)
    type: Literal["absolute", "smart"]
    appContext: str | None = None
    autolaunchable: bool | None = None

    @model_validator(mode="after")
    def _app_context_only_on_smart(self) -> Link:
        # cds-resp-3
        if self.appContext is not None and self.type != "smart":
            raise ValueError("appContext is allowed on smart links only")
        return self


class OverrideReason(Coding):
    display: str = Field(min_length=1)  # cds-resp-4


class Card(_Strict):
    uuid: str
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX_CHARS)
    detail: str | None = None
    indicator: Literal["info", "warning", "critical"]
    source: Source
    suggestions: list[Suggestion] | None = Field(default=None, min_length=1)
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[OverrideReason] | None = Field(default=None, min_length=1)
    links: list[Link] | None = Field(default=None, min_length=1)
    extension: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _suggestion_invariants(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("selectionBehavior is required with suggestions")  # cds-resp-6
        if self.selectionBehavior == "at-most-one" and self.suggestions:
            recommended = sum(1 for s in self.suggestions if s.isRecommended)
            if recommended > 1:
                raise ValueError("at-most-one allows one recommended suggestion")  # cds-resp-1
        return self


class CdsResponse(_Strict):
    cards: list[Card]
    systemActions: list[Action] | None = Field(default=None, min_length=1)


# --- discovery --------------------------------------------------------------------------------

class ServiceDefinition(_Strict):
    hook: str
    id: str
    title: str
    description: str
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None


class DiscoveryResponse(_Strict):
    services: list[ServiceDefinition]


# --- feedback ---------------------------------------------------------------------------------

class AcceptedSuggestion(_Tolerant):
    id: str = Field(min_length=1)


class FeedbackOverrideReason(_Tolerant):
    reason: Coding | None = None
    userComment: str | None = None

    @model_validator(mode="after")
    def _reason_or_comment(self) -> FeedbackOverrideReason:
        # cds-fb-3
        if self.reason is None and not self.userComment:
            raise ValueError("overrideReason needs reason or userComment")
        return self


class FeedbackItem(_Tolerant):
    card: str = Field(min_length=1)
    outcome: Literal["accepted", "overridden"]  # cds-fb-1
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: FeedbackOverrideReason | None = None
    outcomeTimestamp: datetime

    @field_validator("outcomeTimestamp", mode="before")
    @classmethod
    def _is_rfc3339(cls, value: object) -> object:
        # From JSON, pydantic alone would also take numbers ("0" is 1970) and dates without time or zone.
        if isinstance(value, datetime):
            return value
        if not isinstance(value, str) or not _RFC3339_DATE_TIME.match(value):
            raise ValueError("outcomeTimestamp must be a date-time with a time zone (RFC 3339)")
        return value

    @field_validator("outcomeTimestamp")
    @classmethod
    def _has_a_utc_time(cls, value: datetime) -> datetime:
        # Stored in UTC: 0001-01-01T00:00+04:00 would be in year 0, which no datetime holds.
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise ValueError("outcomeTimestamp is out of range") from None
        return value

    @model_validator(mode="after")
    def _accepted_names_suggestions(self) -> FeedbackItem:
        # cds-fb-2
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("acceptedSuggestions is required when outcome is accepted")
        return self


class FeedbackRequest(_Tolerant):
    feedback: list[FeedbackItem] = Field(min_length=1)


# --- errors -----------------------------------------------------------------------------------

class OperationOutcomeIssue(_Strict):
    severity: Literal["fatal", "error", "warning", "information"]
    code: str
    diagnostics: str
    expression: list[str] | None = None


class OperationOutcome(_Strict):
    """FHIR OperationOutcome: the body of every error answer."""

    resourceType: Literal["OperationOutcome"] = "OperationOutcome"
    issue: list[OperationOutcomeIssue] = Field(min_length=1)
