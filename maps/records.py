"""Readable, printable record pages of a site, a press outlet and a case: details, permits or
licences, and history. They take the very answers the API gives the same user (so the same fields
are hidden from the same people) and lay them out in Vietnamese."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from maps.document import Raw, details, esc, link, page, state, table
from registry.cases.models import CHANNEL_NAMES, PARTY_ROLE_NAMES, STATE_NAMES, STEP_NAMES, UNIT_NAMES
from registry.clock import VIETNAM
from registry.stations.template import STATUS_LABELS

ACTIONS = {"create": "tạo", "update": "sửa", "delete": "xóa"}
YES_NO = {True: "có", False: "không"}


def _when(iso: str | None) -> str | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def _day(iso: str | None) -> str | None:
    if not iso:
        return None
    y, m, d = iso[:10].split("-")
    return f"{d}/{m}/{y}"


def _short(value: Any, limit: int = 80) -> str:
    if isinstance(value, bool):
        return YES_NO[value]
    text = "—" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def history_section(history: dict[str, Any] | None, *, entity_names: dict[str, str] | None = None) -> str:
    if history is None:
        return '<h2>Lịch sử thay đổi</h2><p class="muted">Vai trò của bạn không được xem lịch sử của hồ sơ này.</p>'
    names = entity_names or {}
    rows = [
        {
            "when": _when(e["occurred_at"]),
            "actor": e["actor"],
            "what": f"{ACTIONS.get(e['action'], e['action'])} {names.get(e['entity'], e['entity'])} #{e['entity_id']}",
            "changes": Raw(
                "<br>".join(
                    f"{esc(k)}: {esc(_short(v.get('before')))} → {esc(_short(v.get('after')))}"
                    for k, v in sorted((e.get("changes") or {}).items())
                    if k not in ("version", "id")
                )
            ),
        }
        for e in history["events"]
    ]
    more = (
        f'<p class="muted">Hiển thị {len(rows)} trên {history["total"]} thay đổi.</p>'
        if history["total"] > len(rows)
        else ""
    )
    cols = [("Thời điểm", "when"), ("Người thực hiện", "actor"), ("Thay đổi", "what"), ("Nội dung", "changes")]
    return "<h2>Lịch sử thay đổi</h2>" + table(cols, rows, element_id="history", empty="Chưa có thay đổi") + more


def _cases_section(cases: list[dict[str, Any]] | None, lang: str) -> str:
    if cases is None:
        return ""
    rows = [dict(c, code=link(f"/records/cases/{c['code']}?lang={lang}", c["code"])) for c in cases]
    cols = [("Mã hồ sơ", "code"), ("Loại", "kind"), ("Trạng thái", "state_name"), ("Ngày nhận", "received_on")]
    return "<h2>Vụ việc liên quan</h2>" + table(cols, rows, element_id="cases", empty="Không có vụ việc")


def site_page(
    feature: dict[str, Any],
    *,
    permits: list[dict[str, Any]] | None,
    history: dict[str, Any] | None,
    staff: bool,
    lang: str,
    username: str | None,
    here: str,
) -> str:
    """``staff``: the answer has every field (stations in detail, notes …)."""
    p = feature["properties"]
    code = p["code"]
    lon, lat = feature["geometry"]["coordinates"] if feature.get("geometry") else (None, None)
    body = (
        "<p>"
        + link(
            f"/maps/stations?lang={lang}" + ("" if lon is None else f"&lat={lat:.6f}&lon={lon:.6f}&z=17"),
            "Trên bản đồ",
        )
        + (" · " + link(f"/maps/sites/{code}?lang={lang}", "Bản đồ kiểm tra giấy phép") if staff else "")
        + "</p><h2>Thông tin vị trí</h2>"
        + details(
            [
                ("Mã vị trí", code),
                ("Địa chỉ", p.get("address")),
                ("Xã, phường", p.get("commune")),
                ("Tọa độ (WGS-84)", None if lon is None else f"{lat:.6f}, {lon:.6f}"),
                ("Loại cột", p.get("pole_class")),
                ("Chiều cao cột (m)", p.get("pole_height_m")),
                ("Chiều cao công trình đặt cột (m)", p.get("building_height_m")),
                ("Trạng thái", STATUS_LABELS.get(p.get("status") or "", p.get("status"))),
                ("Chủ sở hữu", p.get("owner")),
                ("Doanh nghiệp", p.get("operators") or sorted({s["operator"] for s in p.get("stations", [])})),
                (
                    "Công nghệ",
                    p.get("technologies") or sorted({t for s in p.get("stations", []) for t in s["technologies"]}),
                ),
                ("Ghi chú", p.get("notes")),
                ("Phiên bản", p.get("version")),
            ],
            element_id="details",
        )
    )
    if staff:
        rows = [
            {
                "code": s["station_code"],
                "operator": s["operator"],
                "technologies": s["technologies"],
                "bands": s["bands"],
                "status": STATUS_LABELS.get(s["status"], s["status"]),
                "since": _day(s.get("commissioning_date")),
                "sectors": len(s.get("sectors") or []),
            }
            for s in p["stations"]
        ]
        cols = [
            ("Mã trạm", "code"),
            ("Doanh nghiệp", "operator"),
            ("Công nghệ", "technologies"),
            ("Băng tần", "bands"),
            ("Trạng thái", "status"),
            ("Phát sóng từ", "since"),
            ("Số sector", "sectors"),
        ]
        body += "<h2>Trạm gốc</h2>" + table(cols, rows, element_id="stations", empty="Chưa có trạm")
    if permits is not None:
        rows = [
            dict(
                x,
                holder=x.get("station_code") or "vị trí",
                status=state(x.get("status_name"), x.get("status")),
                valid_until=_day(x.get("valid_until")),
                issue_date=_day(x.get("issue_date")),
            )
            for x in permits
        ]
        cols = [
            ("Loại giấy phép", "kind_name"),
            ("Số", "number"),
            ("Của", "holder"),
            ("Cơ quan cấp", "issuer"),
            ("Ngày cấp", "issue_date"),
            ("Hết hạn", "valid_until"),
            ("Tình trạng", "status"),
        ]
        body += "<h2>Giấy phép</h2>" + table(cols, rows, element_id="permits", empty="Chưa có giấy phép nào")
    body += _cases_section(p.get("cases"), lang)
    if staff:
        body += history_section(history, entity_names={"site": "vị trí", "station": "trạm", "sector": "sector"})
    return page(f"Vị trí {code}", body, lang=lang, username=username, here=here)


def outlet_page(
    outlet: dict[str, Any],
    *,
    licences: list[dict[str, Any]] | None,
    history: dict[str, Any] | None,
    staff: bool,
    lang: str,
    username: str | None,
    here: str,
) -> str:
    code = outlet["code"]
    parent = outlet.get("parent")
    body = "<h2>Thông tin cơ quan</h2>" + details(
        [
            ("Mã", code),
            ("Tên", outlet.get("name")),
            ("Tên viết tắt", outlet.get("short_name")),
            ("Loại hình", outlet.get("kind_name")),
            ("Cơ quan chủ quản", outlet.get("governing_body")),
            ("Người đứng đầu", " — ".join(x for x in (outlet.get("head_name"), outlet.get("head_title")) if x) or None),
            ("Địa chỉ", outlet.get("address")),
            ("Xã, phường", outlet.get("commune")),
            ("Tên miền", outlet.get("domains")),
            ("Kỳ hạn xuất bản", outlet.get("periodicity")),
            ("Ngôn ngữ", outlet.get("languages")),
            ("Trạng thái", outlet.get("status_name")),
            (
                "Thuộc cơ quan",
                link(f"/records/outlets/{parent['code']}?lang={lang}", parent.get("name"))
                if isinstance(parent, dict)
                else parent,
            ),
            ("Điện thoại", outlet.get("phone") if staff else None),
            ("Thư điện tử", outlet.get("email") if staff else None),
            ("Ghi chú", outlet.get("notes")),
        ],
        element_id="details",
    )
    if licences is not None:
        rows = [
            dict(
                x,
                status=state(x.get("status_name"), x.get("status")),
                issue_date=_day(x.get("issue_date")),
                valid_until=_day(x.get("valid_until")) or "không thời hạn",
                amendments=len(x.get("amendments") or []),
            )
            for x in licences
        ]
        cols = [
            ("Loại giấy phép", "kind_name"),
            ("Số", "number"),
            ("Cơ quan cấp", "issuer"),
            ("Ngày cấp", "issue_date"),
            ("Hết hạn", "valid_until"),
            ("Tình trạng", "status"),
            ("Số lần sửa đổi", "amendments"),
        ]
        body += "<h2>Giấy phép</h2>" + table(cols, rows, element_id="licences", empty="Chưa có giấy phép")
    body += _cases_section(outlet.get("cases"), lang)
    if staff:
        body += history_section(
            history,
            entity_names={
                "press_outlet": "cơ quan",
                "press_licence": "giấy phép",
                "press_licence_amendment": "sửa đổi giấy phép",
                "press_notification": "thông báo",
                "press_annual_report": "báo cáo năm",
            },
        )
    return page(outlet.get("name") or code, body, lang=lang, username=username, here=here)


def case_page(
    case: dict[str, Any],
    *,
    kind_name: str,
    history: dict[str, Any] | None,
    lang: str,
    username: str | None,
    here: str,
) -> str:
    code = case["code"]
    d = case["deadlines"]
    loc = case.get("location")
    body = "<h2>Thông tin hồ sơ</h2>" + details(
        [
            ("Mã hồ sơ", code),
            ("Loại", kind_name),
            ("Ngày nhận", _day(case["received_on"])),
            ("Kênh tiếp nhận", CHANNEL_NAMES.get(case.get("channel") or "", case.get("channel"))),
            ("Nội dung tóm tắt", case.get("subject")),
            ("Nội dung", case.get("content")),
            ("Trạng thái", case.get("state_name")),
            ("Người xử lý", case.get("handler")),
            ("Đơn vị", case.get("unit")),
            ("Ngày thụ lý", _day(case.get("accepted_on"))),
            ("Ngày kết luận", _day(case.get("concluded_on"))),
            ("Số lần gia hạn", case.get("extensions")),
            ("Kết quả", case.get("outcome")),
            ("Vị trí", None if not loc else f"{loc['lat']:.6f}, {loc['lon']:.6f}"),
            ("Hạn hiện tại", _day(d.get("current_due"))),
            (
                "Tình trạng hạn",
                state(
                    {"overdue": "quá hạn", "within_deadline": "trong hạn", "suspended": "tạm đình chỉ"}.get(
                        d.get("status") or "", None
                    ),
                    d.get("status"),
                ),
            ),
        ],
        element_id="details",
    )
    steps = [
        dict(
            s,
            step=STEP_NAMES.get(s["step"], s["step"]),
            start=_day(s["start"]),
            due=_day(s["due"]),
            duration=f"{s['duration']} {UNIT_NAMES.get(s['unit'], s['unit'])}",
        )
        for s in d.get("steps", [])
    ]
    body += "<h2>Các thời hạn</h2>" + table(
        [("Bước", "step"), ("Bắt đầu", "start"), ("Hạn", "due"), ("Thời gian", "duration"), ("Căn cứ", "legal_basis")],
        steps,
        element_id="deadlines",
        empty="Chưa có thời hạn",
    )
    parties = [
        {
            "role": PARTY_ROLE_NAMES.get(p["role"], p["role"]),
            "name": "(bảo mật)" if p.get("confidential") and "name" not in p else p.get("name"),
            "address": p.get("address"),
        }
        for p in case.get("parties", [])
    ]
    body += "<h2>Các bên</h2>" + table(
        [("Vai trò", "role"), ("Họ tên, tổ chức", "name"), ("Địa chỉ", "address")], parties, element_id="parties"
    )
    links = [
        {"entity": ENTITY_NAMES.get(x["entity"], x["entity"]), "code": _record_of(x["entity"], x["code"], lang)}
        for x in case.get("links", [])
    ]
    body += "<h2>Liên quan đến</h2>" + table([("Loại", "entity"), ("Mã", "code")], links, element_id="links")
    moves = [
        dict(t, on=_day(t["on"]), **{"from": STATE_NAMES.get(t["from"] or ""), "to": STATE_NAMES.get(t["to"], t["to"])})
        for t in case.get("transitions", [])
    ]
    body += "<h2>Quá trình xử lý</h2>" + table(
        [("Ngày", "on"), ("Từ", "from"), ("Sang", "to"), ("Người thực hiện", "actor"), ("Lý do", "reason")],
        moves,
        element_id="transitions",
    )
    body += history_section(history, entity_names={"case": "hồ sơ", "case_transition": "bước xử lý"})
    return page(f"{kind_name} {code}", body, lang=lang, username=username, here=here)


ENTITY_NAMES = {"site": "Vị trí cột", "press_outlet": "Cơ quan báo chí", "organisation": "Doanh nghiệp"}


def _record_of(entity: str, code: str, lang: str) -> Any:
    if entity == "site":
        return link(f"/records/sites/{code}?lang={lang}", code)
    if entity == "press_outlet":
        return link(f"/records/outlets/{code}?lang={lang}", code)
    return code
