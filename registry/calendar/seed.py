"""The calendar's first rows, from the `holidays` package (country VN, names in Vietnamese), with
every lunar holiday checked against the Vietnamese lunar calendar of `lunar-vn` (UTC+7)."""

from __future__ import annotations

from datetime import date
from typing import Any

LEGAL_BASIS = "Bộ luật Lao động 2019, Điều 112; thông báo nghỉ lễ, Tết hằng năm của Chính phủ"
FIRST_YEAR, LAST_YEAR = 2015, 2035


def lunar_new_year(year: int) -> date:
    """Tết (lunar 1/1) on the Vietnamese calendar (UTC+7), 1900–2100."""
    from lunar_vn import LunarDate, lunar_to_solar

    return lunar_to_solar(LunarDate(1, 1, year), time_zone=7.0)


def _hung_kings(year: int) -> date:
    from lunar_vn import LunarDate, lunar_to_solar

    return lunar_to_solar(LunarDate(10, 3, year), time_zone=7.0)


def seed_rows(first: int = FIRST_YEAR, last: int = LAST_YEAR) -> list[dict[str, Any]]:
    import holidays

    years = list(range(first, last + 1))
    vn = holidays.country_holidays("VN", years=years, language="vi")
    en = holidays.country_holidays("VN", years=years, language="en_US")
    rows: dict[date, dict[str, Any]] = {}
    for day, name in sorted(vn.items()):
        if not first <= day.year <= last:
            continue
        rows[day] = {"day": day, "kind": "off", "name": name, "reason": None, "legal_basis": LEGAL_BASIS}
    for day in sorted(vn.weekend_workdays):
        if first <= day.year <= last:
            rows[day] = {
                "day": day,
                "kind": "working",
                "name": "Ngày làm việc bù (hoán đổi ngày nghỉ)",
                "reason": None,
                "legal_basis": LEGAL_BASIS,
            }
    # The package's lunar holidays must agree with the Vietnamese lunar calendar.
    for year in years:
        tet, hung = lunar_new_year(year), _hung_kings(year)
        tet_name = en.get(tet) or ""
        if "Lunar New Year" not in tet_name or tet_name.startswith(("Lunar New Year's Eve", "29")):
            raise ValueError(f"Tết {year}: lịch âm Việt Nam cho {tet}, gói holidays cho {tet_name!r}")
        if hung not in rows:
            raise ValueError(f"Giỗ Tổ Hùng Vương {year}: lịch âm Việt Nam cho {hung}, gói holidays không có")
    return [dict(r, source="holidays") for r in sorted(rows.values(), key=lambda r: r["day"])]
