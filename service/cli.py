"""The `palliative-rt-cds` command: start the service, write the OpenAPI document, migrate the database."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from service.commands.bed import bed
from service.commands.evaluate import evaluate
from service.commands.feedback_report import feedback_report_command
from service.observability.logs import json_service_logs
from service.observability.metrics import clear_multiprocess_directory

cli = typer.Typer(help="CDS Hooks service for palliative radiotherapy of lung cancer (DOLG v3.0).",
                  no_args_is_help=True)

DEFAULT_OPENAPI_PATH = Path("openapi") / "openapi.json"


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the service's own loggers writing JSON lines (one per request)."""
    return json_service_logs(copy.deepcopy(uvicorn.config.LOGGING_CONFIG))


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 in a container).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, envvar="PRT_CDS_WORKERS", help="Worker processes.")] = 1,
) -> None:
    """Start the service with uvicorn; settings come from PRT_CDS_* environment variables."""
    clear_multiprocess_directory()
    uvicorn.run("service.app:app", host=host, port=port, workers=workers, log_config=log_config(),
                proxy_headers=True, server_header=False)


def openapi_document() -> dict[str, Any]:
    from service.app import create_app

    return create_app().openapi()


def openapi_text() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


@cli.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the document.")] = DEFAULT_OPENAPI_PATH,
) -> None:
    """Write the OpenAPI document of the service."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(openapi_text(), encoding="utf-8")
    typer.echo(f"wrote {output}")


@cli.command()
def migrate() -> None:
    """Migrate the database at PRT_CDS_DATABASE_URL to this version's schema (safe to run concurrently)."""
    from service.settings import get_settings
    from service.storage.store import Store

    store = Store(get_settings().database_url)
    try:
        before, after = store.create_schema()
    finally:
        store.dispose()
    typer.echo(f"database schema at revision {after}" if before == after
               else f"database schema migrated from revision {before or '(empty)'} to {after}")


# Tools for integration testers, clinicians and clinical governance (service/commands/).
cli.command()(evaluate)
cli.command()(bed)
cli.command("feedback-report")(feedback_report_command)


def main() -> None:
    cli()
