"""The one mapping from errors to application/problem+json (RFC 9457).

Registry errors carry their own status and Vietnamese text; request-validation errors name the
field; anything unexpected is logged with the request id and answered with a generic 500 that
carries the id, never database or stack text.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from registry.db import as_unavailable
from registry.errors import RegistryError, ValidationFailed
from registry.versions import stale_version

log = logging.getLogger("tttt.api")
PROBLEM = "application/problem+json"
TYPE_BASE = "https://tttt-registry.invalid/problems/"


def problem(status: int, title: str, detail: str, slug: str, **extra: Any) -> JSONResponse:
    body = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


# A client's X-Request-ID is kept (it ties a support call to the logs and the audit trail) only when it
# is a short token: it is written to the audit trail and echoed in headers and bodies, so no spaces,
# markup, control characters or unbounded length; anything else gets a generated id.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        given = request.headers.get("x-request-id")
        rid = given if given is not None and REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.state.request_id = rid
    return str(rid)


async def _registry_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RegistryError)
    extra = {k: v for k, v in exc.extra.items() if v is not None}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = [e.as_dict() for e in exc.errors]
    elif "field" in extra:
        extra["errors"] = [{"field": extra["field"], "message": exc.detail}]
    response = problem(exc.status, exc.title, exc.detail, exc.type_slug, request_id=request_id(request), **extra)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if "retry_after" in extra:
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response


def _loc(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


_MESSAGES = {
    "missing": "Thiếu giá trị bắt buộc",
    "extra_forbidden": "Trường không được phép",
    "int_parsing": "Phải là số nguyên",
    "float_parsing": "Phải là số",
    "bool_parsing": "Phải là true hoặc false",
    "date_from_datetime_parsing": "Ngày không hợp lệ (dd/mm/yyyy)",
    "date_parsing": "Ngày không hợp lệ (dd/mm/yyyy)",
    "date_type": "Ngày không hợp lệ (dd/mm/yyyy)",
    "json_invalid": "JSON không hợp lệ",
    "enum": "Giá trị không thuộc danh sách cho phép",
    "string_too_long": "Chuỗi quá dài",
    "string_too_short": "Chuỗi quá ngắn",
    "string_pattern_mismatch": "Sai định dạng",
    "greater_than": "Giá trị quá nhỏ",
    "greater_than_equal": "Giá trị quá nhỏ",
    "less_than": "Giá trị quá lớn",
    "less_than_equal": "Giá trị quá lớn",
    "too_long": "Quá nhiều phần tử",
}


def message_for(e: Any) -> str:
    """A pydantic error in Vietnamese (API and command line alike)."""
    message = _MESSAGES.get(e.get("type", ""), "")
    ctx = e.get("ctx") or {}
    if e.get("type") == "value_error":
        message = str(ctx.get("error", e.get("msg", "")))
    elif e.get("type") == "enum" and "expected" in ctx:
        message = f"Giá trị không hợp lệ; cho phép: {ctx['expected']}"
    elif message and ctx:
        limit = ctx.get("le", ctx.get("ge", ctx.get("lt", ctx.get("gt", ctx.get("max_length")))))
        if limit is not None:
            message = f"{message} (giới hạn {limit})"
    return message or str(e.get("msg", ""))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for e in exc.errors():
        errors.append({"field": _loc(tuple(e.get("loc", ()))), "message": message_for(e), "code": e.get("type")})
    return problem(
        422,
        "Dữ liệu không hợp lệ",
        "Yêu cầu có trường không hợp lệ",
        "validation-failed",
        errors=errors,
        request_id=request_id(request),
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Không tìm thấy", 405: "Phương thức không được hỗ trợ", 413: "Tệp quá lớn"}
    detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else "Không có tài nguyên này"
    response = problem(
        exc.status_code,
        titles.get(exc.status_code, "Lỗi yêu cầu"),
        detail,
        f"http-{exc.status_code}",
        request_id=request_id(request),
    )
    # Starlette's own headers (Allow on a 405, WWW-Authenticate …) belong to the answer.
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405:
        # Starlette names only the first route of the path; Allow must list every method it has.
        methods = {
            m
            for route in request.app.router.routes
            if route.matches(request.scope)[0] == Match.PARTIAL
            for m in getattr(route, "methods", None) or ()
        }
        if methods:
            response.headers["Allow"] = ", ".join(sorted(methods))
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return await _unavailable(request, exc)  # any statement cut off by a lost connection
    rid = request_id(request)
    log.exception("Unexpected error, request %s", rid)
    response = problem(
        500, "Lỗi hệ thống", f"Đã ghi nhận lỗi với mã yêu cầu {rid}; vui lòng báo quản trị.", "internal", request_id=rid
    )
    # This answer is made outside the middleware that stamps the others.
    response.headers["X-Request-ID"] = rid
    return response


async def _data_error(request: Request, exc: Exception) -> JSONResponse:
    # Validation should have caught it; log so it can, but never show database text.
    log.warning("Database rejected a value, request %s: %s", request_id(request), type(exc).__name__)
    return problem(
        422,
        "Dữ liệu không hợp lệ",
        "Có giá trị cơ sở dữ liệu không chấp nhận (quá lớn hoặc ký tự lạ)",
        "validation-failed",
        errors=[],
        request_id=request_id(request),
    )


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # A service should have named the conflict; log so it can, but never show database text.
    log.warning("Database refused a change, request %s: %s", request_id(request), type(exc).__name__)
    return problem(
        409,
        "Xung đột dữ liệu",
        "Thay đổi vi phạm ràng buộc dữ liệu (bản ghi liên quan còn tồn tại hoặc đã có)",
        "conflict",
        request_id=request_id(request),
    )


async def _stale_data(request: Request, exc: Exception) -> JSONResponse:
    # A flush found the row at another version than it read (registry.versions).
    assert isinstance(exc, StaleDataError)
    return await _registry_error(request, stale_version(exc))


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database is busy or unreachable: 503 with Retry-After (the request's transaction has been
    # rolled back by the session dependency); anything else falls through to the generic 500.
    unavailable = as_unavailable(exc, request.app.state.settings)
    if unavailable is None:
        return await _unexpected(request, exc)
    log.warning(
        "Database unavailable, request %s: %s %s",
        request_id(request),
        type(exc).__name__,
        getattr(getattr(exc, "orig", exc), "sqlstate", None) or "",
    )
    return await _registry_error(request, unavailable)


# Connection failures and timeouts, whether SQLAlchemy wrapped them or psycopg raised them directly.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


# Pages a browser opens: their errors are pages too (in the layout, with a way back), not JSON.
PAGE_PREFIXES = ("/office", "/records/", "/maps/", "/pages/")


def wants_page(request: Request) -> bool:
    path = request.url.path
    if path == "/maps" or path.startswith(PAGE_PREFIXES):
        return True
    if path == "/ogc" or path.startswith("/ogc/"):
        # The OGC API answers a browser (or f=html) with pages: its refusals too.
        from api.ogc.params import answer_format
        from registry.ogc.errors import BadParameter

        try:
            return answer_format(request, request.query_params.get("f")) == "html"
        except BadParameter:
            return False
    return False


def _back(request: Request) -> tuple[str, str]:
    if request.url.path.startswith("/office"):
        return "/office/", "Về trang làm việc"
    if request.url.path.startswith("/ogc"):
        return "/ogc?f=html", "Về trang dịch vụ OGC API"
    return "/maps/", "Về trang bản đồ"


def page_error(request: Request, response: Response) -> Response:
    """The problem+json ``response`` as a page: a 401 of a page read sends to the sign-in page and
    back; every other refusal is drawn in the layout with its reasons, its status kept."""
    from api.maps import here
    from maps.templating import render

    body = json.loads(bytes(response.body))
    status = response.status_code
    principal = getattr(request.state, "principal", None)
    username = getattr(principal, "username", None)
    sign_in = None
    if status == 401:
        sign_in = f"/maps/sign-in?{urlencode({'next': here(request)})}"
        if request.method in ("GET", "HEAD"):
            return RedirectResponse(sign_in, status_code=303)
    back, back_label = _back(request)
    html = render(
        "error.html",
        title=body.get("title", "Lỗi"),
        detail=body.get("detail", ""),
        errors=body.get("errors") or [],
        status=status,
        request_id=body.get("request_id"),
        sign_in=sign_in,
        back=back,
        back_label=back_label,
        lang="vi",
        username=username,
        here=here(request),
    )
    page = HTMLResponse(html, status_code=status)
    for name in ("retry-after", "allow", "x-request-id"):
        if name in response.headers:
            page.headers[name] = response.headers[name]
    return page


def _for_pages(handler: Callable[[Request, Exception], Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        response = await handler(request, exc)
        if wants_page(request) and response.media_type == PROBLEM:
            return page_error(request, response)
        return response

    return handle


def install(app: FastAPI) -> None:
    for cls in UNAVAILABLE_ERRORS:
        app.add_exception_handler(cls, _for_pages(_unavailable))
    app.add_exception_handler(DataError, _for_pages(_data_error))
    app.add_exception_handler(IntegrityError, _for_pages(_integrity_error))
    app.add_exception_handler(StaleDataError, _for_pages(_stale_data))
    app.add_exception_handler(RegistryError, _for_pages(_registry_error))
    app.add_exception_handler(RequestValidationError, _for_pages(_validation_error))
    app.add_exception_handler(StarletteHTTPException, _for_pages(_http_error))
    app.add_exception_handler(Exception, _for_pages(_unexpected))
