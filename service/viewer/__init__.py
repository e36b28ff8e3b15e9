"""The card viewer: a small EHR-like page at /viewer that calls the service's own CDS Hooks API, for
integration testers and clinicians reviewing the cards (served only when PRT_CDS_VIEWER_ENABLED)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from service.viewer.routes import viewer_router

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install_viewer(app: FastAPI) -> None:
    # The JSON routes first: the static mount answers everything else under /viewer.
    app.include_router(viewer_router)
    app.mount("/viewer", StaticFiles(directory=STATIC_DIR, html=True), name="viewer")
