"""Issuers' public keys: inline JWK Sets, and JWK Sets fetched over https and cached.

A fetched set is kept as long as its `Cache-Control` allows, fetched again once when a token names a
`kid` it does not hold (key rotation), and never fetched more often than once per
`MIN_REFETCH_INTERVAL_S`, so that tokens with made-up `kid`s cannot turn this service into a client that
hammers an issuer.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx
import orjson

from service.auth.issuers import TrustedIssuer
from service.auth.keys import Jwk, signing_keys_by_kid

log = logging.getLogger(__name__)

DEFAULT_TTL_S = 300.0
"""How long a set is fresh when its response says nothing about caching."""
MAX_TTL_S = 24 * 3600.0
MIN_REFETCH_INTERVAL_S = 5.0
FETCH_TIMEOUT_S = 3.0
MAX_JWKS_BYTES = 256 * 1024


class KeySource(Protocol):
    def key(self, kid: str) -> Jwk | None:
        """The signature key named `kid`, or None when the issuer does not publish it."""
        ...


@dataclass(frozen=True, slots=True)
class InlineKeySource:
    keys: Mapping[str, Jwk]

    def key(self, kid: str) -> Jwk | None:
        return self.keys.get(kid)


class JwksUnavailable(Exception):
    pass


def freshness_lifetime(headers: httpx.Headers) -> float:
    """Seconds a response stays fresh per its Cache-Control `max-age` (less its `Age`); 0 for
    `no-store`/`no-cache`; DEFAULT_TTL_S when it says nothing."""
    directives: dict[str, str] = {}
    for directive in headers.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        directives[name.lower()] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    try:
        lifetime = float(int(directives["max-age"])) if "max-age" in directives else DEFAULT_TTL_S
        age = float(int(headers.get("age", "0")))
    except ValueError:
        return DEFAULT_TTL_S
    return min(max(lifetime - age, 0.0), MAX_TTL_S)


class RemoteKeySource:
    """A JWK Set served at `url`. Thread-safe: concurrent requests wait for one fetch."""

    def __init__(self, url: str, http: httpx.Client, *, clock: Callable[[], float] = time.monotonic,
                 min_refetch_interval_s: float = MIN_REFETCH_INTERVAL_S) -> None:
        self.url = url
        self._http = http
        self._clock = clock
        self._min_refetch_interval_s = min_refetch_interval_s
        self._keys: Mapping[str, Jwk] = {}
        self._fresh_until = -math.inf
        self._last_attempt = -math.inf
        self._lock = threading.Lock()

    def key(self, kid: str) -> Jwk | None:
        with self._lock:
            now = self._clock()
            wanted = now >= self._fresh_until or kid not in self._keys
            if wanted and now - self._last_attempt >= self._min_refetch_interval_s:
                self._refresh(now)
            return self._keys.get(kid)

    def _refresh(self, now: float) -> None:
        self._last_attempt = now
        try:
            keys, lifetime = self._fetch()
        except JwksUnavailable as error:
            # Keep the last keys that were read: an issuer's outage should not lock its users out.
            log.warning("JWK Set %s not read (%s); %d cached keys kept", self.url, error, len(self._keys))
            return
        self._keys = keys
        self._fresh_until = now + lifetime

    def _fetch(self) -> tuple[Mapping[str, Jwk], float]:
        try:
            with self._http.stream("GET", self.url, headers={"Accept": "application/json"}) as response:
                if response.status_code != 200:
                    raise JwksUnavailable(f"HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise JwksUnavailable(f"larger than {MAX_JWKS_BYTES} bytes")
                lifetime = freshness_lifetime(response.headers)
        except httpx.HTTPError as error:
            raise JwksUnavailable(type(error).__name__) from None
        try:
            jwk_set = orjson.loads(body)
            if not isinstance(jwk_set, dict):
                raise ValueError("not a JSON object")
            return signing_keys_by_kid(jwk_set), lifetime
        except ValueError as error:
            raise JwksUnavailable(f"not a JWK Set: {error}") from None


class IssuerKeys:
    """Every key source of every trusted issuer, built once, so that nothing a token says can add a URL."""

    def __init__(self, issuers: Mapping[str, TrustedIssuer], http: httpx.Client, *,
                 clock: Callable[[], float] = time.monotonic,
                 min_refetch_interval_s: float = MIN_REFETCH_INTERVAL_S) -> None:
        self._default: dict[str, KeySource] = {}
        self._by_jku: dict[tuple[str, str], KeySource] = {}
        for issuer, trusted in issuers.items():
            # One source per URL and issuer: a `jwks_url` also listed in `jku_allowed` is fetched once.
            urls = [url for url in (trusted.jwks_url, *trusted.jku_allowed) if url is not None]
            remote = {url: RemoteKeySource(url, http, clock=clock,
                                           min_refetch_interval_s=min_refetch_interval_s) for url in urls}
            if trusted.jwks is not None:
                self._default[issuer] = InlineKeySource(signing_keys_by_kid(trusted.jwks))
            elif trusted.jwks_url is not None:
                self._default[issuer] = remote[trusted.jwks_url]
            for url in urls:
                self._by_jku[(issuer, url)] = remote[url]

    def source(self, issuer: str, jku: str | None) -> KeySource | None:
        """The keys to verify a token of `issuer` with: the set its `jku` names when that is the issuer's
        `jwks_url` or in its `jku_allowed`; without `jku`, the issuer's configured set."""
        if jku is None:
            return self._default.get(issuer)
        return self._by_jku.get((issuer, jku))
