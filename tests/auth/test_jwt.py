"""CDS Hooks 2.0 client authentication over HTTP: real ES384/RS384 tokens accepted on every protected
endpoint, every bad token answered with a bare 401 whose reason is logged without the token."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx
import pytest
import respx
from fastapi.testclient import TestClient

from service.settings import Settings
from tests.auth.tokens import (
    BASE_URL,
    DISCOVERY_URL,
    ISSUER,
    JWKS_URL,
    FakeClock,
    SigningKey,
    claims,
    ec_key,
    hmac_with_public_key,
    jwk_set,
    rsa_key,
    sign,
    unsigned,
    with_payload,
)
from tests.fhir import hook_request, lung_cancer

SERVICE = "palliative-rt-patient-view"
SERVICE_URL = f"{DISCOVERY_URL}/{SERVICE}"
FEEDBACK_URL = f"{SERVICE_URL}/feedback"
FEEDBACK = {"feedback": [{"card": "5d0e9a3c-2f5b-4c3e-9c59-0c8b7f0f6a11", "outcome": "overridden",
                          "outcomeTimestamp": "2026-11-27T10:15:00Z"}]}


def call(client: TestClient, endpoint: str, token: str | None, *, scheme: str = "Bearer") -> httpx.Response:
    """Calls discovery, the patient-view service or its feedback with `token`."""
    headers = {} if token is None else {"Authorization": f"{scheme} {token}"}
    if endpoint == "discovery":
        return client.get("/cds-services", headers=headers)
    if endpoint == "hook":
        return client.post(f"/cds-services/{SERVICE}", headers=headers,
                           json=hook_request("patient-view", [lung_cancer()]))
    return client.post(f"/cds-services/{SERVICE}/feedback", headers=headers, json=FEEDBACK)


ClientWith = Callable[..., TestClient]
AUDIENCE = {"discovery": DISCOVERY_URL, "hook": SERVICE_URL, "feedback": FEEDBACK_URL}


def assert_bare_401(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.content == b""
    assert response.headers["WWW-Authenticate"] == "Bearer"


def refusal_logged(caplog: pytest.LogCaptureFixture, token: str | None) -> str:
    """The logged reason of the 401; checks the token is nowhere in the logs."""
    messages = [record.getMessage() for record in caplog.records]
    if token:
        for part in (token, *token.split(".")):
            assert all(part not in message for message in messages if part)
    refusals = [message for message in messages if message.startswith("401 on ")]
    assert len(refusals) == 1, messages
    return refusals[0]


# --- accepted ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ["discovery", "hook", "feedback"])
@pytest.mark.parametrize("key_name", ["es_key", "rs_key"])
def test_signed_token_for_the_endpoint_is_accepted(request: pytest.FixtureRequest, jwt_client: TestClient,
                                                   endpoint: str, key_name: str) -> None:
    """An EHR's ES384 or RS384 token whose aud is the endpoint called (inline JWK Set) gets through."""
    key: SigningKey = request.getfixturevalue(key_name)
    response = call(jwt_client, endpoint, sign(key, claims(AUDIENCE[endpoint])))
    assert response.status_code == 200, response.text


def test_keys_fetched_from_the_issuers_jwks_url(client_with: ClientWith, es_key: SigningKey) -> None:
    client = client_with({ISSUER: {"jwks_url": JWKS_URL}})
    with respx.mock() as mock:
        jwks = mock.get(JWKS_URL).respond(json=jwk_set(es_key))
        assert call(client, "hook", sign(es_key, claims(SERVICE_URL))).status_code == 200
        assert call(client, "discovery", sign(es_key, claims(DISCOVERY_URL))).status_code == 200
    assert jwks.call_count == 1


