"""The legal constants in words: the area a code belongs to (its prefix), the unit its value is counted
in, and its value as a page shows it. A code is added with the code that reads it (a migration); one
added without a word here is still shown, under its own prefix and with no unit."""

from __future__ import annotations

from typing import Any

from registry.rules.models import ValueKind

CERTAINTY_NAMES = {"firm": "Chắc chắn", "check": "Cần kiểm tra lại"}

# The area of a rule code: the part before its first dot.
AREA_NAMES = {
    "one_stop": "Một cửa, hồ sơ thủ tục hành chính",
    "sanction": "Xử phạt vi phạm hành chính",
    "press": "Báo chí",
    "emf": "Trường điện từ, khoảng cách an toàn quanh trạm gốc",
}

# The unit of a code's value, where the kind alone does not say it.
UNITS = {
    "one_stop.send_back_working_days": "ngày làm việc",
    "one_stop.apology_lead_days": "ngày làm việc",
    "one_stop.hours_per_working_day": "giờ",
    "sanction.payment_days": "ngày",
    "sanction.late_fee_percent_per_day": "% mỗi ngày",
    "emf.public_power_density": "W/m²",
}
KIND_UNITS = {
    ValueKind.time.value: "giờ trong ngày (HH:MM)",
    ValueKind.month_day.value: "ngày trong năm",
}
# How a new value is typed, by kind (the form's hint).
KIND_HINTS = {
    ValueKind.integer.value: "Số nguyên không âm, ví dụ 10",
    ValueKind.decimal.value: "Số thập phân không âm, ví dụ 0,05",
    ValueKind.time.value: "Giờ dạng HH:MM, ví dụ 15:00",
    ValueKind.month_day.value: "Ngày trong năm dạng ngày/tháng, ví dụ 15/01",
}


def area_of(code: str) -> str:
    return code.split(".", 1)[0]


def area_name(area: str) -> str:
    return AREA_NAMES.get(area, area)


def unit_of(code: str, kind: str) -> str | None:
    return UNITS.get(code) or KIND_UNITS.get(kind)


def shown_value(kind: str, value: str) -> str:
    """A stored value as a page shows it: a decimal with a comma, a day of the year as dd/mm."""
    if kind == ValueKind.decimal.value:
        return value.replace(".", ",")
    if kind == ValueKind.month_day.value and "-" in value:
        mm, dd = value.split("-", 1)
        return f"{dd}/{mm}"
    return value


# Case deadline rules: where the period counts from, and the conditions of a case a rule is for.
STARTS_FROM_NAMES = {"received": "ngày nhận", "accepted": "ngày thụ lý", "previous_deadline": "hạn trước đó"}


def deadline_conditions(rule: dict[str, Any]) -> str:
    """The conditions of a case a deadline rule is for, in words ("mọi vụ việc" when none)."""
    parts = []
    if rule.get("especially_complex"):
        parts.append("đặc biệt phức tạp")
    elif rule.get("complex") is True:
        parts.append("phức tạp")
    elif rule.get("complex") is False:
        parts.append("không phức tạp")
    if rule.get("remote") is True:
        parts.append("vùng sâu, vùng xa")
    elif rule.get("remote") is False:
        parts.append("không ở vùng sâu, vùng xa")
    if rule.get("extension_no"):
        parts.append(f"gia hạn lần {rule['extension_no']}")
    return ", ".join(parts) or "mọi vụ việc"
