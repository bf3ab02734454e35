"""Vietnamese text helpers: folding for search and matching ("Hải Phòng" ~ "hai phong")."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d, single spaces; the same folding as SQL f_unaccent(lower())."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", bare).strip().lower()


def grouped(number: float) -> str:
    """A whole number as Vietnamese writes it in a message: thousands grouped by dots (1.234.567);
    a fraction is rounded first."""
    return f"{round(number):,}".replace(",", ".")
