"""`GET /metrics`: the Prometheus scrape endpoint (unauthenticated, like the probes: keep it off the
public network)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from service.observability.metrics import exposition

metrics_router = APIRouter()


@metrics_router.get(
    "/metrics", summary="Prometheus metrics of this process (or of all workers, see README)",
    response_class=Response,
    responses={200: {"description": "Metrics in the Prometheus text format.",
                     "content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def prometheus_metrics() -> Response:
    body, content_type = await run_in_threadpool(exposition)
    return Response(body, media_type=content_type)
