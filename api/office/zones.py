"""Planning zones and spacing rules in the back office: the list of zones with its exports (CSV,
Excel, and the filtered zones as GeoJSON or KML), the upload of a GeoJSON/KML file with a dry run
first, a zone's page (its outline on a small map, the sites inside it, its own spacing rules, its
history in words), its edit and deletion; the list of spacing rules, a new one, edit, delete.

Every page calls what the API routes of api/zones.py call (registry.zones.service, .importer,
.views) under the same permissions; zones are public planning documents, so their list and record
pages need the back office's ``read`` (the public is sent to sign in), and changes the zones' own
create/update/delete. Field names are the API's (ZonePatch, SpacingRuleCreate, SpacingRulePatch).

The upload: a dry run reads the file and checks every feature without writing; when it passes, the
file's bytes are kept on the server (``settings.data_dir/uploads/zones``, a random id bound to the
user, kept by api/office/uploads.py, deleted once imported) so "Nhập" imports exactly the file that
was checked without choosing it again. The import checks it all once more."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api import audit
from api.access import require
from api.deps import SessionDep, SettingsDep, read_upload
from api.errors import message_for
from api.office import exports, uploads
from api.office.forms import Form, attempt, changed, form_values, posted_version, to_model, uploaded
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps import assets
from maps.record_pages import history_rows
from maps.templating import Link, State, dmy, number
from registry.accounts.permissions import can_read_history
from registry.clock import today
from registry.errors import LimitExceeded, RegistryError, StaleVersion, ValidationFailed
from registry.zones import queries, service
from registry.zones.importer import import_zones
from registry.zones.models import KIND_NAMES, ZoneKind
from registry.zones.queries import ZONE_SORTS, ZoneFilter
from registry.zones.schemas import SpacingRuleCreate, SpacingRulePatch, ZonePatch
from registry.zones.views import import_problems, kind_name, spacing_record, zones_kml

router = APIRouter(tags=["Văn phòng"], include_in_schema=False)
ZoneCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
RuleId = Annotated[int, Path(ge=1, le=2**31 - 1)]
HOME = ("/office/zones", "Quy hoạch")
RULES = ("/office/spacing-rules", "Khoảng cách giữa cột cồng kềnh")
READ = [Depends(require("office", "read"))]
SITES_SHOWN = 200
HISTORY_ROWS = 200

KINDS = [(k.value, KIND_NAMES[k]) for k in ZoneKind]
CLASSES = [(c, c) for c in ("A1", "A1a", "A1b", "A1c", "A2", "A2a", "A2b", "A2c")]
URBAN = [("true", "Đô thị"), ("false", "Ngoài đô thị")]
URBAN_WORDS = {True: "Đô thị", False: "Ngoài đô thị", None: "Theo đơn vị hành chính"}

ZONE_LABELS = {
    "name": "Tên vùng",
    "kind": "Loại vùng",
    "allowed_pole_classes": "Loại cột được phép",
    "max_height_m": "Chiều cao cột tối đa (m)",
    "urban": "Đô thị hay ngoài đô thị",
    "source_decision": "Căn cứ pháp lý (quyết định phê duyệt)",
    "valid_from": "Hiệu lực từ ngày",
    "valid_to": "Hết hiệu lực từ ngày",
    "notes": "Ghi chú",
}
ZONE_DATES = ("valid_from", "valid_to")
ZONE_COLUMNS = (
    Column("code", "Mã vùng", "code"),
    Column("name", "Tên vùng", "name"),
    Column("kind_name", "Loại vùng", "kind"),
    Column("allowed_pole_classes", "Loại cột được phép"),
    Column("max_height_m", "Cao tối đa (m)", "max_height_m"),
    Column("urban_name", "Đô thị"),
    Column("valid_from", "Hiệu lực từ", "valid_from"),
    Column("valid_to", "Hết hiệu lực từ", "valid_to"),
    Column("standing", "Hôm nay"),
)

RULE_LABELS = {
    "zone_code": "Vùng quy hoạch",
    "pole_class": "Loại cột",
    "height_above_m": "Chiều cao cột trên (m)",
    "height_up_to_m": "Chiều cao cột đến hết (m)",
    "urban": "Áp dụng cho",
    "min_distance_m": "Khoảng cách tối thiểu (m)",
    "legal_basis": "Căn cứ pháp lý",
    "effective_from": "Hiệu lực từ ngày",
    "effective_to": "Hết hiệu lực từ ngày",
}
RULE_DATES = ("effective_from", "effective_to")
RULE_CLASSES = [(c, c) for c in ("A2", "A2a", "A2b", "A2c")]
RULE_URBAN = [("true", "Chỉ đô thị"), ("false", "Chỉ ngoài đô thị")]
RULE_COLUMNS = (
    Column("id", "Số hiệu", "id"),
    Column("zone", "Vùng quy hoạch", "zone"),
    Column("pole_class", "Loại cột", "pole_class"),
    Column("band", "Chiều cao cột"),
    Column("urban_name", "Áp dụng cho"),
    Column("min_distance_m", "Khoảng cách tối thiểu (m)", "min_distance_m"),
    Column("effective_from", "Hiệu lực từ", "effective_from"),
    Column("effective_to", "Hết hiệu lực từ", "effective_to"),
    Column("legal_basis", "Căn cứ pháp lý"),
    Column("new_version", "Giá trị mới"),
)


def _num(value: Any) -> str:
    """A number as a form shows it: 18, not 18.0."""
    if value is None:
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _bool_text(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _standing(valid_from: Any, valid_to: Any) -> State:
    on = today()
    if valid_from is not None and valid_from > on:
        return State("Chưa có hiệu lực", "expiring")
    if valid_to is not None and valid_to <= on:
        return State("Hết hiệu lực", "expired")
    return State("Đang có hiệu lực", "valid")


# --- the list of zones and its exports -------------------------------------------------------------


def _zone_listing(request: Request, office: Office, session: Any) -> tuple[Listing, ZoneFilter, str]:
    pg = paging(request, sorts=list(ZONE_SORTS), default_sort="code")
    listing = Listing(
        request,
        "vùng quy hoạch",
        ZONE_COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("kind", "Loại vùng", KINDS),
            Filter("urban", "Đô thị", [("yes", "Đô thị"), ("no", "Ngoài đô thị"), ("unset", "Theo đơn vị hành chính")]),
            Filter("in_force", "Hiệu lực hôm nay", [("yes", "Đang có hiệu lực"), ("no", "Chưa có hoặc hết hiệu lực")]),
        ),
        search="Mã hoặc tên vùng (có hoặc không dấu)",
    )
    known = {k for k, _ in KINDS}
    f = ZoneFilter(
        kinds=[k for k in listing.selected("kind") if k in known],
        urban=listing.selected("urban"),
        in_force=listing.selected("in_force"),
        q=listing.q[:200],
    )
    return listing, f, pg.sort or "code"


def _zone_row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **r,
        "code": Link(f"/office/zones/{r['code']}", r["code"]),
        "kind_name": kind_name(r["kind"]),
        "allowed_pole_classes": r["allowed_pole_classes"] or "Mọi loại",
        "urban_name": URBAN_WORDS[r["urban"]],
        "valid_from": dmy(r["valid_from"]),
        "valid_to": dmy(r["valid_to"]),
        "standing": _standing(r["valid_from"], r["valid_to"]),
    }


@router.get("/office/zones", dependencies=READ, summary="Danh sách vùng quy hoạch")
def zone_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, f, sort = _zone_listing(request, office, session)
    pg = listing.paging
    rows, listing.total = queries.zone_rows(session, f, sort=sort, limit=pg.per_page, offset=pg.offset)
    listing.rows = [_zone_row(r) for r in rows]
    query = listing.export_query()
    listing.exports = [
        (label, f"/office/zones.{fmt}?{query}")
        for fmt, label in (("csv", "CSV"), ("xlsx", "Excel"), ("geojson", "GeoJSON"), ("kml", "KML"))
    ]
    if office.can("zones", "create"):
        listing.actions = [("Nhập vùng từ tệp GeoJSON hoặc KML", "/office/zones/import")]
    listing.actions = [*listing.actions, ("Quy tắc khoảng cách giữa cột", RULES[0])]
    return page(office, "zones.html", title="Vùng quy hoạch hạ tầng viễn thông", listing=listing)


@router.get("/office/zones.{fmt}", dependencies=READ, summary="Xuất vùng quy hoạch")
def zone_export(
    fmt: Literal["csv", "xlsx", "geojson", "kml"], request: Request, office: OfficeDep, session: SessionDep
) -> Response:
    _, f, sort = _zone_listing(request, office, session)
    name = f"vung-quy-hoach-{today():%Y%m%d}"
    if fmt in ("geojson", "kml"):
        collection = queries.zone_features(session, f, sort=sort)
        if fmt == "geojson":
            body = json.dumps(collection, ensure_ascii=False).encode("utf-8")
            media = "application/geo+json"
        else:
            body = zones_kml(collection, title="Vùng quy hoạch hạ tầng viễn thông")
            media = "application/vnd.google-earth.kml+xml"
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
    rows, _ = queries.zone_rows(session, f, sort=sort)
    table = [{**_zone_row(r), "area_km2": r["area_km2"], "source_decision": r["source_decision"]} for r in rows]
    columns = (*ZONE_COLUMNS, Column("area_km2", "Diện tích (km²)"), Column("source_decision", "Căn cứ pháp lý"))
    return exports.export(fmt, columns, table, name="vung-quy-hoach", sheet="Vùng quy hoạch")


# --- the upload: a dry run first, then the import of the same bytes -----------------------------------


def _import_page(office: Office, form: Form, *, status: int = 200, **context: Any) -> Response:
    context = {"report": None, "problems": None, "key": None, "filename": None, "done_report": None, **context}
    return page(
        office,
        "zone_import.html",
        title="Nhập vùng quy hoạch từ tệp",
        status=status,
        f=form,
        crumbs=[HOME],
        **context,
    )


IMPORT_LABELS = {"file": "Tệp GeoJSON hoặc KML"}
# A property of a file's feature as the problems table names it: its name in the file, then in words.
IMPORT_PROPERTIES = {"code": "Mã vùng", "geometry": "Ranh giới", **ZONE_LABELS}


@router.get("/office/zones/import", dependencies=[Depends(require("zones", "create"))], summary="Nhập vùng quy hoạch")
def zone_import_form(office: OfficeDep) -> Response:
    return _import_page(office, Form(labels=IMPORT_LABELS))


@router.post("/office/zones/import", dependencies=[Depends(require("zones", "create"))], summary="Nhập vùng quy hoạch")
async def zone_import(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    posted = await request.form()
    try:
        key = posted.get("upload")
        if posted.get("action") == "import" and isinstance(key, str):
            return await in_thread(_import_kept, office, session, settings, key)
        return await in_thread(_dry_run, office, session, settings, uploaded(posted))
    finally:
        await posted.close()  # the spooled upload: its bytes were read by then


def _dry_run(office: Office, session: Any, settings: Any, file: Any) -> Response:
    form = Form(labels=IMPORT_LABELS)
    if file is None:
        form.errors["file"] = "Hãy chọn tệp .geojson hoặc .kml"
        return _import_page(office, form, status=422)
    filename = file.filename or ""
    try:
        data = read_upload(file, settings)
    except RegistryError as exc:
        form.refuse(exc)
        return _import_page(office, form, status=exc.status)
    return _checked(office, session, settings, form, data, filename)


def _checked(office: Office, session: Any, settings: Any, form: Form, data: bytes, filename: str) -> Response:
    """The dry run (what POST /api/zones/import?dry_run=true does) and its page."""
    try:
        with session.begin_nested():
            report = import_zones(session, data, filename, dry_run=True, settings=settings, explain=message_for)
    except ValidationFailed as exc:
        # Errors of a feature go to the table; those of the whole file (not GeoJSON, no zone …) by its field.
        of_features = [e for e in exc.errors if e.row is not None]
        of_file = [e for e in exc.errors if e.row is None]
        if of_file or not of_features:
            form.refuse(ValidationFailed(exc.detail, of_file))
        else:
            form.general.append(exc.detail)
        problems = [
            {**p, "column": f"{p['column']} · {IMPORT_PROPERTIES[p['column']]}"}
            if p["column"] in IMPORT_PROPERTIES
            else p
            for p in import_problems(of_features, data, filename)
        ]
        return _import_page(office, form, status=422, problems=problems, filename=filename)
    except LimitExceeded as exc:
        form.general.append(exc.detail)
        return _import_page(office, form, status=exc.status, filename=filename)
    key = uploads.keep(settings, "zones", office, data, filename)
    return _import_page(office, form, report=report, key=key, filename=filename)


def _import_kept(office: Office, session: Any, settings: Any, key: str) -> Response:
    form = Form(labels=IMPORT_LABELS)
    kept = uploads.kept(settings, "zones", office, key)
    if kept is None:
        form.errors["file"] = f"Tệp đã kiểm tra không còn được giữ (quá {uploads.KEEP_MINUTES} phút); hãy chọn lại tệp"
        return _import_page(office, form, status=422)
    data, filename = kept
    with attempt(session, form):
        report = import_zones(session, data, filename, settings=settings, explain=message_for)
    if form.refused:  # the registry changed since the dry run: check the file again and show why
        return _checked(office, session, settings, Form(labels=IMPORT_LABELS), data, filename)
    uploads.drop(settings, "zones", key)
    return _import_page(office, form, done_report=report, filename=filename)


# --- one zone: its page, edit, delete --------------------------------------------------------------


def _history(session: Any, office: Office, entity: str, entity_id: int) -> dict[str, Any] | None:
    if not can_read_history(office.principal, entity):
        return None
    from registry.accounts.permissions import authorize

    grant = authorize(office.principal, "audit", "read")
    return history_rows(audit.history(session, grant, entity, entity_id, limit=HISTORY_ROWS, offset=0))


def _rule_row(rule: dict[str, Any], *, editable: bool) -> dict[str, Any]:
    above, upto = rule.get("height_above_m"), rule.get("height_up_to_m")
    if above is None and upto is None:
        band = "Mọi chiều cao"
    else:
        band = " ".join(
            x for x in (f"trên {number(above)} m" if above is not None else "",
                        f"đến hết {number(upto)} m" if upto is not None else "") if x
        )  # fmt: skip
    zone = rule.get("zone_code")
    return {
        **rule,
        "id": Link(f"/office/spacing-rules/{rule['id']}/edit", f"#{rule['id']}") if editable else rule["id"],
        "zone": Link(f"/office/zones/{zone}", zone) if zone else "Áp dụng chung",
        "band": band,
        "urban_name": {True: "Đô thị", False: "Ngoài đô thị", None: "Đô thị và ngoài đô thị"}[rule.get("urban")],
        "effective_from": dmy(rule.get("effective_from")),
        "effective_to": dmy(rule.get("effective_to")),
        "new_version": Link(f"/office/spacing-rules/{rule['id']}/new-version", "Từ một ngày")
        if editable and rule.get("effective_to") is None
        else None,
    }


@router.get("/office/zones/{code}", dependencies=READ, summary="Vùng quy hoạch")
def zone_page(code: ZoneCode, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    zone = service.get_zone(session, code)
    feature = service.zone_feature(session, zone)  # what GET /api/zones/{code} answers
    p = feature["properties"]
    details = [
        ("Mã vùng", p["code"]),
        (ZONE_LABELS["name"], p["name"]),
        (ZONE_LABELS["kind"], kind_name(p["kind"])),
        (ZONE_LABELS["allowed_pole_classes"], p["allowed_pole_classes"] or "Mọi loại cột"),
        (ZONE_LABELS["max_height_m"], p["max_height_m"]),
        (ZONE_LABELS["urban"], URBAN_WORDS[p["urban"]]),
        (ZONE_LABELS["source_decision"], p["source_decision"]),
        (ZONE_LABELS["valid_from"], dmy(p["valid_from"])),
        (ZONE_LABELS["valid_to"], dmy(p["valid_to"])),
        ("Hôm nay", _standing(zone.valid_from, zone.valid_to)),
        ("Diện tích (km²)", p["area_km2"]),
        (ZONE_LABELS["notes"], p["notes"]),
        ("Phiên bản", p["version"]),
    ]
    sites, site_total = queries.sites_in_zone(session, zone.id, limit=SITES_SHOWN)
    site_rows = [{**s, "code": Link(f"/office/sites/{s['code']}", s["code"])} for s in sites]
    editable = office.can("zones", "update")
    rules = [_rule_row(r, editable=editable) for r in p["spacing_rules"]]
    return page(
        office,
        "zone.html",
        title=f"Vùng quy hoạch {p['code']} — {p['name']}",
        zone=p,
        details=details,
        sites=site_rows,
        site_total=site_total,
        rules=rules,
        rule_columns=[(c.label, c.key) for c in RULE_COLUMNS if c.key != "zone"],
        history=_history(session, office, "planning_zone", zone.id),
        map_data={"geometry": feature["geometry"], "tiles": settings.map_tiles_url, "name": p["name"]},
        map_href=_map_href(feature["geometry"]),
        leaflet_css=assets.LEAFLET_CSS,
        leaflet_js=assets.LEAFLET_JS,
        crumbs=[HOME],
    )


def _map_href(geometry: dict[str, Any]) -> str:
    """The stations' map centred on the zone (the middle of its bounding box)."""
    points = [pt for polygon in geometry["coordinates"] for ring in polygon for pt in ring]
    lons, lats = [pt[0] for pt in points], [pt[1] for pt in points]
    return f"/maps/stations?lat={(min(lats) + max(lats)) / 2:.6f}&lon={(min(lons) + max(lons)) / 2:.6f}&z=14"


