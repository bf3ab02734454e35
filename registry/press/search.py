"""Finding outlets by name, short name, governing body, domain or licence number, with or without
diacritics and tolerant of small typos (trigram similarity on a folded text kept with each outlet)."""

from __future__ import annotations

from collections.abc import Iterable

from registry.text import fold


def search_text(
    name: str | None, short_name: str | None, governing_body: str | None, domains: Iterable[str] = ()
) -> str:
    """What search matches for an outlet: folded names and its domains (also without the dots)."""
    parts = [name, short_name, governing_body, *domains, *(d.replace(".", " ") for d in domains)]
    return fold(" ".join(p for p in parts if p))
