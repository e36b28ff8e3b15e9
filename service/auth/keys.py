"""JSON Web Keys: which keys of a JWK Set can verify CDS client tokens, and with which algorithm."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt import PyJWK
from jwt.exceptions import PyJWKError

# Algorithm -> (kty, crv): the key type each accepted algorithm needs. No HMAC, no "none".
_KEY_TYPES: dict[str, tuple[str, str | None]] = {
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
}
SUPPORTED_ALGORITHMS = frozenset(_KEY_TYPES)
MIN_RSA_BITS = 2048
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

Jwk = Mapping[str, Any]


class UnusableKey(Exception):
    """The key named by the token cannot verify the token's algorithm."""


def has_private_material(jwk: Jwk) -> bool:
    return not _PRIVATE_MEMBERS.isdisjoint(jwk)


def _is_signature_key(jwk: Jwk) -> bool:
    return (
        jwk.get("kty") in ("EC", "RSA")
        and jwk.get("use", "sig") == "sig"
        and "verify" in jwk.get("key_ops", ("verify",))
        and not has_private_material(jwk)
    )


def signing_keys_by_kid(jwk_set: Mapping[str, Any]) -> dict[str, Jwk]:
    """The public signature keys of a JWK Set, by `kid`; keys without a `kid` cannot be named by a token."""
    keys = jwk_set.get("keys")
    if not isinstance(keys, list):
        raise ValueError("a JWK Set needs a 'keys' array")
    usable: dict[str, Jwk] = {}
    for jwk in keys:
        if isinstance(jwk, Mapping) and _is_signature_key(jwk):
            kid = jwk.get("kid")
            if isinstance(kid, str) and kid:
                usable.setdefault(kid, jwk)
    return usable


def verification_key(jwk: Jwk, algorithm: str) -> Any:
    """The public key of `jwk` for verifying `algorithm`, refusing a key of another type or curve
    (algorithm confusion) and RSA keys under 2048 bits."""
    kty, crv = _KEY_TYPES[algorithm]
    if jwk.get("kty") != kty or (crv is not None and jwk.get("crv") != crv):
        raise UnusableKey(f"a {jwk.get('kty')} {jwk.get('crv') or ''} key cannot verify {algorithm}")
    if jwk.get("alg", algorithm) != algorithm:
        raise UnusableKey(f"the key is for {jwk.get('alg')}, the token uses {algorithm}")
    try:
        key = PyJWK(dict(jwk), algorithm).key
    except PyJWKError as error:
        raise UnusableKey(f"malformed key ({type(error).__name__})") from None
    if isinstance(key, RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise UnusableKey(f"RSA key of {key.key_size} bits (at least {MIN_RSA_BITS} required)")
    return key