def test_token_naming_the_configured_jwks_url_as_jku_is_accepted(client_with: ClientWith,
                                                                  rs_key: SigningKey) -> None:
    """Epic puts its key set URL in every token's `jku`: the issuer's own `jwks_url` needs no allowlisting."""
    client = client_with({ISSUER: {"jwks_url": JWKS_URL}})
    with respx.mock() as mock:
        mock.get(JWKS_URL).respond(json=jwk_set(rs_key))
        assert call(client, "hook", sign(rs_key, claims(SERVICE_URL), jku=JWKS_URL)).status_code == 200


def test_feedback_also_accepts_the_services_url_as_audience(jwt_client: TestClient,
                                                            es_key: SigningKey) -> None:
    """Clients configured with one URL per service send that URL with their feedback too."""
    assert call(jwt_client, "feedback", sign(es_key, claims(SERVICE_URL))).status_code == 200


def test_aud_may_be_a_list_naming_the_endpoint(jwt_client: TestClient, es_key: SigningKey) -> None:
    token = sign(es_key, claims([f"{BASE_URL}/elsewhere", SERVICE_URL]))
    assert call(jwt_client, "hook", token).status_code == 200


def test_epic_style_token_with_sub_and_nbf_is_accepted(jwt_client: TestClient, rs_key: SigningKey) -> None:
    """Epic adds `sub` and an `nbf` five minutes before `iat`: neither is required, both are tolerated."""
    now = int(time.time())
    token = sign(rs_key, claims(SERVICE_URL, sub="epic-client-id", nbf=now - 300))
    assert call(jwt_client, "hook", token).status_code == 200


def test_es256_accepted_only_when_the_issuer_lists_it(client_with: ClientWith,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """The CDS Hooks sandbox signs with ES256; it is accepted from an issuer configured for it only."""
    sandbox_key = ec_key("sandbox-es256", "ES256")
    token = sign(sandbox_key, claims(DISCOVERY_URL))
    strict = client_with({ISSUER: {"jwks": jwk_set(sandbox_key)}})
    assert_bare_401(call(strict, "discovery", token))
    assert "algorithm ES256 not configured" in refusal_logged(caplog, token)

    lenient = client_with({ISSUER: {"jwks": jwk_set(sandbox_key), "algorithms": ["ES256", "ES384"]}})
    assert call(lenient, "discovery", sign(sandbox_key, claims(DISCOVERY_URL))).status_code == 200


def test_token_naming_an_allowed_jku_is_verified_with_that_key_set(
        client_with: ClientWith) -> None:
    """Oracle Health style: no configured set, the token's `jku` is on the issuer's allowlist."""
    jku = "https://authorization.ehr.example.org/jwk"
    key = rsa_key("oracle-2026")
    client = client_with({ISSUER: {"jku_allowed": [jku]}})
    with respx.mock() as mock:
        mock.get(jku).respond(json=jwk_set(key))
        assert call(client, "hook", sign(key, claims(SERVICE_URL), jku=jku)).status_code == 200
        assert_bare_401(call(client, "hook", sign(key, claims(SERVICE_URL))))


def test_tenant_matches(client_with: ClientWith, es_key: SigningKey) -> None:
    client = client_with({ISSUER: {"jwks": jwk_set(es_key), "tenant": "region-h"}})
    assert call(client, "hook", sign(es_key, claims(SERVICE_URL, tenant="region-h"))).status_code == 200


def test_auth_off_admits_calls_without_a_token(tmp_path) -> None:
    from service.app import create_app

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'open.db'}", auth_mode="off")
    with TestClient(create_app(settings)) as client:
        assert call(client, "discovery", None).status_code == 200


# --- refused ----------------------------------------------------------------------------------------

def _expired(es: SigningKey, rs: SigningKey) -> str:
    now = int(time.time())
    return sign(es, claims(SERVICE_URL, iat=now - 600, exp=now - 120))


def _iat_in_future(es: SigningKey, rs: SigningKey) -> str:
    now = int(time.time())
    return sign(es, claims(SERVICE_URL, iat=now + 600, exp=now + 900))


