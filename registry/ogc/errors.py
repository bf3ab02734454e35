"""The one refusal of the OGC API that the registry's tree (registry/errors.py) lacks.

OGC API – Features asks for 400 when a query parameter is invalid or unknown
(/req/core/query-param-invalid, /req/core/query-param-unknown); the registry's ValidationFailed is a
422. ``BadParameter`` is a ValidationFailed with the status OGC clients expect, so the one handler
(api/errors.py) answers it as application/problem+json naming the parameter, like every other."""

from __future__ import annotations

from typing import Any

from registry.errors import FieldError, ValidationFailed


class BadParameter(ValidationFailed):
    status = 400
    title = "Tham số không hợp lệ"
    type_slug = "invalid-parameter"

    def __init__(self, parameter: str, message: str, value: Any = None) -> None:
        shown = value if value is None or len(str(value)) <= 200 else str(value)[:200] + "…"
        super().__init__(f"{parameter}: {message}", [FieldError(message, field=parameter, value=shown)])
        self.parameter = parameter
