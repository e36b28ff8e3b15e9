"""Issuers' keys: trusted-issuer configuration, JWK Set fetching with httpx, caching per Cache-Control,
one refetch for an unknown kid, and no more than one fetch per few seconds (no amplification)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from pydantic import ValidationError

from service.auth.issuers import TrustedIssuer
from service.auth.jwks import (
    DEFAULT_TTL_S,
    MAX_JWKS_BYTES,
    MAX_TTL_S,
    MIN_REFETCH_INTERVAL_S,
    InlineKeySource,
    IssuerKeys,
    RemoteKeySource,
    freshness_lifetime,
)
from service.auth.keys import UnusableKey, signing_keys_by_kid, verification_key
from service.settings import Settings
from tests.auth.tokens import ISSUER, JWKS_URL, FakeClock, SigningKey, ec_key, jwk_set, rsa_key


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def source(http: httpx.Client, clock: FakeClock) -> RemoteKeySource:
    return RemoteKeySource(JWKS_URL, http, clock=clock)


# --- configuration ----------------------------------------------------------------------------------

def test_issuers_are_read_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch,
                                                       es_key: SigningKey) -> None:
    monkeypatch.setenv("PRT_CDS_TRUSTED_ISSUERS", json.dumps({
        "https://epic.region-h.example": {"jwks_url": "https://epic.region-h.example/jwks", "tenant": "rh",
                                          "jku_allowed": ["https://epic.region-h.example/jwks"]},
        "https://sandbox.cds-hooks.org": {"jwks": jwk_set(es_key), "algorithms": ["ES256"]},
    }))
    issuers = Settings().trusted_issuers
    assert issuers["https://epic.region-h.example"].tenant == "rh"
    assert issuers["https://epic.region-h.example"].algorithms == ("ES384", "RS384")
    assert issuers["https://sandbox.cds-hooks.org"].algorithms == ("ES256",)


@pytest.mark.parametrize("url", ["https://ehr.example.org/jwks", "http://127.0.0.1:8081/jwks",
                                 "http://localhost/jwks", "http://[::1]:9000/jwks"])
def test_jwks_url_is_https_or_loopback(url: str) -> None:
    assert TrustedIssuer(jwks_url=url).jwks_url == url


@pytest.mark.parametrize("config", [
    {"jwks_url": "http://ehr.example.org/jwks"},  # keys over plain http
    {"jwks_url": "ftp://ehr.example.org/jwks"},
    {"jku_allowed": ["http://ehr.example.org/jwks"]},
    {},  # nowhere to find keys
    {"jwks_url": "https://ehr.example.org/jwks", "jwks": {"keys": []}},
    {"jwks": {"keys": []}},  # no usable key
    {"jwks": {"keys": [{"kty": "oct", "kid": "shared", "k": "c2VjcmV0"}]}},  # HMAC secret
    {"jwks_url": "https://ehr.example.org/jwks", "algorithms": ["HS384"]},
    {"jwks_url": "https://ehr.example.org/jwks", "algorithms": ["none"]},
    {"jwks_url": "https://ehr.example.org/jwks", "algorithms": []},
    {"jwks_uri": "https://ehr.example.org/jwks"},  # misspelt member
])
def test_unusable_issuer_configuration_is_refused_at_start(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Settings(trusted_issuers={ISSUER: config})


def test_inline_set_with_a_private_key_is_refused(es_key: SigningKey) -> None:
    from jwt.algorithms import ECAlgorithm

    private = {**json.loads(ECAlgorithm.to_jwk(es_key.private)), "kid": es_key.kid}
    with pytest.raises(ValidationError, match="private"):
        TrustedIssuer(jwks={"keys": [private]})


# --- keys -------------------------------------------------------------------------------------------

def test_only_public_signature_keys_with_a_kid_are_used(es_key: SigningKey, rs_key: SigningKey) -> None:
    encryption_key = {**rs_key.public_jwk(), "kid": "enc", "use": "enc"}
    no_kid = {key: value for key, value in es_key.public_jwk().items() if key != "kid"}
    secret = {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}
    keys = signing_keys_by_kid({"keys": [es_key.public_jwk(), rs_key.public_jwk(), encryption_key, no_kid,
                                         secret]})
    assert set(keys) == {es_key.kid, rs_key.kid}


@pytest.mark.parametrize(("key_name", "algorithm"), [("es_key", "RS384"), ("es_key", "ES256"),
                                                     ("rs_key", "ES384")])
def test_key_type_must_match_the_algorithm(request: pytest.FixtureRequest, key_name: str,
                                           algorithm: str) -> None:
    key: SigningKey = request.getfixturevalue(key_name)
    with pytest.raises(UnusableKey):
        verification_key(key.public_jwk(), algorithm)


def test_key_declaring_another_alg_is_not_used_for_this_one(rs_key: SigningKey) -> None:
    with pytest.raises(UnusableKey):
        verification_key({**rs_key.public_jwk(), "alg": "RS256"}, "RS384")


def test_short_rsa_keys_are_refused() -> None:
    with pytest.raises(UnusableKey, match="1024 bits"):
        verification_key(rsa_key("weak", bits=1024).public_jwk(), "RS384")


# --- fetching and caching ---------------------------------------------------------------------------

@respx.mock
def test_set_is_cached_for_its_max_age(source: RemoteKeySource, clock: FakeClock, es_key: SigningKey) -> None:
    route = respx.get(JWKS_URL).respond(json=jwk_set(es_key),
                                        headers={"Cache-Control": "public, max-age=600"})
    assert source.key(es_key.kid) is not None
    clock.advance(599)
    assert source.key(es_key.kid) is not None
    assert route.call_count == 1
    clock.advance(2)
    assert source.key(es_key.kid) is not None
    assert route.call_count == 2


@respx.mock
def test_no_store_set_is_fetched_again_after_the_refetch_interval(source: RemoteKeySource, clock: FakeClock,
                                                                  es_key: SigningKey) -> None:
    route = respx.get(JWKS_URL).respond(json=jwk_set(es_key), headers={"Cache-Control": "no-store"})
    source.key(es_key.kid)
    source.key(es_key.kid)
    assert route.call_count == 1
    clock.advance(MIN_REFETCH_INTERVAL_S)
    source.key(es_key.kid)
    assert route.call_count == 2


@respx.mock
def test_unknown_kid_is_fetched_again_once(source: RemoteKeySource, clock: FakeClock,
                                           es_key: SigningKey) -> None:
    route = respx.get(JWKS_URL).respond(json=jwk_set(es_key), headers={"Cache-Control": "max-age=3600"})
    assert source.key(es_key.kid) is not None
    clock.advance(60)
    assert source.key("rotated-in") is None
    assert route.call_count == 2


@respx.mock
def test_rotated_key_is_found_after_refetch(source: RemoteKeySource, clock: FakeClock,
                                            es_key: SigningKey) -> None:
    new_key = ec_key("2027")
    route = respx.get(JWKS_URL)
    route.respond(json=jwk_set(es_key), headers={"Cache-Control": "max-age=3600"})
    source.key(es_key.kid)
    route.respond(json=jwk_set(es_key, new_key), headers={"Cache-Control": "max-age=3600"})
    clock.advance(30)
    assert source.key(new_key.kid) == new_key.public_jwk()


@respx.mock
def test_made_up_kids_cause_no_more_than_one_fetch_per_interval(source: RemoteKeySource, clock: FakeClock,
                                                               es_key: SigningKey) -> None:
    """Forged tokens with random kids must not turn the service into a JWKS flooder."""
    route = respx.get(JWKS_URL).respond(json=jwk_set(es_key), headers={"Cache-Control": "max-age=3600"})
    for _ in range(50):
        assert source.key(str(uuid.uuid4())) is None
        clock.advance(0.05)
    assert route.call_count == 1  # 2.5 s of forged kids
    clock.advance(MIN_REFETCH_INTERVAL_S)
    source.key(str(uuid.uuid4()))
    assert route.call_count == 2


@pytest.mark.parametrize("failure", [
    httpx.Response(503), httpx.Response(200, text="<html>"), httpx.Response(200, json=["not", "a", "set"]),
    httpx.Response(302, headers={"Location": "http://ehr.example.org/jwks"}),  # redirects are not followed
    httpx.ConnectTimeout("timed out"),
])
@respx.mock
def test_failed_fetch_keeps_the_last_keys(source: RemoteKeySource, clock: FakeClock, es_key: SigningKey,
                                          failure: httpx.Response | Exception) -> None:
    route = respx.get(JWKS_URL)
    route.respond(json=jwk_set(es_key), headers={"Cache-Control": "max-age=60"})
    source.key(es_key.kid)
    route.side_effect = [failure]
    clock.advance(61)
    assert source.key(es_key.kid) == es_key.public_jwk()
    assert route.call_count == 2


@respx.mock
def test_unreachable_set_yields_no_key(source: RemoteKeySource) -> None:
    respx.get(JWKS_URL).mock(side_effect=httpx.ConnectError("refused"))
    assert source.key("any") is None


@respx.mock
def test_oversized_set_is_not_read(source: RemoteKeySource, es_key: SigningKey) -> None:
    padding = {"kid": "pad", "kty": "EC", "x": "A" * MAX_JWKS_BYTES}
    respx.get(JWKS_URL).respond(json={"keys": [es_key.public_jwk(), padding]})
    assert source.key(es_key.kid) is None


@pytest.mark.parametrize(("headers", "lifetime"), [
    ({}, DEFAULT_TTL_S),
    ({"Cache-Control": "max-age=120"}, 120),
    ({"Cache-Control": "public, max-age=120", "Age": "100"}, 20),
    ({"Cache-Control": "max-age=120", "Age": "500"}, 0),
    ({"Cache-Control": "no-cache"}, 0),
    ({"Cache-Control": "private, no-store, max-age=600"}, 0),
    ({"Cache-Control": "max-age=31536000"}, MAX_TTL_S),
    ({"Cache-Control": "max-age=soon"}, DEFAULT_TTL_S),
])
def test_freshness_follows_cache_control(headers: dict[str, str], lifetime: float) -> None:
    assert freshness_lifetime(httpx.Headers(headers)) == lifetime


# --- which set a token is verified with -------------------------------------------------------------

def test_inline_set_is_used_without_any_fetch(http: httpx.Client, es_key: SigningKey) -> None:
    keys = IssuerKeys({ISSUER: TrustedIssuer(jwks=jwk_set(es_key))}, http)
    source = keys.source(ISSUER, None)
    assert isinstance(source, InlineKeySource)
    assert source.key(es_key.kid) == es_key.public_jwk()


@pytest.mark.parametrize("jku_allowed", [(), (JWKS_URL,)])
def test_jku_naming_the_configured_set_uses_its_cache(http: httpx.Client,
                                                      jku_allowed: tuple[str, ...]) -> None:
    keys = IssuerKeys({ISSUER: TrustedIssuer(jwks_url=JWKS_URL, jku_allowed=jku_allowed)}, http)
    assert keys.source(ISSUER, JWKS_URL) is keys.source(ISSUER, None)


def test_jku_selects_only_an_allowlisted_set(http: httpx.Client) -> None:
    allowed = "https://ehr.example.org/other-jwks"
    keys = IssuerKeys({ISSUER: TrustedIssuer(jwks_url=JWKS_URL, jku_allowed=(allowed,))}, http)
    other = keys.source(ISSUER, allowed)
    assert isinstance(other, RemoteKeySource)
    assert other.url == allowed
    assert keys.source(ISSUER, "https://attacker.example/jwks") is None
    assert keys.source("https://rogue.example", None) is None
