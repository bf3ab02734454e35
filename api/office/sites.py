"""Antenna sites in the back office: the list, add one (WGS 84 or VN-2000 X/Y), its record page with
stations, permits and the permit check, correct it, delete it.

Every page calls what the API routes call: ``registry.stations.queries`` and ``api.deps.parse_station_filter``
for the list, the stations service for changes (under the grant the API would give: an inspector may
change a site's status and notes only), ``registry.permits.check.check_site`` for the verdict."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep, SettingsDep, parse_station_filter
from api.office import exports
from api.office.forms import Form, attempt, changed, form_values, posted_version, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps.emf import safety_section
from maps.templating import Link, State, dmy
from registry.accounts.permissions import authorize, can_read_history, rule
from registry.clock import VIETNAM, today
from registry.errors import LimitExceeded, StaleVersion
from registry.organisations.queries import operator_names
from registry.positions import PROVENANCE_NAMES, Provenance
from registry.settings import Settings
from registry.stations import service
from registry.stations.models import PoleClass, Site, SiteStatus, Technology
from registry.stations.queries import SITE_SORTS, StationFilter, commune_choices, site_collection, site_rows
from registry.stations.schemas import SiteCreate, SitePatch
from registry.stations.template import STATUS_LABELS
from registry.stations.views import crs_names, sites_kml
from registry.text import grouped

router = APIRouter(prefix="/office/sites", tags=["Văn phòng"], include_in_schema=False)
SiteCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
HOME = ("/office/sites", "Vị trí và trạm")
IMPORT = ("Nhập tệp của doanh nghiệp", "/office/sites/import")

LABELS = {
    "code": "Mã vị trí",
    "position": "Tọa độ",
    "position.crs": "Hệ tọa độ",
    "position.lon": "Kinh độ",
    "position.lat": "Vĩ độ",
    "position.northing": "X (hướng Bắc)",
    "position.easting": "Y (hướng Đông)",
    "position.provenance": "Nguồn tọa độ",
    "address": "Địa chỉ",
    "commune": "Xã, phường (như nguồn ghi)",
    "pole_class": "Loại cột",
    "pole_height_m": "Chiều cao cột (m)",
    "building_height_m": "Chiều cao công trình đặt cột (m)",
    "ground_elevation_m": "Cao độ mặt đất (m)",
    "owner": "Chủ sở hữu cột",
    "status": "Trạng thái",
    "notes": "Ghi chú",
}
POSITION = tuple(k for k in LABELS if k.startswith("position."))
SITE_STATUSES = [(s.value, STATUS_LABELS[s.value]) for s in SiteStatus]
POLE_CLASSES = [(p.value, p.value) for p in PoleClass]
PROVENANCES = [(p.value, PROVENANCE_NAMES[p]) for p in Provenance]

COLUMNS = (
    Column("code", "Mã vị trí", "code"),
    Column("address", "Địa chỉ", "address"),
    Column("commune", "Xã, phường", "commune"),
    Column("pole_class", "Loại cột", "pole_class"),
    Column("status", "Trạng thái", "status"),
    Column("operators", "Doanh nghiệp"),
    Column("station_count", "Số trạm"),
    Column("updated_at", "Thay đổi lần cuối", "updated_at"),
)
# Exports carry the position and heights too (a spreadsheet is for working on, not only reading).
EXPORT_COLUMNS = (
    *COLUMNS[:4],
    Column("pole_height_m", "Chiều cao cột (m)"),
    Column("building_height_m", "Chiều cao công trình (m)"),
    Column("lon", "Kinh độ (WGS 84)"),
    Column("lat", "Vĩ độ (WGS 84)"),
    Column("owner", "Chủ sở hữu"),
    *COLUMNS[4:],
    Column("technologies", "Công nghệ"),
)


def _num(value: Any) -> str:
    """A stored number as the form shows it: 30.0 as "30", every digit of 2306012.345 kept."""
    if value is None:
        return ""
    if isinstance(value, float):
        r = repr(value)
        return r[:-2] if r.endswith(".0") else r
    return str(value)


# --- the list ------------------------------------------------------------------------------------


def _filter(listing: Listing, settings: Settings) -> StationFilter:
    def words(name: str) -> list[str] | None:
        return listing.selected(name) or None

    return parse_station_filter(
        settings,
        operator=words("operator"),
        technology=words("technology"),
        pole_class=words("pole_class"),
        status=words("status"),
        admin_unit=(listing.selected("admin_unit") or [None])[0],
        q=listing.q or None,
    )


def _problem(listing: Listing, settings: Settings, session: Any, filters: Any) -> Any:
    if "1" not in listing.selected("permit_problem"):
        return None
    from registry.permits.standing import problem_sites

    return problem_sites(session, filters, on=today(), expiring_days=settings.permit_expiring_days)


def _row(r: dict[str, Any]) -> dict[str, Any]:
    updated = r["updated_at"]
    return {
        **r,
        "code": Link(f"/office/sites/{r['code']}", r["code"]),
        "commune": r["commune"] or r["entered_admin_unit"],
        "status": State(STATUS_LABELS.get(r["status"], r["status"]), r["status"]),
        "updated_at": updated.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if isinstance(updated, datetime) else None,
        "lon": float(r["lon"]),
        "lat": float(r["lat"]),
    }


def _listing(request: Request, office: Office, session: Any, settings: Settings) -> tuple[Listing, StationFilter, Any]:
    pg = paging(request, sorts=list(SITE_SORTS), default_sort="code")
    listing = Listing(
        request,
        "vị trí",
        COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("operator", "Doanh nghiệp", operator_names(session)),
            Filter("technology", "Công nghệ", [(t.value, t.value) for t in Technology]),
            Filter("pole_class", "Loại cột", POLE_CLASSES),
            Filter("status", "Trạng thái vị trí", SITE_STATUSES),
            Filter("admin_unit", "Xã, phường", commune_choices(session), many=False),
            Filter("permit_problem", "Giấy phép", [("1", "Có vấn đề giấy phép hôm nay")]),
        ),
        search="Mã, địa chỉ, mã trạm",
    )
    f = _filter(listing, settings)
    extra = _problem(listing, settings, session, f)
    sort = (pg.sort or "code").lstrip("-")
    rows, total = site_rows(
        session, f, sort=sort, descending=(pg.sort or "").startswith("-"), limit=pg.per_page, offset=pg.offset,
        extra=extra,
    )  # fmt: skip
    listing.rows = [_row(r) for r in rows]
    listing.total = total
    query = listing.export_query()
    listing.exports = [(label, f"/office/sites.{fmt}?{query}") for fmt, label in (
        ("csv", "CSV"), ("xlsx", "Excel"), ("geojson", "GeoJSON"), ("kml", "KML"))]  # fmt: skip
    actions = []
    if office.can("sites", "create"):
        actions.append(("Thêm vị trí", "/office/sites/new"))
    if office.can("station_imports", "create"):
        actions.append(IMPORT)
    listing.actions = actions
    return listing, f, extra


@router.get("", dependencies=[Depends(require("office", "read"))], summary="Danh sách vị trí")
def site_list(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    listing, _, _ = _listing(request, office, session, settings)
    return page(office, "list.html", title="Vị trí và trạm", listing=listing)


@router.get(".{fmt}", dependencies=[Depends(require("office", "read"))], summary="Xuất danh sách vị trí")
def site_export(
    fmt: Literal["csv", "xlsx", "geojson", "kml"],
    request: Request,
    office: OfficeDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    listing, f, extra = _listing(request, office, session, settings)
    limit = settings.max_export_rows
    if listing.total > limit:
        raise LimitExceeded(
            f"Có {grouped(listing.total)} vị trí khớp bộ lọc, mỗi lần xuất tối đa {grouped(limit)}; hãy thu hẹp bộ lọc",
            status=413,
            limit=limit,
        )
    sort = (listing.paging.sort or "code").lstrip("-")
    descending = (listing.paging.sort or "").startswith("-")
    name = f"vi-tri-{today():%Y%m%d}"
    if fmt == "geojson":
        body = site_collection(session, f, sort=sort, descending=descending, limit=limit, extra=extra)
        return Response(body, media_type="application/geo+json",
                        headers={"Content-Disposition": f'attachment; filename="{name}.geojson"'})  # fmt: skip
    rows, _ = site_rows(session, f, sort=sort, descending=descending, limit=limit, offset=0, extra=extra)
    shown = [_row(r) for r in rows]
    if fmt == "kml":
        labels = {c.key: c.label for c in EXPORT_COLUMNS if c.key not in ("code", "lon", "lat")}
        plain = [{k: exports.plain(v) for k, v in r.items()} for r in shown]
        return Response(sites_kml(plain, title=f"Vị trí cột ăng ten — {settings.department_name}", labels=labels),
                        media_type="application/vnd.google-earth.kml+xml",
                        headers={"Content-Disposition": f'attachment; filename="{name}.kml"'})  # fmt: skip
    return exports.export(fmt, EXPORT_COLUMNS, shown, name="vi-tri", sheet="Vị trí")  # type: ignore[arg-type]


# --- the form ------------------------------------------------------------------------------------


def _values(site: Site) -> dict[str, Any]:
    """A site as its form shows it: the position as it was entered (its CRS, X = northing)."""
    values: dict[str, Any] = {
        "code": site.code,
        "address": site.address,
        "commune": site.entered_admin_unit,
        "pole_class": site.pole_class,
        "pole_height_m": _num(site.pole_height_m),
        "building_height_m": _num(site.building_height_m),
        "ground_elevation_m": _num(site.ground_elevation_m),
        "owner": site.owner.short_name if site.owner else None,
        "status": site.status,
        "notes": site.notes,
        "position.crs": str(site.source_crs),
        "position.provenance": site.provenance,
    }
    from geo.crs import is_geographic

    if is_geographic(site.source_crs):
        values["position.lon"], values["position.lat"] = _num(site.source_x), _num(site.source_y)
    else:
        values["position.easting"], values["position.northing"] = _num(site.source_x), _num(site.source_y)
    return {k: ("" if v is None else v) for k, v in values.items()}


def _editable(office: Office) -> frozenset[str] | None:
    """The fields this user may change on a site (None: all), as the API's grant says."""
    return authorize(office.principal, "sites", "update").fields


