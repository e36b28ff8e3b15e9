"""Real signing keys and CDS client tokens for the authentication tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

BASE_URL = "https://cds.example.org"
DISCOVERY_URL = f"{BASE_URL}/cds-services"
ISSUER = "https://ehr.example.org"
JWKS_URL = "https://ehr.example.org/.well-known/jwks.json"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private: Any

    def public_jwk(self) -> dict[str, Any]:
        to_jwk = ECAlgorithm.to_jwk if self.algorithm.startswith("ES") else RSAAlgorithm.to_jwk
        return {**json.loads(to_jwk(self.private.public_key())), "kid": self.kid, "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)


def ec_key(kid: str, algorithm: str = "ES384") -> SigningKey:
    curve = ec.SECP384R1() if algorithm == "ES384" else ec.SECP256R1()
    return SigningKey(kid, algorithm, ec.generate_private_key(curve))


def rsa_key(kid: str, algorithm: str = "RS384", bits: int = 2048) -> SigningKey:
    return SigningKey(kid, algorithm, rsa.generate_private_key(public_exponent=65537, key_size=bits))


def jwk_set(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [key.public_jwk() for key in keys]}


def claims(aud: str | list[str], /, **changes: Any) -> dict[str, Any]:
    """A CDS Hooks 2.0 client token payload valid now; `changes` override claims (None removes one)."""
    now = int(time.time())
    payload: dict[str, Any] = {"iss": ISSUER, "aud": aud, "exp": now + 300, "iat": now,
                               "jti": str(uuid.uuid4())}
    payload.update(changes)
    return {name: value for name, value in payload.items() if value is not None}


def sign(key: SigningKey, payload: dict[str, Any], **header: Any) -> str:
    """`payload` signed with `key`; `header` adds or overrides header members (None removes one)."""
    headers = {"kid": key.kid, "typ": "JWT", **header}
    return jwt.encode(payload, key.private, algorithm=key.algorithm,
                      headers={name: value for name, value in headers.items() if value is not None})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _decode_segment(segment: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def unsigned(payload: dict[str, Any], kid: str) -> str:
    """An `alg: none` token."""
    return f"{_segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_segment(payload)}."


def hmac_with_public_key(key: SigningKey, payload: dict[str, Any]) -> str:
    """HS384 'signed' with the issuer's public key: the classic algorithm-confusion forgery."""
    signing_input = f"{_segment({'alg': 'HS384', 'typ': 'JWT', 'kid': key.kid})}.{_segment(payload)}"
    signature = hmac.new(key.public_pem(), signing_input.encode(), hashlib.sha384).digest()
    return f"{signing_input}.{_b64(signature)}"


def with_payload(token: str, **changes: Any) -> str:
    """`token` with its payload changed and its original signature kept."""
    header, payload, signature = token.split(".")
    return ".".join((header, _segment({**_decode_segment(payload), **changes}), signature))


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
