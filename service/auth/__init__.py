"""Authentication of CDS clients (CDS Hooks 2.0 "Trusting CDS Clients").

`authenticate` is the single entry point every protected route depends on. With
`PRT_CDS_AUTH_MODE=off` it admits every call (local development only); with `jwt` it admits a call
only when a trusted issuer's token verifies for the endpoint's audience.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx
from fastapi import Request
from sqlalchemy import Engine
from starlette.routing import Route

from service.auth.errors import NotAuthenticated
from service.auth.jwks import FETCH_TIMEOUT_S, IssuerKeys
from service.auth.replay import ReplayCache
from service.auth.verify import TokenVerifier

if TYPE_CHECKING:  # service.settings imports the issuer model from this package
    from service.settings import Settings

__all__ = ["ClientVerifier", "NotAuthenticated", "audiences", "authenticate", "open_verifier", "warn_if_open"]

log = logging.getLogger(__name__)


class ClientVerifier(TokenVerifier):
    """The token verifier of a running app, owning its connection to the issuers' key servers."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self._http = httpx.Client(timeout=FETCH_TIMEOUT_S, follow_redirects=False)
        super().__init__(settings.trusted_issuers, IssuerKeys(settings.trusted_issuers, self._http),
                         ReplayCache(engine))

    def close(self) -> None:
        self._http.close()


def open_verifier(settings: Settings, engine: Engine) -> ClientVerifier:
    """The verifier `authenticate` uses: the app keeps it in `app.state.verifier`, closed at shutdown."""
    if settings.auth_mode == "jwt" and not settings.trusted_issuers:
        log.warning("PRT_CDS_TRUSTED_ISSUERS is empty: every CDS call will be answered 401")
    return ClientVerifier(settings, engine)


def audiences(request: Request, settings: Settings) -> tuple[str, ...]:
    """The JWT `aud` values this call may carry: the public URL of the endpoint called, built from
    PRT_CDS_PUBLIC_BASE_URL (never from the Host header) and the route. Feedback also accepts its
    service's URL, which is what clients that configure one URL per service put there."""
    route = request.scope["route"]
    assert isinstance(route, Route)
    endpoint = settings.base_url() + route.path_format.format(**request.path_params)
    if route.path_format.endswith("/feedback"):
        return endpoint, endpoint.removesuffix("/feedback")
    return (endpoint,)


def authenticate(request: Request) -> None:
    settings: Settings = request.app.state.settings
    if settings.auth_mode == "off":
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("no bearer token")
    verifier: ClientVerifier = request.app.state.verifier
    client = verifier.verify(token.strip(), audiences(request, settings))
    log.debug("client authenticated: iss=%s jti=%s", client.issuer, client.jti)


def warn_if_open(settings: Settings) -> None:
    if settings.auth_mode == "off":
        log.warning("PRT_CDS_AUTH_MODE=off: every caller is trusted; never run like this with patient data")
