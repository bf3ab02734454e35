"""Readable, printable record pages of a site, a press outlet and a case: details, permits or
licences, and history. They take the very answers the API gives the same user (so the same fields
are hidden from the same people) and lay them out in Vietnamese."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from maps.emf import safety_section
from maps.templating import Link, State, dmy, render
from registry.cases.vocabulary import CHANNEL_NAMES, PARTY_ROLE_NAMES, STATE_NAMES, STEP_NAMES, UNIT_NAMES
from registry.clock import VIETNAM
from registry.stations.template import STATUS_LABELS


def _when(iso: str | None) -> str | None:
    if not iso:
        return None
    return datetime.fromisoformat(iso).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def _cell(value: Any) -> Any:
    """A value of the history's words: a text, None, or a link ({"href", "label"}) drawn as ``Link``."""
    if isinstance(value, dict) and "href" in value:
        return Link(value["href"], value.get("label"))
    return value


def history_rows(history: dict[str, Any] | None) -> dict[str, Any] | None:
    """The change history as the ``history`` macro draws it (None: the role may not read it), from
    the words the API gives beside each event (registry.audit.words): the action and the record,
    then each field by its label with its value before and after."""
    if history is None:
        return None
    rows, skipped = [], 0
    for e in history["events"]:
        w = e["words"]
        if e["action"] == "update" and not w["changes"]:
            skipped += 1  # only the version counted: the change is told in the record's children's lines
            continue
        rows.append(
            {
                "when": _when(e["occurred_at"]),
                "entity": e["entity"],
                "entity_id": e["entity_id"],
                "actor": w["actor"],
                "action": e["action"],
                "what": w["what"],
                "subject": _cell(w["subject"]),
                "changes": [(c["label"], _cell(c["before"]), _cell(c["after"]), c["note"]) for c in w["changes"]],
            }
        )
    return {"rows": rows, "total": history["total"] - skipped}


def _cases(cases: list[dict[str, Any]] | None, lang: str) -> list[dict[str, Any]] | None:
    if cases is None:
        return None
    return [dict(c, code=Link(f"/records/cases/{c['code']}?lang={lang}", c["code"])) for c in cases]


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
    details = [
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
        ("Công nghệ", p.get("technologies") or sorted({t for s in p.get("stations", []) for t in s["technologies"]})),
        ("Ghi chú", p.get("notes")),
        ("Phiên bản", p.get("version")),
    ]
    stations = None
    if staff:
        stations = [
            {
                "code": s["station_code"],
                "operator": s["operator"],
                "technologies": s["technologies"],
                "bands": s["bands"],
                "status": STATUS_LABELS.get(s["status"], s["status"]),
                "since": dmy(s.get("commissioning_date")),
                "sectors": len(s.get("sectors") or []),
            }
            for s in p["stations"]
        ]
    permit_rows = None
    if permits is not None:
        permit_rows = [
            dict(
                x,
                holder=x.get("station_code") or "vị trí",
                status=State(x.get("status_name"), x.get("status")),
                valid_until=dmy(x.get("valid_until")),
                issue_date=dmy(x.get("issue_date")),
            )
            for x in permits
        ]
    return render(
        "site.html",
        title=f"Vị trí {code}",
        map_href=f"/maps/stations?lang={lang}" + ("" if lon is None else f"&lat={lat:.6f}&lon={lon:.6f}&z=17"),
        check_href=f"/maps/sites/{code}?lang={lang}",
        details=details,
        stations=stations,
        safety=safety_section(feature),
        permits=permit_rows,
        cases=_cases(p.get("cases"), lang),
        history=history_rows(history),
        staff=staff,
        lang=lang,
        username=username,
        here=here,
    )


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
    details = [
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
            Link(f"/records/outlets/{parent['code']}?lang={lang}", parent.get("name"))
            if isinstance(parent, dict)
            else parent,
        ),
        ("Điện thoại", outlet.get("phone") if staff else None),
        ("Thư điện tử", outlet.get("email") if staff else None),
        ("Ghi chú", outlet.get("notes")),
    ]
    licence_rows = None
    if licences is not None:
        licence_rows = [
            dict(
                x,
                status=State(x.get("status_name"), x.get("status")),
                issue_date=dmy(x.get("issue_date")),
                valid_until=dmy(x.get("valid_until")) or "không thời hạn",
                amendments=len(x.get("amendments") or []),
            )
            for x in licences
        ]
    return render(
        "outlet.html",
        title=outlet.get("name") or code,
        code=code,
        successors=outlet.get("successors") or [],
        predecessors=outlet.get("predecessors") or [],
        details=details,
        licences=licence_rows,
        cases=_cases(outlet.get("cases"), lang),
        history=history_rows(history),
        staff=staff,
        lang=lang,
        username=username,
        here=here,
    )


