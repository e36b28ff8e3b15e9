"""Service settings, read from `PRT_CDS_*` environment variables (see README.md, "Settings")."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, HttpUrl, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.auth.issuers import TrustedIssuer
from service.wire.fhir_client import DEFAULT_MAX_BYTES_PER_REQUEST

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")
CLINICAL_TIME_ZONE = ZoneInfo("Europe/Copenhagen")
"""The guideline's dates (90 days since a PS, 4 weeks since a course) are Danish calendar dates."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRT_CDS_", frozen=True, extra="ignore")

    database_url: str = "sqlite:///palliative-rt-cds.db"
    """SQLAlchemy URL; the default is a SQLite file in the working directory."""
    migrate_on_start: bool | None = None
    """Apply the schema migrations at start; unset: yes for SQLite, no otherwise (run
    `palliative-rt-cds migrate` before starting, and the service refuses to start on an older schema)."""
    database_pool_size: int = Field(default=5, ge=1)
    """Database connections each worker process keeps open."""
    database_max_overflow: int = Field(default=10, ge=0)
    """Further connections a worker opens under load, closed again when returned."""
    auth_mode: Literal["jwt", "off"] = "jwt"
    trusted_issuers: dict[str, TrustedIssuer] = Field(default_factory=dict)
    """JSON object: issuer -> {"jwks_url": ...} or {"jwks": {...}} (optionally "tenant", "jku_allowed",
    "algorithms"); see service/auth/issuers.py."""
    public_base_url: HttpUrl = HttpUrl("http://localhost:8080")
    """The URL the EHR calls this service at; JWT audiences are `{public_base_url}/cds-services[/{id}]`."""
    language: Language = "da"
    fhir_timeout_s: float = Field(default=2.5, gt=0)
    """Total deadline for all FHIR fallback fetches of one request."""
    fhir_page_cap: int = Field(default=10, ge=1)
    """At most this many pages are read when following a searchset's `link[next]`."""
    fhir_max_bytes: int = Field(default=DEFAULT_MAX_BYTES_PER_REQUEST, ge=1024)
    """At most this many bytes are read from the FHIR server for one hook request (all prefetch keys and
    pages); a read that would go over fails unread and its data counts as unavailable."""
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Comma-separated origins allowed to call from a browser; empty allows none."""
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_concurrent_evaluations: int = Field(default=2, ge=1)
    """Hook calls each worker reads and answers at once; the others wait, their bodies unread. Evaluation
    runs one call at a time, so 2 lets one call's body arrive while another is evaluated; more only help
    calls waiting for the FHIR server (see README, "Settings")."""
    evaluation_queue_timeout_s: float = Field(default=5.0, gt=0)
    """A hook call waits at most this long for its turn, else it is answered 503 with Retry-After."""
    body_read_timeout_s: float = Field(default=10.0, gt=0)
    """Once its turn has come, a hook call's body must arrive within this long, else it is answered 408."""
    fixed_today: date | None = None
    """Evaluation date for tests and samples only; otherwise today's date in Europe/Copenhagen."""
    viewer_enabled: bool = False
    """Serve the card viewer at /viewer (testing and content review; off in production)."""

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    def migrates_on_start(self) -> bool:
        if self.migrate_on_start is not None:
            return self.migrate_on_start
        return self.database_url.startswith("sqlite")

    def base_url(self) -> str:
        return str(self.public_base_url).rstrip("/")

    def today(self) -> date:
        return self.fixed_today or datetime.now(CLINICAL_TIME_ZONE).date()


@cache
def get_settings() -> Settings:
    return Settings()
