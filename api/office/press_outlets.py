"""Press outlets, representative offices and resident correspondents in the back office: the list (the
API's outlet search: with or without diacritics, typos, a domain fragment, a licence number; filters
by kind, status, licence standing and commune; sort; paging; CSV, Excel and GeoJSON of exactly the
filtered rows), add and correct one (the parent of an office or a correspondent picked by code, the
code given by the kind's scheme), cease one with its reason, record a merger, and the record page:
details, parent and branches, succession both ways, licences with their amendments, notifications,
annual reports, cases and history in words.

Every page calls what the API routes of api/press.py call: ``registry.press.views`` (outlet_items,
outlet_collection, outlet_record, licence_records) and ``registry.press.service`` (create_outlet,
update_outlet, merge; cease_outlet is the API's PATCH of the status with the reason kept in the notes)
under the same permissions. Outlets are public, so the list and record pages need the back office's
``read`` (the public is sent to sign in); the forms need press_outlets create or update. The outlet
spreadsheet upload lives in api/office/press_import.py."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api import audit
from api.access import require
from api.deps import SessionDep, SettingsDep
from api.office import exports
from api.office.forms import Form, attempt, changed, form_values, posted_version, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps.record_pages import history_rows
from maps.templating import Link, State, dmy, number
from registry.accounts.permissions import authorize, can_read_history
from registry.clock import VIETNAM, today
from registry.errors import FieldError, LimitExceeded, StaleVersion, ValidationFailed
from registry.press import queries, service
from registry.press.models import (
    BRANCH_KINDS,
    NOTIFICATION_KIND_NAMES,
    OUTLET_KIND_NAMES,
    OUTLET_STATUS_NAMES,
    NotificationKind,
    OutletKind,
    OutletStatus,
)
from registry.press.queries import OUTLET_SORTS, PressFilter
from registry.press.schemas import MergeCreate, OutletCreate, OutletPatch
from registry.press.views import (
    LICENCE_STATUS_NAMES,
    annual_report_records,
    branch_records,
    licence_records,
    outlet_collection,
    outlet_items,
    outlet_record,
)
from registry.settings import Settings
from registry.stations.views import crs_names
from registry.text import grouped

router = APIRouter(tags=["Văn phòng"], include_in_schema=False)
OutletCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
HOME = ("/office/press/outlets", "Báo chí")
READ = [Depends(require("office", "read"))]
HISTORY_ROWS = 200

KINDS = [(k.value, OUTLET_KIND_NAMES[k]) for k in OutletKind]
STATUSES = [(s.value, OUTLET_STATUS_NAMES[s]) for s in OutletStatus]
LICENCE_STANDINGS = [
    (k, LICENCE_STATUS_NAMES[k])
    for k in ("valid", "expiring", "expired", "suspended", "revoked", "not_yet_valid", "none", "not_required")
]
AMENDMENT_LABELS = {
    "number": "Số giấy phép",
    "issuer": "Cơ quan cấp",
    "valid_until": "Hiệu lực đến",
    "conditions": "Điều kiện",
    "notes": "Ghi chú",
    "domains": "Tên miền",
    "outlet.name": "Tên cơ quan",
    "outlet.short_name": "Tên viết tắt",
    "outlet.governing_body": "Cơ quan chủ quản",
    "outlet.head_name": "Người đứng đầu",
    "outlet.head_title": "Chức danh người đứng đầu",
    "outlet.address": "Địa chỉ",
    "outlet.periodicity": "Kỳ hạn xuất bản",
}

LABELS = {
    "code": "Mã",
    "kind": "Loại hình",
    "name": "Tên",
    "short_name": "Tên viết tắt",
    "parent_code": "Thuộc cơ quan báo chí (mã)",
    "governing_body": "Cơ quan chủ quản",
    "head_name": "Người đứng đầu",
    "head_title": "Chức danh",
    "address": "Địa chỉ",
    "position": "Vị trí",
    "position.crs": "Hệ tọa độ",
    "position.lon": "Kinh độ",
    "position.lat": "Vĩ độ",
    "position.northing": "X (hướng Bắc)",
    "position.easting": "Y (hướng Đông)",
    "phone": "Điện thoại",
    "email": "Thư điện tử",
    "domains": "Tên miền",
    "periodicity": "Kỳ hạn xuất bản",
    "languages": "Ngôn ngữ",
    "status": "Trạng thái",
    "notes": "Ghi chú",
}
POSITION = ("position.crs", "position.lon", "position.lat", "position.northing", "position.easting")
PAIRS = POSITION[1:]
LISTED = ("domains", "languages")  # typed as "a.vn, b.vn" and sent as lists

COLUMNS = (
    Column("code", "Mã", "code"),
    Column("name", "Tên", "name"),
    Column("kind", "Loại hình", "kind"),
    Column("parent", "Thuộc cơ quan", "parent"),
    Column("commune", "Xã, phường", "commune"),
    Column("status", "Trạng thái", "status"),
    Column("licence", "Giấy phép", "licence_status"),
    Column("licence_valid_until", "Hiệu lực đến", "licence_valid_until"),
)
EXPORT_COLUMNS = (
    Column("code", "Mã"),
    Column("name", "Tên"),
    Column("short_name", "Tên viết tắt"),
    Column("kind", "Loại hình"),
    Column("parent_code", "Mã cơ quan chủ quản"),
    Column("governing_body", "Cơ quan chủ quản"),
    Column("head_name", "Người đứng đầu"),
    Column("head_title", "Chức danh"),
    Column("address", "Địa chỉ"),
    Column("commune", "Xã, phường"),
    Column("lon", "Kinh độ (WGS 84)"),
    Column("lat", "Vĩ độ (WGS 84)"),
    Column("phone", "Điện thoại"),
    Column("email", "Thư điện tử"),
    Column("domains", "Tên miền"),
    Column("periodicity", "Kỳ hạn xuất bản"),
    Column("status", "Trạng thái"),
    Column("licence", "Tình trạng giấy phép"),
    Column("licence_number", "Số giấy phép"),
    Column("licence_valid_until", "Hiệu lực đến"),
)


# --- the list ------------------------------------------------------------------------------------


def _filter(listing: Listing) -> PressFilter:
    """The list's filters as the API's outlet search takes them (and refuses them: control characters)."""
    q = listing.q.strip()
    if len(q) > 200 or any(ord(ch) < 32 for ch in q):
        raise ValidationFailed(
            "Tham số không hợp lệ", [FieldError("Tối đa 200 ký tự, không có ký tự điều khiển", field="q")]
        )
    known = {"kind": {k for k, _ in KINDS}, "status": {s for s, _ in STATUSES},
             "licence_status": {s for s, _ in LICENCE_STANDINGS}}  # fmt: skip
    for name, allowed in known.items():
        bad = [v for v in listing.selected(name) if v not in allowed]
        if bad:
            error = FieldError(f"Không có giá trị «{bad[0][:40]}»", field=name)
            raise ValidationFailed("Tham số không hợp lệ", [error])
    return PressFilter(
        q=q or None,
        kinds=listing.selected("kind"),
        statuses=listing.selected("status"),
        admin_unit=(listing.selected("admin_unit") or [None])[0],
        licence_statuses=listing.selected("licence_status"),
    )


def _row(item: dict[str, Any]) -> dict[str, Any]:
    """An outlet of outlet_items as a list row (links, states, dates dd/mm/yyyy)."""
    parent = item.get("parent")
    licence = item.get("licence") or {}
    location = item.get("location") or {}
    standing = State(licence["status_name"], licence["status"]) if licence else None
    if licence.get("number") and licence.get("id"):
        standing = State(f"{licence['status_name']} ({licence['number']})", licence["status"])
    return {
        **item,
        "code": Link(f"/office/press/outlets/{item['code']}", item["code"]),
        "kind": item["kind_name"],
        "parent": Link(f"/office/press/outlets/{parent['code']}", parent["name"]) if parent else None,
        "parent_code": parent["code"] if parent else None,
        "status": State(item["status_name"], item["status"]),
        "licence": standing,
        "licence_number": licence.get("number"),
        "licence_valid_until": dmy(licence.get("valid_until")),
        "lon": location.get("lon"),
        "lat": location.get("lat"),
    }


def _listing(request: Request, office: Office, session: Any, settings: Settings) -> tuple[Listing, PressFilter]:
    pg = paging(request, sorts=list(OUTLET_SORTS), default_sort=None)
    listing = Listing(
        request,
        "cơ quan, văn phòng, phóng viên",
        COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("kind", "Loại hình", KINDS),
            Filter("status", "Trạng thái", STATUSES),
            Filter("licence_status", "Tình trạng giấy phép hôm nay", LICENCE_STANDINGS),
            Filter("admin_unit", "Xã, phường", queries.outlet_communes(session), many=False),
        ),
        search="Tên, viết tắt, tên miền, số giấy phép (có hoặc không dấu)",
    )
    f = _filter(listing)
    grant = authorize(office.principal, "press_outlets", "read")
    # By name (without diacritics: Đ among the Ds) unless a search orders by best match.
    sort = pg.sort.lstrip("-") if pg.sort else (None if f.q else "name")
    items, total = outlet_items(session, grant, f, on=today(), days=settings.permit_expiring_days,
                                limit=pg.per_page, offset=pg.offset, sort=sort,
                                descending=bool(pg.sort and pg.sort.startswith("-")))  # fmt: skip
    listing.rows = [_row(i) for i in items]
    listing.total = total
    query = listing.export_query()
    listing.exports = [(label, f"/office/press/outlets.{fmt}?{query}")
                       for fmt, label in (("csv", "CSV"), ("xlsx", "Excel"), ("geojson", "GeoJSON"))]  # fmt: skip
    actions = []
    if office.can("press_outlets", "create"):
        actions.append(("Thêm cơ quan, VPĐD, PVTT", "/office/press/outlets/new"))
    if office.can("press_outlets", "update"):
        actions.append(("Ghi sáp nhập", "/office/press/mergers/new"))
    if office.can("press_imports", "create"):
        actions.append(("Nhập bảng tính", "/office/press/import"))
    listing.actions = actions
    return listing, f


@router.get("/office/press/outlets", dependencies=READ, summary="Danh sách cơ quan báo chí")
def outlet_list(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    listing, f = _listing(request, office, session, settings)
    map_query = listing.export_query()
    return page(office, "outlets.html", title="Cơ quan báo chí, văn phòng đại diện, phóng viên thường trú",
                listing=listing, map_href="/maps/press" + (f"?{map_query}" if map_query else ""))  # fmt: skip


@router.get("/office/press/outlets.{fmt}", dependencies=READ, summary="Xuất danh sách cơ quan báo chí")
def outlet_export(
    fmt: Literal["csv", "xlsx", "geojson"], request: Request, office: OfficeDep, session: SessionDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    import json

    listing, f = _listing(request, office, session, settings)
    limit = settings.max_export_rows
    if listing.total > limit:
        raise LimitExceeded(
            f"Có {grouped(listing.total)} cơ quan khớp bộ lọc, mỗi lần xuất tối đa {grouped(limit)}; "
            "hãy thu hẹp bộ lọc",
            status=413,
            limit=limit,
        )
    grant = authorize(office.principal, "press_outlets", "read")
    sort = listing.paging.sort.lstrip("-") if listing.paging.sort else (None if f.q else "name")
    descending = bool(listing.paging.sort and listing.paging.sort.startswith("-"))
    days = settings.permit_expiring_days
    if fmt == "geojson":
        body = outlet_collection(session, grant, f, on=today(), days=days, limit=limit, sort=sort,
                                 descending=descending)  # fmt: skip
        filename = f"co-quan-bao-chi-{today():%Y%m%d}.geojson"
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/geo+json",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})  # fmt: skip
    items, _ = outlet_items(session, grant, f, on=today(), days=days, limit=limit, offset=0, sort=sort,
                            descending=descending)  # fmt: skip
    rows = [dict(_row(i), licence=(i.get("licence") or {}).get("status_name")) for i in items]
    return exports.export(fmt, EXPORT_COLUMNS, rows, name="co-quan-bao-chi", sheet="Cơ quan báo chí")  # type: ignore[arg-type]


# --- the form ------------------------------------------------------------------------------------


def _num(value: Any) -> str:
    if value is None:
        return ""
    r = repr(float(value))
    return r[:-2] if r.endswith(".0") else r


def _values(outlet: Any) -> dict[str, Any]:
    """An outlet as its form shows it (its place in WGS 84: the register keeps no other)."""
    from geoalchemy2.shape import to_shape

    point = to_shape(outlet.geom) if outlet.geom is not None else None
    values: dict[str, Any] = {
        "code": outlet.code,
        "kind": outlet.kind,
        "name": outlet.name,
        "short_name": outlet.short_name,
        "parent_code": outlet.parent.code if outlet.parent else None,
        "governing_body": outlet.governing_body,
        "head_name": outlet.head_name,
        "head_title": outlet.head_title,
        "address": outlet.address,
        "position.crs": "4326",
        "position.lon": _num(point.x) if point else "",
        "position.lat": _num(point.y) if point else "",
        "position.northing": "",
        "position.easting": "",
        "phone": outlet.phone,
        "email": outlet.email,
        "domains": ", ".join(outlet.domains),
        "periodicity": outlet.periodicity,
        "languages": ", ".join(outlet.languages),
        "status": outlet.status,
        "notes": outlet.notes,
    }
    return {k: ("" if v is None else v) for k, v in values.items()}


def _as_model_values(values: dict[str, Any], *, keep_position: bool = False) -> dict[str, Any]:
    """The form's values as the API's model takes them: lists split, no position when no pair was typed."""
    out = dict(values)
    for name in LISTED:
        if name in out and isinstance(out[name], str):
            out[name] = [p for p in re.split(r"[,;\s]+", out[name]) if p]
    if not keep_position and not any(str(values.get(k) or "").strip() for k in PAIRS):
        for k in POSITION:
            out.pop(k, None)
    return out


def _parent_hint(session: Any, form: Form) -> str:
    code = str(form.value("parent_code")).strip()
    name = queries.outlet_names(session, [code]).get(code) if code else None
    base = "Chỉ với văn phòng đại diện và phóng viên thường trú: mã cơ quan báo chí chủ quản, ví dụ BC-TW-001"
    return f"{base}. Đang chọn: {code} — {name}" if name else base


def _form_page(office: Office, session: Any, form: Form, *, title: str, action: str, back: str,
               version: int | None = None, edit: bool = False) -> Response:  # fmt: skip
    return page(
        office,
        "outlet_form.html",
        title=title,
        status=422 if form.refused else 200,
        f=form,
        action=action,
        back=back,
        version=version,
        edit=edit,
        kinds=KINDS,
        statuses=STATUSES,
        parents=queries.parent_choices(session),
        parent_hint=_parent_hint(session, form),
        crs_options=[(str(code), name) for code, name in crs_names().items()],
        crumbs=[HOME],
    )


@router.get("/office/press/outlets/new", dependencies=[Depends(require("press_outlets", "create"))],
            summary="Thêm cơ quan báo chí")  # fmt: skip
def outlet_new(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values: dict[str, Any] = {"position.crs": "4326", "languages": "vi"}
    kind = request.query_params.get("kind")
    if kind in OUTLET_KIND_NAMES:
        values["kind"] = kind
    parent = request.query_params.get("parent_code")
    if parent and len(parent) <= 40:
        values["parent_code"] = parent
    form = Form(labels=LABELS, values=values)
    return _form_page(office, session, form, title="Thêm cơ quan báo chí, VPĐD, PVTT",
                      action="/office/press/outlets/new", back=HOME[0])  # fmt: skip


@router.post("/office/press/outlets/new", dependencies=[Depends(require("press_outlets", "create"))],
             summary="Thêm cơ quan báo chí")  # fmt: skip
async def outlet_create(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    form = Form(labels=LABELS, values=form_values(await request.form()))
    return await in_thread(_create, office, session, settings, form)


def _create(office: Office, session: Any, settings: Settings, form: Form) -> Response:
    values = {k: v for k, v in form.values.items() if k in LABELS and k != "status"}
    with attempt(session, form):
        outlet = service.create_outlet(session, to_model(OutletCreate, _as_model_values(values)), settings)
    if form.refused:
        return _form_page(office, session, form, title="Thêm cơ quan báo chí, VPĐD, PVTT",
                          action="/office/press/outlets/new", back=HOME[0])  # fmt: skip
    return done(f"/office/press/outlets/{outlet.code}", "created")


@router.get("/office/press/outlets/{code}/edit", dependencies=[Depends(require("press_outlets", "update"))],
            summary="Sửa cơ quan báo chí")  # fmt: skip
def outlet_edit(code: OutletCode, office: OfficeDep, session: SessionDep) -> Response:
    outlet = service.get_outlet(session, code)
    form = Form(labels=LABELS, values=_values(outlet))
    return _form_page(office, session, form, title=f"Sửa {outlet.name}", action=f"/office/press/outlets/{code}/edit",
                      back=f"/office/press/outlets/{code}", version=outlet.version, edit=True)  # fmt: skip


@router.post("/office/press/outlets/{code}/edit", dependencies=[Depends(require("press_outlets", "update"))],
             summary="Sửa cơ quan báo chí")  # fmt: skip
async def outlet_update(
    code: OutletCode, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    posted = await request.form()
    return await in_thread(_update, office, session, settings, code, form_values(posted), posted_version(posted))


def _edits(values: dict[str, Any], original: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """What the officer changed (plain fields one by one, the position whole) and whether the
    position was emptied (sent as null: the outlet has no place any more)."""
    plain = {k: v for k, v in values.items() if k in LABELS and k != "code" and not k.startswith("position")}
    edits = changed(plain, original)
    position = {k: values.get(k, "") for k in POSITION}
    cleared = False
    if changed(position, original):
        if any(str(position[k]).strip() for k in PAIRS):
            edits.update({k: v for k, v in position.items() if v != ""})
        elif any(str(original.get(k) or "").strip() for k in PAIRS):
            cleared = True
    return edits, cleared


def _update(office: Office, session: Any, settings: Settings, code: str, values: dict[str, Any],
            version: int | None) -> Response:  # fmt: skip
    outlet = service.get_outlet(session, code)
    original = _values(outlet)
    current_version = outlet.version
    form = Form(labels=LABELS, values={**original, **values})
    edits, cleared = _edits(values, original)
    if not edits and not cleared:
        return done(f"/office/press/outlets/{code}", "saved")
    try:
        with attempt(session, form):
            clear = {k for k, v in edits.items() if v == "" and not k.startswith("position")}
            if cleared:
                clear.add("position")
            data = to_model(OutletPatch, _as_model_values(edits, keep_position=True), clear=frozenset(clear))
            service.update_outlet(session, code, data, expected_version=version, settings=settings)
    except StaleVersion:
        return stale_page(office, action=f"/office/press/outlets/{code}/edit", back=f"/office/press/outlets/{code}",
                          labels={k: v for k, v in LABELS.items() if k != "position"}, current=original, mine=values,
                          current_version=current_version, crumbs=[HOME])  # fmt: skip
    if form.refused:
        return _form_page(office, session, form, title=f"Sửa {outlet.name}",
                          action=f"/office/press/outlets/{code}/edit", back=f"/office/press/outlets/{code}",
                          version=version, edit=True)  # fmt: skip
    return done(f"/office/press/outlets/{code}", "saved")


# --- ceasing ---------------------------------------------------------------------------------------

CEASE_LABELS = {"on": "Chấm dứt hoạt động từ ngày", "reason": "Lý do"}


def _cease_page(office: Office, session: Any, outlet: Any, form: Form, *, status: int = 200) -> Response:
    active = [b for b in queries.branches_of(session, outlet) if b.status == OutletStatus.active.value]
    return page(
        office,
        "outlet_cease.html",
        title=f"Chấm dứt hoạt động: {outlet.name}",
        status=status,
        f=form,
        code=outlet.code,
        version=outlet.version,
        ended=outlet.status in (OutletStatus.ceased.value, OutletStatus.merged.value),
        status_name=OUTLET_STATUS_NAMES[OutletStatus(outlet.status)],
        branches=[Link(f"/office/press/outlets/{b.code}", f"{b.code} — {b.name}") for b in active],
        crumbs=[HOME, (f"/office/press/outlets/{outlet.code}", outlet.code)],
    )


@router.get("/office/press/outlets/{code}/cease", dependencies=[Depends(require("press_outlets", "update"))],
            summary="Chấm dứt hoạt động")  # fmt: skip
def outlet_cease_form(code: OutletCode, office: OfficeDep, session: SessionDep) -> Response:
    outlet = service.get_outlet(session, code)
    return _cease_page(office, session, outlet, Form(labels=CEASE_LABELS, values={"on": dmy(today())}))


@router.post("/office/press/outlets/{code}/cease", dependencies=[Depends(require("press_outlets", "update"))],
             summary="Chấm dứt hoạt động")  # fmt: skip
async def outlet_cease(
    code: OutletCode, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    posted = await request.form()
    return await in_thread(_cease, office, session, settings, code, form_values(posted), posted_version(posted))


def _cease(office: Office, session: Any, settings: Settings, code: str, values: dict[str, Any],
           version: int | None) -> Response:  # fmt: skip
    from pydantic import TypeAdapter

    from registry.schemas import Day

    form = Form(labels=CEASE_LABELS, values=values)
    try:
        with attempt(session, form):
            try:
                on = TypeAdapter(Day).validate_python(values.get("on") or "")
            except Exception as exc:  # noqa: BLE001 - a pydantic error: the day's field names it
                raise ValidationFailed("Dữ liệu không hợp lệ", [FieldError(_day_error(exc), field="on")]) from exc
            service.cease_outlet(session, code, on=on, reason=str(values.get("reason") or ""),
                                 expected_version=version, settings=settings)  # fmt: skip
    except StaleVersion:
        form.general.append("Hồ sơ vừa được người khác sửa; xem lại rồi ghi lại.")
    if form.refused:
        session.expire_all()
        return _cease_page(office, session, service.get_outlet(session, code), form, status=422)
    return done(f"/office/press/outlets/{code}", "saved")


def _day_error(exc: Exception) -> str:
    from pydantic import ValidationError

    from api.errors import message_for

    if isinstance(exc, ValidationError) and exc.errors():
        return message_for(exc.errors()[0])
    return "Ngày không hợp lệ (dd/mm/yyyy)"


# --- mergers -------------------------------------------------------------------------------------

MERGE_LABELS = {
    "predecessors": "Các cơ quan sáp nhập (mã)",
    "successor_code": "Cơ quan kế tục (mã, đã có trong sổ)",
    "successor.kind": "Loại hình cơ quan kế tục mới",
    "successor.name": "Tên cơ quan kế tục mới",
    "successor.code": "Mã cơ quan kế tục mới",
    "kind": "Hình thức",
    "effective_date": "Ngày hiệu lực",
    "decision": "Quyết định",
}
MERGE_KINDS = [("merged", "Sáp nhập, hợp nhất"), ("renamed", "Đổi tên")]


def _merger_page(office: Office, session: Any, form: Form, *, status: int = 200) -> Response:
    codes = [c for c in re.split(r"[,;\s]+", str(form.value("predecessors"))) if c]
    successor = str(form.value("successor_code")).strip()
    names = queries.outlet_names(session, [*codes, successor])
    chosen = [(c, names.get(c)) for c in codes]
    return page(
        office,
        "press_merger_form.html",
        title="Ghi sáp nhập cơ quan báo chí",
        status=status,
        f=form,
        kinds=MERGE_KINDS,
        outlet_kinds=[(k, n) for k, n in KINDS if OutletKind(k) not in BRANCH_KINDS],
        parents=queries.parent_choices(session),
        chosen=chosen,
        successor_name=names.get(successor),
        crumbs=[HOME],
    )


@router.get("/office/press/mergers/new", dependencies=[Depends(require("press_outlets", "update"))],
            summary="Ghi sáp nhập")  # fmt: skip
def merger_new(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = {"kind": "merged", "effective_date": dmy(today())}
    pre = request.query_params.get("predecessors")
    if pre and len(pre) <= 400:
        values["predecessors"] = pre
    return _merger_page(office, session, Form(labels=MERGE_LABELS, values=values))


@router.post("/office/press/mergers/new", dependencies=[Depends(require("press_outlets", "update"))],
             summary="Ghi sáp nhập")  # fmt: skip
async def merger_create(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    form = Form(labels=MERGE_LABELS, values=form_values(await request.form()))
    return await in_thread(_merge, office, session, settings, form)


def _merge(office: Office, session: Any, settings: Settings, form: Form) -> Response:
    values = dict(form.values)
    values["predecessors"] = [c for c in re.split(r"[,;\s]+", str(values.get("predecessors") or "")) if c]
    with attempt(session, form):
        successor = service.merge(session, to_model(MergeCreate, values), settings)
    if form.refused:
        return _merger_page(office, session, form, status=422)
    return done(f"/office/press/outlets/{successor.code}", "saved")


# --- the record page -----------------------------------------------------------------------------


def _when(iso: str | None) -> str | None:
    from datetime import datetime

    return datetime.fromisoformat(iso).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if iso else None


def _details(rec: dict[str, Any]) -> list[tuple[str, Any]]:
    parent = rec.get("parent")
    location = rec.get("location")
    licence = rec.get("licence")
    successors = rec.get("successors") or []
    rows: list[tuple[str, Any]] = [
        ("Mã", rec["code"]),
        ("Tên", rec.get("name")),
        ("Tên viết tắt", rec.get("short_name")),
        ("Loại hình", rec.get("kind_name")),
        ("Trạng thái", State(rec["status_name"], rec["status"])),
    ]
    for s in successors:  # the successor right under the status: where this outlet went
        verb = "Đã đổi tên thành" if s["kind"] == "renamed" else "Đã sáp nhập vào"
        rows.append((verb, Link(f"/office/press/outlets/{s['code']}", f"{s['code']} — {s['name']}")))
    rows += [
        (
            "Thuộc cơ quan",
            Link(f"/office/press/outlets/{parent['code']}", f"{parent['code']} — {parent['name']}") if parent else None,
        ),  # fmt: skip
        ("Cơ quan chủ quản", rec.get("governing_body")),
        ("Người đứng đầu", " — ".join(x for x in (rec.get("head_name"), rec.get("head_title")) if x) or None),
        ("Địa chỉ", rec.get("address")),
        ("Xã, phường", rec.get("commune")),
        ("Tọa độ WGS 84 (vĩ độ, kinh độ)", f"{location['lat']:.6f}, {location['lon']:.6f}" if location else None),
        ("Điện thoại", rec.get("phone")),
        ("Thư điện tử", rec.get("email")),
        ("Tên miền", rec.get("domains")),
        ("Kỳ hạn xuất bản", rec.get("periodicity")),
        ("Ngôn ngữ", rec.get("languages")),
    ]
    if licence is not None:
        standing = State(licence["status_name"], licence["status"])
        rows.append(("Giấy phép hôm nay", standing))
    rows += [("Ghi chú", rec.get("notes")), ("Phiên bản", rec.get("version"))]
    return rows


def _licences(office: Office, session: Any, settings: Settings, outlet: Any) -> list[dict[str, Any]] | None:
    if not office.can("press_licences", "read"):
        return None
    out = []
    for lic in licence_records(session, outlet, expiring_days=settings.permit_expiring_days, on=today()):
        out.append(
            {
                **lic,
                "number": Link(f"/office/press/licences/{lic['id']}", lic["number"]),
                "status": State(lic["status_name"], lic["status"]),
                "issue_date": dmy(lic.get("issue_date")),
                "valid_until": dmy(lic.get("valid_until")) or "không thời hạn",
                "amendments": [
                    {
                        "title": f"Lần {a['amendment_no']}: {a['decision_number']} ngày {dmy(a['decided_on'])}",
                        "reason": a.get("reason"),
                        "changes": [
                            (AMENDMENT_LABELS.get(k, k), _amended(k, c["before"]), _amended(k, c["after"]))
                            for k, c in a["changes"].items()
                        ],
                    }
                    for a in lic["amendments"]
                ],
            }
        )
    return out


def _amended(key: str, value: Any) -> Any:
    if key == "valid_until" and isinstance(value, str):
        return dmy(value)
    return value


def _lead(value: Any, unit: str | None) -> str | None:
    """A lead time in words: "14 ngày", "23,5 giờ"."""
    if value is None:
        return None
    return f"{number(float(value))} {'ngày' if unit == 'days' else 'giờ'}"


def _notifications(office: Office, session: Any, outlet: Any) -> list[dict[str, Any]] | None:
    if not office.can("press_notifications", "read"):
        return None
    rows = []
    for n in queries.notifications(session, outlet_id=outlet.id):
        late = n.get("late")
        rows.append(
            {
                **n,
                "kind": NOTIFICATION_KIND_NAMES.get(NotificationKind(n["kind"]), n["kind"]),
                "subject": Link(f"/office/press/notifications/{n['id']}", n["subject"]),
                "filed_at": _when(n["filed_at"]),
                "event_at": _when(n["event_at"]),
                "lead": _lead(n.get("lead"), n.get("unit")),
                "need": _lead(n.get("min_lead"), n.get("unit")),
                "late": None if late is None else State("nộp muộn" if late else "đúng hạn", "late" if late else "ok"),
            }
        )
    return rows


def _history(session: Any, office: Office, outlet: Any) -> dict[str, Any] | None:
    if not can_read_history(office.principal, "press_outlet"):
        return None
    grant = authorize(office.principal, "audit", "read")
    return history_rows(audit.history(session, grant, "press_outlet", outlet.id, limit=HISTORY_ROWS, offset=0))


def _succession_rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": Link(f"/office/press/outlets/{s['code']}", s["code"]),
            "name": s["name"],
            "kind": "đổi tên" if s["kind"] == "renamed" else "sáp nhập",
            "effective_date": dmy(s["effective_date"]),
            "decision": s.get("decision"),
        }
        for s in items
    ]


@router.get("/office/press/outlets/{code}", dependencies=READ, summary="Hồ sơ cơ quan báo chí")
def outlet_page(code: OutletCode, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    outlet = service.get_outlet(session, code)
    grant = authorize(office.principal, "press_outlets", "read")
    rec = outlet_record(session, outlet, grant, expiring_days=settings.permit_expiring_days)
    cases = None
    if "cases" in rec and office.can("cases", "read"):
        from registry.cases.vocabulary import KIND_NAMES, STATE_NAMES, CaseKind, CaseState

        cases = [dict(c, code=Link(f"/records/cases/{c['code']}", c["code"]), received_on=dmy(c.get("received_on")),
                      kind=KIND_NAMES.get(CaseKind(c["kind"]), c["kind"]),
                      state_name=STATE_NAMES.get(CaseState(c["state"]), c["state"]))
                 for c in rec["cases"]]  # fmt: skip
    branches = [
        {
            "code": Link(f"/office/press/outlets/{b['code']}", b["code"]),
            "name": b["name"],
            "kind": b["kind_name"],
            "commune": b.get("commune"),
            "status": State(b["status_name"], b["status"]),
        }
        for b in branch_records(session, outlet)
    ]
    reports = None
    if outlet.kind == OutletKind.general_website.value and office.can("press_licences", "read"):
        reports = [dict(r, filed_on=dmy(r["filed_on"])) for r in annual_report_records(session, outlet)]
    location = rec.get("location")
    live = outlet.status in (OutletStatus.active.value, OutletStatus.suspended.value)
    return page(
        office,
        "outlet.html",
        title=f"{outlet.name}",
        code=code,
        kind=outlet.kind,
        live=live,
        branch_kind=OutletKind(outlet.kind) in BRANCH_KINDS,
        details=_details(rec),
        successors=_succession_rows(rec.get("successors") or []),
        predecessors=_succession_rows(rec.get("predecessors") or []),
        branches=branches,
        licences=_licences(office, session, settings, outlet),
        notifications=_notifications(office, session, outlet),
        reports=reports,
        cases=cases,
        history=_history(session, office, outlet),
        map_href=f"/maps/press?{_query(q=outlet.name)}" if location else None,
        public_href=f"/records/outlets/{code}",
        crumbs=[HOME],
    )


def _query(**params: str) -> str:
    from urllib.parse import urlencode

    return urlencode(params)