def _zone_values(zone: Any) -> dict[str, Any]:
    """A zone as its form shows it (dates dd/mm/yyyy, numbers without a trailing .0)."""
    return {
        "name": zone.name,
        "kind": zone.kind,
        "allowed_pole_classes": list(zone.allowed_pole_classes or []),
        "max_height_m": _num(zone.max_height_m),
        "urban": _bool_text(zone.urban),
        "source_decision": zone.source_decision or "",
        "valid_from": dmy(zone.valid_from) or "",
        "valid_to": dmy(zone.valid_to) or "",
        "notes": zone.notes or "",
    }


def _zone_form(office: Office, form: Form, *, code: str, version: int | None) -> Response:
    return page(
        office,
        "zone_form.html",
        title=f"Sửa vùng quy hoạch {code}",
        status=422 if form.refused else 200,
        f=form,
        action=f"/office/zones/{code}/edit",
        version=version,
        back=f"/office/zones/{code}",
        kinds=KINDS,
        classes=CLASSES,
        urban=URBAN,
        crumbs=[HOME, (f"/office/zones/{code}", code)],
    )


@router.get(
    "/office/zones/{code}/edit", dependencies=[Depends(require("zones", "update"))], summary="Sửa vùng quy hoạch"
)
def zone_edit(code: ZoneCode, office: OfficeDep, session: SessionDep) -> Response:
    zone = service.get_zone(session, code)
    return _zone_form(office, Form(labels=ZONE_LABELS, values=_zone_values(zone)), code=code, version=zone.version)


