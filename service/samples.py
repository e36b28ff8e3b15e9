"""The sample library: CDS Hooks requests in `fhir_samples/`, each beside a `<name>.expected.json` naming
the rule ids whose cards the request must and must not produce.

An expectation file is a JSON object: `must` and `must_not` (lists of rule ids), and optionally `today`
(the ISO evaluation date the request is written for) and `hook` (the hook to evaluate a plain Bundle on).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from service.api.bundle_request import NotAHookRequest, hook_named
from service.guideline.catalogue import RULES
from service.guideline.model import Hook

SAMPLES_TODAY = date(2026, 11, 27)
"""The evaluation date the shipped samples are written for (their PS, survival and course dates)."""
EXPECTED_SUFFIX = ".expected.json"
_EXPECTATION_KEYS = frozenset({"must", "must_not", "today", "hook"})


def samples_dir() -> Path:
    """`fhir_samples/` packaged in the wheel, or beside the package in a checkout."""
    packaged = resources.files("service") / "_data" / "fhir_samples"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "fhir_samples"


def request_files(directory: Path) -> list[Path]:
    """The request (or Bundle) files of a directory, by name: every `*.json` but the expectations."""
    return sorted(path for path in directory.glob("*.json") if not path.name.endswith(EXPECTED_SUFFIX))


def sample_name(path: Path) -> str:
    return path.name.removesuffix(".json")


def expectation_path(request: Path) -> Path:
    return request.with_name(sample_name(request) + EXPECTED_SUFFIX)


class ExpectationError(ValueError):
    """An expectation file that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Verdict:
    missing: frozenset[str]
    """`must` rules that produced no card."""
    unexpected: frozenset[str]
    """`must_not` rules that produced a card."""

    @property
    def passed(self) -> bool:
        return not self.missing and not self.unexpected


@dataclass(frozen=True, slots=True)
class Expectation:
    must: frozenset[str]
    must_not: frozenset[str]
    today: date | None = None
    hook: Hook | None = None

    def judge(self, fired: Collection[str]) -> Verdict:
        fired_set = frozenset(fired)
        return Verdict(missing=self.must - fired_set, unexpected=self.must_not & fired_set)


def _rule_ids(value: object, key: str, known: Collection[str]) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ExpectationError(f"{key}: must be a list of rule ids")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ExpectationError(f"{key}: unknown rule ids {', '.join(unknown)}")
    return frozenset(value)


def parse_expectation(data: object) -> Expectation:
    if not isinstance(data, dict):
        raise ExpectationError("not a JSON object")
    unknown_keys = sorted(set(data) - _EXPECTATION_KEYS)
    if unknown_keys:
        raise ExpectationError(f"unknown members {', '.join(unknown_keys)} "
                               f"(allowed: {', '.join(sorted(_EXPECTATION_KEYS))})")
    known = rule_ids()
    must = _rule_ids(data.get("must", []), "must", known)
    must_not = _rule_ids(data.get("must_not", []), "must_not", known)
    both = sorted(must & must_not)
    if both:
        raise ExpectationError(f"{', '.join(both)} both in must and must_not")
    return Expectation(must=must, must_not=must_not, today=_today(data.get("today")),
                       hook=_hook(data.get("hook")))


def _today(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ExpectationError(f"today: {value!r} is not an ISO date (YYYY-MM-DD)")


def _hook(value: object) -> Hook | None:
    if value is None:
        return None
    try:
        return hook_named(value)
    except NotAHookRequest as error:
        raise ExpectationError(str(error)) from None


def read_expectation(path: Path) -> Expectation:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ExpectationError(f"cannot be read ({error.__class__.__name__})") from None
    except json.JSONDecodeError as error:
        raise ExpectationError(f"not valid JSON (line {error.lineno}, column {error.colno})") from None
    return parse_expectation(data)


def rule_ids() -> frozenset[str]:
    return frozenset(rule.spec.rule_id for rule in RULES)

