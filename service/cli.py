"""The `palliative-rt-cds` command: start the service, write the OpenAPI document."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

cli = typer.Typer(help="CDS Hooks service for palliative radiotherapy of lung cancer (DOLG v3.0).",
                  no_args_is_help=True)

DEFAULT_OPENAPI_PATH = Path("openapi") / "openapi.json"


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the service's own loggers on the same handler."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["service"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 in a container).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Start the service with uvicorn; settings come from PRT_CDS_* environment variables."""
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


def main() -> None:
    cli()
