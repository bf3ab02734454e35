"""The one way to write a page: Jinja2 templates from ``maps/templates/`` with autoescape on.

``render(template, **context)`` returns the HTML text. Values are passed raw: the template escapes them.
Data a page script needs goes into ``<script type="application/json" id="page-data">`` through the
``json_script`` filter (``script_json``), never into script text."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

# The characters that could end a <script> element, open an HTML comment or a CDATA section, or end a
# JavaScript string in old parsers; JSON's \uXXXX escape keeps the value the same for JSON.parse.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def script_json(value: Any) -> Markup:
    """``value`` as JSON safe to place inside any ``<script>`` element (type JSON or JavaScript).

    ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\\u003c`` and so on, so no stored or echoed text can
    close the element or start markup; ``JSON.parse`` of the element's text gives back ``value``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return Markup(text.translate(_SCRIPT_ESCAPES))