BAD_TOKENS: dict[str, tuple[Callable[[SigningKey, SigningKey], str | None], str]] = {
    # case: (token maker, fragment of the logged reason)
    "expired": (_expired, "token expired"),
    "iat in the future": (_iat_in_future, "not yet valid"),
    "aud of another service": (lambda es, rs: sign(es, claims(f"{DISCOVERY_URL}/palliative-rt-order-sign")),
                               "aud is not this endpoint"),
    "aud on another host": (lambda es, rs: sign(es, claims(f"https://testserver/cds-services/{SERVICE}")),
                            "aud is not this endpoint"),
    "aud for discovery on a hook": (lambda es, rs: sign(es, claims(DISCOVERY_URL)),
                                    "aud is not this endpoint"),
    "no aud": (lambda es, rs: sign(es, claims(SERVICE_URL, aud=None)), "claim 'aud' missing"),
    "no exp": (lambda es, rs: sign(es, claims(SERVICE_URL, exp=None)), "claim 'exp' missing"),
    "no iat": (lambda es, rs: sign(es, claims(SERVICE_URL, iat=None)), "claim 'iat' missing"),
    "no jti": (lambda es, rs: sign(es, claims(SERVICE_URL, jti=None)), "claim 'jti' missing"),
    "empty jti": (lambda es, rs: sign(es, claims(SERVICE_URL, jti="")), "jti is not a non-empty string"),
    "valid for more than an hour": (
        lambda es, rs: sign(es, claims(SERVICE_URL, exp=int(time.time()) + 7200)), "s ahead"),
    "unknown issuer": (lambda es, rs: sign(es, claims(SERVICE_URL, iss="https://rogue.example.net")),
                       "not trusted"),
    "no iss": (lambda es, rs: sign(es, claims(SERVICE_URL, iss=None)), "issuer None not trusted"),
    "unknown kid": (lambda es, rs: sign(ec_key("unpublished"), claims(SERVICE_URL)), "unknown to issuer"),
    "no kid": (lambda es, rs: sign(es, claims(SERVICE_URL), kid=None), "no kid"),
    "signed by another key under a published kid": (
        lambda es, rs: sign(ec_key(es.kid), claims(SERVICE_URL)), "signature does not verify"),
    "alg none": (lambda es, rs: unsigned(claims(SERVICE_URL), es.kid), "'none' not accepted"),
    "HS384 signed with the public key": (lambda es, rs: hmac_with_public_key(rs, claims(SERVICE_URL)),
                                         "'HS384' not accepted"),
    "RS384 naming an EC key": (
        lambda es, rs: sign(rsa_key(es.kid), claims(SERVICE_URL)), "cannot verify RS384"),
    "ES256 not configured": (lambda es, rs: sign(ec_key(es.kid, "ES256"), claims(SERVICE_URL)),
                             "algorithm ES256 not configured"),
    "jku not allowed": (lambda es, rs: sign(es, claims(SERVICE_URL), jku="https://attacker.example/jwks.json"),
                        "jku 'https://attacker.example/jwks.json' not allowed"),
    "tampered payload": (lambda es, rs: with_payload(sign(es, claims(SERVICE_URL)), iss=ISSUER,
                                                     jti="forged-jti", exp=int(time.time()) + 600),
                         "signature does not verify"),
    "typ not JWT": (lambda es, rs: sign(es, claims(SERVICE_URL), typ="at+jwt"), "typ 'at+jwt' is not JWT"),
    "not a JWT": (lambda es, rs: "not-a-jwt", "malformed token"),
    "missing Authorization header": (lambda es, rs: None, "no bearer token"),
}


