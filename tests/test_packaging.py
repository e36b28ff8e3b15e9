"""Packaging: the wheel carries everything read at run time and works outside the checkout; the console
script, Dockerfile, CI script and README hold what operators rely on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import cli
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out),
                    str(ROOT)], check=True, cwd=out)
    [built] = out.glob("palliative_rt_cds-*.whl")
    return built


def test_wheel_carries_the_card_wording_and_the_console_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(name).decode() for name in names
                            if name.endswith("entry_points.txt"))
    for toml in (ROOT / "cards").glob("*.toml"):
        assert f"service/_data/cards/{toml.name}" in names
    assert "palliative-rt-cds = service.cli:main" in entry_points


def test_installed_wheel_answers_from_any_working_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = textwrap.dedent(f"""
        import service
        from fastapi.testclient import TestClient
        from service.app import create_app
        from service.cards.catalogue import cards_dir
        from service.settings import Settings
        from tests_fhir import hook_request, lung_cancer, metastasis, symptom

        assert service.__file__.startswith({str(site)!r}), service.__file__
        assert str(cards_dir()).startswith({str(site)!r}), cards_dir()
        settings = Settings(auth_mode="off", database_url="sqlite:///cds.db", fixed_today="2026-11-27")
        with TestClient(create_app(settings)) as client:
            request = hook_request("patient-view", [lung_cancer(), metastasis("bone"), symptom("mscc")])
            response = client.post("/cds-services/palliative-rt-patient-view", json=request)
            assert response.status_code == 200, response.text
            print(len(response.json()["cards"]))
    """)
    shutil.copy(ROOT / "tests" / "fhir.py", elsewhere / "tests_fhir.py")
    # The checkout must not be importable: only the installed wheel and the virtualenv's dependencies.
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{elsewhere}", "PYTHONSAFEPATH": "1"}
    result = subprocess.run([sys.executable, "-c", script], cwd=elsewhere, env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 1


def test_console_script_is_declared_and_offers_serve_and_openapi() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"] == {"palliative-rt-cds": "service.cli:main"}
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output and "openapi" in result.output
    serve_help = CliRunner().invoke(cli, ["serve", "--help"]).output
    for option in ("--host", "--port", "--workers"):
        assert option in serve_help


def test_dockerfile_runs_the_service_as_non_root_with_a_health_check() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    assert final_stage.startswith("python:3.11-slim")
    assert re.search(r"^USER (?!root|0\b)\S+", final_stage, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", final_stage, re.MULTILINE)
    assert "EXPOSE 8080" in final_stage
    assert 'CMD ["palliative-rt-cds", "serve"' in final_stage
    assert "PRT_CDS_AUTH_MODE" not in dockerfile  # production images authenticate (jwt is the default)
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".git", ".venv", "*.db", "tests"):
        assert entry in ignored


def test_readme_documents_every_setting_and_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"PRT_CDS_{name.upper()}" in readme, f"README does not document PRT_CDS_{name.upper()}"
    assert "palliative-rt-cds serve" in readme and "--port 8080" in readme
    assert _readme_test_command(readme)


def _readme_test_command(readme: str) -> str:
    match = re.search(r"^(.*pytest.*)$", readme, re.MULTILINE)
    assert match, "README has no test command"
    return match.group(1).strip()


def test_ci_script_runs_ruff_hadolint_and_the_readme_test_command() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert "pip install -e '.[test]'" in text
    assert "ruff check" in text and "hadolint Dockerfile" in text
    assert _readme_test_command((ROOT / "README.md").read_text(encoding="utf-8")) in text
