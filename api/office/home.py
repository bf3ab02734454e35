"""The back office's home: the signed-in user's own work, by role, each figure a link to its list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep, SettingsDep
from api.office.pages import Office, OfficeDep, page
from registry.clock import today
from registry.permits import reports
from registry.stations.queries import StationFilter

router = APIRouter(prefix="/office", tags=["Văn phòng"], include_in_schema=False)

Card = tuple[str, int | None, str, str | None]  # label, figure (None: a link only), href, tone


def _licensing(office: Office, session: Any, settings: Any) -> list[Card]:
    days = settings.permit_expiring_days
    expiring = len(reports.expiring_permits(session, on=today(), days=days, filters=StationFilter()))
    cards: list[Card] = [
        (f"giấy phép hết hạn trong {days} ngày tới", expiring, f"/office/work/expiring?days={days}",
         "warn" if expiring else None),
        ("Vị trí và trạm thiếu giấy phép bắt buộc", None, "/office/work/missing", None),
        ("Trạm có kiểm định đã hết hạn", None, "/office/work/expired-inspections", None),
    ]  # fmt: skip
    if office.can("sites", "create"):
        cards += [
            ("Thêm vị trí cột ăng ten", None, "/office/sites/new", None),
            ("Nhập tệp trạm của doanh nghiệp", None, "/office/sites/import", None),
        ]
    cards.append(("Kiểm tra giấy phép cho vị trí dự kiến", None, "/office/check", None))
    return cards


@router.get("/", dependencies=[Depends(require("office", "read"))], summary="Trang làm việc của cán bộ")
def office_home(office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    sections: list[tuple[str, list[Card]]] = []
    if office.can("permit_reports", "read"):
        sections.append(("Giấy phép trạm gốc", _licensing(office, session, settings)))
    maps: list[Card] = [("Bản đồ trạm gốc", None, "/maps/stations", None)]
    if office.can("cases", "read"):
        maps.append(("Bản đồ vụ việc", None, "/maps/cases", None))
    maps += [
        ("Bản đồ báo chí", None, "/maps/press", None),
        ("Kết quả giải quyết thủ tục hành chính", None, "/pages/dossiers/dashboard", None),
    ]
    sections.append(("Bản đồ và báo cáo", maps))
    return page(office, "home.html", title="Việc của tôi", sections=sections)
