"""HTTP routes: discovery, the three hook services, feedback, liveness and readiness."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool

from service.api.admission import ADMISSION_ERRORS, admission
from service.api.docs import CALL_ERRORS, request_body
from service.api.evaluation import Runtime, answer_hook
from service.api.services import SERVICE_BY_ID, CdsService, discovery
from service.auth import authenticate
from service.observability.record import request_record
from service.settings import LANGUAGES
from service.wire.errors import CdsError
from service.wire.language import negotiate_language
from service.wire.models import CdsResponse, DiscoveryResponse, FeedbackRequest, HookRequest, OperationOutcome
from service.wire.requests import parse_feedback
from service.wire.responses import JsonResponse

cds_router = APIRouter(dependencies=[Depends(authenticate)], responses=CALL_ERRORS,
                       default_response_class=JsonResponse)
health_router = APIRouter(default_response_class=JsonResponse)

ServiceId = Annotated[str, Path(description="The CDS service's id (discovery); any other answers 404.",
                                json_schema_extra={"enum": list(SERVICE_BY_ID)})]


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _service(service_id: str) -> CdsService:
    service = SERVICE_BY_ID.get(service_id)
    if service is None:
        raise CdsError(404, [f"service: no CDS service '{service_id}'"])
    return service


@cds_router.get("/cds-services", response_model=DiscoveryResponse, response_model_exclude_none=True,
                summary="CDS Hooks discovery: the services offered")
async def list_services() -> JsonResponse:
    return JsonResponse(discovery())


@cds_router.post(
    "/cds-services/{service_id}",
    summary="Call a CDS service: the guideline's cards for this patient and hook",
    responses={200: {"model": CdsResponse, "description": "Cards (possibly none)."}, **ADMISSION_ERRORS},
    response_model=None,
    openapi_extra=request_body(HookRequest, "CDS Hooks 2.0 request; `context` per hook "
                                            "(PatientViewContext, OrderSelectContext, OrderSignContext)."),
)
async def call_service(service_id: ServiceId, request: Request) -> JsonResponse:
    service = _service(service_id)
    record = request_record(request)
    record.serving(service.id, service.hook.value)
    runtime = _runtime(request)
    language = negotiate_language(request.headers.get("accept-language"), LANGUAGES,
                                  runtime.settings.language)
    # A call reads its body only once admitted; middleware (service.http_hygiene) limits its size as it
    # is read.
    calls = admission(request)
    async with calls.turn():
        response = await answer_hook(service, await calls.body(request), language=language, runtime=runtime,
                                     record=record)
    return JsonResponse(response, headers={"Content-Language": language})


@cds_router.post(
    "/cds-services/{service_id}/feedback",
    summary="Feedback on cards: accepted suggestions or override reasons",
    responses={200: {"description": "Stored (a report already received is stored once).",
                     "content": {"application/json": {"schema": {"type": "object"}}}}},
    response_model=None,
    openapi_extra=request_body(FeedbackRequest, "CDS Hooks 2.0 feedback."),
)
async def give_feedback(service_id: ServiceId, request: Request) -> JsonResponse:
    service = _service(service_id)
    runtime = _runtime(request)
    record = request_record(request)
    record.serving(service.id, service.hook.value)
    feedback = parse_feedback(await request.body())
    # Feedback can follow its card within milliseconds: the cards this worker issued before are written
    # first, so that each report finds the rule of its card.
    await run_in_threadpool(runtime.card_log.flush)
    stored = await run_in_threadpool(runtime.store.store_feedback, service.id, feedback.feedback)
    record.feedback(len(feedback.feedback), stored)
    return JsonResponse({})


@health_router.get("/healthz", summary="Liveness: the process answers",
                   responses={200: {"description": "Alive.",
                                    "content": {"application/json": {"schema": {"type": "object"}}}}})
async def healthz() -> JsonResponse:
    return JsonResponse({"status": "ok"})


@health_router.get("/readyz", summary="Readiness: the database is reachable",
                   responses={200: {"description": "Ready.",
                                    "content": {"application/json": {"schema": {"type": "object"}}}},
                              503: {"model": OperationOutcome, "description": "Database not reachable."}})
async def readyz(request: Request) -> JsonResponse:
    if not await run_in_threadpool(_runtime(request).store.is_reachable):
        raise CdsError(503, ["database: not reachable"])
    return JsonResponse({"status": "ready"})
