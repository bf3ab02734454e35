"""Public lists that any cache in front may keep: a strong ETag, Cache-Control and 304.

The public lists (``PUBLIC_LISTS``: sites, nearest, stations, search, zones, press outlets, the
reference lists, the one-stop report …) answer a GET with ``ETag`` = a hash of the body, so it
changes exactly when the answer does, and ``If-None-Match`` with it is answered 304 with no body.
The answer of someone with no token (no ``Authorization`` header, no sign-in cookie) says
``Cache-Control: public, max-age=TTTT_PUBLIC_MAX_AGE_S``: a reverse proxy or CDN answers repeats
alone for that long, then revalidates. A signed-in user's answer (staff see more fields) is
``private, no-cache``: kept by that browser only, asked again every time. Every one says
``Vary: Authorization, Cookie``.

The body is hashed as it leaves the app (a page of a list is bounded by TTTT_MAX_PAGE_SIZE; one over
``MAX_BODY`` bytes goes out as it is). A 304 here saves the answer's transfer, not its database work:
the tiles (api/tiles.py) know their data's version before building anything, the lists do not.
"""

from __future__ import annotations

import hashlib
import re

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access import COOKIE
from api.security import set_headers

# The route paths (not templates: what the client asks) of the public lists.
PUBLIC_LISTS = re.compile(
    r"^/api/(sites|sites/nearest|stations|search|zones|spacing-rules|organisations|admin-units|procedures|rules"
    r"|press/outlets|press/outlets\.geojson|reports/dossiers|reports/dossiers/monthly|reception-sessions/schedule"
    r"|safety-distances|calendar/[0-9]{4})$"
)
JSON_TYPES = ("application/json", "application/geo+json")
MAX_BODY = 16 * 1024 * 1024
VARY = "Authorization, Cookie"
VARY_RAW = VARY.encode("latin-1")


def if_none_match(header: str | None, tag: str) -> bool:
    """Whether an If-None-Match header matches the strong ETag ``tag`` (RFC 9110: weak comparison,
    so ``W/"x"`` matches ``"x"``; ``*`` matches any)."""
    if not header or len(header) > 8192:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == tag:
            return True
    return False


_TOKEN_COOKIE = f"{COOKIE}=".encode("latin-1")


def cache_control(scope: Scope, max_age: int) -> str:
    """``public`` for someone with no token, ``private`` for a signed-in user (or one who says so)."""
    return "private, no-cache" if _signed_in(scope) else f"public, max-age={max_age}"


def _signed_in(scope: Scope) -> bool:
    # The raw request headers read as Starlette's Headers would (its get: the first cookie header),
    # without decoding all of them into one on every answer.
    cookie = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            return True
        if name == b"cookie" and cookie is None:
            cookie = value
    return cookie is not None and _TOKEN_COOKIE in cookie


def _first(scope: Scope, name: bytes) -> str | None:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == name), None)


class ListCaching:
    """The ASGI layer that gives the public lists their ETag, Cache-Control and 304."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not PUBLIC_LISTS.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # not cacheable (an error, a stream too large): sent on as it comes

        async def hold(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                kind = headers.get("content-type", "").split(";")[0].strip()
                if message["status"] != 200 or "etag" in headers or kind not in JSON_TYPES:
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY:
                passing = True
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": True})
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            if message.get("more_body", False):
                return
            await self._answer(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, hold)

    @staticmethod
    async def _answer(scope: Scope, start: Message, body: bytes, send: Send) -> None:
        tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        settings = scope["app"].state.settings
        set_headers(
            start,
            {
                b"etag": tag.encode("latin-1"),
                b"cache-control": cache_control(scope, settings.public_max_age_s).encode("latin-1"),
                b"vary": VARY_RAW,
            },
        )
        if if_none_match(_first(scope, b"if-none-match"), tag):
            kept = [(k, v) for k, v in start["headers"] if k not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})
