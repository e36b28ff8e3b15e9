"""The command line under test: `run(*args)` invokes `palliative-rt-cds` in this process, with a wide
terminal (no wrapped lines) and English as the default card language."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from service.cli import cli


def no_traceback(result: Result) -> None:
    """The command ended by its own exit, never by an exception it let through."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


@pytest.fixture
def run() -> Callable[..., Result]:
    runner = CliRunner(env={"COLUMNS": "200", "PRT_CDS_LANGUAGE": "en", "PRT_CDS_FIXED_TODAY": None})

    def invoke(*args: object) -> Result:
        result = runner.invoke(cli, [str(arg) for arg in args])
        no_traceback(result)
        return result

    return invoke


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[str, Any], Path]:
    """write_json(name, data): the path of a new JSON file holding data (text as given when a str)."""

    def write(name: str, data: Any) -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return path

    return write
