"""What the commands share: consoles, exit statuses, settings read without a traceback."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from service.commands.inputs import InputError
from service.settings import Settings

EXIT_EXPECTATION_NOT_MET = 1
EXIT_BAD_INPUT = 2


class CardLanguage(StrEnum):
    """The languages of the card wording (service.settings.LANGUAGES)."""

    DA = "da"
    EN = "en"


def stdout() -> Console:
    return Console(highlight=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


def fail(message: str) -> typer.Exit:
    """Print `error: message` on stderr; the Exit to raise (status 2)."""
    stderr().print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(EXIT_BAD_INPUT)


def report_errors(errors: Sequence[InputError]) -> None:
    console = stderr()
    for error in errors:
        console.print(f"[bold red]error:[/] {escape(str(error.source))}: {escape(error.message)}")


def command_settings() -> Settings:
    """Settings from PRT_CDS_* (language, database, FHIR timeouts); client authentication does not apply
    to commands run by the operator."""
    try:
        return Settings(auth_mode="off", trusted_issuers={})
    except ValidationError as error:
        problems = "; ".join(f"PRT_CDS_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                             for e in error.errors())
        raise fail(f"settings: {problems}") from None
