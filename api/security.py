"""Security headers: a Content-Security-Policy on every page, and on every response the headers that
stop content sniffing, framing and leaking the page address to other sites.

The policy of a page (any ``text/html`` response)::

    default-src 'self'; script-src 'self' 'nonce-<n>'; style-src 'self' 'unsafe-inline';
    img-src 'self' data: <origin of TTTT_MAP_TILES_URL>; connect-src 'self'; font-src 'self';
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none';
    worker-src 'self'; manifest-src 'self'

- Scripts: the app's own files, and inline only the script that carries this response's nonce. The
  nonce is random per request and set as ``request.state.csp_nonce`` before the route runs; a page
  writes it on the scripts it generates itself (the folium figure's one script, Swagger UI's start),
  so a script injected through stored or echoed text has none and does not run. No ``on…=``
  attribute runs either: the policy has no ``'unsafe-inline'`` or ``'unsafe-hashes'`` for scripts.
- Styles allow ``'unsafe-inline'``: Leaflet and Folium position every marker, tile and control with
  ``style`` attributes and write ``<style>`` blocks for the map size; a nonce cannot cover a style
  attribute. Inline CSS cannot run script; the risk left is restyling by injected markup, which the
  escaping of every text (``maps.widgets.folium_text``, ``esc()``, autoescaped templates) prevents.
- Images: this site, ``data:`` (Leaflet's and Swagger UI's CSS icons) and the base-map tile server.
- Workers and the web app manifest: this site only (the service worker is /sw.js, api/offline.py).
- ``frame-ancestors 'none'`` (and ``X-Frame-Options: DENY`` for old browsers): no page in a frame.

Every response, JSON and files included: ``X-Content-Type-Options: nosniff``,
``Referrer-Policy: same-origin``, ``X-Frame-Options: DENY``.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
_ALWAYS_RAW = {name.lower().encode("latin-1"): value.encode("latin-1") for name, value in ALWAYS.items()}
# A host of a CSP source: letters, digits, dots, dashes, a port; "{s}" (Leaflet's subdomains) becomes "*.".
_HOST = re.compile(r"(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?")


@lru_cache(maxsize=8)
def tiles_origin(url: str | None) -> str | None:
    """The origin a tile URL template loads from, as a CSP source (``https://*.tile.example.org`` for
    ``https://{s}.tile.example.org/{z}/{x}/{y}.png``); None for none, a relative URL or anything that is
    not a plain http(s) host (it could not be written into the policy safely)."""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}.", "*."))
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc}"


def policy(nonce: str, *, img_origin: str | None = None) -> str:
    img = "'self' data:" + (f" {img_origin}" if img_origin else "")
    return (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
        f"img-src {img}; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'"
    )


def set_headers(message: Message, values: dict[bytes, bytes]) -> None:
    """Set headers (lower-case names) on a ``http.response.start`` message as MutableHeaders does (a
    header already there is replaced where it stands, others appended), in one pass over the list."""
    raw: list[tuple[bytes, bytes]] = []
    left = dict(values)
    for name, value in message.get("headers", ()):
        if name in values:
            if name in left:
                raw.append((name, left.pop(name)))
            continue
        raw.append((name, value))
    raw.extend(left.items())
    message["headers"] = raw


class SecurityHeaders:
    """ASGI middleware: a fresh nonce in ``scope["state"]["csp_nonce"]`` (``request.state.csp_nonce``)
    before the app runs, the headers above on the response it sends. The tile server allowed for
    images is read from the app's settings at request time (``app.state.settings``), as every
    other setting is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                values = dict(_ALWAYS_RAW)
                kind = next((v for k, v in message.get("headers", ()) if k == b"content-type"), b"")
                if kind.lower().startswith(b"text/html"):
                    settings = scope["app"].state.settings
                    csp = policy(nonce, img_origin=tiles_origin(settings.map_tiles_url))
                    values[b"content-security-policy"] = csp.encode("latin-1")
                set_headers(message, values)
            await send(message)

        await self.app(scope, receive, send_with_headers)
