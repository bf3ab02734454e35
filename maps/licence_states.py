"""The colour of a licence's or permit's standing, in one place.

The press map's markers and legend (maps/press_map.py) read ``STATE_COLOURS``; the pages draw a
standing with the CSS class ``state-<key>`` (maps.templating.State, the ``m.state`` macro), whose rules
at the end of maps/templates/page.css carry the same colours (a test compares them). Every colour is
text on white and on the light grey of table headings with at least WCAG AA's 4.5:1, and the five
standings a press manager tells apart (valid, expiring, expired, suspended, revoked) differ in hue.
"""

from __future__ import annotations

STATE_COLOURS: dict[str, str] = {
    "valid": "#1a7f37",  # green
    "expiring": "#9a6700",  # amber
    "expired": "#bc4c00",  # orange
    "suspended": "#a40e26",  # dark red
    "revoked": "#6639ba",  # purple
    "not_yet_valid": "#0969da",  # blue
    "none": "#1f2328",  # black: no licence at all
    "not_required": "#57606a",  # grey
}
# Standings drawn bold as well (a licence that does not let the outlet work although it has one).
BOLD_STATES = frozenset({"suspended", "revoked"})
BACKGROUNDS = ("#ffffff", "#f6f8fa")  # the page, the table headings and filter panel


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 … 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
