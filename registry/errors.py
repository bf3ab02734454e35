"""The registry's exceptions; the API maps them, in one handler, to application/problem+json.

    RegistryError            anything the registry refuses, with a Vietnamese message
    ├── NotFound             the record does not exist (404)
    ├── Conflict             the change collides with existing data (409)
    │   └── StaleVersion     the change was based on an older version of the record (412)
    ├── VersionRequired      a change that does not say which version it is based on (428)
    ├── InvalidTransition    the record's state does not allow the action (409)
    ├── NotAuthenticated     the action needs a signed-in user and there is none (401)
    ├── PermissionDenied     the actor may not do this (403)
    ├── TooManyAttempts      too many failed sign-ins; try again later (429)
    ├── LimitExceeded        a request goes over a documented limit: page, area, radius, file (400/413)
    ├── ValidationFailed     input is wrong; `errors` names each field (or row and column) (422)
    └── Unavailable          the database is busy (a lock or statement timeout, no free connection)
                             or unreachable; try again after `retry_after` seconds (503)

Services raise these and never HTTP errors; no database or stack text is put in a message.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with the input: a field (``loc``) or a spreadsheet cell (``row``, ``column``)."""

    message: str
    field: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    code: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v is not None}
        if isinstance(out.get("value"), float) and not math.isfinite(out["value"]):
            out["value"] = str(out["value"])  # JSON has no NaN or infinity
        return out


class RegistryError(Exception):
    status = 400
    title = "Yêu cầu không hợp lệ"
    type_slug = "registry-error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(RegistryError):
    status = 404
    title = "Không tìm thấy"
    type_slug = "not-found"


class Conflict(RegistryError):
    status = 409
    title = "Xung đột dữ liệu"
    type_slug = "conflict"


class StaleVersion(Conflict):
    status = 412
    title = "Bản ghi đã bị người khác sửa"
    type_slug = "stale-version"


class VersionRequired(RegistryError):
    status = 428
    title = "Thiếu phiên bản"
    type_slug = "version-required"


class InvalidTransition(RegistryError):
    status = 409
    title = "Không thể chuyển trạng thái"
    type_slug = "invalid-transition"


class PermissionDenied(RegistryError):
    status = 403
    title = "Không có quyền"
    type_slug = "permission-denied"


class NotAuthenticated(RegistryError):
    status = 401
    title = "Chưa đăng nhập"
    type_slug = "not-authenticated"


class TooManyAttempts(RegistryError):
    status = 429
    title = "Thử quá nhiều lần"
    type_slug = "too-many-attempts"


class LimitExceeded(RegistryError):
    status = 400
    title = "Vượt quá giới hạn"
    type_slug = "limit-exceeded"

    def __init__(self, detail: str, *, status: int = 400, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.status = status


class ValidationFailed(RegistryError):
    status = 422
    title = "Dữ liệu không hợp lệ"
    type_slug = "validation-failed"

    def __init__(self, detail: str, errors: list[FieldError] | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.errors = errors or []


class Unavailable(RegistryError):
    status = 503
    title = "Hệ thống đang bận"
    type_slug = "unavailable"