@pytest.mark.parametrize("case", BAD_TOKENS)
def test_bad_token_gets_a_bare_401_and_the_reason_is_logged(case: str, jwt_client: TestClient,
                                                            es_key: SigningKey, rs_key: SigningKey,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    make, reason = BAD_TOKENS[case]
    token = make(es_key, rs_key)
    caplog.set_level(logging.DEBUG)
    assert_bare_401(call(jwt_client, "hook", token))
    assert reason in refusal_logged(caplog, token)


@pytest.mark.parametrize("endpoint", ["discovery", "hook", "feedback"])
def test_every_protected_endpoint_refuses_without_a_token(jwt_client: TestClient, endpoint: str) -> None:
    assert_bare_401(call(jwt_client, endpoint, None))


@pytest.mark.parametrize("scheme", ["Basic", "Token", "bearer-ish"])
def test_non_bearer_scheme_is_refused(jwt_client: TestClient, es_key: SigningKey, scheme: str,
                                      caplog: pytest.LogCaptureFixture) -> None:
    token = sign(es_key, claims(SERVICE_URL))
    assert_bare_401(call(jwt_client, "hook", token, scheme=scheme))
    assert "no bearer token" in refusal_logged(caplog, token)


def test_bearer_scheme_is_case_insensitive(jwt_client: TestClient, es_key: SigningKey) -> None:
    assert call(jwt_client, "hook", sign(es_key, claims(SERVICE_URL)), scheme="bearer").status_code == 200


def test_replayed_token_is_refused(jwt_client: TestClient, es_key: SigningKey,
                                   caplog: pytest.LogCaptureFixture) -> None:
    token = sign(es_key, claims(SERVICE_URL))
    assert call(jwt_client, "hook", token).status_code == 200
    assert_bare_401(call(jwt_client, "hook", token))
    assert "replayed" in refusal_logged(caplog, token)


def test_wrong_tenant_is_refused(client_with: ClientWith, es_key: SigningKey,
                                 caplog: pytest.LogCaptureFixture) -> None:
    client = client_with({ISSUER: {"jwks": jwk_set(es_key), "tenant": "region-h"}})
    for token in (sign(es_key, claims(SERVICE_URL, tenant="region-sj")), sign(es_key, claims(SERVICE_URL))):
        caplog.clear()
        assert_bare_401(call(client, "hook", token))
        assert "tenant" in refusal_logged(caplog, token)


def test_unknown_kid_is_refused_after_one_refetch(client_with: ClientWith, es_key: SigningKey,
                                                  key_clock: FakeClock,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    client = client_with({ISSUER: {"jwks_url": JWKS_URL}})
    with respx.mock() as mock:
        jwks = mock.get(JWKS_URL).respond(json=jwk_set(es_key))
        assert call(client, "hook", sign(es_key, claims(SERVICE_URL))).status_code == 200
        assert jwks.call_count == 1
        key_clock.advance(60)
        rotated_away = sign(ec_key("not-yet-published"), claims(SERVICE_URL))
        # The cached set lacks the kid: fetched again once, still absent.
        assert_bare_401(call(client, "hook", rotated_away))
        assert jwks.call_count == 2
        assert "unknown to issuer" in refusal_logged(caplog, rotated_away)


def test_key_rotation_new_kid_accepted_after_refetch(client_with: ClientWith, es_key: SigningKey,
                                                     key_clock: FakeClock) -> None:
    """The EHR publishes a new key and signs with it while this service still caches the old set."""
    client = client_with({ISSUER: {"jwks_url": JWKS_URL}})
    new_key = ec_key("ehr-es384-2027")
    with respx.mock() as mock:
        jwks = mock.get(JWKS_URL)
        jwks.respond(json=jwk_set(es_key), headers={"Cache-Control": "max-age=3600"})
        assert call(client, "hook", sign(es_key, claims(SERVICE_URL))).status_code == 200

        jwks.respond(json=jwk_set(es_key, new_key), headers={"Cache-Control": "max-age=3600"})
        key_clock.advance(60)
        assert call(client, "hook", sign(new_key, claims(SERVICE_URL))).status_code == 200
        assert call(client, "hook", sign(es_key, claims(SERVICE_URL))).status_code == 200
    assert jwks.call_count == 2
