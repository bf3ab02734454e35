"""What a route answers about one record: its body with the version as ETag, created, deleted.

The helpers set headers on the ``Response`` FastAPI injects and hand the body back, rather than
building a ``JSONResponse`` themselves: the body then still goes through the route's return type
(the same JSON encoding and the same OpenAPI schema as before), and the status of a creation stays
declared on the route (``status_code=201``) where the schema reads it.

The ETag is the strong tag of ``registry.versions.etag`` (``"3"``): the value a client sends back in
If-Match, parsed once by ``api.deps.IfMatch``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Response, status
from pydantic import BaseModel, ConfigDict, Field

from registry.versions import Versioned, etag

Body = TypeVar("Body")


def versioned(response: Response, body: Body, record: Versioned) -> Body:
    """The body of one record, answered with its version as ETag."""
    response.headers["ETag"] = etag(record)
    return body


def created(response: Response, body: Body, *, location: str, record: Versioned | None = None) -> Body:
    """The body of a new record (201 on the route): where it lives, and its version when it has one."""
    response.headers["Location"] = location
    if record is not None:
        response.headers["ETag"] = etag(record)
    return body


def deleted() -> Response:
    """204 No Content: the record is gone."""
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- What the OpenAPI document says of errors -------------------------------------------------------
# Every refusal is application/problem+json (api.errors): one Problem schema, named in the document's
# components (api.docs.openapi adds it there), that each route's ``responses=problems(...)`` points to.

PROBLEM_JSON = "application/problem+json"


class ProblemError(BaseModel):
    """Một chỗ sai của dữ liệu gửi lên: một trường, hoặc dòng và cột của bảng tính."""

    model_config = ConfigDict(extra="allow")

    message: str
    field: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    code: str | None = None


class Problem(BaseModel):
    """Chi tiết lỗi (RFC 9457, application/problem+json) của mọi yêu cầu bị từ chối."""

    # Some refusals add members of their own (current_version, limit, retry_after, field …).
    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI của loại lỗi")
    title: str
    status: int
    detail: str
    request_id: str | None = Field(default=None, description="Mã yêu cầu, như X-Request-ID và nhật ký")
    errors: list[ProblemError] | None = Field(default=None, description="Từng trường, hoặc dòng và cột, bị từ chối")


REASONS: dict[int, str] = {
    400: "Tham số vượt giới hạn hoặc không hợp lệ",
    401: "Chưa đăng nhập, hoặc token không hợp lệ hay đã hết hạn",
    403: "Vai trò không được phép",
    404: "Không có bản ghi này",
    409: "Xung đột dữ liệu hoặc trạng thái không cho phép",
    412: "Bản ghi đã bị sửa từ phiên bản đó (If-Match đã cũ; problem+json nêu current_version)",
    413: "Yêu cầu hoặc tệp quá lớn",
    422: "Dữ liệu không hợp lệ (errors nêu từng trường, hoặc dòng và cột)",
    428: "Thiếu If-Match",
    429: "Quá nhiều lần thử; chờ Retry-After giây",
    503: "Cơ sở dữ liệu bận hoặc không sẵn sàng; thử lại sau Retry-After giây",
}
_RETRY_AFTER = {"Retry-After": {"description": "Số giây nên chờ", "schema": {"type": "integer"}}}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the refusals a route can give, each application/problem+json (Problem)."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in statuses:
        answer: dict[str, Any] = {
            "description": REASONS.get(code, "Lỗi"),
            "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
        }
        if code in (429, 503):
            answer["headers"] = _RETRY_AFTER
        out[code] = answer
    return out


def page_problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for the refusals of a page a browser opens: drawn as a page (text/html)."""
    return {
        code: {"description": REASONS.get(code, "Lỗi"), "content": {"text/html": {"schema": {"type": "string"}}}}
        for code in statuses
    }


def answers(*parts: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """Several ``responses=`` dicts as one (a status named twice keeps both parts' keys)."""
    out: dict[int | str, dict[str, Any]] = {}
    for part in parts:
        for code, answer in part.items():
            merged = dict(out.get(code, {}))
            for key, value in answer.items():
                merged[key] = {**merged[key], **value} if isinstance(value, dict) and key in merged else value
            out[code] = merged
    return out


def bodies(*media_types: str, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that also (or only) answers a file or text of these media types."""
    return {status: {"content": {m: {"schema": {"type": "string", "format": "binary"}} for m in media_types}}}
