"""`evaluate --expect`: each sample run through the service in this process and judged against its
`<name>.expected.json` (rule ids that must and must not produce a card), with a progress bar and a
pass/fail table."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from service.cards.render import RULE_SYSTEM
from service.commands.common import EXIT_BAD_INPUT, EXIT_EXPECTATION_NOT_MET, report_errors, stderr, stdout
from service.commands.inprocess import answer_file, in_process_runtime, on_date
from service.commands.inputs import InputError, load_request
from service.guideline.model import Hook
from service.samples import (
    SAMPLES_TODAY,
    Expectation,
    ExpectationError,
    Verdict,
    expectation_path,
    read_expectation,
    request_files,
    sample_name,
)
from service.settings import Settings
from service.wire.models import CdsResponse


def fired_rules(response: CdsResponse) -> list[str]:
    return [card.source.topic.code for card in response.cards
            if card.source.topic is not None and card.source.topic.system == RULE_SYSTEM]


@dataclass(frozen=True, slots=True)
class SampleCheck:
    path: Path
    request: dict[str, Any]
    expectation: Expectation
    today: date


@dataclass(frozen=True, slots=True)
class SampleResult:
    check: SampleCheck
    fired: tuple[str, ...] = ()
    verdict: Verdict | None = None
    error: InputError | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "sample": sample_name(self.check.path),
            "file": str(self.check.path),
            "hook": self.check.request["hook"],
            "today": self.check.today.isoformat(),
            "passed": self.verdict is not None and self.verdict.passed,
            "fired": list(self.fired),
            "missing": sorted(self.verdict.missing) if self.verdict else [],
            "unexpected": sorted(self.verdict.unexpected) if self.verdict else [],
            "error": self.error.message if self.error else None,
        }


def _expected_requests(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            with_expectation = [f for f in request_files(path) if expectation_path(f).is_file()]
            if not with_expectation:
                raise InputError(path, "no request with an expectation file (<name>.expected.json)")
            found += with_expectation
        elif not path.exists():
            raise InputError(path, "no such file or directory")
        elif not expectation_path(path).is_file():
            raise InputError(path, f"no expectation file {expectation_path(path).name} beside it")
        else:
            found.append(path)
    return found


def _load_checks(paths: Sequence[Path], hook: Hook | None,
                 today: date | None) -> tuple[list[SampleCheck], list[InputError]]:
    checks: list[SampleCheck] = []
    errors: list[InputError] = []
    try:
        files = _expected_requests(paths)
    except InputError as error:
        return [], [error]
    for path in files:
        try:
            expectation = read_expectation(expectation_path(path))
        except ExpectationError as error:
            errors.append(InputError(expectation_path(path), str(error)))
            continue
        try:
            request = load_request(path, expectation.hook or hook)
        except InputError as error:
            errors.append(error)
            continue
        checks.append(SampleCheck(path, request, expectation, expectation.today or today or SAMPLES_TODAY))
    return checks, errors


async def _run_checks(settings: Settings, checks: Sequence[SampleCheck], language: str) -> list[SampleResult]:
    results: list[SampleResult] = []
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[sample]}"), console=stderr(), transient=True)
    async with in_process_runtime(settings) as runtime:
        with progress:
            task = progress.add_task("checking samples", total=len(checks), sample="")
            for check in checks:
                progress.update(task, sample=sample_name(check.path))
                try:
                    response = await answer_file(on_date(runtime, check.today), check.path, check.request,
                                             language)
                except InputError as error:
                    results.append(SampleResult(check, error=error))
                else:
                    fired = tuple(fired_rules(response))
                    results.append(SampleResult(check, fired, check.expectation.judge(fired)))
                progress.advance(task)
    return results


def _result_table(results: Sequence[SampleResult]) -> Table:
    table = Table(title="Samples against their expectations", title_justify="left")
    table.add_column("sample")
    table.add_column("hook", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("detail")
    for result in results:
        if result.error is not None:
            outcome, detail = "[bold red]ERROR[/]", escape(result.error.message)
        elif result.verdict is not None and result.verdict.passed:
            outcome, detail = "[green]pass[/]", ""
        else:
            assert result.verdict is not None
            problems = []
            if result.verdict.missing:
                problems.append(f"missing {', '.join(sorted(result.verdict.missing))}")
            if result.verdict.unexpected:
                problems.append(f"must not fire {', '.join(sorted(result.verdict.unexpected))}")
            outcome, detail = "[bold red]FAIL[/]", escape("; ".join(problems))
        table.add_row(escape(sample_name(result.check.path)), result.check.request["hook"],
                      result.check.today.isoformat(), outcome, detail)
    return table


def check_expectations(settings: Settings, paths: Sequence[Path], hook: Hook | None, language: str,
                        today: date | None, as_json: bool) -> int:
    checks, errors = _load_checks(paths, hook, today)
    if errors:
        report_errors(errors)
        return EXIT_BAD_INPUT
    results = asyncio.run(_run_checks(settings, checks, language))
    passed = sum(1 for r in results if r.verdict is not None and r.verdict.passed)
    failed = sum(1 for r in results if r.verdict is not None and not r.verdict.passed)
    errored = [r.error for r in results if r.error is not None]
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in results], indent=2, ensure_ascii=False))
    else:
        console = stdout()
        console.print(_result_table(results))
        summary = f"{passed} passed, {failed} failed" + (f", {len(errored)} could not be evaluated"
                                                          if errored else "")
        console.print(summary, style="bold green" if passed == len(results) else "bold red")
    if errored:
        report_errors(errored)
        return EXIT_BAD_INPUT
    return EXIT_EXPECTATION_NOT_MET if failed else 0
