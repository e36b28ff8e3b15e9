"""The ASGI application (`service.app:app`): routes, error answers, shared resources."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from importlib.metadata import version
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.admission import Admission
from service.api.docs import request_schemas
from service.api.evaluation import Runtime
from service.api.heap import ready_to_serve
from service.api.routes import cds_router, health_router
from service.auth import NotAuthenticated, open_verifier, warn_if_open
from service.http_hygiene import BodySizeLimit, SecurityHeaders
from service.observability.endpoint import metrics_router
from service.observability.middleware import ObserveRequests
from service.settings import Settings, get_settings
from service.storage.card_log import CardLog
from service.storage.store import Store
from service.viewer import install_viewer
from service.wire.errors import CdsError, field_path
from service.wire.fhir_client import FhirClient
from service.wire.responses import JsonResponse, error_response

log = logging.getLogger(__name__)

TITLE = "palliative-rt-cds"
DESCRIPTION = ("CDS Hooks 2.0 service for the Danish national guideline on palliative radiotherapy of lung "
               "cancer (DOLG v3.0). Errors are FHIR OperationOutcomes.")


class _UnexpectedErrors:
    """Answers any unhandled exception with a 500 OperationOutcome that discloses nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            log.exception("unexpected error answering %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await error_response(CdsError(500, ["internal error"]))(scope, receive, send)


async def _cds_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, CdsError)
    if error.status >= 500:
        log.error("answering %d: %s", error.status, error)
    return error_response(error)


async def _not_authenticated(request: Request, error: Exception) -> Response:
    assert isinstance(error, NotAuthenticated)
    log.warning("401 on %s: %s", request.url.path, error.reason)
    return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})


async def _http_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    answer = error_response(CdsError(error.status_code, [str(error.detail)]))
    # e.g. `Allow` on a 405, which RFC 9110 requires.
    answer.headers.update(error.headers or {})
    return answer


async def _invalid_parameters(_: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    messages = [f"{field_path(detail['loc'])}: {detail['msg']}" for detail in error.errors()]
    return error_response(CdsError(400, messages))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warn_if_open(settings)
        store = Store(settings.database_url, pool_size=settings.database_pool_size,
                      max_overflow=settings.database_max_overflow)
        if settings.migrates_on_start():
            store.create_schema()
        else:
            store.check_schema()
        card_log = CardLog(store)
        app.state.verifier = open_verifier(settings, store.engine)
        async with httpx.AsyncClient(timeout=settings.fhir_timeout_s, follow_redirects=False) as http:
            fhir = FhirClient(http, page_cap=settings.fhir_page_cap,
                              max_bytes_per_request=settings.fhir_max_bytes)
            app.state.runtime = Runtime(settings=settings, fhir=fhir, store=store, card_log=card_log)
            with ready_to_serve():
                yield
        app.state.verifier.close()
        card_log.close()  # the cards of the last answers are written before the process exits
        store.dispose()

    app = FastAPI(title=TITLE, description=DESCRIPTION, version=version("palliative-rt-cds"),
                  lifespan=lifespan, default_response_class=JsonResponse)
    app.state.settings = settings
    app.state.admission = Admission.from_settings(settings)
    app.include_router(cds_router)
    app.include_router(health_router)
    app.include_router(metrics_router)
    if settings.viewer_enabled:
        install_viewer(app)
    app.add_exception_handler(CdsError, _cds_error)
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_parameters)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", "Accept-Language"])
    app.add_middleware(_UnexpectedErrors)
    app.add_middleware(SecurityHeaders, https=settings.public_base_url.scheme == "https")
    app.add_middleware(ObserveRequests)  # outermost: sees every answer, 413 and 500 included
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(request_schemas())
        # Parameter errors answer 400 with an OperationOutcome, never FastAPI's 422.
        for item in document["paths"].values():
            for operation in item.values():
                operation["responses"].pop("422", None)
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = document
    return app.openapi_schema


@cache
def _default_app() -> FastAPI:
    return create_app()


def __getattr__(name: str) -> FastAPI:
    # `service.app:app` is built on first use, so importing this module reads no settings.
    if name == "app":
        return _default_app()
    raise AttributeError(name)
