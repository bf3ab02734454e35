"""What the routes of api/permit_rules.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies.common import InForce


class PermitRule(InForce):
    """Một quy tắc giấy phép (registry.permits.views.rule_dict): trong danh sách, khi đọc, thêm, sửa."""

    code: str | None
    applies_to: str
    permit_kinds: list[str]
    kind_names: list[str]
    pole_classes: list[str] | None
    min_height_m: float | None
    max_height_m: float | None
    zone_kinds: list[str] | None
