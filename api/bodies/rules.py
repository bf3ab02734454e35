"""What the routes of api/rules.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies.common import InForce


class ListValue(InForce):
    """Một giá trị quy tắc (registry.rules.service): trong danh sách và khi thêm phiên bản."""

    id: int
    code: str | None
    kind: str | None
    value: str
