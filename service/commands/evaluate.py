"""`evaluate`: the service's cards for CDS Hooks requests or patient records (FHIR Bundles), computed in
this process; with `--expect`, each sample checked against its expectation file.

Exit status: 0 done (every expectation met), 1 an expectation not met, 2 a file that cannot be used.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from service.commands.common import (
    EXIT_BAD_INPUT,
    CardLanguage,
    command_settings,
    fail,
    report_errors,
    stdout,
)
from service.commands.expect import check_expectations
from service.commands.inprocess import answer_file, in_process_runtime, on_date
from service.commands.inputs import InputError, expand, load_request
from service.commands.show import print_response
from service.guideline.model import Hook
from service.samples import SAMPLES_TODAY, samples_dir
from service.settings import Settings
from service.wire.models import CdsResponse


def wire_json(response: CdsResponse) -> dict[str, Any]:
    return response.model_dump(mode="json", exclude_none=True)


async def _evaluate_files(settings: Settings, files: Sequence[Path], hook: Hook | None, language: str,
                          today: date | None, as_json: bool) -> list[InputError]:
    errors: list[InputError] = []
    answers: dict[str, Any] = {}
    console = stdout()
    async with in_process_runtime(settings) as runtime:
        runtime = on_date(runtime, today)
        for path in files:
            try:
                request = load_request(path, hook)
                response = await answer_file(runtime, path, request, language)
            except InputError as error:
                errors.append(error)
                continue
            if as_json:
                answers[str(path)] = wire_json(response)
            else:
                print_response(console, f"{path} · {request['hook']}", response, language)
    if as_json and answers:
        document = next(iter(answers.values())) if len(files) == 1 else answers
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    return errors


def evaluate(
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="FILE", show_default=False,
        help="CDS Hooks request files or FHIR Bundles (one patient's record, draft ServiceRequests become "
             "draft orders), or directories of them. With --expect: the samples with an expectation file "
             "(default: the sample library shipped with the service).")] = None,
    hook: Annotated[Hook | None, typer.Option(
        help="Hook to evaluate on. A Bundle goes to order-select when it holds draft ServiceRequests, else "
             "to patient-view; a request keeps its own hook unless this names another.",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw CDS Hooks response.")] = False,
    lang: Annotated[CardLanguage | None, typer.Option(
        "--lang", show_default=False,
        help="Card language (default: PRT_CDS_LANGUAGE, else da).")] = None,
    today: Annotated[date | None, typer.Option(
        parser=date.fromisoformat, metavar="YYYY-MM-DD", show_default=False,
        help="Evaluation date. Default: the current date; with --expect, the `today` of the expectation "
             f"file, else this option, else {SAMPLES_TODAY} (the date the shipped samples are written for).")
    ] = None,
    expect: Annotated[bool, typer.Option(
        "--expect", help="Check each sample against <name>.expected.json beside it (its `must` and "
                         "`must_not` rule ids); prints a pass/fail table, exit status 1 on any failure.")
    ] = False,
) -> None:
    """Show the service's cards for requests or patient records, computed in this process (no server)."""
    settings = command_settings()
    language = lang.value if lang else settings.language
    if expect:
        raise typer.Exit(check_expectations(settings, paths or [samples_dir()], hook, language, today,
                                             as_json))
    if not paths:
        raise fail("give at least one FILE or directory (see --help)")
    try:
        files = expand(paths)
    except InputError as error:
        report_errors([error])
        raise typer.Exit(EXIT_BAD_INPUT) from None
    errors = asyncio.run(_evaluate_files(settings, files, hook, language, today, as_json))
    if errors:
        report_errors(errors)
        raise typer.Exit(EXIT_BAD_INPUT)
