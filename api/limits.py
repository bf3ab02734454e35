"""Body size limits enforced while the body streams in, before any other work is done on it.

A pure ASGI layer, installed outermost (only Starlette's error layer is outside it): it runs before
authentication, before the request id middleware and before FastAPI parses a byte. A request that
declares a Content-Length over its limit is answered 413 at once and its body never read; a body sent
without one (chunked) is counted as it arrives, and the request is stopped with 413 the moment it
passes the limit, so no more than the limit plus one chunk is ever held.

Limits (settings, read per request): ``max_upload_bytes`` for multipart bodies (plus a little for the
multipart framing) and ``max_json_bytes`` for every other body (JSON, urlencoded forms).
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM, TYPE_BASE, page_error, request_id, wants_page
from registry.settings import Settings

# Boundaries, part headers and the form fields that go with a file.
MULTIPART_SLACK = 64 * 1024


class BodyTooLarge(HTTPException, MultiPartException):
    """Raised from ``receive`` when the body passes its limit: nothing more is read, and whatever
    the layers inside make of it, the answer is the 413 below. It is also a MultiPartException so
    that Starlette's multipart parser, stopped mid-upload, closes the temporary files it had opened
    (it does so only for its own errors) instead of leaving them to the garbage collector."""

    def __init__(self, limit: int, kind: str) -> None:
        HTTPException.__init__(self, 413, _detail(limit, kind))
        self.message = self.detail
        self.limit = limit
        self.kind = kind


def _detail(limit: int, kind: str) -> str:
    if kind == "upload":
        limit -= MULTIPART_SLACK  # the file limit the user knows, not the framing around it
    size = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit / 1024:g} KB"
    what = "Tệp tải lên" if kind == "upload" else "Nội dung yêu cầu"
    return f"{what} vượt quá giới hạn {size}"


def _body(limit: int, kind: str, rid: str) -> bytes:
    return json.dumps(
        {
            "type": TYPE_BASE + "limit-exceeded",
            "title": "Yêu cầu quá lớn",
            "status": 413,
            "detail": _detail(limit, kind),
            "limit": limit,
            "errors": [{"field": "file" if kind == "upload" else "body", "message": _detail(limit, kind)}],
            "request_id": rid,
        },
        ensure_ascii=False,
    ).encode()


def limit_for(settings: Settings, content_type: str) -> tuple[int, str]:
    """(bytes allowed, "upload" or "body") for a request of this Content-Type."""
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        return settings.max_upload_bytes + MULTIPART_SLACK, "upload"
    return settings.max_json_bytes, "body"


class BodyLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        settings: Settings = scope["app"].state.settings
        limit, kind = limit_for(settings, headers.get(b"content-type", b"").decode("latin-1"))
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            # Nothing is read: the client is told at once (a bad Content-Length is no better).
            await self._refuse(scope, send, limit, kind)
            return
        received = 0
        exceeded = started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(limit, kind)
            return message

        async def watched_send(message: Message) -> None:
            # Layers in between may wrap the exception (a task group makes it an ExceptionGroup, the
            # body parser a 400): whatever answer they make of it, the client gets the 413.
            nonlocal started
            if exceeded:
                if not started:
                    started = True
                    await self._refuse(scope, send, limit, kind)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if not exceeded:
                raise
            if not started:
                await self._refuse(scope, send, limit, kind)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, limit: int, kind: str) -> None:
        request = Request(scope)
        rid = request_id(request)
        body = _body(limit, kind, rid)
        media = PROBLEM
        if wants_page(request):  # a page's form: the refusal is a page too
            page = page_error(request, Response(body, status_code=413, media_type=PROBLEM))
            body, media = bytes(page.body), "text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", media.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", rid.encode("latin-1")),
                    # The rest of the body is not read: the connection cannot be reused.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def install(app: FastAPI) -> None:
    """Call near the end of ``create_app`` (the layer added last is the outermost): only layers that read no
    body (request ids, security headers) may sit outside it."""
    app.add_middleware(BodyLimits)
