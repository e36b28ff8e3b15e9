"""Trusted CDS clients (`PRT_CDS_TRUSTED_ISSUERS`): which issuers may call, and where their keys are.

The setting is a JSON object keyed by the `iss` each EHR puts in its tokens, for example
`{"https://ehr.example.org": {"jwks_url": "https://ehr.example.org/jwks.json", "tenant": "region-h"}}`.
"""

from __future__ import annotations

from ipaddress import ip_address
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from service.auth.keys import has_private_material, signing_keys_by_kid

SignatureAlgorithm = Literal["ES384", "RS384", "ES256", "RS256"]
RECOMMENDED_ALGORITHMS: tuple[SignatureAlgorithm, ...] = ("ES384", "RS384")
"""What CDS Hooks 2.0 recommends; ES256/RS256 only when an issuer's configuration lists them."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _key_set_url(value: str) -> str:
    # Keys fetched over plain http could be swapped in transit; loopback is allowed for tests only.
    parts = urlsplit(value)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return value
    if parts.scheme == "http" and _is_loopback(host):
        return value
    raise ValueError(f"{value!r} must be an https URL (http only on a loopback host)")


def _public_jwk_set(value: dict[str, Any]) -> dict[str, Any]:
    keys = value.get("keys")
    if not isinstance(keys, list):
        raise ValueError("an inline JWK Set needs a 'keys' array")
    if any(isinstance(jwk, dict) and has_private_material(jwk) for jwk in keys):
        raise ValueError("the inline JWK Set holds private or symmetric key material: give public keys only")
    if not signing_keys_by_kid(value):
        raise ValueError("the inline JWK Set has no EC or RSA signature key with a 'kid'")
    return value


KeySetUrl = Annotated[str, AfterValidator(_key_set_url)]
PublicJwkSet = Annotated[dict[str, Any], AfterValidator(_public_jwk_set)]


class TrustedIssuer(BaseModel):
    """One EHR (token issuer) allowed to call the service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    jwks_url: KeySetUrl | None = None
    """Where the issuer publishes its JWK Set."""
    jwks: PublicJwkSet | None = None
    """The issuer's JWK Set, exchanged out of band."""
    tenant: str | None = None
    """When set, tokens must carry exactly this `tenant` claim."""
    jku_allowed: tuple[KeySetUrl, ...] = ()
    """JWK Set URLs a token may name in its `jku` header besides `jwks_url`; any other `jku` is refused."""
    algorithms: tuple[SignatureAlgorithm, ...] = Field(default=RECOMMENDED_ALGORITHMS, min_length=1)

    @model_validator(mode="after")
    def _one_key_source(self) -> TrustedIssuer:
        if self.jwks_url is not None and self.jwks is not None:
            raise ValueError("give either 'jwks_url' or 'jwks', not both")
        if self.jwks_url is None and self.jwks is None and not self.jku_allowed:
            raise ValueError("give 'jwks_url', 'jwks' or 'jku_allowed'")
        return self
