"""The one way to write a page: Jinja2 templates from ``maps/templates/`` with autoescape on.

``render(template, **context)`` returns the HTML text. Values are passed raw: the template escapes them,
so no page builds HTML in Python. A cell that is a link or a state badge is passed as ``Link`` or
``State`` and drawn by the macros in ``macros.html``. Data a page script needs goes into
``<script type="application/json" id="page-data">`` through the ``json_script`` filter (``script_json``),
never into script text; the scripts themselves are static files under ``maps/static/js/``."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

# The characters that could end a <script> element, open an HTML comment or a CDATA section, or end a
# JavaScript string in old parsers; JSON's \uXXXX escape keeps the value the same for JSON.parse.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}

NAV = {
    "vi": {
        "home": "Bản đồ",
        "office": "Văn phòng",
        "print": "In trang này",
        "sign_in": "Đăng nhập",
        "signed_in": "Đã đăng nhập",
        "skip": "Bỏ qua thanh điều hướng",
        "site_nav": "Điều hướng chính",
    },
    "en": {
        "home": "Maps",
        "office": "Back office",
        "print": "Print this page",
        "sign_in": "Sign in",
        "signed_in": "Signed in",
        "skip": "Skip to content",
        "site_nav": "Main navigation",
    },
}


def script_json(value: Any) -> Markup:
    """``value`` as JSON safe to place inside any ``<script>`` element (type JSON or JavaScript).

    ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\\u003c`` and so on, so no stored or echoed text can
    close the element or start markup; ``JSON.parse`` of the element's text gives back ``value``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return Markup(text.translate(_SCRIPT_ESCAPES))


class Link(NamedTuple):
    """A table cell or detail value drawn as ``<a href=…>label</a>`` (both escaped by the template)."""

    href: str
    label: Any


class State(NamedTuple):
    """A value drawn in the colour of its state (``key`` picks the class ``state-<key>``)."""

    name: Any
    key: str | None


def dmy(value: date | datetime | str | None) -> str | None:
    """dd/mm/yyyy of a date, a datetime or an ISO text (its first ten characters); None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, date):  # datetime is a date too
        return f"{value:%d/%m/%Y}"
    y, m, d = str(value)[:10].split("-")
    return f"{d}/{m}/{y}"


def number(value: float) -> str:
    """Vietnamese digits: a space between thousands, a decimal comma, no trailing zeros (2 places)."""
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",")


def metres(d: float, lang: str = "vi") -> str:
    """A distance to the decimetre as the maps show it: "6,3 m" (English: "6.3 m")."""
    s = f"{d:.1f} m"
    return s.replace(".", ",") if lang == "vi" else s


def shown(value: Any) -> Any:
    """The text of a value in a details table or a table cell (``blank`` values are drawn as a dash)."""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        return number(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def _blank(value: Any) -> bool:
    if isinstance(value, Link | State):
        return False
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)
_env.filters.update(
    json_script=script_json, dmy=dmy, number=number, shown=shown, segment=lambda v: quote(str(v), safe="")
)
_env.tests.update(link=lambda v: isinstance(v, Link), state=lambda v: isinstance(v, State), blank=_blank)
_env.globals.update(NAV=NAV)


def render(template: str, **context: Any) -> str:
    """The page ``template`` (a file in maps/templates) filled with ``context``; every value is escaped."""
    return _env.get_template(template).render(**context)


def who(lang: str, username: str | None, here: str) -> Markup:
    """Who is signed in, or a sign-in link that comes back to ``here`` (every page and map has one)."""
    return Markup(_env.get_template("macros.html").module.who(lang, username, here))  # type: ignore[attr-defined]


def part(macro: str, *args: Any, **kwargs: Any) -> Markup:
    """One of the pieces of ``map_parts.html`` (title, legend, user bar, count, permit-check panel) that
    the Folium map pages add to their figure, drawn by the template with every value escaped."""
    return Markup(getattr(_env.get_template("map_parts.html").module, macro)(*args, **kwargs))
