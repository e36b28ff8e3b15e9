"""Verification of a CDS client's JWT (CDS Hooks 2.0 "Trusting CDS Clients").

Checks run in the order the CDS Hooks best practices give: the issuer is trusted, the tenant matches,
the signature verifies with the issuer's key named by `kid` (algorithm and key type must agree), `aud` is
the endpoint called, `exp`/`iat` are current, and the `jti` has not been seen before.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from service.auth.errors import NotAuthenticated
from service.auth.issuers import TrustedIssuer
from service.auth.jwks import IssuerKeys
from service.auth.keys import SUPPORTED_ALGORITHMS, UnusableKey, verification_key
from service.auth.replay import ReplayCache

CLOCK_SKEW_S = 60
MAX_TOKEN_LIFETIME_S = 3600
"""Tokens valid for longer are refused: their `jti` would have to be remembered for as long."""
REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat", "jti")

# Why PyJWT refused a token, in words for the log.
_REFUSALS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.ImmatureSignatureError, "token not yet valid (iat/nbf in the future)"),
    (jwt.InvalidAudienceError, "aud is not this endpoint"),
    (jwt.InvalidIssuerError, "iss mismatch"),
    (jwt.InvalidSignatureError, "signature does not verify"),
    (jwt.DecodeError, "malformed token"),
)


@dataclass(frozen=True, slots=True)
class VerifiedClient:
    issuer: str
    jti: str


def _shown(value: object) -> str:
    """A value taken from an unverified token, made safe for one log line."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _refusal(error: jwt.PyJWTError) -> str:
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"claim {error.claim!r} missing"
    for kind, reason in _REFUSALS:
        if isinstance(error, kind):
            return reason
    return f"invalid token ({type(error).__name__})"


class TokenVerifier:
    def __init__(self, issuers: Mapping[str, TrustedIssuer], keys: IssuerKeys, replay: ReplayCache) -> None:
        self._issuers = issuers
        self._keys = keys
        self._replay = replay

    def verify(self, token: str, audiences: Sequence[str]) -> VerifiedClient:
        """The client a valid token comes from; NotAuthenticated (with the reason) for any other token.

        `audiences`: the URLs this endpoint is known by; the token's `aud` must name one of them.
        """
        header, unverified = self._unverified(token)
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in SUPPORTED_ALGORITHMS:
            raise NotAuthenticated(f"algorithm {_shown(algorithm)} not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise NotAuthenticated("header has no kid")
        typ = header.get("typ", "JWT")
        if not isinstance(typ, str) or typ.upper() != "JWT":
            raise NotAuthenticated(f"typ {_shown(typ)} is not JWT")
        issuer = unverified.get("iss")
        trusted = self._issuers.get(issuer) if isinstance(issuer, str) else None
        if trusted is None:
            raise NotAuthenticated(f"issuer {_shown(issuer)} not trusted")
        if algorithm not in trusted.algorithms:
            raise NotAuthenticated(f"algorithm {algorithm} not configured for issuer {issuer}")
        if trusted.tenant is not None and unverified.get("tenant") != trusted.tenant:
            raise NotAuthenticated(f"tenant {_shown(unverified.get('tenant'))} is not {issuer}'s tenant")
        key = self._key(issuer, header, kid, algorithm)
        try:
            claims = jwt.decode(token, key, algorithms=[algorithm], audience=list(audiences), issuer=issuer,
                                leeway=CLOCK_SKEW_S, options={"require": list(REQUIRED_CLAIMS)})
        except jwt.PyJWTError as error:
            raise NotAuthenticated(f"{_refusal(error)} (iss {issuer}, kid {_shown(kid)})") from None
        jti = claims["jti"]
        if not isinstance(jti, str) or not jti:
            raise NotAuthenticated(f"jti is not a non-empty string (iss {issuer})")
        expires = int(claims["exp"])
        if expires > time.time() + MAX_TOKEN_LIFETIME_S + CLOCK_SKEW_S:
            raise NotAuthenticated(f"exp more than {MAX_TOKEN_LIFETIME_S} s ahead (iss {issuer})")
        if not self._replay.first_use(issuer, jti, expires_at=expires + CLOCK_SKEW_S):
            raise NotAuthenticated(f"jti {_shown(jti)} replayed (iss {issuer})")
        return VerifiedClient(issuer=issuer, jti=jti)

    @staticmethod
    def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise NotAuthenticated("malformed token") from None
        return header, claims

    def _key(self, issuer: str, header: Mapping[str, Any], kid: str, algorithm: str) -> Any:
        jku = header.get("jku")
        if jku is not None and not isinstance(jku, str):
            raise NotAuthenticated(f"jku {_shown(jku)} is not a URL")
        source = self._keys.source(issuer, jku)
        if source is None and jku is not None:
            raise NotAuthenticated(f"jku {_shown(jku)} not allowed for issuer {issuer}")
        if source is None:
            raise NotAuthenticated(f"issuer {issuer} has no key set unless the token names an allowed jku")
        jwk = source.key(kid)
        if jwk is None:
            raise NotAuthenticated(f"kid {_shown(kid)} unknown to issuer {issuer}")
        try:
            return verification_key(jwk, algorithm)
        except UnusableKey as error:
            raise NotAuthenticated(f"kid {_shown(kid)} of issuer {issuer}: {error}") from None
