"""The attack tests' app settings."""

from __future__ import annotations

from service.settings import Settings
from tests.fhir import TODAY


def service_settings(database_url: str, **updates: object) -> Settings:
    """The tests' settings (auth off, English, the stories' date) with `updates`."""
    return Settings(database_url=database_url, auth_mode="off", language="en", fixed_today=TODAY,
                    trusted_issuers={}, cors_origins=[]).model_copy(update=updates)
