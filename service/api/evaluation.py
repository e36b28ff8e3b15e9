"""One hook call from request body to response: data, facts, guideline, cards, record."""

from __future__ import annotations

from dataclasses import dataclass

from anyio import to_thread

from service.api.services import PREFETCH, REQUIRED_PREFETCH, CdsService
from service.cards.notices import data_quality_notice, data_unavailable_notice
from service.cards.render import render_cards
from service.facts.build import build_patient_facts
from service.guideline.engine import evaluate
from service.observability.record import RequestRecord
from service.settings import Settings
from service.storage.card_log import CardLog
from service.storage.store import CardRecord, Store
from service.wire.fhir_client import FhirClient, bundle_resources
from service.wire.models import (
    Card,
    CdsResponse,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
)
from service.wire.prefetch import Prefetched, resolve_prefetch
from service.wire.requests import parse_hook_request


@dataclass(frozen=True, slots=True)
class Runtime:
    """What every request shares: settings, the FHIR connection pool, the database and the issued cards on
    their way to it."""

    settings: Settings
    fhir: FhirClient
    store: Store
    card_log: CardLog


def _cards(service: CdsService, context: PatientViewContext, prefetched: Prefetched, language: str,
           settings: Settings) -> CdsResponse:
    today = settings.today()
    is_order_hook = isinstance(context, OrderSignContext)
    facts = build_patient_facts(
        prefetched.resources,
        patient_id=context.patientId,
        today=today,
        draft_orders=list(bundle_resources(context.draftOrders)) if is_order_hook else (),
        selections=context.selections if isinstance(context, OrderSelectContext) else None,
    )
    findings = evaluate(facts, service.hook, today)
    cards = render_cards(findings, language=language, patient_id=context.patientId)
    if prefetched.unavailable:
        cards.append(data_unavailable_notice(prefetched.unavailable, language=language))
    if facts.data_quality:
        cards.append(data_quality_notice(facts.data_quality, language=language))
    return CdsResponse(cards=cards)


def _topic_code(card: Card) -> str:
    # Every card the service renders names its rule or notice in source.topic.
    assert card.source.topic is not None
    return card.source.topic.code


async def _record(card_log: CardLog, service: CdsService, hook_instance: str, response: CdsResponse) -> None:
    """Hand the answer's cards to the card log, whose thread writes them: the answer does not wait for the
    database."""
    if not response.cards:
        return
    cards = [
        CardRecord(
            card_uuid=card.uuid,
            rule_id=_topic_code(card),
            suggestion_uuids=tuple(suggestion.uuid for suggestion in card.suggestions or ()),
        )
        for card in response.cards
    ]
    if not card_log.try_submit(service.id, hook_instance, cards):
        # The database is far behind: wait for room on a thread, so that the event loop goes on answering
        # probes and other requests meanwhile.
        await to_thread.run_sync(card_log.submit, service.id, hook_instance, cards)


async def _evaluate(service: CdsService, body: bytes, *, language: str, runtime: Runtime,
                    record: RequestRecord | None) -> tuple[str, CdsResponse, tuple[str, ...]]:
    """(hookInstance, response, prefetch keys that could not be read) of one request."""
    request, context = parse_hook_request(body, service.hook.value)
    if record is not None:
        record.hook_instance = request.hookInstance
    prefetched = await resolve_prefetch(request, templates=PREFETCH, required=REQUIRED_PREFETCH,
                                        fhir=runtime.fhir, deadline_s=runtime.settings.fhir_timeout_s)
    # Evaluation is CPU-bound Python: on a worker thread it would only contend for the GIL with the event
    # loop (and keep every concurrent request's data alive at once), so it runs here, one at a time.
    response = _cards(service, context, prefetched, language, runtime.settings)
    return request.hookInstance, response, prefetched.unavailable


async def answer_hook(service: CdsService, body: bytes, *, language: str, runtime: Runtime,
                      record: RequestRecord | None = None) -> CdsResponse:
    """The service's answer to one request; `record` (the HTTP request's) learns what was answered."""
    # The parsed request, its resources and facts are released before any wait for the card log's room.
    hook_instance, response, unavailable = await _evaluate(service, body, language=language, runtime=runtime,
                                                           record=record)
    await _record(runtime.card_log, service, hook_instance, response)
    if record is not None:
        record.answered([(_topic_code(card), card.indicator) for card in response.cards], unavailable)
    return response
