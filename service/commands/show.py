"""Cards in the terminal, as a clinician would read them: indicator colour, summary, markdown detail,
suggestions with their regimen and BED, override reasons, rule id and evidence grade."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from service.cards.orders import DOSE_PRESCRIBED_URL
from service.cards.render import EXTENSION_KEY
from service.guideline.regimen import Regimen, round_for_display
from service.wire.models import Card, CdsResponse, Suggestion

INDICATOR_STYLE = {"critical": "bold red", "warning": "yellow", "info": "blue"}
INDICATOR_LABEL = {
    "da": {"critical": "KRITISK", "warning": "ADVARSEL", "info": "INFO"},
    "en": {"critical": "CRITICAL", "warning": "WARNING", "info": "INFO"},
}
WORDS = {
    "da": {"card": "kort", "cards": "kort", "no-cards": "Ingen kort.", "rule": "regel",
           "recommendation": "anbefaling", "grade": "evidensstyrke", "suggestion": "Forslag",
           "regimen": "Regime", "bed10": "BED10", "action": "Handling", "recommended": "anbefalet",
           "override": "Begrundelser for at tilsidesætte rådet", "links": "Links", "source": "Kilde"},
    "en": {"card": "card", "cards": "cards", "no-cards": "No cards.", "rule": "rule",
           "recommendation": "recommendation", "grade": "evidence grade", "suggestion": "Suggestion",
           "regimen": "Regimen", "bed10": "BED10", "action": "Action", "recommended": "recommended",
           "override": "Override reasons", "links": "Links", "source": "Source"},
}


def suggested_regimen(suggestion: Suggestion) -> Regimen | None:
    """The regimen of the radiotherapy order a suggestion creates or updates."""
    for action in suggestion.actions or ():
        resource = action.resource or {}
        if resource.get("resourceType") != "ServiceRequest":
            continue
        for extension in resource.get("extension", []):
            if extension.get("url") != DOSE_PRESCRIBED_URL:
                continue
            parts = {part.get("url"): part for part in extension.get("extension", [])}
            total_cgy = parts.get("totalDose", {}).get("valueQuantity", {}).get("value")
            fractions = parts.get("fractions", {}).get("valuePositiveInt")
            if isinstance(total_cgy, int | float) and isinstance(fractions, int):
                return Regimen.of(Decimal(str(total_cgy)) / 100, fractions)
    return None


def _gy(value: Fraction, language: str) -> str:
    text = f"{round_for_display(value)} Gy"
    return text.replace(".", ",") if language == "da" else text


def _suggestions(card: Card, words: dict[str, str], language: str) -> Table:
    table = Table(show_edge=False, expand=True, pad_edge=False)
    table.add_column(words["suggestion"], ratio=3)
    table.add_column(words["regimen"], no_wrap=True)
    table.add_column(words["bed10"], no_wrap=True, justify="right")
    table.add_column(words["action"], no_wrap=True)
    for suggestion in card.suggestions or ():
        regimen = suggested_regimen(suggestion)
        label = Text(suggestion.label)
        if suggestion.isRecommended:
            label.append(f" ({words['recommended']})", style="bold green")
        actions = ", ".join(f"{action.type} {(action.resource or {}).get('resourceType', '')}".strip()
                            for action in suggestion.actions or ())
        table.add_row(
            label,
            regimen.label if regimen else "-",
            _gy(regimen.bed10, language) if regimen else "-",
            actions,
        )
    return table


def _subtitle(card: Card, words: dict[str, str]) -> str:
    extension: dict[str, Any] = (card.extension or {}).get(EXTENSION_KEY, {})
    topic = card.source.topic
    parts = [f"{words['rule']} {extension.get('ruleId') or (topic.code if topic else '?')}"]
    if extension.get("recommendation"):
        parts.append(f"{words['recommendation']} {extension['recommendation']}")
    if extension.get("evidenceGrade"):
        parts.append(f"{words['grade']} {extension['evidenceGrade']}")
    return escape(" · ".join(parts))


def card_panel(card: Card, language: str) -> Panel:
    words = WORDS[language]
    style = INDICATOR_STYLE[card.indicator]
    parts: list[RenderableType] = []
    if card.detail:
        parts.append(Markdown(card.detail))
    if card.suggestions:
        parts += [Text(""), _suggestions(card, words, language)]
    if card.overrideReasons:
        reasons = "; ".join(reason.display for reason in card.overrideReasons)
        parts += [Text(""), Text.assemble((f"{words['override']}: ", "bold"), reasons)]
    for link in card.links or ():
        parts.append(Text.assemble((f"{words['links']}: ", "bold"), f"{link.label} <{link.url}>"))
    source = f"{card.source.label}" + (f" <{card.source.url}>" if card.source.url else "")
    parts.append(Text.assemble((f"{words['source']}: ", "dim bold"), (source, "dim")))
    title = Text.assemble((INDICATOR_LABEL[language][card.indicator], f"reverse {style}"), " ",
                          (card.summary, "bold"))
    return Panel(Group(*parts), title=title, title_align="left", subtitle=_subtitle(card, words),
                 subtitle_align="right", border_style=style)


def print_response(console: Console, heading: str, response: CdsResponse, language: str) -> None:
    words = WORDS[language]
    count = len(response.cards)
    console.rule(Text.assemble((heading, "bold"), f" · {count} {words['card' if count == 1 else 'cards']}"),
                 align="left")
    if not response.cards:
        console.print(words["no-cards"], style="dim")
    for card in response.cards:
        console.print(card_panel(card, language))
