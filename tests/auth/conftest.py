"""Fixtures for the authentication tests: signing keys, and the app in `jwt` mode."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient

import service.auth
from service.app import create_app
from service.auth.jwks import IssuerKeys
from service.settings import Settings
from tests.auth.tokens import BASE_URL, ISSUER, FakeClock, SigningKey, ec_key, jwk_set, rsa_key
from tests.fhir import TODAY


@pytest.fixture(scope="session")
def es_key() -> SigningKey:
    return ec_key("ehr-es384-2026")


@pytest.fixture(scope="session")
def rs_key() -> SigningKey:
    return rsa_key("ehr-rs384-2026")


@pytest.fixture
def jwt_settings(database_url: str, es_key: SigningKey, rs_key: SigningKey) -> Callable[..., Settings]:
    """jwt_settings(**changes): the service in `jwt` mode, trusting ISSUER with an inline JWK Set of
    es_key and rs_key, published at BASE_URL."""

    def make(**changes: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "auth_mode": "jwt",
            "public_base_url": BASE_URL,
            "trusted_issuers": {ISSUER: {"jwks": jwk_set(es_key, rs_key)}},
            "language": "en",
            "fixed_today": TODAY,
            "cors_origins": [],
        }
        return Settings(**{**values, **changes})

    return make


@pytest.fixture
def open_client() -> Iterator[Callable[[Settings], TestClient]]:
    """open_client(settings): a started app (lifespan run) over HTTP; closed after the test."""
    with ExitStack() as stack:
        yield lambda settings: stack.enter_context(TestClient(create_app(settings)))


@pytest.fixture
def jwt_client(jwt_settings: Callable[..., Settings],
               open_client: Callable[[Settings], TestClient]) -> TestClient:
    return open_client(jwt_settings())


@pytest.fixture
def client_with(jwt_settings: Callable[..., Settings],
                open_client: Callable[[Settings], TestClient]) -> Callable[..., TestClient]:
    """client_with(trusted_issuers, **settings): a started app in `jwt` mode trusting those issuers."""
    return lambda trusted_issuers, **changes: open_client(jwt_settings(trusted_issuers=trusted_issuers,
                                                                       **changes))


@pytest.fixture
def key_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock of the JWK Set caches of apps started after this fixture, moved by hand."""
    clock = FakeClock()
    monkeypatch.setattr(service.auth, "IssuerKeys", partial(IssuerKeys, clock=clock))
    return clock
