"""HTTP hygiene: security headers on every answer, CORS only for configured origins, the body size
limit answered with 413 before parsing, and the warning when authentication is off."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.auth.tokens import DISCOVERY_URL, SigningKey, claims, jwk_set, sign
from tests.fhir import hook_request, lung_cancer

SERVICE = "palliative-rt-patient-view"
EHR_ORIGIN = "https://ehr.region-h.example"
LIMIT = 4096


def assert_security_headers(headers: dict[str, str] | object) -> None:
    assert headers["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert headers["X-Frame-Options"] == "DENY"  # type: ignore[index]
    assert headers["Content-Security-Policy"] == "frame-ancestors 'none'"  # type: ignore[index]
    assert headers["Referrer-Policy"] == "no-referrer"  # type: ignore[index]


@pytest.fixture
def open_client_settings(tmp_path) -> Callable[..., Settings]:
    def make(**changes: object) -> Settings:
        values: dict[str, object] = {"database_url": f"sqlite:///{tmp_path / 'cds.db'}", "auth_mode": "off",
                                     "language": "en", "max_body_bytes": LIMIT}
        return Settings(**{**values, **changes})

    return make


@pytest.fixture
def client(open_client_settings: Callable[..., Settings],
           open_client: Callable[[Settings], TestClient]) -> TestClient:
    return open_client(open_client_settings())


# --- security headers -------------------------------------------------------------------------------

def test_hook_answer_is_not_stored_by_browsers_or_proxies(client: TestClient) -> None:
    response = client.post(f"/cds-services/{SERVICE}", json=hook_request("patient-view", [lung_cancer()]))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert_security_headers(response.headers)


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/cds-services", 200), ("GET", "/healthz", 200), ("POST", "/cds-services/unknown", 404),
    ("POST", f"/cds-services/{SERVICE}", 400), ("GET", "/nowhere", 404),
])
def test_every_answer_carries_the_security_headers(client: TestClient, method: str, path: str,
                                                   status: int) -> None:
    response = client.request(method, path, content=b"{not json")
    assert response.status_code == status
    assert_security_headers(response.headers)
    assert response.headers["Cache-Control"] == "no-store"


def test_401_carries_the_security_headers(jwt_client: TestClient) -> None:
    response = jwt_client.get("/cds-services")
    assert response.status_code == 401
    assert_security_headers(response.headers)


def test_hsts_only_when_published_over_https(open_client_settings: Callable[..., Settings],
                                             open_client: Callable[[Settings], TestClient]) -> None:
    https = open_client(open_client_settings(public_base_url="https://cds.example.org"))
    assert https.get("/healthz").headers["Strict-Transport-Security"] == "max-age=31536000"
    plain = open_client(open_client_settings(public_base_url="http://localhost:8080"))
    assert "Strict-Transport-Security" not in plain.get("/healthz").headers


# --- CORS -------------------------------------------------------------------------------------------

def test_no_cross_origin_access_unless_configured(client: TestClient) -> None:
    response = client.get("/cds-services", headers={"Origin": EHR_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_configured_origin_may_call_from_a_browser(open_client_settings: Callable[..., Settings],
                                                  open_client: Callable[[Settings], TestClient]) -> None:
    client = open_client(open_client_settings(cors_origins=[EHR_ORIGIN]))
    response = client.get("/cds-services", headers={"Origin": EHR_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == EHR_ORIGIN
    assert "Access-Control-Allow-Credentials" not in response.headers
    other = client.get("/cds-services", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_preflight_from_a_configured_origin_needs_no_token(jwt_settings: Callable[..., Settings],
                                                           open_client: Callable[[Settings], TestClient],
                                                           es_key: SigningKey) -> None:
    """Browsers send the preflight without credentials; the call itself then carries the JWT."""
    client = open_client(jwt_settings(cors_origins=[EHR_ORIGIN]))
    preflight = client.options("/cds-services", headers={
        "Origin": EHR_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == EHR_ORIGIN
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    token = sign(es_key, claims(DISCOVERY_URL))
    call = client.get("/cds-services", headers={"Origin": EHR_ORIGIN, "Authorization": f"Bearer {token}"})
    assert call.status_code == 200
    assert call.headers["Access-Control-Allow-Origin"] == EHR_ORIGIN
    refused = client.get("/cds-services", headers={"Origin": EHR_ORIGIN})
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == EHR_ORIGIN  # the EHR can read the 401


# --- body size --------------------------------------------------------------------------------------

def test_declared_oversized_body_is_refused_before_it_is_read(client: TestClient) -> None:
    response = client.post(f"/cds-services/{SERVICE}", content=b"x" * (LIMIT + 1),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "too-long"


def test_oversized_body_is_refused_before_authentication(client_with: Callable[..., TestClient],
                                                         es_key: SigningKey) -> None:
    client = client_with({"https://ehr.example.org": {"jwks": jwk_set(es_key)}}, max_body_bytes=LIMIT)
    response = client.post(f"/cds-services/{SERVICE}/feedback", content=b"{" * (LIMIT + 1))
    assert response.status_code == 413


def _chunks(total: int, size: int = 1024) -> Iterator[bytes]:
    for start in range(0, total, size):
        yield b" " * min(size, total - start)


def test_chunked_oversized_body_is_refused(client: TestClient) -> None:
    response = client.post(f"/cds-services/{SERVICE}", content=_chunks(LIMIT * 3))
    assert response.status_code == 413


def test_chunked_body_within_the_limit_is_answered(open_client_settings: Callable[..., Settings],
                                                   open_client: Callable[[Settings], TestClient]) -> None:
    import orjson

    client = open_client(open_client_settings(max_body_bytes=1024 * 1024))
    body = orjson.dumps(hook_request("patient-view", [lung_cancer()]))

    def chunked() -> Iterator[bytes]:
        for start in range(0, len(body), 500):
            yield body[start:start + 500]

    response = client.post(f"/cds-services/{SERVICE}", content=chunked(),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert "content-length" not in response.request.headers


def test_body_at_the_limit_is_read(client: TestClient) -> None:
    response = client.post(f"/cds-services/{SERVICE}", content=b" " * LIMIT)
    assert response.status_code == 400  # read, then found not to be JSON


# --- auth off ---------------------------------------------------------------------------------------

def test_auth_off_warns_at_every_start(open_client_settings: Callable[..., Settings],
                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    app = create_app(open_client_settings())
    for _ in range(2):
        with TestClient(app):
            pass
    warnings = [r for r in caplog.records if "PRT_CDS_AUTH_MODE=off" in r.getMessage()]
    assert len(warnings) == 2
    assert all(r.levelno == logging.WARNING for r in warnings)


def test_jwt_mode_without_issuers_warns_that_every_call_is_refused(
        jwt_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture) -> None:
    with TestClient(create_app(jwt_settings(trusted_issuers={}))) as client:
        assert client.get("/cds-services", headers={"Authorization": "Bearer x.y.z"}).status_code == 401
    assert any("PRT_CDS_TRUSTED_ISSUERS is empty" in r.getMessage() for r in caplog.records)


def test_jwt_is_the_default_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRT_CDS_AUTH_MODE", raising=False)
    assert Settings().auth_mode == "jwt"
