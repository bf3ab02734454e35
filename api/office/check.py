"""The permit check for a PROPOSED site in the back office: coordinates typed (WGS 84 or VN-2000 X/Y with
its zone, X = northing) or taken by a click on the map, the pole's class and heights; nothing is stored.

A GET form (the check changes nothing, so the URL can be shared) with the API's field names
(``ProposedSite``: ``position.lon`` …), checked by the API's model and answered by the function the API
route's answer comes from (registry.permits.views.proposal_check); the verdict is drawn by the macro the
site page uses (office/permit_check.html)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep, SettingsDep
from api.office.forms import Form, attempt, form_values, to_model
from api.office.pages import OfficeDep, page
from maps.assets import LEAFLET_CSS, LEAFLET_JS
from maps.widgets import CENTRE
from registry.permits.schemas import ProposedSite
from registry.permits.views import proposal_check
from registry.stations.views import crs_names

router = APIRouter(prefix="/office/check", tags=["Văn phòng"], include_in_schema=False)

LABELS = {
    "position.crs": "Hệ tọa độ",
    "position.lon": "Kinh độ",
    "position.lat": "Vĩ độ",
    "position.northing": "X (hướng Bắc, m)",
    "position.easting": "Y (hướng Đông, m)",
    "pole_class": "Loại cột",
    "pole_height_m": "Chiều cao cột (m)",
    "building_height_m": "Chiều cao công trình đặt cột (m)",
    "on": "Ngày xét",
}
POSITION = ("position.lon", "position.lat", "position.northing", "position.easting")
POLE_CLASSES = [
    ("A1a", "A1a – cột nhỏ trên công trình"),
    ("A1b", "A1b – cột ngụy trang, gắn với tiện ích đô thị"),
    ("A1c", "A1c – cột không cồng kềnh khác"),
    ("A2a", "A2a – cột cồng kềnh trên nóc công trình"),
    ("A2b", "A2b – cột cồng kềnh dưới mặt đất"),
    ("A2c", "A2c – cột cồng kềnh khác"),
]


def _crs_options() -> list[tuple[str, str]]:
    return [(str(code), name) for code, name in crs_names().items()]


@router.get("", dependencies=[Depends(require("permit_checks", "read"))], summary="Kiểm tra vị trí dự kiến")
def check_page(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    values = form_values(request.query_params)  # type: ignore[arg-type]
    values = {k: v for k, v in values.items() if k in LABELS}
    asked = any(values.get(name) for name in POSITION)
    form = Form(labels=LABELS, values={"position.crs": "4326", **values})
    check = None
    if asked:
        with attempt(session, form):
            check = proposal_check(session, to_model(ProposedSite, values), settings=settings)
    point = None if check is None else check["proposal"]["position"]
    near = [] if check is None else _near(check)
    data = {
        "tiles": settings.map_tiles_url,
        "centre": [point["lat"], point["lon"]] if point else list(CENTRE),
        "zoom": 16 if point else 12,
        "point": [point["lat"], point["lon"]] if point else None,
        "near": near,
        "text": {
            "here": "Vị trí dự kiến",
            "picked": "Đã lấy tọa độ {lat}, {lon} (WGS 84) từ bản đồ. Bấm «Kiểm tra» để xem kết luận.",
            "close": "quá gần",
            "metres": "m",
        },
    }
    return page(office, "check.html", title="Kiểm tra giấy phép cho vị trí dự kiến",
                status=422 if form.refused else 200, f=form, check=check, crs_options=_crs_options(),
                pole_classes=POLE_CLASSES, data=data, leaflet_js=LEAFLET_JS, leaflet_css=LEAFLET_CSS)  # fmt: skip


def _near(check: dict[str, Any]) -> list[dict[str, Any]]:
    """The poles the answer names (too close, co-location candidates), for the map: once each."""
    spacing = check.get("spacing") or {}
    close = {n["code"] for n in spacing.get("too_close", [])}
    seen: dict[str, dict[str, Any]] = {}
    for n in [*spacing.get("too_close", []), *check.get("colocation_candidates", [])]:
        seen.setdefault(n["code"], {"code": n["code"], "lat": n["lat"], "lon": n["lon"],
                                    "distance_m": round(n["distance_m"], 1), "close": n["code"] in close})  # fmt: skip
    return list(seen.values())
