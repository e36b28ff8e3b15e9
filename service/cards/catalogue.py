"""The card wording in `cards/`: one TOML file per rule plus shared files, Danish and English.

Files are read once at start-up. Templates use `{name}` placeholders filled from the finding's values;
`placeholders()` lists them so tests can check every template against what its rule provides.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

LANGUAGES = ("da", "en")
SHARED_FILES = ("common", "facts", "vocabulary", "override-reasons", "medications", "notices")


def cards_dir() -> Path:
    """`cards/` packaged in the wheel, or beside the package in a checkout."""
    packaged = resources.files("service") / "_data" / "cards"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "cards"


@dataclass(frozen=True, slots=True)
class RuleWording:
    """One language of one rule's card."""

    title: str
    summary: str
    detail: str
    summaries: Mapping[str, str]
    notes: Mapping[str, str]
    suggestions: Mapping[str, str]

    def summary_for(self, variant: str) -> str:
        return self.summary if variant == "default" else self.summaries[variant]

    def templates(self) -> Iterator[tuple[str, str]]:
        """Every template with a name for messages: ("summary", ...), ("notes.x", ...)."""
        yield "title", self.title
        yield "summary", self.summary
        yield "detail", self.detail
        for group, entries in (("summaries", self.summaries), ("notes", self.notes),
                               ("suggestions", self.suggestions)):
            for key, template in entries.items():
                yield f"{group}.{key}", template


@dataclass(frozen=True, slots=True)
class Catalogue:
    rules: Mapping[str, Mapping[str, RuleWording]]
    """rule id -> language -> wording."""
    shared: Mapping[str, Mapping[str, Any]]
    """shared file name -> its parsed TOML."""

    def rule(self, rule_id: str, language: str) -> RuleWording:
        return self.rules[rule_id][language]

    def common(self, language: str) -> Mapping[str, Any]:
        return self.shared["common"][language]

    def fact_template(self, kind: str, language: str) -> str:
        return self.shared["facts"][language][kind]

    def vocabulary(self, language: str) -> Mapping[str, Mapping[str, str]]:
        return self.shared["vocabulary"][language]

    def override_reason(self, code: str, language: str) -> str:
        return self.shared["override-reasons"][language][code]

    def medication(self, name: str) -> Mapping[str, Any]:
        return self.shared["medications"][name]


def _rule_wording(data: Mapping[str, Any]) -> RuleWording:
    return RuleWording(
        title=data["title"].strip(),
        summary=data["summary"].strip(),
        detail=data["detail"].strip(),
        summaries={k: v.strip() for k, v in data.get("summaries", {}).items()},
        notes={k: v.strip() for k, v in data.get("notes", {}).items()},
        suggestions={k: v.strip() for k, v in data.get("suggestions", {}).items()},
    )


def load_catalogue(directory: Path | None = None) -> Catalogue:
    directory = directory or cards_dir()
    shared: dict[str, Mapping[str, Any]] = {}
    rules: dict[str, Mapping[str, RuleWording]] = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        name = path.stem
        if name in SHARED_FILES:
            shared[name] = data
        else:
            rules[name] = {language: _rule_wording(data[language]) for language in LANGUAGES}
    missing = [name for name in SHARED_FILES if name not in shared]
    if missing:
        raise FileNotFoundError(f"card wording missing shared files: {', '.join(missing)} in {directory}")
    return Catalogue(rules=rules, shared=shared)


@cache
def default_catalogue() -> Catalogue:
    return load_catalogue()


def placeholders(template: str) -> set[str]:
    """Names a template refers to: "{bed10}" -> {"bed10"}."""
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(template) if name}