def _form_page(office: Office, form: Form, *, title: str, action: str, back: str, version: int | None = None,
               edit: bool = False) -> Response:  # fmt: skip
    fields = _editable(office) if edit else None
    return page(
        office,
        "site_form.html",
        title=title,
        status=422 if form.refused else 200,
        f=form,
        action=action,
        back=back,
        version=version,
        edit=edit,
        only=fields,
        crs_options=[(str(code), name) for code, name in crs_names().items()],
        statuses=SITE_STATUSES,
        pole_classes=POLE_CLASSES,
        provenances=PROVENANCES,
        crumbs=[HOME],
    )


@router.get("/new", dependencies=[Depends(require("sites", "create"))], summary="Thêm vị trí")
def site_new(office: OfficeDep) -> Response:
    form = Form(labels=LABELS, values={"position.crs": "4326", "status": SiteStatus.operating.value})
    return _form_page(office, form, title="Thêm vị trí", action="/office/sites/new", back=HOME[0])


@router.post("/new", dependencies=[Depends(require("sites", "create"))], summary="Thêm vị trí")
async def site_create(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    form = Form(labels=LABELS, values=form_values(await request.form()))
    return await in_thread(_create, office, session, settings, form)


def _create(office: Office, session: Any, settings: Settings, form: Form) -> Response:
    with attempt(session, form):
        site = service.create_site(session, data=to_model(SiteCreate, form.values), settings=settings)
    if form.refused:
        return _form_page(office, form, title="Thêm vị trí", action="/office/sites/new", back=HOME[0])
    return done(f"/office/sites/{site.code}", "created")


@router.get("/{code}/edit", dependencies=[Depends(require("sites", "update"))], summary="Sửa vị trí")
def site_edit(code: SiteCode, office: OfficeDep, session: SessionDep) -> Response:
    site = service.get_site(session, code=code)
    form = Form(labels=LABELS, values=_values(site))
    return _form_page(office, form, title=f"Sửa vị trí {code}", action=f"/office/sites/{code}/edit",
                      back=f"/office/sites/{code}", version=site.version, edit=True)  # fmt: skip


@router.post("/{code}/edit", dependencies=[Depends(require("sites", "update"))], summary="Sửa vị trí")
async def site_update(
    code: SiteCode, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    posted = await request.form()
    return await in_thread(_update, office, session, settings, code, form_values(posted), posted_version(posted))


def _edits(values: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """What the officer changed: plain fields one by one; the position whole (its CRS and the pair
    typed) and only when any part of it changed."""
    plain = {k: v for k, v in values.items() if k in LABELS and k != "code" and not k.startswith("position")}
    edits = changed(plain, original)
    position = {k: values.get(k, "") for k in POSITION}
    if changed(position, original):
        edits.update({k: v for k, v in position.items() if v != ""})
    return edits


def _update(office: Office, session: Any, settings: Settings, code: str, values: dict[str, Any],
            version: int | None) -> Response:  # fmt: skip
    site = service.get_site(session, code=code)
    original = _values(site)
    current_version = site.version
    form = Form(labels=LABELS, values={**original, **values})
    edits = _edits(values, original)
    if not edits:
        return done(f"/office/sites/{code}", "saved")
    grant = authorize(office.principal, "sites", "update")
    try:
        with attempt(session, form):
            grant.check_fields({k.split(".")[0] for k in edits})
            clear = frozenset(k for k, v in edits.items() if v == "" and not k.startswith("position"))
            service.update_site(session, code=code, data=to_model(SitePatch, edits, clear=clear),
                                expected_version=version, settings=settings)  # fmt: skip
    except StaleVersion:
        return stale_page(office, action=f"/office/sites/{code}/edit", back=f"/office/sites/{code}",
                          labels={k: v for k, v in LABELS.items() if k != "position"}, current=original, mine=values,
                          current_version=current_version, crumbs=[HOME])  # fmt: skip
    if form.refused:
        return _form_page(office, form, title=f"Sửa vị trí {code}", action=f"/office/sites/{code}/edit",
                          back=f"/office/sites/{code}", version=version, edit=True)  # fmt: skip
    return done(f"/office/sites/{code}", "saved")


# --- the record page -----------------------------------------------------------------------------


def _source(p: dict[str, Any]) -> str | None:
    """The position as it was entered, when it was not WGS 84: "VN-2000 TM-3 … : X = …, Y = …"."""
    src = p.get("source") or {}
    crs = src.get("crs")
    if crs in (None, 4326):
        return None
    name = crs_names().get(crs, f"EPSG:{crs}")
    from geo.crs import is_geographic

    if is_geographic(crs):
        return f"{name}: kinh độ {_num(src['x'])}, vĩ độ {_num(src['y'])}"
    return f"{name}: X (Bắc) = {_num(src['y'])}, Y (Đông) = {_num(src['x'])}"


def _details(feature: dict[str, Any]) -> list[tuple[str, Any]]:
    p = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    provenance = (p.get("source") or {}).get("provenance")
    updated = p.get("updated_at")
    return [
        ("Mã vị trí", p["code"]),
        ("Địa chỉ", p.get("address")),
        ("Xã, phường", p.get("commune")),
        ("Xã, phường (như nguồn ghi)", p.get("entered_admin_unit")),
        ("Tọa độ WGS 84 (vĩ độ, kinh độ)", f"{lat:.7f}, {lon:.7f}"),
        ("Tọa độ gốc", _source(p)),
        ("Nguồn tọa độ", PROVENANCE_NAMES.get(Provenance(provenance)) if provenance else None),
        ("Loại cột", p.get("pole_class")),
        ("Chiều cao cột (m)", p.get("pole_height_m")),
        ("Chiều cao công trình đặt cột (m)", p.get("building_height_m")),
        ("Cao độ mặt đất (m)", p.get("ground_elevation_m")),
        ("Chủ sở hữu cột", p.get("owner")),
        ("Trạng thái", State(STATUS_LABELS.get(p["status"], p["status"]), p["status"])),
        ("Ghi chú", p.get("notes")),
        (
            "Thay đổi lần cuối",
            datetime.fromisoformat(updated).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if updated else None,
        ),  # fmt: skip
        ("Phiên bản", p.get("version")),
    ]


def _stations(office: Office, feature: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for s in feature["properties"].get("stations", []):
        out.append(
            {
                "id": s["id"],
                "title": f"{s['operator']} — trạm {s['station_code']}",
                "details": [
                    ("Doanh nghiệp", s["operator"]),
                    ("Mã trạm", s["station_code"]),
                    ("Công nghệ", s["technologies"]),
                    ("Băng tần (MHz)", s["bands"]),
                    ("Trạng thái", State(STATUS_LABELS.get(s["status"], s["status"]), s["status"])),
                    ("Phát sóng từ", dmy(s.get("commissioning_date"))),
                    ("Thiết bị", s.get("equipment_model")),
                    ("Cấu hình", s.get("configuration")),
                ],
                "sectors": s.get("sectors") or [],
                "can_edit": office.can("stations", "update"),
                "can_delete": office.can("stations", "delete"),
            }
        )
    return out


def _permits(session: Any, settings: Settings, code: str) -> list[dict[str, Any]]:
    from registry.permits import service as permits
    from registry.permits.views import permit_dict

    on = today()
    found, _ = permits.list_permits(session, on=on, expiring_days=settings.permit_expiring_days, site_code=code,
                                    station_id=None, kind=None, status=None, limit=500, offset=0)  # fmt: skip
    rows = []
    for permit, state, site_code, station_code in found:
        d = permit_dict(permit, status=state, on=on, site_code=site_code, station_code=station_code)
        rows.append(
            {
                **d,
                "number": Link(f"/office/permits/{d['id']}", d["number"]),
                "holder": f"trạm {station_code}" if station_code else "vị trí",
                "status": State(d["status_name"], d["status"]),
                "issue_date": dmy(d["issue_date"]),
                "valid_until": dmy(d["valid_until"]),
            }
        )
    return rows


def _check(session: Any, settings: Settings, site: Site) -> dict[str, Any]:
    """The permit check the API answers at /api/sites/{code}/permit-check, with each accepted kind's name."""
    from registry.permits.check import check_site
    from registry.permits.models import KIND_NAMES, PermitKind

    check = check_site(session, site, on=today(), settings=settings)
    for need in [*check["required_permits"], *(n for st in check["stations"] for n in st["required_permits"])]:
        need["kind_names"] = [KIND_NAMES[PermitKind(k)] for k in need["accepted_kinds"]]
    return check


def _history(session: Any, office: Office, site: Site) -> dict[str, Any] | None:
    from api.audit import history
    from maps.record_pages import history_rows

    if not can_read_history(office.principal, "site"):
        return None
    grant = authorize(office.principal, "audit", "read")
    return history_rows(history(session, grant, "site", site.id, limit=200, offset=0))


@router.get("/{code}", dependencies=[Depends(require("office", "read"))], summary="Hồ sơ vị trí")
def site_page(code: SiteCode, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    from registry.stations.views import site_record

    site = service.get_site(session, code=code)
    feature = site_record(session, site, office.principal)
    lon, lat = feature["geometry"]["coordinates"]
    cases = None
    if "cases" in feature["properties"] and rule("cases", "read").allows(office.principal.keys):
        cases = [dict(c, code=Link(f"/records/cases/{c['code']}", c["code"]), received_on=dmy(c.get("received_on")))
                 for c in feature["properties"]["cases"]]  # fmt: skip
    return page(
        office,
        "site.html",
        title=f"Vị trí {code}",
        code=code,
        details=_details(feature),
        stations=_stations(office, feature),
        safety=safety_section(feature),
        permits=_permits(session, settings, code) if office.can("permits", "read") else None,
        check=_check(session, settings, site) if office.can("permit_checks", "read") else None,
        cases=cases,
        history=_history(session, office, site),
        map_href=f"/maps/stations?lat={lat:.6f}&lon={lon:.6f}&z=17",
        check_map_href=f"/maps/sites/{code}",
        public_href=f"/records/sites/{code}",
        crumbs=[HOME],
    )


# --- deleting ------------------------------------------------------------------------------------


def _blockers(session: Any, site: Site) -> list[Any]:
    """What keeps a site from being deleted, as the service would say: its stations, its permits."""
    out: list[Any] = []
    if site.stations:
        out.append(f"Vị trí còn {len(site.stations)} trạm gốc; chuyển hoặc xóa các trạm trước:")
        out += [Link(f"/office/stations/{s.id}/edit", f"{s.operator.short_name} — trạm {s.station_code}")
                for s in site.stations]  # fmt: skip
    from registry.permits.service import permits_of

    held = permits_of(session, site_id=site.id)
    if held:
        out.append(f"Vị trí có {len(held)} giấy phép trong hồ sơ; đặt trạng thái «đã tháo dỡ» thay vì xóa:")
        out += [Link(f"/office/permits/{p.id}", p.number) for p in held]
    return out


def _confirm(office: Office, site: Site, blockers: list[Any], status: int = 200) -> Response:
    return page(
        office,
        "confirm.html",
        title=f"Xóa vị trí {site.code}",
        status=status,
        what=f"vị trí {site.code}",
        blockers=blockers,
        action=f"/office/sites/{site.code}/delete",
        back=f"/office/sites/{site.code}",
        version=site.version,
        crumbs=[HOME, (f"/office/sites/{site.code}", site.code)],
    )


@router.get("/{code}/delete", dependencies=[Depends(require("sites", "delete"))], summary="Xóa vị trí")
def site_delete_page(code: SiteCode, office: OfficeDep, session: SessionDep) -> Response:
    site = service.get_site(session, code=code)
    return _confirm(office, site, _blockers(session, site))


@router.post("/{code}/delete", dependencies=[Depends(require("sites", "delete"))], summary="Xóa vị trí")
async def site_delete(code: SiteCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    version = posted_version(await request.form())
    return await in_thread(_delete, office, session, code, version)


def _delete(office: Office, session: Any, code: str, version: int | None) -> Response:
    site = service.get_site(session, code=code)
    form = Form()
    try:
        with attempt(session, form):
            service.delete_site(session, code=code, expected_version=version)
    except StaleVersion:
        form.general.append("Vị trí vừa được người khác sửa; xem lại trước khi xóa.")
    if form.refused:
        session.expire_all()
        site = service.get_site(session, code=code)
        return _confirm(office, site, _blockers(session, site) or [*form.general, *form.errors.values()], 409)
    return done("/office/sites", "deleted")
