"""Service notices: cards about the answer itself (e.g. data that could not be read), worded in
`cards/notices.toml`. They carry a topic in their own code system, never a guideline rule id."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence

from service.cards.catalogue import Catalogue, default_catalogue
from service.cards.render import EXTENSION_KEY, GUIDELINE_LABEL, GUIDELINE_URL
from service.facts.model import DataQualityNote
from service.wire import models as wire

NOTICE_SYSTEM = "urn:palliative-rt-cds:notice"
DATA_UNAVAILABLE = "data-unavailable"
DATA_QUALITY = "data-quality"
DATA_QUALITY_LISTED = 10
"""Resources named on the data-quality card; the rest are counted."""


def render_notice(notice_id: str, *, language: str, values: Mapping[str, str] | None = None,
                  catalogue: Catalogue | None = None) -> wire.Card:
    wording = (catalogue or default_catalogue()).shared["notices"][language][notice_id]
    values = values or {}
    return wire.Card(
        uuid=str(uuid.uuid4()),
        summary=wording["summary"].strip().format_map(values),
        detail=wording["detail"].strip().format_map(values),
        indicator="info",
        source=wire.Source(
            label=GUIDELINE_LABEL[language],
            url=GUIDELINE_URL,
            topic=wire.Coding(system=NOTICE_SYSTEM, code=notice_id, display=wording["title"].strip()),
        ),
        extension={EXTENSION_KEY: {"notice": notice_id}},
    )


def data_unavailable_notice(prefetch_keys: Iterable[str], *, language: str,
                            catalogue: Catalogue | None = None) -> wire.Card:
    """The info card naming the data that could not be read."""
    catalogue = catalogue or default_catalogue()
    labels = catalogue.shared["notices"][language]["data"]
    missing = ", ".join(labels[key] for key in prefetch_keys)
    return render_notice(DATA_UNAVAILABLE, language=language, values={"missing": missing},
                         catalogue=catalogue)


def data_quality_notice(notes: Sequence[DataQualityNote], *, language: str,
                        catalogue: Catalogue | None = None) -> wire.Card:
    """The info card naming the resources that were read but could not be used, and why."""
    catalogue = catalogue or default_catalogue()
    wording = catalogue.shared["notices"][language][DATA_QUALITY]
    lines = [f"- `{note.reference}`: {note.problem}" for note in notes[:DATA_QUALITY_LISTED]]
    if len(notes) > DATA_QUALITY_LISTED:
        lines.append(wording["more"].format(count=len(notes) - DATA_QUALITY_LISTED))
    return render_notice(DATA_QUALITY, language=language, catalogue=catalogue,
                         values={"count": str(len(notes)), "resources": "\n".join(lines)})
