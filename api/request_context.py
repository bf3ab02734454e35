"""The request's id and the audit context around every request, as a plain ASGI layer.

The id is the client's ``X-Request-ID`` when it is a short safe token (``api.errors.REQUEST_ID``),
otherwise a new one; it goes into the audit trail with every change the request makes, and back
to the client in ``X-Request-ID``. The actor is "anonymous" until the token is read
(``api.access``). A plain ASGI layer rather than ``@app.middleware("http")``: Starlette's
BaseHTTPMiddleware runs the app in a second task behind a memory stream on every request.
"""

from __future__ import annotations

import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import REQUEST_ID
from api.security import set_headers
from registry.audit.context import acting_as


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        rid = given if given is not None and REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                set_headers(message, {b"x-request-id": rid.encode("latin-1")})
            await send(message)

        with acting_as("anonymous", rid):
            await self.app(scope, receive, send_with_id)
