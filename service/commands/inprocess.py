"""The service's request pipeline run inside this process: no server, no client authentication, and the
issued cards recorded in a throwaway database rather than the service's own."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson

from service.api.evaluation import Runtime, answer_hook
from service.api.services import SERVICE_BY_ID, SERVICE_ID_BY_HOOK
from service.commands.inputs import InputError
from service.settings import Settings
from service.storage.card_log import CardLog
from service.storage.store import Store
from service.wire.errors import CdsError
from service.wire.fhir_client import FhirClient
from service.wire.models import CdsResponse


@asynccontextmanager
async def in_process_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    with tempfile.TemporaryDirectory(prefix="palliative-rt-cds-") as directory:
        store = Store(f"sqlite:///{Path(directory) / 'issued-cards.db'}")
        store.create_schema()
        card_log = CardLog(store)
        try:
            async with httpx.AsyncClient(timeout=settings.fhir_timeout_s, follow_redirects=False) as http:
                yield Runtime(settings=settings, fhir=FhirClient(http, page_cap=settings.fhir_page_cap),
                              store=store, card_log=card_log)
        finally:
            card_log.close()
            store.dispose()


def on_date(runtime: Runtime, today: date | None) -> Runtime:
    """The runtime evaluating as of `today` (None: the runtime's own date)."""
    if today is None:
        return runtime
    return dataclasses.replace(runtime, settings=runtime.settings.model_copy(update={"fixed_today": today}))


async def call(runtime: Runtime, request: dict[str, Any], language: str) -> CdsResponse:
    """The answer of the service for the request's hook, as it would give it over HTTP.

    `request["hook"]` must be one of the service's hooks; raises CdsError where the HTTP service would
    answer an error.
    """
    service = SERVICE_BY_ID[SERVICE_ID_BY_HOOK[request["hook"]]]
    return await answer_hook(service, orjson.dumps(request), language=language, runtime=runtime)


async def answer_file(runtime: Runtime, path: Path, request: dict[str, Any], language: str) -> CdsResponse:
    """The service's answer to the request read from `path`, or InputError saying why it refuses it."""
    try:
        return await call(runtime, request, language)
    except CdsError as error:
        raise InputError(path, "; ".join(error.messages)) from None
    except Exception as error:
        # The service answers such a request 500; a tester needs the file named, not a traceback.
        raise InputError(path, f"the service failed on this request ({type(error).__name__}); "
                               "over HTTP it would answer 500") from None
