"""Card language: the request's Accept-Language when it names a supported language, else the default."""

from __future__ import annotations

from collections.abc import Sequence


def negotiate_language(accept_language: str | None, supported: Sequence[str], default: str) -> str:
    """"en-GB,en;q=0.9,da;q=0.8" -> "en"; unsupported or absent -> `default`."""
    best, best_quality = default, 0.0
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        # Earlier entries win ties, as the header lists preferences in order.
        quality -= position * 1e-6
        if primary in supported and quality > best_quality:
            best, best_quality = primary, quality
    return best
