"""Cross-site request protection for changes made by a signed-in browser (the session cookie).

A browser sends the cookie on its own with any request to this site, including one a hostile page
starts; SameSite=Strict already keeps it off requests started from other sites, and two more checks
stand behind it, as OWASP's "defence in depth" asks:

- a per-session token: ``HMAC(secret, "csrf:" + token id)``, written into every form of a page as the
  hidden field ``csrf_token`` (and read by page scripts from the page data for ``X-CSRF-Token``). It is
  derived, not stored: it lives exactly as long as the session and changes with every sign-in;
- the Origin check: a request whose ``Origin`` (or, without one, ``Referer``) names another site is
  refused even with a good token.

Bearer tokens are sent by programs, never by a browser on its own: requests carrying one need neither.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.requests import Request

from api.clients import client_scheme
from registry.errors import PermissionDenied

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def token_for(secret: bytes, token_id: int | None) -> str | None:
    """The CSRF token of the session whose auth token row is ``token_id`` (None: no session)."""
    if token_id is None:
        return None
    return hmac.new(secret, f"csrf:{token_id}".encode(), hashlib.sha256).hexdigest()[:40]


def _same_origin(request: Request) -> bool:
    given = request.headers.get("origin") or request.headers.get("referer")
    if not given or given == "null":
        return given is None  # no header at all: the token alone decides; "null" is an opaque origin
    parts = urlsplit(given)
    host = request.headers.get("host", "")
    return parts.scheme in ("http", "https") and parts.netloc == host and parts.scheme == client_scheme(request)


async def sent_token(request: Request) -> str | None:
    """The token a request carries: the header, or the hidden field of a posted form."""
    if (header := request.headers.get(HEADER)) is not None:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()  # Starlette keeps it: the route reads the same parsed form
        value = form.get(FIELD)
        return value if isinstance(value, str) else None
    return None


async def check(request: Request, secret: bytes, token_id: int) -> None:
    """Refuse (403) an unsafe request made with the session cookie unless it comes from this site
    and carries this session's token."""
    if not _same_origin(request):
        await _drop_form(request)
        raise PermissionDenied("Yêu cầu đến từ trang khác (Origin không khớp); thay đổi bị từ chối")
    expected = token_for(secret, token_id)
    sent = await sent_token(request)
    if sent is None or expected is None or not hmac.compare_digest(sent, expected):
        await _drop_form(request)
        raise PermissionDenied("Thiếu hoặc sai mã chống giả mạo (CSRF); tải lại trang rồi thử lại", field=FIELD)


async def _drop_form(request: Request) -> None:
    """A refused post's uploaded files are closed (their temporary files removed) at once: no route
    will run to do it."""
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
        await form.close()
