"""Plain HTML pages (home, sign-in, record pages): one layout, readable on screen and on paper, no
script or style from the internet. Every value is escaped here, so callers pass raw text."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

STYLE = """
body{font:15px/1.45 "Noto Sans","Segoe UI",Arial,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;
color:#1f2328}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1.4em 0 .4em;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%;margin:.3em 0}th,td{border:1px solid #d0d7de;padding:3px 6px;
text-align:left;vertical-align:top}th{background:#f6f8fa}table.details th{width:28%}
.muted{color:#57606a}.state-valid{color:#1a7f37}.state-expiring{color:#9a6700}.state-expired,.state-overdue,
.state-missing{color:#cf222e}nav{font-size:.9em;margin-bottom:1em}nav a{margin-right:1em}
.badge{display:inline-block;padding:0 6px;border-radius:8px;background:#eaeef2;font-size:.85em}
@media print{nav,.no-print{display:none}body{margin:0;max-width:none;font-size:11pt}a{color:inherit;
text-decoration:none}h2{break-after:avoid}tr{break-inside:avoid}}
"""

NAV = {
    "vi": {"home": "Bản đồ", "print": "In trang này", "sign_in": "Đăng nhập", "signed_in": "Đã đăng nhập"},
    "en": {"home": "Maps", "print": "Print this page", "sign_in": "Sign in", "signed_in": "Signed in"},
}


def esc(value: Any) -> str:
    if value is None or value == "":
        return '<span class="muted">—</span>'
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        return html.escape(f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ","))
    if isinstance(value, list | tuple):
        return esc(", ".join(str(v) for v in value)) if value else esc(None)
    return html.escape(str(value))


def who(lang: str, username: str | None, here: str) -> str:
    """Who is signed in, or a sign-in link that comes back to ``here`` (every page and map has one)."""
    text = NAV[lang]
    if username:
        return f'{text["signed_in"]}: <b id="who">{html.escape(username)}</b>'
    return f'<a id="sign-in" href="/maps/sign-in?lang={lang}&amp;next={quote(here, safe="")}">{text["sign_in"]}</a>'


def page(title: str, body: str, *, lang: str, username: str | None = None, here: str = "/") -> str:
    text = NAV[lang]
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<nav class="no-print"><a href="/maps/?lang={lang}">{text["home"]}</a>'
        f'<a href="javascript:window.print()">{text["print"]}</a> {who(lang, username, here)}</nav>'
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def details(rows: Iterable[tuple[str, Any]], *, element_id: str | None = None) -> str:
    """A two-column table of label → value; values are escaped (use ``Raw`` for prepared HTML)."""
    ident = f' id="{element_id}"' if element_id else ""
    cells = "".join(f"<tr><th>{html.escape(label)}</th><td>{_cell(value)}</td></tr>" for label, value in rows)
    return f'<table class="details"{ident}>{cells}</table>'


def table(
    columns: Sequence[tuple[str, str]],
    rows: Iterable[dict[str, Any]],
    *,
    element_id: str | None = None,
    empty: str = "—",
) -> str:
    """Rows of dicts under the given (heading, key) columns."""
    ident = f' id="{element_id}"' if element_id else ""
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(k))}</td>" for _, k in columns) + "</tr>" for r in rows)
    if not body:
        return f'<p class="muted"{ident}>{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _ in columns)
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Raw(str):
    """HTML that is already safe (built here from escaped parts)."""


def link(href: str, label: Any) -> Raw:
    return Raw(f'<a href="{html.escape(href)}">{esc(label)}</a>')


def state(name: str | None, key: str | None) -> Raw:
    return Raw(f'<span class="state-{html.escape(key or "")}">{esc(name)}</span>')


def _cell(value: Any) -> str:
    return value if isinstance(value, Raw) else esc(value)