@router.post(
    "/office/zones/{code}/edit", dependencies=[Depends(require("zones", "update"))], summary="Sửa vùng quy hoạch"
)
async def zone_update(code: ZoneCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    values = form_values(posted, lists=frozenset({"allowed_pole_classes"}))
    return await in_thread(_zone_update, office, session, code, values, posted_version(posted))


def _zone_update(office: Office, session: Any, code: str, values: dict[str, Any], version: int | None) -> Response:
    zone = service.get_zone(session, code)
    original = _zone_values(zone)
    values = {k: v for k, v in values.items() if k in ZONE_LABELS}
    values.setdefault("allowed_pole_classes", [])  # no box ticked: the field is not posted at all
    form = Form(labels=ZONE_LABELS, values=values)
    edits = changed(values, original)
    if not edits:
        return done(f"/office/zones/{code}", "saved")
    cleared = frozenset(k for k, v in edits.items() if v in ("", []))
    sent = {k: v for k, v in edits.items() if k not in cleared}
    try:
        with attempt(session, form):
            service.update_zone(session, code, to_model(ZonePatch, sent, clear=cleared), expected_version=version)
    except StaleVersion:
        return stale_page(
            office,
            action=f"/office/zones/{code}/edit",
            back=f"/office/zones/{code}",
            labels=ZONE_LABELS,
            current=original,
            mine=values,
            current_version=zone.version,
            crumbs=[HOME, (f"/office/zones/{code}", code)],
        )
    if form.refused:
        return _zone_form(office, form, code=code, version=version)
    return done(f"/office/zones/{code}", "saved")


@router.get(
    "/office/zones/{code}/delete", dependencies=[Depends(require("zones", "delete"))], summary="Xóa vùng quy hoạch"
)
def zone_delete_confirm(code: ZoneCode, office: OfficeDep, session: SessionDep) -> Response:
    zone = service.get_zone(session, code)
    rules = service.spacing_rules(session, zone.id)
    what = f"vùng quy hoạch {code} ({zone.name})"
    if rules:
        what += f" cùng {len(rules)} quy tắc khoảng cách riêng của vùng"
    return page(
        office,
        "confirm.html",
        title=f"Xóa vùng quy hoạch {code}",
        what=what,
        blockers=[],
        action=f"/office/zones/{code}/delete",
        back=f"/office/zones/{code}",
        version=zone.version,
        crumbs=[HOME, (f"/office/zones/{code}", code)],
    )


@router.post(
    "/office/zones/{code}/delete", dependencies=[Depends(require("zones", "delete"))], summary="Xóa vùng quy hoạch"
)
async def zone_delete(code: ZoneCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    version = posted_version(await request.form())
    return await in_thread(_zone_delete, session, code, version)


def _zone_delete(session: Any, code: str, version: int | None) -> Response:
    service.delete_zone(session, code, expected_version=version)
    return done(HOME[0], "deleted")


# --- spacing rules ---------------------------------------------------------------------------------


def _rule_records(session: Any) -> list[dict[str, Any]]:
    return [spacing_record(session, r) for r in service.spacing_rules(session)]  # what GET /api/spacing-rules gives


def _rule_listing(request: Request, office: Office, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    sorts = [c.sort for c in RULE_COLUMNS if c.sort]
    pg = paging(request, sorts=sorts, default_sort=None)
    listing = Listing(
        request,
        "quy tắc",
        RULE_COLUMNS,
        [],
        0,
        pg,
        filters=(
            Filter("scope", "Phạm vi", [("general", "Áp dụng chung"), ("zone", "Riêng một vùng")]),
            Filter("pole_class", "Loại cột", RULE_CLASSES),
            Filter("in_force", "Hiệu lực hôm nay", [("yes", "Đang có hiệu lực"), ("no", "Chưa có hoặc hết hiệu lực")]),
        ),
        search="Mã vùng hoặc căn cứ pháp lý (có hoặc không dấu)",
    )
    from registry.text import fold

    rows = _rule_records(session)
    on = today().isoformat()
    if scope := listing.selected("scope"):
        rows = [r for r in rows if ("zone" if r["zone_code"] else "general") in scope]
    if classes := listing.selected("pole_class"):
        rows = [r for r in rows if r["pole_class"] in classes]
    if len(set(listing.selected("in_force")) & {"yes", "no"}) == 1:
        want = "yes" in listing.selected("in_force")
        rows = [
            r for r in rows
            if (r["effective_from"] <= on and (r["effective_to"] is None or r["effective_to"] > on)) == want
        ]  # fmt: skip
    if listing.q:
        q = fold(listing.q)
        rows = [r for r in rows if q in fold(f"{r['zone_code'] or ''} {r['legal_basis']}")]
    if pg.sort:
        key = pg.sort.lstrip("-")
        field = "zone_code" if key == "zone" else key
        present = [r for r in rows if r.get(field) is not None]
        present.sort(key=lambda r: r[field], reverse=pg.sort.startswith("-"))
        rows = present + [r for r in rows if r.get(field) is None]
    listing.total = len(rows)
    editable = office.can("zones", "update")
    listing.rows = [_rule_row(r, editable=editable) for r in rows[pg.offset : pg.offset + pg.per_page]]
    query = listing.export_query()
    listing.exports = [
        (label, f"/office/spacing-rules.{fmt}?{query}") for fmt, label in (("csv", "CSV"), ("xlsx", "Excel"))
    ]
    if office.can("zones", "create"):
        listing.actions = [("Thêm quy tắc khoảng cách", "/office/spacing-rules/new")]
    return listing, [_rule_row(r, editable=False) for r in rows]


@router.get("/office/spacing-rules", dependencies=READ, summary="Quy tắc khoảng cách giữa cột cồng kềnh")
def rule_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _rule_listing(request, office, session)
    return page(
        office,
        "spacing_rules.html",
        title="Khoảng cách tối thiểu giữa cột ăng ten cồng kềnh",
        listing=listing,
        crumbs=[HOME],
    )


@router.get("/office/spacing-rules.{fmt}", dependencies=READ, summary="Xuất quy tắc khoảng cách")
def rule_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows = _rule_listing(request, office, session)
    return exports.export(fmt, RULE_COLUMNS, rows, name="khoang-cach-cot", sheet="Khoảng cách giữa cột")


def _rule_form(office: Office, session: Any, form: Form, *, title: str, action: str, version: int | None = None,
               rule_id: int | None = None) -> Response:  # fmt: skip
    zones, _ = queries.zone_rows(session, ZoneFilter())
    back = RULES[0]
    return page(
        office,
        "spacing_form.html",
        title=title,
        status=422 if form.refused else 200,
        f=form,
        action=action,
        version=version,
        edit=rule_id is not None,
        rule_id=rule_id,
        back=back,
        zones=[(z["code"], f"{z['code']} — {z['name']}") for z in zones],
        classes=RULE_CLASSES,
        urban=RULE_URBAN,
        crumbs=[HOME, RULES],
    )


@router.get(
    "/office/spacing-rules/new", dependencies=[Depends(require("zones", "create"))], summary="Thêm quy tắc khoảng cách"
)
def rule_new(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values: dict[str, Any] = {"effective_from": dmy(today())}
    zone = request.query_params.get("zone_code")
    if zone:
        values["zone_code"] = zone[:40]
    form = Form(labels=RULE_LABELS, values=values)
    return _rule_form(office, session, form, title="Thêm quy tắc khoảng cách", action="/office/spacing-rules/new")


@router.post(
    "/office/spacing-rules/new", dependencies=[Depends(require("zones", "create"))], summary="Thêm quy tắc khoảng cách"
)
async def rule_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    form = Form(labels=RULE_LABELS, values=form_values(await request.form()))
    return await in_thread(_rule_create, office, session, form)


def _rule_create(office: Office, session: Any, form: Form) -> Response:
    values = {k: v for k, v in form.values.items() if k in RULE_LABELS}
    with attempt(session, form):
        service.create_spacing_rule(session, to_model(SpacingRuleCreate, values))
    if form.refused:
        return _rule_form(office, session, form, title="Thêm quy tắc khoảng cách", action="/office/spacing-rules/new")
    zone = values.get("zone_code")
    return done(f"/office/zones/{zone}" if zone else RULES[0], "created")


def _rule_values(rec: dict[str, Any]) -> dict[str, Any]:
    return {
        "zone_code": rec["zone_code"] or "",
        "pole_class": rec["pole_class"],
        "height_above_m": _num(rec["height_above_m"]),
        "height_up_to_m": _num(rec["height_up_to_m"]),
        "urban": _bool_text(rec["urban"]),
        "min_distance_m": _num(rec["min_distance_m"]),
        "legal_basis": rec["legal_basis"],
        "effective_from": dmy(rec["effective_from"]) or "",
        "effective_to": dmy(rec["effective_to"]) or "",
    }


@router.get(
    "/office/spacing-rules/{rule_id}/edit", dependencies=[Depends(require("zones", "update"))],
    summary="Sửa quy tắc khoảng cách",
)  # fmt: skip
def rule_edit(rule_id: RuleId, office: OfficeDep, session: SessionDep) -> Response:
    rule = service.get_spacing_rule(session, rule_id)
    form = Form(labels=RULE_LABELS, values=_rule_values(spacing_record(session, rule)))
    title = f"Sửa quy tắc khoảng cách #{rule_id}"
    action = f"/office/spacing-rules/{rule_id}/edit"
    return _rule_form(office, session, form, title=title, action=action, version=rule.version, rule_id=rule_id)


@router.post(
    "/office/spacing-rules/{rule_id}/edit", dependencies=[Depends(require("zones", "update"))],
    summary="Sửa quy tắc khoảng cách",
)  # fmt: skip
async def rule_update(rule_id: RuleId, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    return await in_thread(_rule_update, office, session, rule_id, form_values(posted), posted_version(posted))


def _rule_update(office: Office, session: Any, rule_id: int, values: dict[str, Any], version: int | None) -> Response:
    rule = service.get_spacing_rule(session, rule_id)
    original = _rule_values(spacing_record(session, rule))
    values = {k: v for k, v in values.items() if k in RULE_LABELS and k != "zone_code"}
    form = Form(labels=RULE_LABELS, values={**values, "zone_code": original["zone_code"]})
    edits = changed(values, original)
    if not edits:
        return done(RULES[0], "saved")
    cleared = frozenset(k for k, v in edits.items() if v == "")
    sent = {k: v for k, v in edits.items() if k not in cleared}
    try:
        with attempt(session, form):
            service.update_spacing_rule(
                session, rule_id, to_model(SpacingRulePatch, sent, clear=cleared), expected_version=version
            )
    except StaleVersion:
        return stale_page(
            office,
            action=f"/office/spacing-rules/{rule_id}/edit",
            back=RULES[0],
            labels={k: v for k, v in RULE_LABELS.items() if k != "zone_code"},
            current=original,
            mine=values,
            current_version=rule.version,
            crumbs=[HOME, RULES],
        )
    if form.refused:
        return _rule_form(office, session, form, title=f"Sửa quy tắc khoảng cách #{rule_id}",
                          action=f"/office/spacing-rules/{rule_id}/edit", version=version, rule_id=rule_id)  # fmt: skip
    return done(RULES[0], "saved")


@router.get(
    "/office/spacing-rules/{rule_id}/new-version", dependencies=[Depends(require("zones", "create"))],
    summary="Giá trị mới của quy tắc khoảng cách từ một ngày",
)  # fmt: skip
def rule_new_version(rule_id: RuleId, office: OfficeDep, session: SessionDep) -> Response:
    rule = service.get_spacing_rule(session, rule_id)
    values = {**_rule_values(spacing_record(session, rule)), "effective_from": "", "effective_to": ""}
    return _version_form(office, session, Form(labels=RULE_LABELS, values=values), rule_id, rule.version)


def _version_form(office: Office, session: Any, form: Form, rule_id: int, version: int | None) -> Response:
    return _rule_form(office, session, form, title=f"Giá trị mới của quy tắc khoảng cách #{rule_id} từ một ngày",
                      action=f"/office/spacing-rules/{rule_id}/new-version", version=version)  # fmt: skip


@router.post(
    "/office/spacing-rules/{rule_id}/new-version", dependencies=[Depends(require("zones", "create"))],
    summary="Giá trị mới của quy tắc khoảng cách từ một ngày",
)  # fmt: skip
async def rule_create_version(rule_id: RuleId, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    return await in_thread(_rule_version, office, session, rule_id, form_values(posted), posted_version(posted))


def _rule_version(office: Office, session: Any, rule_id: int, values: dict[str, Any], version: int | None) -> Response:
    """The new rule through the service the API's POST /api/spacing-rules/{id}/versions calls: the old one
    ends on the new one's first day."""
    rule = service.get_spacing_rule(session, rule_id)
    values = {k: v for k, v in values.items() if k in RULE_LABELS}
    form = Form(labels=RULE_LABELS, values=values)
    try:
        with attempt(session, form):
            service.new_spacing_rule_version(
                session, rule_id, to_model(SpacingRuleCreate, values), expected_version=version
            )
    except StaleVersion:
        return stale_page(
            office,
            action=f"/office/spacing-rules/{rule_id}/new-version",
            back=RULES[0],
            labels=RULE_LABELS,
            current=_rule_values(spacing_record(session, rule)),
            mine=values,
            current_version=rule.version,
            crumbs=[HOME, RULES],
        )
    if form.refused:
        return _version_form(office, session, form, rule_id, version)
    return done(RULES[0], "created")


@router.get(
    "/office/spacing-rules/{rule_id}/delete", dependencies=[Depends(require("zones", "delete"))],
    summary="Xóa quy tắc khoảng cách",
)  # fmt: skip
def rule_delete_confirm(rule_id: RuleId, office: OfficeDep, session: SessionDep) -> Response:
    rule = service.get_spacing_rule(session, rule_id)
    rec = spacing_record(session, rule)
    scope = f"của vùng {rec['zone_code']}" if rec["zone_code"] else "áp dụng chung"
    return page(
        office,
        "confirm.html",
        title=f"Xóa quy tắc khoảng cách #{rule_id}",
        what=f"quy tắc khoảng cách #{rule_id} ({rec['pole_class']}, {number(rec['min_distance_m'])} m, {scope})",
        blockers=[],
        action=f"/office/spacing-rules/{rule_id}/delete",
        back=f"/office/spacing-rules/{rule_id}/edit",
        version=rule.version,
        crumbs=[HOME, RULES],
    )


@router.post(
    "/office/spacing-rules/{rule_id}/delete", dependencies=[Depends(require("zones", "delete"))],
    summary="Xóa quy tắc khoảng cách",
)  # fmt: skip
async def rule_delete(rule_id: RuleId, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    version = posted_version(await request.form())
    return await in_thread(_rule_delete, session, rule_id, version)


def _rule_delete(session: Any, rule_id: int, version: int | None) -> Response:
    service.delete_spacing_rule(session, rule_id, expected_version=version)
    return done(RULES[0], "deleted")