DEADLINE_NAMES = {"overdue": "quá hạn", "within_deadline": "trong hạn", "suspended": "tạm đình chỉ"}


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
    details = [
        ("Mã hồ sơ", code),
        ("Loại", kind_name),
        ("Ngày nhận", dmy(case["received_on"])),
        ("Kênh tiếp nhận", CHANNEL_NAMES.get(case.get("channel") or "", case.get("channel"))),
        ("Nội dung tóm tắt", case.get("subject")),
        ("Nội dung", case.get("content")),
        ("Trạng thái", case.get("state_name")),
        ("Người xử lý", case.get("handler")),
        ("Đơn vị", case.get("unit")),
        ("Ngày thụ lý", dmy(case.get("accepted_on"))),
        ("Ngày kết luận", dmy(case.get("concluded_on"))),
        ("Số lần gia hạn", case.get("extensions")),
        ("Kết quả", case.get("outcome")),
        ("Vị trí", None if not loc else f"{loc['lat']:.6f}, {loc['lon']:.6f}"),
        ("Hạn hiện tại", dmy(d.get("current_due"))),
        ("Tình trạng hạn", State(DEADLINE_NAMES.get(d.get("status") or ""), d.get("status"))),
    ]
    steps = [
        dict(
            s,
            step=STEP_NAMES.get(s["step"], s["step"]),
            start=dmy(s["start"]),
            due=dmy(s["due"]),
            duration=f"{s['duration']} {UNIT_NAMES.get(s['unit'], s['unit'])}",
        )
        for s in d.get("steps", [])
    ]
    parties = [
        {
            "role": PARTY_ROLE_NAMES.get(p["role"], p["role"]),
            "name": "(bảo mật)" if p.get("confidential") and "name" not in p else p.get("name"),
            "address": p.get("address"),
        }
        for p in case.get("parties", [])
    ]
    links = [
        {"entity": ENTITY_NAMES.get(x["entity"], x["entity"]), "code": _record_of(x["entity"], x["code"], lang)}
        for x in case.get("links", [])
    ]
    moves = [
        dict(t, on=dmy(t["on"]), **{"from": STATE_NAMES.get(t["from"] or ""), "to": STATE_NAMES.get(t["to"], t["to"])})
        for t in case.get("transitions", [])
    ]
    return render(
        "case.html",
        title=f"{kind_name} {code}",
        details=details,
        steps=steps,
        parties=parties,
        links=links,
        moves=moves,
        history=history_rows(history),
        lang=lang,
        username=username,
        here=here,
    )


ENTITY_NAMES = {"site": "Vị trí cột", "press_outlet": "Cơ quan báo chí", "organisation": "Doanh nghiệp"}


def _record_of(entity: str, code: str, lang: str) -> Any:
    if entity == "site":
        return Link(f"/records/sites/{code}?lang={lang}", code)
    if entity == "press_outlet":
        return Link(f"/records/outlets/{code}?lang={lang}", code)
    return code
