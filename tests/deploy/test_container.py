"""The container: its command is the server itself (so it receives SIGTERM), and the worker count comes
from the environment like every other setting."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from service.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _final_stage() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8").rsplit("\nFROM ", 1)[1]


def test_the_image_runs_the_server_as_pid_1_and_stops_it_with_sigterm() -> None:
    stage = _final_stage()
    command = json.loads(re.search(r"^CMD (\[.*\])$", stage, re.MULTILINE).group(1))
    assert command[:2] == ["palliative-rt-cds", "serve"]
    assert "--workers" not in command  # PRT_CDS_WORKERS decides
    assert re.search(r"^STOPSIGNAL SIGTERM$", stage, re.MULTILINE)


@pytest.mark.parametrize(("environment", "workers"), [({"PRT_CDS_WORKERS": None}, 1),
                                                      ({"PRT_CDS_WORKERS": "4"}, 4)])
def test_serve_takes_its_worker_count_from_prt_cds_workers(monkeypatch, environment, workers) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    result = CliRunner().invoke(cli, ["serve", "--port", "8080"], env=environment)
    assert result.exit_code == 0, result.output
    assert started["app"] == "service.app:app"
    assert started["workers"] == workers
