"""The card catalogue: every rule worded in Danish and English, within the spec's limits."""

import re
from pathlib import Path

import pytest

from service.cards.catalogue import LANGUAGES, SHARED_FILES, cards_dir, default_catalogue, placeholders
from service.guideline.catalogue import RULES, RULES_BY_ID

DECISION_TABLE = Path(__file__).resolve().parents[3] / "shared" / "guideline" / "DECISION-TABLE.md"
LONGEST_VALUE = "99.9 (ukendt)"
"""A generous stand-in for any value a summary placeholder can take."""


def test_every_rule_has_wording_in_both_languages() -> None:
    catalogue = default_catalogue()
    for rule in RULES:
        for language in LANGUAGES:
            wording = catalogue.rule(rule.spec.rule_id, language)
            assert wording.title and wording.summary and wording.detail, (rule.spec.rule_id, language)


def test_every_wording_file_belongs_to_a_rule() -> None:
    orphans = {path.stem for path in cards_dir().glob("*.toml")} - set(SHARED_FILES) - set(RULES_BY_ID)
    assert not orphans


def test_both_languages_have_the_same_keys() -> None:
    catalogue = default_catalogue()
    for rule_id, languages in catalogue.rules.items():
        keys = [{name for name, _ in languages[language].templates()} for language in LANGUAGES]
        assert keys[0] == keys[1], rule_id
    for name in ("common", "facts", "vocabulary", "override-reasons"):
        shared = catalogue.shared[name]
        assert _keys(shared["da"]) == _keys(shared["en"]), name


def _keys(table: dict, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in table.items():
        keys |= _keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_summaries_stay_under_140_characters(language: str) -> None:
    catalogue = default_catalogue()
    for rule_id in catalogue.rules:
        wording = catalogue.rule(rule_id, language)
        for summary in (wording.summary, *wording.summaries.values()):
            rendered = re.sub(r"\{[^}]+\}", LONGEST_VALUE, summary)
            assert len(rendered) < 140, (rule_id, language, rendered)


def test_override_reasons_of_every_rule_are_worded() -> None:
    catalogue = default_catalogue()
    for rule in RULES:
        assert rule.spec.override_reasons, rule.spec.rule_id
        for code in rule.spec.override_reasons:
            for language in LANGUAGES:
                assert catalogue.override_reason(code, language)


def test_variant_summaries_and_notes_use_placeholders_only_in_braces() -> None:
    catalogue = default_catalogue()
    for rule_id, languages in catalogue.rules.items():
        for language, wording in languages.items():
            for name, template in wording.templates():
                for placeholder in placeholders(template):
                    assert re.fullmatch(r"[a-z_][a-z0-9_]*", placeholder), (rule_id, language, name)


@pytest.mark.skipif(not DECISION_TABLE.exists(), reason="the decision table is not beside the checkout")
def test_the_rules_are_exactly_the_decision_tables_rule_ids() -> None:
    table_ids = set(re.findall(r"^\| `([a-z0-9-]+)`", DECISION_TABLE.read_text(), flags=re.MULTILINE))
    assert table_ids == set(RULES_BY_ID)
